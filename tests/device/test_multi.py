"""Two boards at once, as MicroPython's multi_net tests: ``_instance0`` serves, ``_instance1`` is the client.

The runner runs both functions of a test together, each on its own board;
they give each other their addresses with ``share``/``wait`` and meet at
``barrier()``. The server binds the board's own address (from its interface),
so on real boards the test crosses the network between them.
"""

import random
from netsocket import TCPSocket, UDPSocket, SocketAddress
from devtest import barrier, share, wait, requires
from nsutil import net

OK = 0


def _bind(sock, n):
    """Bind `sock` to a free port of the board's own address on `n`; that (ip, port)."""
    a = SocketAddress()
    assert n.get_ip_address(a) == OK
    for _ in range(20):
        a.set_port(random.randint(20000, 60000))
        if sock.bind(a) == OK:
            return a.get_ip_address(), a.get_port()
    raise AssertionError("no free port to bind")


def _server(n):
    srv = TCPSocket()
    assert srv.open(n) == OK
    share("server", _bind(srv, n))
    assert srv.listen(1) == OK
    srv.set_timeout(20000)
    return srv


def _serve_one(srv, greeting, reply):
    """Accept one client, check its exact greeting, answer, wait until it has read the answer."""
    s, err = srv.accept()
    assert err == OK and s is not None, err
    buf = bytearray(64)
    s.set_timeout(10000)
    got = 0
    while got < len(greeting):
        r = s.recv(memoryview(buf)[got:])
        assert r > 0, r
        got += r
    assert buf[:got] == greeting, bytes(buf[:got])
    assert s.send(reply) == len(reply)
    barrier()
    assert s.close() == OK and srv.close() == OK


def _client(n, greeting, reply):
    ip, port = wait("server")
    c = TCPSocket()
    assert c.open(n) == OK
    c.set_timeout(10000)
    assert c.connect(SocketAddress(ip, port)) == OK
    assert c.send(greeting) == len(greeting)
    buf = bytearray(64)
    got = 0
    while got < len(reply):
        r = c.recv(memoryview(buf)[got:])
        assert r > 0, r
        got += r
    assert buf[:got] == reply, bytes(buf[:got])
    barrier()
    assert c.close() == OK


# -- TCP: accept on one board, connect from the other ----------------------------------

def test_tcp_accept_recv_instance0():
    _serve_one(_server(net()), b"hello from instance1", b"hello back from instance0")


def test_tcp_accept_recv_instance1():
    _client(net(), b"hello from instance1", b"hello back from instance0")


# -- UDP: each board sends to the other and checks the datagram and its source ---------

def _udp_both_ways(me, other):
    n = net()
    u = UDPSocket()
    assert u.open(n) == OK
    share(me, _bind(u, n))
    ip, port = wait(other)
    barrier()  # both are bound before either sends
    u.set_timeout(10000)
    msg = b"datagram from " + me.encode()
    assert u.sendto(SocketAddress(ip, port), msg) == len(msg)
    buf = bytearray(64)
    src = SocketAddress()
    got = u.recvfrom(src, buf)
    want = b"datagram from " + other.encode()
    assert got == len(want) and buf[:got] == want, (got, bytes(buf[:max(got, 0)]))
    assert src.get_ip_address() == ip and src.get_port() == port, src
    barrier()  # neither closes before the other has its datagram
    assert u.close() == OK


def test_udp_both_ways_instance0():
    _udp_both_ways("udp0", "udp1")


def test_udp_both_ways_instance1():
    _udp_both_ways("udp1", "udp0")


# -- a cellular client (emulated BG96 on instance1's UART) to a native server -----------

def test_cellular_client_to_native_server_instance0():
    _serve_one(_server(net()), b"over the modem", b"to the modem")


@requires("cellular:bg96")
def test_cellular_client_to_native_server_instance1():
    from cellutil import use

    use("bg96")  # the default interface is now cellular over the emulated BG96
    _client(net(), b"over the modem", b"to the modem")
