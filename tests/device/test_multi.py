"""Two boards at once, as MicroPython's multi_net tests: ``_instance0`` serves, ``_instance1`` is the client.

The runner runs both functions of a test together, each on its own board;
they give each other their addresses with ``share``/``wait`` and meet at
``barrier()``. The server binds the board's own address (from its interface),
so on real boards the test crosses the network between them.
"""

import random
from netsocket import TCPSocket, UDPSocket, SocketAddress
from devtest import requires
from multitest import barrier, share, wait
from nsutil import net, recv_all

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
    a = _bind(srv, n)
    assert srv.listen(1) == OK  # before the client learns the address: else its connect may be refused
    share("server", a)
    srv.set_timeout(20000)
    return srv


def _serve_one(srv, greeting, reply):
    """Accept one client, check its exact greeting, answer, wait until it has read the answer."""
    s, err = srv.accept()
    assert err == OK and s is not None, err
    buf = bytearray(64)
    s.set_timeout(10000)
    got = recv_all(s, buf, len(greeting))
    assert buf[:got] == greeting, bytes(buf[:got])
    assert s.send(reply) == len(reply)
    barrier()
    assert s.close() == OK and srv.close() == OK


def _client(n, greeting, reply):
    ip, port = wait("server")
    c = TCPSocket()
    assert c.open(n) == OK
    c.set_timeout(10000)
    err = c.connect(SocketAddress(ip, port))
    assert err == OK, err
    assert c.send(greeting) == len(greeting)
    buf = bytearray(64)
    got = recv_all(c, buf, len(reply))
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


# -- TLS with a board as the server (the port's ssl, server side) and netsocket's TLSSocket as client --
# netsocket's TLSSocket is a client, as Mbed's is; instance0 serves with MicroPython's ssl over a plain
# socket, with the test server certificate its runner copied next to the tests.

SERVER_NAME = "tls.netsocket.test"  # in the test server certificate (tools/netsocket_harness/peers/tls.py)


def _read(path):
    with open("/tests/" + path, "rb") as f:
        return f.read()


@requires("tls")
def test_tls_board_as_server_instance0():
    import socket
    import ssl
    from devtest import skip

    if not hasattr(ssl, "PROTOCOL_TLS_SERVER"):
        skip("this port's ssl has no server side")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(_read("tls_server.der"), _read("tls_server_key.der"))
    a = SocketAddress()
    assert net().get_ip_address(a) == OK
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(20):
        port = random.randint(20000, 60000)
        try:
            s.bind(socket.getaddrinfo(a.get_ip_address(), port)[0][-1])
            break
        except OSError:
            pass
    s.listen(1)
    share("ca", _read("tls_ca.der"))  # the other board's runner has its own test CA
    share("server", (a.get_ip_address(), port))
    c, _ = s.accept()
    t = ctx.wrap_socket(c, server_side=True)  # the handshake
    got = b""
    while len(got) < 18:
        chunk = t.read(18 - len(got))
        assert chunk, got
        got += chunk
    assert got == b"hello from a board", got
    t.write(b"served by a board")
    barrier()
    t.close()
    s.close()


@requires("tls")
def test_tls_board_as_server_instance1():
    from netsocket import TLSSocket

    ca = wait("ca")
    ip, port = wait("server")
    t = TLSSocket()
    assert t.open(net()) == OK
    assert t.set_root_ca_cert(ca) == OK
    assert t.set_hostname(SERVER_NAME) == OK
    t.set_timeout(10000)
    assert t.connect(SocketAddress(ip, port)) == OK  # the certificate chain and the name are checked
    assert t.send(b"hello from a board") == 18
    buf = bytearray(32)
    got = recv_all(t, buf, 17)
    assert buf[:got] == b"served by a board", bytes(buf[:got])
    barrier()
    assert t.close() == OK
