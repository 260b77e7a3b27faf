"""UDPSocket: the generic socket cases and the UDPSOCKET_* cases of Mbed's test plan."""

import time
from devtest import skip
from netsocket import UDPSocket, SocketAddress
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_WOULD_BLOCK as WOULD_BLOCK,
    NSAPI_ERROR_UNSUPPORTED as UNSUPPORTED,
    NSAPI_ERROR_PARAMETER as PARAMETER,
    NSAPI_ERROR_NO_SOCKET as NO_SOCKET,
    NSAPI_ERROR_NO_MEMORY as NO_MEMORY,
    NSAPI_ERROR_NO_ADDRESS as NO_ADDRESS,
    NSAPI_ERROR_BUSY as BUSY,
    NSAPI_IPv6,
)
from sockcases import open_destruct, open_limit, open_twice, open_close_repeat
from nsutil import SIZES, net, addr, fill, Flag, chargen_check


def _opened():
    s = UDPSocket()
    assert s.open(net()) == OK
    return s


def test_open_destruct():
    open_destruct(UDPSocket)


def test_open_limit():
    open_limit(UDPSocket, 3)


def test_open_twice():
    open_twice(UDPSocket)


def test_open_close_repeat():
    open_close_repeat(UDPSocket)


def test_bind_port():
    with _opened() as s:
        assert s.bind(1024) in (OK, UNSUPPORTED)


def test_bind_port_fail():
    with _opened() as s1, _opened() as s2:
        err = s1.bind(1025)
        if err == UNSUPPORTED:
            skip("bind unsupported")
        assert err == OK, err
        err = s2.bind(1025)
        assert err == PARAMETER, err


def test_bind_address_invalid():
    with _opened() as s:
        err = s.bind(SocketAddress("190.2.3.4", 1024))
        assert err == PARAMETER, err


def test_bind_wrong_type():
    with _opened() as s:
        err = s.bind(SocketAddress(b"\xfe\x80\xff\x01" + bytes(12), NSAPI_IPv6, 1024))
        assert err == PARAMETER, err


def test_bind_address():
    with _opened() as s:
        a = SocketAddress()
        assert net().get_ip_address(a) == OK
        a.set_port(1026)
        assert s.bind(a) == OK, a


def test_bind_unopened():
    assert UDPSocket().bind(1024) == NO_SOCKET


def test_bind_sendto():
    with _opened() as s:
        assert s.bind(1027) == OK
        a = addr("echo")
        assert s.sendto(a, b"hello") == 5
        s.set_timeout(2000)
        buf = bytearray(10)
        src = SocketAddress()
        assert s.recvfrom(src, buf) == 5 and src == a, src


def test_sendto_invalid():
    d = addr("discard")
    with _opened() as s:
        assert s.sendto(SocketAddress(), None, 0) == 0
        n = s.sendto(d, None, 0)
        assert n in (0, UNSUPPORTED), n
        assert s.sendto(d, "hello", 5) == 5


def test_sendto_repeat():
    d = addr("discard")
    with _opened() as s:
        oom = False
        for i in range(100):
            n = s.sendto(d, b"hello")
            if n in (NO_MEMORY, BUSY):
                assert not oom, "twice in a row: %d" % n
                oom = True
                time.sleep(1)
                continue
            oom = False
            assert n == 5, "sendto %d = %d" % (i, n)


def _too_big(s, size, connected):
    # a modem carries datagrams up to its own limit (u-blox SARA: 1024 bytes): a larger one is refused
    if size <= getattr(s._stack, "SEND_MAX", 65507):
        return False
    e = addr("echo")
    assert (s.send(bytes(size)) if connected else s.sendto(e, bytes(size))) == -3003  # PARAMETER
    return True


def _echo_sizes(s, connected):
    # Mbed UDPSOCKET_ECHOTEST: 22 sizes, up to 3 tries each, content and source checked, loss <= 30 %
    e = addr("echo")
    tx = bytearray(1200)
    rx = bytearray(1200)
    src = SocketAddress()
    lost = 0
    for size in SIZES:
        if _too_big(s, size, connected):
            continue
        fill(tx, size, size)
        for _ in range(3):
            n = s.send(tx, size) if connected else s.sendto(e, tx, size)
            assert n == size, "send(%d) = %d" % (size, n)
            n = s.recv(rx) if connected else s.recvfrom(src, rx)
            if n == WOULD_BLOCK:
                continue
            assert n == size, "recv = %d for %d" % (n, size)
            assert rx[:size] == tx[:size], "data mismatch at %d" % size
            assert connected or src == e, src
            break
        else:
            lost += 1
    assert lost * 10 <= 3 * len(SIZES), "lost %d" % lost


def test_echotest():
    with _opened() as s:
        s.set_timeout(10000)
        _echo_sizes(s, False)


def test_echotest_connect_send_recv():
    with _opened() as s:
        assert s.connect(addr("echo")) == OK
        s.set_timeout(10000)
        _echo_sizes(s, True)


def _echo_nonblock(connected):
    e = addr("echo")
    tx = bytearray(1200)
    rx = bytearray(1200)
    src = SocketAddress()
    flag = Flag()
    lost = 0
    with _opened() as s:
        if connected:
            s.connect(e)
        s.set_blocking(False)
        s.sigio(flag.set)
        for size in SIZES:
            if _too_big(s, size, connected):
                continue
            fill(tx, size, size)
            n = s.send(tx, size) if connected else s.sendto(e, tx, size)
            assert n == size, "send(%d) = %d" % (size, n)
            while True:
                n = s.recv(rx) if connected else s.recvfrom(src, rx)
                if n != WOULD_BLOCK:
                    break
                if not flag.wait(5000):
                    lost += 1
                    break
            if n == WOULD_BLOCK:
                continue
            assert n == size, "recv = %d for %d" % (n, size)
            assert rx[:size] == tx[:size]
            assert connected or src == e
    assert lost * 10 <= 3 * len(SIZES), "lost %d" % lost


def test_echotest_nonblock():
    _echo_nonblock(False)


def test_echotest_nonblock_connect_send_recv():
    _echo_nonblock(True)


BURST = (100, 200, 300, 120, 500)


def _burst(nonblock):
    e = addr("echo")
    tx = bytearray(1220)
    rx = bytearray(600)
    src = SocketAddress()
    flag = Flag()
    fill(tx, 1220, 9)
    bad = 0
    with _opened() as s:
        if nonblock:
            s.set_blocking(False)
            s.sigio(flag.set)
        else:
            s.set_timeout(5000)
        for _ in range(20):
            off = 0
            for size in BURST:
                n = s.sendto(e, memoryview(tx)[off:], size)
                assert n in (size, NO_MEMORY), n
                off += size
            seen = 0
            for _ in range(len(BURST)):
                while True:
                    n = s.recvfrom(src, rx)
                    if n != WOULD_BLOCK or not nonblock or not flag.wait(5000):
                        break
                if n == WOULD_BLOCK:
                    break
                assert n > 0, n
                off = 0
                for size in BURST:
                    if size == n and rx[:n] == tx[off : off + n]:
                        seen += 1
                        break
                    off += size
                else:
                    assert not nonblock, "corrupted datagram of %d" % n
            if seen != len(BURST):
                bad += 1
    assert bad < 6, "bad bursts %d" % bad


def test_echotest_burst():
    _burst(False)


def test_echotest_burst_nonblock():
    _burst(True)


def test_recv_timeout():
    with _opened() as s:
        s.set_timeout(100)
        buf = bytearray(100)
        t0 = time.ticks_ms()
        n = s.recvfrom(None, buf)
        dt = time.ticks_diff(time.ticks_ms(), t0)
        assert n == WOULD_BLOCK and 100 <= dt <= 200, (n, dt)
        assert s.sendto(addr("echo"), buf) == 100
        n = s.recvfrom(None, buf)
        assert n in (100, WOULD_BLOCK), n


def test_sendto_timeout():
    d = addr("discard")
    buf = bytearray(100)
    with _opened() as s:
        for timeout in (-1, 1000):
            s.set_timeout(timeout)
            t0 = time.ticks_ms()
            assert s.sendto(d, buf) == 100
            assert time.ticks_diff(time.ticks_ms(), t0) < 100


def test_send_without_peer():
    with _opened() as s:
        assert s.send(b"x") == NO_ADDRESS
        assert s.connect(addr("echo")) == OK
        assert s.connect(SocketAddress()) == OK
        assert s.send(b"x") == NO_ADDRESS, "a zero address resets the peer"


def test_connected_filters_other_sources():
    # connected to echo; a chargen reply comes from another port and must be dropped
    with _opened() as s:
        s.connect(addr("echo"))
        s.set_timeout(300)
        assert s.sendto(addr("chargen"), b"x") == 1
        buf = bytearray(100)
        assert s.recv(buf) == WOULD_BLOCK
        assert s.send(b"ping") == 4
        assert s.recv(buf) == 4 and buf[:4] == b"ping"


def test_chargen_and_daytime():
    buf = bytearray(600)
    with _opened() as s:
        s.set_timeout(2000)
        src = SocketAddress()
        assert s.sendto(addr("chargen"), b"x") == 1
        n = s.recvfrom(src, buf)
        assert n >= 74 and src == addr("chargen"), (n, src)
        line = (buf[0] - 32) % 95
        assert chargen_check(buf, n, line * 74), bytes(buf[:n])
        assert s.sendto(addr("daytime"), b"x") == 1
        n = s.recvfrom(src, buf)
        assert 0 < n < 100, n


def test_truncates_large_datagram():
    with _opened() as s:
        s.set_timeout(2000)
        tx = bytearray(500)
        fill(tx, 500, 1)
        assert s.sendto(addr("echo"), tx) == 500
        rx = bytearray(100)
        n = s.recvfrom(None, rx, 50)
        assert n == 50 and rx[:50] == tx[:50], n


def test_recv_keeps_datagram_boundaries():
    # two datagrams queued before the first recv are read as two, never run together
    with _opened() as s:
        s.set_timeout(2000)
        assert s.connect(addr("echo")) == OK
        assert s.send(b"hello") == 5
        assert s.send(b"world") == 5
        time.sleep_ms(200)  # both echoes are queued now
        buf = bytearray(64)
        assert s.recv(buf) == 5 and buf[:5] == b"hello"
        src = SocketAddress()
        assert s.recvfrom(src, buf) == 5 and buf[:5] == b"world" and src == addr("echo")
