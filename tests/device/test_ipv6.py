"""IPv6 over the default stack: TCP and UDP to the echo6 peer on ::1 (skipped without it)."""

from devtest import peer
from netsocket import TCPSocket, UDPSocket, SocketAddress
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_PARAMETER as PARAMETER,
    NSAPI_ERROR_NO_CONNECTION as NO_CONNECTION,
    NSAPI_IPv4,
    NSAPI_IPv6,
)
from nsutil import net, addr, sockets, fill, Flag, nonblock_echo

_LOOP6 = bytes(15) + b"\x01"


def _echo6():
    host, port = peer("echo6")
    a = SocketAddress(host, port)
    assert a.get_ip_version() == NSAPI_IPv6, host
    return a


def _tcp_echo(s, n, seed):
    out = bytearray(n)
    fill(out, n, seed)
    assert s.send(out) == n
    buf = bytearray(n)
    got = 0
    while got < n:
        r = s.recv(memoryview(buf)[got:])
        assert r > 0, r
        got += r
    assert buf == out


def test_tcp_connect_echo():
    a = _echo6()
    n0 = sockets()
    with TCPSocket() as s:
        assert s.open(net()) == OK
        s.set_timeout(5000)
        assert s.connect(a) == OK
        assert sockets() == n0 + 1
        for i, n in enumerate((1, 100, 1200, 5000)):
            _tcp_echo(s, n, i)
    assert sockets() == n0


def test_tcp_connect_text():
    host, port = peer("echo6")
    with TCPSocket() as s:
        assert s.open(net()) == OK
        s.set_timeout(5000)
        assert s.connect(host, port) == OK
        _tcp_echo(s, 64, 7)


def test_tcp_getpeername():
    a = _echo6()
    with TCPSocket() as s:
        assert s.open(net()) == OK
        p = SocketAddress()
        assert s.getpeername(p) == NO_CONNECTION
        s.set_timeout(5000)
        assert s.connect(a) == OK
        assert s.getpeername(p) == OK
        assert p.get_ip_version() == NSAPI_IPv6
        assert p == a
        assert p.get_ip_address() == "::1", p.get_ip_address()
        assert p.get_port() == a.get_port()


def test_udp_sendto_recvfrom():
    a = _echo6()
    with UDPSocket() as s:
        assert s.open(net()) == OK
        s.set_timeout(5000)
        for i, n in enumerate((1, 64, 1200)):
            out = bytearray(n)
            fill(out, n, i)
            assert s.sendto(a, out) == n
            src = SocketAddress()
            buf = bytearray(1500)
            assert s.recvfrom(src, buf) == n
            assert buf[:n] == out
            assert src.get_ip_version() == NSAPI_IPv6
            assert src == a, repr(src)


def test_udp_connect_send_recv():
    a = _echo6()
    with UDPSocket() as s:
        assert s.open(net()) == OK
        s.set_timeout(5000)
        assert s.connect(a) == OK
        assert s.send(b"hello6") == 6
        buf = bytearray(64)
        assert s.recv(buf) == 6
        assert buf[:6] == b"hello6"


def test_udp_bind_ipv6():
    a = _echo6()
    with UDPSocket() as s:
        assert s.open(net()) == OK
        s.set_timeout(5000)
        assert s.bind(SocketAddress(_LOOP6, NSAPI_IPv6, 0)) == OK
        assert s.sendto(a, b"bound") == 5
        src = SocketAddress()
        buf = bytearray(64)
        assert s.recvfrom(src, buf) == 5
        assert src == a


def test_tcp_bind_ipv6_connect():
    a = _echo6()
    with TCPSocket() as s:
        assert s.open(net()) == OK
        assert s.bind(SocketAddress(_LOOP6, NSAPI_IPv6, 0)) == OK
        s.set_timeout(5000)
        assert s.connect(a) == OK
        _tcp_echo(s, 300, 3)


def test_bound_ipv4_stays_ipv4():
    a = _echo6()
    with UDPSocket() as s:
        assert s.open(net()) == OK
        assert s.bind(0) == OK
        assert s.sendto(a, b"x") == PARAMETER
    with TCPSocket() as s:
        assert s.open(net()) == OK
        assert s.bind(SocketAddress(bytes(4), NSAPI_IPv4, 0)) == OK
        s.set_timeout(5000)
        assert s.connect(a) == PARAMETER


def test_ipv4_after_ipv6():
    a = _echo6()
    n0 = sockets()
    with TCPSocket() as s6, TCPSocket() as s4:
        assert s6.open(net()) == OK
        assert s4.open(net()) == OK
        s6.set_timeout(5000)
        s4.set_timeout(5000)
        assert s6.connect(a) == OK
        assert s4.connect(addr("echo")) == OK
        _tcp_echo(s6, 100, 1)
        _tcp_echo(s4, 100, 2)
        p = SocketAddress()
        assert s4.getpeername(p) == OK
        assert p.get_ip_version() == NSAPI_IPv4
    with UDPSocket() as u:
        assert u.open(net()) == OK
        u.set_timeout(5000)
        assert u.sendto(addr("echo"), b"four") == 4
        src = SocketAddress()
        buf = bytearray(16)
        assert u.recvfrom(src, buf) == 4
        assert src == addr("echo")
    assert sockets() == n0


def test_tcp_sigio_reopened():
    # the reopened native socket gets the sigio callback and the stream that resets its count
    a = _echo6()
    flag = Flag()
    tx = bytearray(1200)
    rx = bytearray(1200)
    with TCPSocket() as s:
        s.sigio(flag.set)
        assert s.open(net()) == OK
        s.set_timeout(5000)
        assert s.connect(a) == OK
        s.set_blocking(False)
        for size in (1, 500, 1200):
            fill(tx, size, size)
            nonblock_echo(s, flag, tx, rx, size)


def test_link_local_refused():
    # fe80::/10 needs a scope (interface) a SocketAddress cannot carry: PARAMETER, nothing sent
    ll = SocketAddress(b"\xfe\x80" + bytes(13) + b"\x01", NSAPI_IPv6, 7)
    with UDPSocket() as u:
        assert u.open(net()) == OK
        assert u.sendto(ll, b"x") == PARAMETER
        assert u.bind(ll) == PARAMETER
    with TCPSocket() as t:
        assert t.open(net()) == OK
        assert t.connect(ll) == PARAMETER
