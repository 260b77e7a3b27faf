"""TLSSocket, TLSSocketWrapper, DTLSSocket: the TLSSOCKET_* cases of Mbed's test plan and more.

The host's TLS peers use a test CA made at run time; the runner copies it
next to the tests (tls_ca.der / tls_ca.pem) with a client certificate.
"""

import time
from devtest import skip, peer
from netsocket import TLSSocket, TLSSocketWrapper, DTLSSocket, TCPSocket, Socket, SocketAddress
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_WOULD_BLOCK as WOULD_BLOCK,
    NSAPI_ERROR_UNSUPPORTED as UNSUPPORTED,
    NSAPI_ERROR_PARAMETER as PARAMETER,
    NSAPI_ERROR_NO_CONNECTION as NO_CONNECTION,
    NSAPI_ERROR_NO_SOCKET as NO_SOCKET,
    NSAPI_ERROR_AUTH_FAILURE as AUTH_FAILURE,
    NSAPI_ERROR_IN_PROGRESS as IN_PROGRESS,
    NSAPI_ERROR_ALREADY as ALREADY,
    NSAPI_ERROR_IS_CONNECTED as IS_CONNECTED,
)
from sockcases import open_destruct, open_limit, open_twice
from nsutil import SIZES, net, addr, fill, Flag, recv_all, nonblock_echo

REQUIRES = ("tls",)  # the runner gives these tests only to boards with TLS

SERVER_NAME = "tls.netsocket.test"  # tools/netsocket_harness/peers/tls.py
DIR = "/tests/"


def _file(name):
    try:
        with open(DIR + name, "rb") as f:
            return f.read()
    except OSError:
        skip("no %s on this board (TLS peers not running)" % name)


def _opened(ca="tls_ca.der"):
    s = TLSSocket()
    assert s.open(net()) == OK
    if ca:
        err = s.set_root_ca_cert(_file(ca))
        assert err == OK, "set_root_ca_cert = %d" % err
    return s


def _connected(name, ca="tls_ca.der"):
    peer(name)
    s = _opened(ca)
    assert s.set_hostname(SERVER_NAME) == OK
    err = s.connect(addr(name))
    assert err == OK, "connect(%s) = %d" % (name, err)
    return s


def _echo(s, size, seed=0):
    tx = bytearray(size)
    rx = bytearray(size)
    fill(tx, size, seed + size)
    n = s.send(tx)
    assert n == size, "send(%d) = %d" % (size, n)
    recv_all(s, rx, size)
    assert rx == tx, "data mismatch at size %d" % size


# -- the TLSSOCKET_* cases ------------------------------------------------------


def test_open_destruct():
    open_destruct(TLSSocket)


def test_open_limit():
    open_limit(TLSSocket, 4)


def test_open_twice():
    open_twice(TLSSocket)


def test_connect_invalid():
    a = addr("tls_discard")
    with _opened() as s:
        for host, port in ((None, a.get_port()), ("", a.get_port()), ("", 0)):
            err = s.connect(host, port)
            assert err < 0, "connect(%r, %r) = %d" % (host, port, err)
    with _opened() as s:  # the legacy form checks the certificate against the host given (an IP here)
        err = s.connect(a.get_ip_address(), a.get_port())
        assert err == OK, err
        assert s.connect(a) == IS_CONNECTED


def _handshake_invalid(name):
    peer(name)
    with _opened() as s:
        assert s.set_hostname(SERVER_NAME) == OK
        err = s.connect(addr(name))
        assert err == AUTH_FAILURE, "%s: connect = %d" % (name, err)
        assert s.send(b"x") == NO_CONNECTION


def test_handshake_invalid_expired():
    _handshake_invalid("tls_expired")


def test_handshake_invalid_wrong_host():
    _handshake_invalid("tls_wronghost")


def test_handshake_invalid_self_signed():
    _handshake_invalid("tls_selfsigned")


def test_handshake_invalid_untrusted_root():
    _handshake_invalid("tls_untrusted")


def test_handshake_invalid_hostname_mismatch():
    # the good server, but the name asked for is not in its certificate
    with _opened() as s:
        assert s.set_hostname("other.netsocket.test") == OK
        assert s.connect(addr("tls_echo")) == AUTH_FAILURE


def test_send_closed():
    s = _connected("tls_echo")
    assert s.close() == OK
    assert s.send(b"12345") == NO_SOCKET
    assert s.recv(bytearray(5)) == NO_SOCKET
    assert s.close() == NO_SOCKET


def test_send_unconnected():
    with _opened() as s:
        assert s.send(b"12345") == NO_CONNECTION
        assert s.recv(bytearray(5)) == NO_CONNECTION


def test_send_repeat():
    with _connected("tls_discard") as s:
        for i in range(100):
            n = s.send(b"hello")
            assert n == 5, "send %d = %d" % (i, n)


def test_send_timeout():
    with _connected("tls_discard") as s:
        s.set_blocking(False)
        for _ in range(10):
            t0 = time.ticks_ms()
            n = s.send(b"hello")
            assert n in (5, WOULD_BLOCK), n
            assert time.ticks_diff(time.ticks_ms(), t0) <= 800


def test_echotest():
    with _connected("tls_echo") as s:
        for size in SIZES:
            _echo(s, size)


def test_echotest_nonblock():
    tx = bytearray(1200)
    rx = bytearray(1200)
    flag = Flag()
    with _connected("tls_echo") as s:
        s.set_blocking(False)
        s.sigio(flag.set)
        for size in SIZES:
            fill(tx, size, size)
            nonblock_echo(s, flag, tx, rx, size)


def test_echotest_burst():
    tx = bytearray(1220)
    rx = bytearray(1220)
    fill(tx, 1220, 3)
    with _connected("tls_echo") as s:
        for i in range(20):
            n = s.send(tx)
            assert n == 1220, "burst %d: send = %d" % (i, n)
            recv_all(s, rx, 1220)
            assert rx == tx, "burst %d mismatch" % i


def test_echotest_burst_nonblock():
    tx = bytearray(1220)
    rx = bytearray(1220)
    flag = Flag()
    fill(tx, 1220, 4)
    with _connected("tls_echo") as s:
        s.set_blocking(False)
        s.sigio(flag.set)
        for _ in range(20):
            nonblock_echo(s, flag, tx, rx, 1220)


def test_recv_timeout():
    rx = bytearray(100)
    with _connected("tls_echo") as s:
        s.set_timeout(100)
        t0 = time.ticks_ms()
        n = s.recv(rx)
        dt = time.ticks_diff(time.ticks_ms(), t0)
        assert n == WOULD_BLOCK, n
        assert 100 <= dt <= 200, "timed out after %d ms" % dt
        for i in range(5):
            _echo(s, 100, i)


def test_endpoint_close():
    buf = bytearray(100)
    total = 0
    with _connected("tls_daytime") as s:
        while True:
            n = s.recv(memoryview(buf)[total:], 100 - total)
            if total > 0 and n == 0:
                break
            assert n > 0, "recv = %d" % n
            assert total + n < 100, "more data than daytime sends: %d" % (total + n)
            total += n
        assert buf[total - 2:total] == b"\r\n", buf[:total]
        assert s.close() == OK


def test_no_cert():
    s = _opened(ca=None)
    assert s.set_hostname(SERVER_NAME) == OK
    assert s.connect(addr("tls_echo")) == AUTH_FAILURE
    assert s.close() == OK


def test_cert_in_filesystem():
    import os

    pem = _file("tls_ca.pem")
    d = DIR + "tls_cas"
    try:
        os.mkdir(d)
    except OSError:
        pass
    with open(d + "/ca.pem", "wb") as f:
        f.write(pem)
    s = _opened(ca=None)
    assert s.set_root_ca_cert_path(d) == OK
    assert s.set_hostname(SERVER_NAME) == OK
    assert s.connect(addr("tls_echo")) == OK
    _echo(s, 10)
    assert s.close() == OK
    os.remove(d + "/ca.pem")
    os.rmdir(d)
    for name in ("tls_ca.der", "tls_ca.pem"):  # a file path given to set_root_ca_cert
        with _opened(ca=None) as s:
            assert s.set_root_ca_cert(DIR + name) == OK, name
            assert s.set_hostname(SERVER_NAME) == OK
            assert s.connect(addr("tls_echo")) == OK, name


# -- beyond the plan -------------------------------------------------------------


def test_ca_forms():
    pem = _file("tls_ca.pem")
    for ca, size in ((pem, None), (pem.decode(), None), (pem + b"\x00", len(pem) + 1), (_file("tls_ca.der"), None)):
        with _opened(ca=None) as s:
            assert s.set_root_ca_cert(ca, size) == OK, (type(ca), size)
            assert s.set_hostname(SERVER_NAME) == OK
            assert s.connect(addr("tls_echo")) == OK
            _echo(s, 5)


def test_bad_parameters():
    with _opened(ca=None) as s:
        assert s.set_root_ca_cert(b"not a certificate") == PARAMETER
        assert s.set_root_ca_cert(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") == PARAMETER
        assert s.set_root_ca_cert(b"") == PARAMETER
        assert s.set_root_ca_cert(None) == PARAMETER
        assert s.set_root_ca_cert(b"x", 5) == PARAMETER
        assert s.set_root_ca_cert("/no/such/file.pem") == PARAMETER
        assert s.set_client_cert_key(b"junk", b"junk") == PARAMETER
        assert s.set_hostname("") == PARAMETER
        assert s.set_hostname(None) == PARAMETER
        assert s.send(b"x", 5) == NO_CONNECTION
        assert s.listen() == UNSUPPORTED
        assert s.accept() == (None, UNSUPPORTED)


def test_client_cert_required():
    peer("tls_clientauth")
    with _opened() as s:  # no client certificate: the server refuses
        assert s.set_hostname(SERVER_NAME) == OK
        assert s.connect(addr("tls_clientauth")) == AUTH_FAILURE
    for cert, key in (("tls_client.der", "tls_client_key.der"), ("tls_client.pem", "tls_client_key.pem")):
        with _opened() as s:
            assert s.set_client_cert_key(_file(cert), _file(key)) == OK, cert
            assert s.set_hostname(SERVER_NAME) == OK
            err = s.connect(addr("tls_clientauth"))
            assert err == OK, "%s: connect = %d" % (cert, err)
            _echo(s, 300)
    c, k = _file("tls_client.der"), _file("tls_client_key.der")
    with _opened() as s:  # Mbed's (cert, cert_len, key, key_len)
        assert s.set_client_cert_key(c, len(c), k, len(k)) == OK
        assert s.set_hostname(SERVER_NAME) == OK
        assert s.connect(addr("tls_clientauth")) == OK


def test_insecure_no_verify():
    peer("tls_selfsigned")
    with _opened(ca=None) as s:
        assert s.set_insecure_no_verify() == OK
        assert s.connect(addr("tls_selfsigned")) == OK
        _echo(s, 100)


def test_closed_cannot_reopen():
    s = _connected("tls_echo")
    assert s.close() == OK
    assert s.open(net()) == NO_SOCKET
    assert s.connect(addr("tls_echo")) == NO_SOCKET
    assert s.set_root_ca_cert(_file("tls_ca.der")) == NO_SOCKET


def test_getpeername():
    a = addr("tls_echo")
    with _opened() as s:
        p = SocketAddress()
        assert s.getpeername(p) == NO_CONNECTION
        assert s.set_hostname(SERVER_NAME) == OK
        assert s.connect(a) == OK
        assert s.getpeername(p) == OK and p == a, p


def test_nonblocking_connect():
    s = _opened()
    assert s.set_hostname(SERVER_NAME) == OK
    s.set_blocking(False)
    a = addr("tls_echo")
    err = s.connect(a)
    t0 = time.ticks_ms()
    while err not in (OK, IS_CONNECTED):
        assert err in (IN_PROGRESS, ALREADY), err
        assert time.ticks_diff(time.ticks_ms(), t0) < 5000, "connect never completed"
        time.sleep_ms(2)
        err = s.connect(a)
    assert s.connect(a) == IS_CONNECTED
    s.set_blocking(True)
    _echo(s, 200)
    assert s.close() == OK


class _Forward(Socket):
    """A minimal Socket that is not a netsocket socket class: it forwards to a TCPSocket."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def send(self, data, size=None):
        self.calls += 1
        return self.inner.send(data, size)

    def recv(self, buf, size=None):
        self.calls += 1
        return self.inner.recv(buf, size)

    def set_timeout(self, ms):
        self.inner.set_timeout(ms)

    def set_blocking(self, blocking):
        self.inner.set_blocking(blocking)

    def sigio(self, cb):
        self.inner.sigio(cb)

    def getpeername(self, a):
        return self.inner.getpeername(a)

    def close(self):
        return self.inner.close()


def test_wrapper_over_any_socket():
    a = addr("tls_echo")
    tcp = TCPSocket()
    assert tcp.open(net()) == OK
    assert tcp.connect(a) == OK
    fwd = _Forward(tcp)
    w = TLSSocketWrapper(fwd, SERVER_NAME, 0)  # TRANSPORT_KEEP: the app connects and closes the transport
    assert w.set_root_ca_cert(_file("tls_ca.der")) == OK
    assert w.send(b"x") == NO_CONNECTION
    assert w.connect() == OK
    for size in (1, 100, 1200):
        _echo(w, size)
    assert fwd.calls > 0  # the TLS records went through the wrapped Socket
    assert w.close() == OK
    assert tcp.send(b"x") == 1  # still open: KEEP leaves it to the app
    assert tcp.close() == OK


def test_wrapper_connects_and_closes_transport():
    tcp = TCPSocket()
    assert tcp.open(net()) == OK
    w = TLSSocketWrapper(tcp)  # TRANSPORT_CONNECT_AND_CLOSE
    assert w.set_root_ca_cert(_file("tls_ca.der")) == OK
    assert w.set_hostname(SERVER_NAME) == OK
    assert w.connect(addr("tls_echo")) == OK
    _echo(w, 50)
    assert w.close() == OK
    assert tcp.close() == NO_SOCKET  # the wrapper closed it


def test_dtls_echo():
    name = "dtls_echo"
    peer(name)
    s = DTLSSocket()
    assert s.open(net()) == OK
    assert s.set_root_ca_cert(_file("tls_ca.der")) == OK
    assert s.set_hostname(SERVER_NAME) == OK
    err = s.connect(addr(name))
    if err == UNSUPPORTED:
        skip("no DTLS in this port's ssl")
    assert err == OK, "connect = %d" % err
    s.set_timeout(2000)
    rx = bytearray(1200)
    for size in (1, 10, 100, 500, 1000):
        tx = bytearray(size)
        fill(tx, size, size)
        assert s.send(tx) == size
        n = s.recv(rx)
        assert n == size and rx[:n] == tx, (size, n)
    assert s.close() == OK


# -- TLS without set_hostname: netsocket's default differs from Mbed (see tls.py's docstring) --


def test_no_hostname_checks_the_ip():
    # the good server certificate carries the IP too; the wrong-host one names a host only
    with _opened() as s:
        assert s.connect(addr("tls_echo")) == OK
        _echo(s, 10)
    peer("tls_wronghost")
    with _opened() as s:
        err = s.connect(addr("tls_wronghost"))
        assert err == AUTH_FAILURE, "IP checked against a certificate naming a host: %d" % err


def test_verify_chain_only():
    # Mbed's behaviour by name: the chain (CA, dates) is verified, any name in it accepted
    for name, exp in (("tls_wronghost", OK), ("tls_echo", OK), ("tls_untrusted", AUTH_FAILURE),
                      ("tls_expired", AUTH_FAILURE), ("tls_selfsigned", AUTH_FAILURE)):
        peer(name)
        with _opened() as s:
            assert s.set_verify_chain_only() == OK
            err = s.connect(addr(name))
            assert err == exp, "%s: connect = %d" % (name, err)
            if err == OK:
                _echo(s, 20)
    tcp = TCPSocket()  # a transport the wrapper does not connect: it cannot reconnect it
    assert tcp.open(net()) == OK
    assert tcp.connect(addr("tls_echo")) == OK
    w = TLSSocketWrapper(tcp, None, 0)  # TRANSPORT_KEEP
    assert w.set_root_ca_cert(_file("tls_ca.der")) == OK
    assert w.set_verify_chain_only() == OK
    assert w.connect() == UNSUPPORTED
    assert w.close() == OK and tcp.close() == OK
    assert w.set_verify_chain_only() == NO_SOCKET
