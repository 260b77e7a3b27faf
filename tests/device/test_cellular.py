"""CellularInterface and the modem stacks against the emulated modems' fault knobs.

Each fault: the exact code the application sees, then recovery to GLOBAL_UP
without a board reset. Tests marked ``@each_modem`` run over the BG96 and
then the SIM7600 (each modem is reset to no faults by cellutil.use).
"""

import time
from devtest import timeout
from netsocket import TCPSocket, UDPSocket, SocketAddress
from cellutil import ctl, use, iface, each_modem
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


def _events(net):
    seen = []
    net.attach(lambda ev, st: seen.append(st))
    return seen


def _echo(net, sizes=(1, 10, 100, 500, 1000, 1460, 3000)):
    tx = bytearray(max(sizes))
    rx = bytearray(max(sizes))
    mtx, mrx = memoryview(tx), memoryview(rx)  # slices of these copy nothing: no heap churn
    with TCPSocket() as s:
        assert s.open(net) == OK
        assert s.connect(addr("echo")) == OK
        s.set_timeout(10000)
        for size in sizes:
            fill(tx, size, size)
            assert s.send(tx, size) == size
            got = 0
            while got < size:
                n = s.recv(mrx[got:], size - got)
                assert n > 0, "recv = %d after %d/%d" % (n, got, size)
                got += n
            assert mrx[:size] == mtx[:size], "data mismatch at size %d" % size


def _reboot_modem(faults=None):
    ctl("set " + faults if faults else "reset")
    ctl("reboot")
    time.sleep_ms(150)  # RDY and the boot URCs


def _wait_up(net, ms=10000):
    t0 = time.ticks_ms()
    while net.get_connection_status() != GLOBAL_UP:
        assert time.ticks_diff(time.ticks_ms(), t0) < ms, "not back up: %d" % net.get_connection_status()
        time.sleep_ms(20)


@each_modem
def test_connect_events_and_address():
    use()
    net = iface(connect=False)
    seen = _events(net)
    assert net.connect() == OK
    assert seen == [CONNECTING, GLOBAL_UP], seen
    assert net.is_connected()
    assert net.connect() == IS_CONNECTED
    a = SocketAddress()
    assert net.get_ip_address(a) == OK and a.get_ip_address() == "127.0.0.1", a
    assert net.disconnect() == OK
    assert seen[-1] == DISCONNECTED and not net.is_connected()
    assert net.get_ip_address(a) == -3006
    assert net.disconnect() == NO_CONNECTION
    assert net.connect() == OK


def test_bad_settings():
    use()
    net = iface(connect=False)
    assert net.set_sim_pin("12") == -3003
    assert net.set_sim_pin("12a4") == -3003
    assert net.set_credentials(5) == -3003
    assert net.set_plmn("abc") == -3003
    assert net.set_plmn(None) == OK


@each_modem
def test_sim_pin_required():
    use()
    _reboot_modem("sim_pin=1234")
    net = iface(connect=False)
    seen = _events(net)
    assert net.connect() == AUTH_FAILURE
    assert seen == [CONNECTING, DISCONNECTED], seen
    assert net.set_sim_pin("0000") == OK
    assert net.connect() == AUTH_FAILURE  # wrong PIN: +CME ERROR: 16
    assert net.set_sim_pin("1234") == OK
    assert net.connect() == OK
    _echo(net, (10, 100))


@each_modem
def test_registration_delay():
    use()
    _reboot_modem("reg_delay=1500")
    net = iface(connect=False)
    assert net.connect() == OK
    _echo(net, (100,))


@each_modem
def test_registration_denied():
    use()
    ctl("set reg_deny=1")
    net = iface(connect=False)
    seen = _events(net)
    assert net.connect() == NO_CONNECTION
    assert seen == [CONNECTING, DISCONNECTED], seen
    ctl("set reg_deny=0")
    assert net.connect() == OK
    _echo(net, (100,))


@each_modem
def test_registration_timeout():
    use()
    _reboot_modem("reg_delay=60000")
    net = iface(connect=False)
    net.reg_timeout = 500
    assert net.connect() == CONNECTION_TIMEOUT
    _reboot_modem()
    assert net.connect() == OK


@each_modem
def test_pdp_deactivation_recovers():
    use()
    net = iface()
    seen = _events(net)
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
    _wait_up(net)
    assert DISCONNECTED in seen and seen[-2:] == [CONNECTING, GLOBAL_UP], seen
    _echo(net)


@each_modem
def test_modem_reboot_recovers():
    use()
    net = iface()
    seen = _events(net)
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
    _wait_up(net)
    assert seen[-3:] == [DISCONNECTED, CONNECTING, GLOBAL_UP], seen
    _echo(net)


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
    _echo(net, (100,))


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
def test_dns():
    use()
    net = iface()
    a = SocketAddress()
    assert net.gethostbyname("localhost", a) == OK and a.get_ip_address() == "127.0.0.1", a
    assert net.gethostbyname("no-such-host.test", a) == DNS_FAILURE
    ctl("dns echo.test 127.0.0.1")
    assert net.gethostbyname("echo.test", a) == OK and a.get_ip_address() == "127.0.0.1"
    s = TCPSocket()
    s.open(net)
    assert s.connect("echo.test", addr("echo").get_port()) == OK
    s.close()


@each_modem
def test_split_garbage_injected_urcs():
    use()
    ctl("set split=1 garbage=0.2 inject=0.3 delay_max=5")
    net = iface()
    _echo(net, (1, 2, 10, 100, 700, 1460, 2000))
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
    import gc

    total = 1 << 20
    block = 1460
    window = 4
    gc.collect()  # the two 5840-byte blocks first, while the heap is least fragmented
    tx = bytearray(block * window)
    rx = bytearray(block * window)
    use()
    ctl("baud 0")  # unpaced: the board's CPU sets the pace
    ctl("set split=64 delay_max=2 inject=0.05 garbage=0.02")
    net = iface()
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


def test_ppp_mode_unsupported_here():
    use()
    try:
        import network

        network.PPP
        from devtest import skip

        skip("this port has network.PPP")
    except (ImportError, AttributeError):
        pass
    net = iface(connect=False, ppp=True)
    assert net.connect() == UNSUPPORTED
    assert net.get_connection_status() == DISCONNECTED


@each_modem
def test_ppp_dial_and_hangup():
    use()
    net = iface()  # registered; the dial itself is the PPP part
    assert net.dial() == OK  # AT+CGDCONT, ATD*99***1# -> CONNECT
    assert net.hangup() == OK  # +++, ATH: back in command mode
    with net.at:
        assert net.at.cmd("AT")[1] == OK


@each_modem
def test_nonip_echo():
    from netsocket.cellular import CellularNonIPSocket

    use()
    host, port = addr("echo").get_ip_address(), addr("echo").get_port()
    ctl("nonip %s %d" % (host, port))  # the operator's side: a UDP echo
    net = iface()
    s = CellularNonIPSocket()
    assert s.send(b"x") == -3005
    assert s.open(net) == OK
    assert s.open(net) == -3003
    s.set_timeout(3000)
    buf = bytearray(100)
    for msg in (b"hello", bytes(range(256))[:100]):
        assert s.send(msg) == len(msg)
        n = s.recv(buf)
        assert n == len(msg) and buf[:n] == msg, (n, bytes(buf[:n]))
    s.set_timeout(100)
    assert s.recv(buf) == WOULD_BLOCK
    assert s.close() == OK
    assert s.close() == -3005


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
    _echo(net, (10, 1000))


def test_default_instance_from_board_definition():
    import netsocket
    from netsocket import NetworkInterface
    from netsocket.cellular import CellularInterface, default_instance
    from cellutil import model
    from devtest import peer

    peer("modem2")
    model("sim7600")
    ctl("reset")
    assert netsocket.CellularInterface is CellularInterface
    assert CellularInterface.get_default_instance() is None  # this board's definition has no modem
    assert default_instance({"type": "cellular", "modem": "SIM7000", "uart": 2, "tx": 1, "rx": 2,
                                      "uart_baud": 921600}) is None  # no driver for it
    cfg = {"type": "cellular", "modem": "SIM7600", "uart": 2, "tx": 27, "rx": 26, "uart_baud": 921600,
           "pwrkey": 4, "pwrkey_active": 1, "pwrkey_pulse_ms": 500, "flight": 25, "dtr": 32}
    net = default_instance(cfg)
    assert isinstance(net, CellularInterface) and default_instance(cfg) is net
    assert CellularInterface.get_default_instance() is net
    net.set_as_default()
    assert NetworkInterface.get_default_instance() is net and CellularInterface.get_default_instance() is net
    net.set_credentials("internet")
    assert net.connect() == OK and repr(net.get_stack()).startswith("<SIM7600"), net.get_stack()
    _echo(net, (100,))
