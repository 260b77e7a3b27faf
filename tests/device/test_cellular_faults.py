"""CellularInterface and the modem stacks against the emulated modems' fault knobs.

Each fault: the exact code the application sees, then recovery to GLOBAL_UP
without a board reset. Tests marked ``@each_modem`` run over every emulated modem
(each is reset to no faults by cellutil.use).
"""

import time
from devtest import timeout
from netsocket import TCPSocket, UDPSocket, SocketAddress
from cellutil import ctl, use, iface, each_modem
from celltest import status_events, echo, wait_up
from nsutil import addr, fill

REQUIRES = ("cellular",)  # the runner gives these tests only to boards with a modem

OK = 0
WOULD_BLOCK = -3001
UNSUPPORTED = -3002
NO_CONNECTION = -3004
DNS_FAILURE = -3009
AUTH_FAILURE = -3011
IS_CONNECTED = -3015
CONNECTION_TIMEOUT = -3017
GLOBAL_UP = 1
DISCONNECTED = 2
CONNECTING = 3


@each_modem
def test_pdp_deactivation_recovers():
    use()
    net = iface()
    seen = status_events(net)
    s = TCPSocket()
    assert s.open(net) == OK and s.connect(addr("echo")) == OK
    assert s.send(b"before") == 6
    ctl("pdpdeact")
    time.sleep_ms(50)
    buf = bytearray(10)
    s.set_timeout(2000)
    n = s.recv(buf)
    assert n in (6, NO_CONNECTION), n  # what arrived before the drop may still be read
    if n == 6:
        n = s.recv(buf)
    assert n == NO_CONNECTION, n
    assert s.send(b"after") == NO_CONNECTION
    assert s.close() == OK
    wait_up(net)
    assert DISCONNECTED in seen and seen[-2:] == [CONNECTING, GLOBAL_UP], seen
    echo(net)


@each_modem
def test_modem_reboot_recovers():
    use()
    net = iface()
    seen = status_events(net)
    u = UDPSocket()
    assert u.open(net) == OK
    assert u.sendto(addr("echo"), b"x") == 1
    ctl("reboot")
    time.sleep_ms(150)
    u.set_timeout(1000)
    n = u.recvfrom(None, bytearray(10))
    assert n in (1, NO_CONNECTION), n
    assert u.sendto(addr("echo"), b"y") == NO_CONNECTION
    u.close()
    wait_up(net)
    assert seen[-3:] == [DISCONNECTED, CONNECTING, GLOBAL_UP], seen
    echo(net)


@each_modem
def test_peer_close():
    use()
    net = iface()
    s = TCPSocket()
    assert s.open(net) == OK and s.connect(addr("echo")) == OK
    assert s.send(b"hello") == 5
    time.sleep_ms(50)  # the echo is in the modem's buffer
    ctl("close %d" % s._h.id)
    buf = bytearray(10)
    s.set_timeout(2000)
    got = 0
    while True:
        n = s.recv(memoryview(buf)[got:])
        if n == 0:
            break
        assert n > 0, n
        got += n
    assert buf[:got] == b"hello", buf
    assert s.recv(buf) == 0
    assert s.send(b"x") == NO_CONNECTION
    i = s._h.id
    assert s.close() == OK
    s2 = TCPSocket()  # the ID is free again (QICLOSE sent)
    assert s2.open(net) == OK and s2._h.id == i
    assert s2.connect(addr("echo")) == OK
    s2.close()


@each_modem
def test_lost_open_result():
    use()
    net = iface()
    ctl("set lose_open=1")
    net.get_stack().open_timeout = 500
    s = TCPSocket()
    assert s.open(net) == OK
    assert s.connect(addr("echo")) == CONNECTION_TIMEOUT
    assert s.connect(addr("echo")) == OK  # the ID was closed and works again
    s.close()
    echo(net, (100,))


@each_modem
def test_send_fail():
    use()
    net = iface()
    ctl("set send_fail=1")
    s = TCPSocket()
    assert s.open(net) == OK and s.connect(addr("echo")) == OK
    s.set_blocking(False)
    assert s.send(b"hello") == WOULD_BLOCK  # SEND FAIL: the modem's buffer is full
    s.set_blocking(True)
    ctl("set send_fail=2")
    assert s.send(b"hello") == 5  # blocking: retried after the back-off
    buf = bytearray(5)
    s.set_timeout(2000)
    got = 0
    while got < 5:
        n = s.recv(memoryview(buf)[got:])
        assert n > 0, n
        got += n
    assert buf == b"hello"
    s.close()


@each_modem
def test_split_garbage_injected_urcs():
    use()
    ctl("set split=1 garbage=0.2 inject=0.3 delay_max=5")
    net = iface()
    echo(net, (1, 2, 10, 100, 700, 1460, 2000))
    u = UDPSocket()
    u.open(net)
    u.set_timeout(3000)
    buf = bytearray(600)
    for size in (1, 100, 600):
        fill(buf, size, size)
        assert u.sendto(addr("echo"), buf, size) == size
        rx = bytearray(600)
        src = SocketAddress()
        assert u.recvfrom(src, rx) == size and rx[:size] == buf[:size] and src == addr("echo")
    u.close()


@timeout(120)
@each_modem
def test_echo_1mb_with_faults():
    # 1 MB each way with split writes, random delays, garbage lines and URCs inside responses;
    # 4 blocks in flight, so the test takes seconds rather than a round trip per block
    use()
    ctl("baud 0")  # unpaced: the board's CPU sets the pace
    ctl("set split=64 delay_max=2 inject=0.05 garbage=0.02")
    net = iface()
    total = 1 << 20
    block = 1460
    window = 4
    tx = bytearray(block * window)
    rx = bytearray(block * window)
    mtx, mrx = memoryview(tx), memoryview(rx)  # slices of these copy nothing: no heap churn
    with TCPSocket() as s:
        assert s.open(net) == OK and s.connect(addr("echo")) == OK
        s.set_timeout(20000)
        done = 0
        seed = 0
        while done < total:
            n = min(block * window, total - done)
            fill(tx, n, seed)
            assert s.send(tx, n) == n
            k = 0
            while k < n:
                m = s.recv(mrx[k:], n - k)
                assert m > 0, "recv = %d at %d" % (m, done + k)
                k += m
            for i in range(0, n, block):
                assert mrx[i:i + block] == mtx[i:i + block], "corrupt data at %d" % (done + i)
            done += n
            seed += 1
        assert done == total


@each_modem
def test_lost_reply_resyncs():
    # a reply lost on the line: that command times out (DEVICE_ERROR), the next one runs
    # ATHandler.sync() first and works, and so do sockets
    use()
    net = iface()
    at = net.at
    ctl("set lose_reply=1")
    with at:
        line, err = at.cmd("AT+CSQ", b"+CSQ:", 300)
        assert line is None and err == -3012 and at.timed_out, (line, err)
        line, err = at.cmd("AT+CSQ", b"+CSQ:")
        assert err == OK and line == b"+CSQ: 20,99", (line, err)
    ctl("set lose_reply=1 delay_max=0")
    a = SocketAddress()
    with at:
        assert at.cmd("AT+CGMI", None, 200)[1] == -3012
    assert net.gethostbyname("localhost", a) == OK and a.get_ip_address() == "127.0.0.1"
    echo(net, (10, 1000))
