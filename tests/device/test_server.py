"""Server sockets: bind/listen/accept on the board, clients connecting in turn, data both ways."""

from netsocket import TCPSocket, UDPSocket, SocketAddress
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_WOULD_BLOCK as WOULD_BLOCK,
    NSAPI_ERROR_UNSUPPORTED as UNSUPPORTED,
    NSAPI_ERROR_NO_SOCKET as NO_SOCKET,
    NSAPI_ERROR_NO_CONNECTION as NO_CONNECTION,
)
from devtest import timeout
from nsutil import net, sockets, read_line

PORT = 10123


def _own(port):
    a = SocketAddress()
    assert net().get_ip_address(a) == OK
    a.set_port(port)
    return a


def _listener(port):
    srv = TCPSocket()
    assert srv.open(net()) == OK
    from netsocket import nsapi

    srv.setsockopt(nsapi.NSAPI_SOCKET, nsapi.NSAPI_REUSEADDR, 1)
    assert srv.bind(_own(port)) == OK
    assert srv.listen(2) == OK
    return srv


def test_accept_clients_in_turn():
    n0 = sockets()
    srv = _listener(PORT)
    buf = bytearray(64)
    for i in range(3):
        c = TCPSocket()
        assert c.open(net()) == OK
        c.set_blocking(False)
        err = c.connect(_own(PORT))
        assert err in (OK, -3013), err
        srv.set_timeout(2000)
        s, err = srv.accept()
        assert err == OK and s is not None, err
        peer = SocketAddress()
        assert s.getpeername(peer) == OK and peer.get_ip_address() == _own(0).get_ip_address(), peer
        c.set_blocking(True)
        assert c.connect(_own(PORT)) in (OK, -3015)
        msg = b"client %d" % i
        assert c.send(msg) == len(msg)
        n = s.recv(buf)
        assert buf[:n] == msg, bytes(buf[:n])
        assert s.send(b"reply") == 5
        assert c.recv(buf) == 5 and buf[:5] == b"reply"
        assert c.close() == OK
        assert s.recv(buf) == 0, "peer closed"
        assert s.close() == OK
    srv.set_blocking(False)
    assert srv.accept() == (None, WOULD_BLOCK), "listener still listening, nothing pending"
    assert srv.close() == OK
    assert sockets() == n0, (sockets(), n0)


def test_accept_timeout():
    srv = _listener(PORT + 1)
    srv.set_timeout(100)
    assert srv.accept() == (None, WOULD_BLOCK)
    srv.close()
    assert srv.accept() == (None, NO_SOCKET)


def test_accept_listen_on_udp():
    with UDPSocket() as u:
        u.open(net())
        assert u.listen() == UNSUPPORTED
        assert u.accept() == (None, UNSUPPORTED)


def test_getpeername():
    s = TCPSocket()
    p = SocketAddress()
    assert s.getpeername(p) == NO_SOCKET
    s.open(net())
    assert s.getpeername(p) == NO_CONNECTION
    s.close()


@timeout(30)
def test_host_clients_in_turn():
    # the host connects 4 clients in turn to the board's listener; each sends 3000 bytes and reads them back
    from nsutil import addr

    n0 = sockets()
    srv = _listener(PORT + 2)
    ctl = TCPSocket()
    assert ctl.open(net()) == OK
    ctl.set_timeout(10000)
    assert ctl.connect(addr("clients")) == OK
    a = _own(PORT + 2)
    cmd = ("CONNECT %s %d 4 3000\n" % (a.get_ip_address(), a.get_port())).encode()
    assert ctl.send(cmd) == len(cmd)
    srv.set_timeout(10000)
    buf = bytearray(1000)
    for i in range(4):
        s, err = srv.accept()
        assert err == OK, (i, err)
        peer = SocketAddress()
        assert s.getpeername(peer) == OK and peer.get_port() != 0
        s.set_timeout(10000)
        got = 0
        while True:
            n = s.recv(buf)
            if n == 0:
                break
            assert n > 0, (i, n)
            assert s.send(buf, n) == n
            got += n
        assert got == 3000, (i, got)
        assert s.close() == OK
    assert read_line(ctl) == "OK 4"
    assert ctl.close() == OK and srv.close() == OK
    assert sockets() == n0, (sockets(), n0)
