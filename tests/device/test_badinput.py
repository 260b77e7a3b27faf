"""Bad input: a table of invalid calls, each giving its exact nsapi code and never an exception;
afterwards the count of open sockets is back where it started."""

from netsocket import TCPSocket, UDPSocket, SocketAddress, WiFiInterface
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_WOULD_BLOCK as WB,
    NSAPI_ERROR_UNSUPPORTED as UNSUP,
    NSAPI_ERROR_PARAMETER as PARAM,
    NSAPI_ERROR_NO_CONNECTION as NOCONN,
    NSAPI_ERROR_NO_SOCKET as NOSOCK,
    NSAPI_ERROR_NO_ADDRESS as NOADDR,
    NSAPI_ERROR_DNS_FAILURE as DNS,
    NSAPI_SOCKET as LVL,
    NSAPI_REUSEADDR,
    NSAPI_LINGER,
    NSAPI_ADD_MEMBERSHIP,
    NSAPI_BIND_TO_DEVICE,
    NSAPI_LATENCY,
    NSAPI_SECURITY_WPA2 as WPA2,
    NSAPI_IPv4,
    NSAPI_IPv6,
)
from nsutil import net, addr, sockets
from casetable import mismatches

A = SocketAddress("10.0.0.1", 80)
V6 = SocketAddress(b"\xfe\x80\xff\x01" + bytes(12), NSAPI_IPv6, 1024)


def _socket_cases(s, name, unopened_code):
    # every call on a socket that is not open
    b = bytearray(8)
    a = SocketAddress()
    return [
        (name + ".close()", s.close, (), NOSOCK),
        (name + ".close() again", s.close, (), NOSOCK),
        (name + ".send", s.send, (b"x",), NOSOCK),
        (name + ".recv", s.recv, (b,), NOSOCK),
        (name + ".sendto", s.sendto, (A, b"x"), NOSOCK),
        (name + ".recvfrom", s.recvfrom, (a, b), NOSOCK),
        (name + ".bind(port)", s.bind, (1024,), NOSOCK),
        (name + ".bind(addr)", s.bind, (A,), NOSOCK),
        (name + ".listen", s.listen, (), unopened_code),
        (name + ".accept", s.accept, (), (None, unopened_code)),
        (name + ".setsockopt", s.setsockopt, (LVL, NSAPI_REUSEADDR, 1), NOSOCK),
        (name + ".getsockopt", s.getsockopt, (LVL, NSAPI_REUSEADDR), (None, NOSOCK)),
        (name + ".getpeername", s.getpeername, (a,), NOSOCK),
        (name + ".connect(host, port)", s.connect, ("10.0.0.1", 80), NOSOCK),
    ]


def _table(n, t, u, w, echo):
    b = bytearray(4)
    a = SocketAddress()
    cases = []
    t0 = TCPSocket()
    u0 = UDPSocket()
    tc = TCPSocket()
    tc.open(n)
    tc.close()
    uc = UDPSocket()
    uc.open(n)
    uc.close()
    cases += _socket_cases(t0, "unopened tcp", NOSOCK)
    cases += _socket_cases(u0, "unopened udp", UNSUP)
    cases += _socket_cases(tc, "closed tcp", NOSOCK)
    cases += _socket_cases(uc, "closed udp", UNSUP)
    cases += [
        ("unopened tcp.connect(addr)", t0.connect, (A,), NOSOCK),
        ("open(None)", t0.open, (None,), PARAM),
        ("open(123)", t0.open, (123,), PARAM),
        ("open('net')", u0.open, ("net",), PARAM),
        ("open twice tcp", t.open, (n,), PARAM),
        ("open twice udp", u.open, (n,), PARAM),
        # TCP, open, not connected
        ("connect(None, 9)", t.connect, (None, 9), PARAM),
        ("connect('', 9)", t.connect, ("", 9), PARAM),
        ("connect('', 0)", t.connect, ("", 0), PARAM),
        ("connect(ip, -1)", t.connect, ("10.0.0.1", -1), PARAM),
        ("connect(ip, 65536)", t.connect, ("10.0.0.1", 65536), PARAM),
        ("connect(ip, '80')", t.connect, ("10.0.0.1", "80"), PARAM),
        ("connect(ip str only)", t.connect, ("10.0.0.1",), PARAM),
        ("connect(123)", t.connect, (123,), PARAM),
        ("connect(b'ip', 80)", t.connect, (b"10.0.0.1", 80), PARAM),
        ("connect(unspecified)", t.connect, (SocketAddress(),), PARAM),
        ("connect(0.0.0.0:80)", t.connect, (SocketAddress("0.0.0.0", 80),), PARAM),
        ("connect(port 0)", t.connect, (SocketAddress("10.0.0.1", 0),), PARAM),
        ("connect(bad text)", t.connect, (SocketAddress("10.0.0.300", 80),), PARAM),
        ("connect(unknown host)", t.connect, ("nonexistent.invalid", 80), DNS),
        ("tcp.bind(-1)", t.bind, (-1,), PARAM),
        ("tcp.bind(65536)", t.bind, (65536,), PARAM),
        ("tcp.bind(None)", t.bind, (None,), PARAM),
        ("tcp.bind('1024')", t.bind, ("1024",), PARAM),
        ("tcp.bind(1.5)", t.bind, (1.5,), PARAM),
        ("tcp.bind(True)", t.bind, (True,), PARAM),
        ("tcp.bind(ip, 70000)", t.bind, ("10.0.0.1", 70000), PARAM),
        ("tcp.bind('', 80)", t.bind, ("", 80), PARAM),
        ("tcp.bind(foreign)", t.bind, (SocketAddress("190.2.3.4", 1024),), PARAM),
        ("tcp.bind(wrong family)", t.bind, (V6,), PARAM),
        ("tcp.send unconnected", t.send, (b"x",), NOCONN),
        ("tcp.recv unconnected", t.recv, (b,), NOCONN),
        ("tcp.sendto unconnected", t.sendto, (A, b"x"), NOCONN),
        ("tcp.recvfrom unconnected", t.recvfrom, (None, b), NOCONN),
        ("tcp.send(123)", t.send, (123,), PARAM),
        ("tcp.send oversized", t.send, (b"abc", 4), PARAM),
        ("tcp.send size -1", t.send, (b"abc", -1), PARAM),
        ("tcp.send size '3'", t.send, (b"abc", "3"), PARAM),
        ("tcp.send(None, 5)", t.send, (None, 5), PARAM),
        ("tcp.recv oversized", t.recv, (b, 5), PARAM),
        ("tcp.recv(None)", t.recv, (None,), PARAM),
        ("tcp.recv(123)", t.recv, (123,), PARAM),
        ("tcp.recv size -1", t.recv, (b, -1), PARAM),
        ("tcp.recv(bytes)", t.recv, (b"immutable",), PARAM),
        ("tcp.accept not listening", t.accept, (), (None, PARAM)),
        ("tcp.listen(-1)", t.listen, (-1,), PARAM),
        ("tcp.listen('x')", t.listen, ("x",), PARAM),
        ("tcp.setsockopt(unknown opt)", t.setsockopt, (LVL, 99, 1), UNSUP),
        ("tcp.setsockopt(REUSEADDR, 'x')", t.setsockopt, (LVL, NSAPI_REUSEADDR, "x"), PARAM),
        ("tcp.setsockopt(REUSEADDR, None)", t.setsockopt, (LVL, NSAPI_REUSEADDR, None), PARAM),
        ("tcp.setsockopt(LINGER, 'x')", t.setsockopt, (LVL, NSAPI_LINGER, "x"), PARAM),
        ("tcp.setsockopt(ADD_MEMBERSHIP, 'x')", t.setsockopt, (LVL, NSAPI_ADD_MEMBERSHIP, "x"), PARAM),
        ("tcp.setsockopt(BIND_TO_DEVICE)", t.setsockopt, (LVL, NSAPI_BIND_TO_DEVICE, "eth0"), UNSUP),
        ("tcp.setsockopt(LATENCY)", t.setsockopt, (LVL, NSAPI_LATENCY, 1), UNSUP),
        ("tcp.getpeername(None)", t.getpeername, (None,), PARAM),
        ("tcp.getpeername('x')", t.getpeername, ("x",), PARAM),
        ("tcp.getpeername unconnected", t.getpeername, (a,), NOCONN),
        # UDP, open, non-blocking
        ("udp.send without peer", u.send, (b"x",), NOADDR),
        ("udp.recv nothing pending", u.recv, (b,), WB),
        ("udp.sendto(None)", u.sendto, (None, b"x"), PARAM),
        ("udp.sendto('ip')", u.sendto, ("10.0.0.1", b"x"), PARAM),
        ("udp.sendto(unspecified)", u.sendto, (SocketAddress(), b"x"), NOADDR),
        ("udp.sendto(port 0)", u.sendto, (SocketAddress("10.0.0.1", 0), b"x"), NOADDR),
        ("udp.sendto(data 123)", u.sendto, (echo, 123), PARAM),
        ("udp.sendto oversized", u.sendto, (echo, b"abc", 4), PARAM),
        ("udp.sendto size -1", u.sendto, (echo, b"abc", -1), PARAM),
        ("udp.sendto(None, 5)", u.sendto, (echo, None, 5), PARAM),
        ("udp.sendto wrong family", u.sendto, (V6, b"x"), PARAM),
        ("udp.recvfrom('x')", u.recvfrom, ("x", b), PARAM),
        ("udp.recvfrom(None, None)", u.recvfrom, (None, None), PARAM),
        ("udp.recvfrom oversized", u.recvfrom, (a, b, 5), PARAM),
        ("udp.recvfrom size -1", u.recvfrom, (a, b, -1), PARAM),
        ("udp.recv(123)", u.recv, (123,), PARAM),
        ("udp.connect(None, 80)", u.connect, (None, 80), PARAM),
        ("udp.connect('', 80)", u.connect, ("", 80), PARAM),
        ("udp.connect(ip, -1)", u.connect, ("10.0.0.1", -1), PARAM),
        ("udp.connect(123)", u.connect, (123,), PARAM),
        ("udp.bind(-1)", u.bind, (-1,), PARAM),
        ("udp.bind(65536)", u.bind, (65536,), PARAM),
        ("udp.bind(wrong family)", u.bind, (V6,), PARAM),
        ("udp.listen", u.listen, (), UNSUP),
        ("udp.accept", u.accept, (), (None, UNSUP)),
        ("udp.setsockopt(ADD_MEMBERSHIP, v6)", u.setsockopt, (LVL, NSAPI_ADD_MEMBERSHIP, SocketAddress("ff02::1")), UNSUP),
        ("udp.setsockopt(ADD_MEMBERSHIP, 'x')", u.setsockopt, (LVL, NSAPI_ADD_MEMBERSHIP, "x"), PARAM),
        ("udp.getpeername unconnected", u.getpeername, (a,), NOCONN),
        # interface
        ("gethostbyname(None)", n.gethostbyname, (None, a), PARAM),
        ("gethostbyname('')", n.gethostbyname, ("", a), PARAM),
        ("gethostbyname(256 chars)", n.gethostbyname, ("x" * 256, a), PARAM),
        ("gethostbyname(123)", n.gethostbyname, (123, a), PARAM),
        ("gethostbyname(addr None)", n.gethostbyname, ("localhost", None), PARAM),
        ("gethostbyname(addr 'a')", n.gethostbyname, ("localhost", "a"), PARAM),
        ("gethostbyname(unknown)", n.gethostbyname, ("nonexistent.invalid", a), DNS),
        ("gethostbyname(v6 literal, v4)", n.gethostbyname, ("::1", a, NSAPI_IPv4), DNS),
        ("gethostbyname(v4 literal, v6)", n.gethostbyname, ("10.0.0.1", a, NSAPI_IPv6), DNS),
        ("get_ip_address(None)", n.get_ip_address, (None,), PARAM),
        ("get_netmask('x')", n.get_netmask, ("x",), PARAM),
        ("get_gateway(123)", n.get_gateway, (123,), PARAM),
        ("set_network", n.set_network, (A, A, A), UNSUP),
        ("set_dhcp(False)", n.set_dhcp, (False,), UNSUP),
        # Wi-Fi parameter checks
        ("wifi.set_credentials(None)", w.set_credentials, (None, "password"), PARAM),
        ("wifi.set_credentials('')", w.set_credentials, ("", "password"), PARAM),
        ("wifi.set_credentials(123)", w.set_credentials, (123, "password"), PARAM),
        ("wifi.set_credentials(33 chars)", w.set_credentials, ("x" * 33, None), PARAM),
        ("wifi.set_credentials(WPA2, None)", w.set_credentials, ("s", None, WPA2), PARAM),
        ("wifi.set_credentials(WPA2, '')", w.set_credentials, ("s", "", WPA2), PARAM),
        ("wifi.set_credentials(WPA2, 64 chars)", w.set_credentials, ("s", "x" * 64, WPA2), PARAM),
        ("wifi.set_credentials(WPA2, 7 chars)", w.set_credentials, ("s", "x" * 7, WPA2), PARAM),
        ("wifi.set_credentials(security -1)", w.set_credentials, ("s", "password", -1), PARAM),
        ("wifi.set_credentials(security 'WPA2')", w.set_credentials, ("s", "password", "WPA2"), PARAM),
        ("wifi.set_credentials(password int)", w.set_credentials, ("s", 12345678, WPA2), PARAM),
        ("wifi.set_channel(15)", w.set_channel, (15,), PARAM),
        ("wifi.set_channel(-1)", w.set_channel, (-1,), PARAM),
        ("wifi.set_channel('1')", w.set_channel, ("1",), PARAM),
        ("wifi.set_channel(None)", w.set_channel, (None,), PARAM),
        ("wifi.connect() no credentials", w.connect, (), PARAM),
        ("wifi.scan(None, 5)", w.scan, (None, 5), PARAM),
        ("wifi.scan([], -1)", w.scan, ([], -1), PARAM),
    ]
    return cases


def test_bad_input_table():
    n = net()
    echo = addr("echo")
    n0 = sockets()
    t = TCPSocket()
    u = UDPSocket()
    assert t.open(n) == OK and u.open(n) == OK
    u.set_blocking(False)
    w = WiFiInterface()
    cases = _table(n, t, u, w, echo)
    bad = mismatches(cases)
    assert t.close() == OK and u.close() == OK
    assert len(cases) >= 100, len(cases)
    assert not bad, "%d of %d wrong:\n  %s" % (len(bad), len(cases), "\n  ".join(bad))
    assert sockets() == n0, "open sockets %d, started with %d" % (sockets(), n0)
