"""close() as Mbed's InternetSocket.cpp and TLSSocketWrapper.cpp do it: a recv, send or accept
blocked in another thread returns NO_SOCKET at once, close() returns after it has left, and
the sigio callback is called; TLS recv returns 0 after the peer's close_notify; a CA
directory with other files in it still loads."""

import _thread
import time
from devtest import skip
from netsocket import TCPSocket, UDPSocket, SocketAddress, NativeStack
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_NO_SOCKET as NO_SOCKET,
    NSAPI_ERROR_PARAMETER as PARAMETER,
)
from nsutil import net, addr, wait, Flag


def _tls_module():
    try:
        from netsocket import tls
    except ImportError:
        skip("no TLS package on this board")
    return tls


def _blocked(sock, call):
    """Run ``call()`` (blocking on ``sock``) in a thread, close ``sock`` here; -> what the call returned."""
    res = []
    started = []

    def run():
        started.append(1)
        try:
            res.append(call())
        except Exception as e:  # noqa: BLE001 - reported below
            res.append(e)

    _thread.start_new_thread(run, ())
    assert wait(lambda: started, 5000), "thread did not start"
    time.sleep_ms(100)  # let it reach its wait (if it has not, it finds the socket closed: same result)
    inner = getattr(sock, "_t", None) or sock  # TLS: its transport
    st, h = inner._stack, inner._h
    assert sock.close() == OK
    # close() returned after the waiter left the stack's wait: NativeStack lists the handles
    # waited on, an AT stack counts the waits on each handle
    if isinstance(st, NativeStack) and st._waits is not None:
        assert not st._waits, "close() returned before the waiter left socket_wait"
    assert getattr(h, "waits", 0) == 0, "close() returned before the waiter left socket_wait"
    assert wait(lambda: res, 5000), "the blocked call did not return after close()"
    return res[0]




def test_close_wakes_udp_recv():
    s = UDPSocket()
    assert s.open(net()) == OK and s.bind(0) == OK
    got = _blocked(s, lambda: s.recv(bytearray(16)))
    assert got == NO_SOCKET, got


def test_close_wakes_udp_recvfrom_with_timeout():
    s = UDPSocket()
    assert s.open(net()) == OK and s.bind(0) == OK
    s.set_timeout(60000)
    got = _blocked(s, lambda: s.recvfrom(SocketAddress(), bytearray(16)))
    assert got == NO_SOCKET, got


def test_close_wakes_tcp_recv():
    s = TCPSocket()
    assert s.open(net()) == OK
    assert s.connect(addr("discard")) == OK  # discard never answers: recv blocks
    got = _blocked(s, lambda: s.recv(bytearray(16)))
    assert got == NO_SOCKET, got


def test_close_wakes_tcp_accept():
    s = TCPSocket()
    assert s.open(net()) == OK
    for port in range(47300, 47340):
        if s.bind(port) == OK:
            break
    assert s.listen(1) == OK
    got = _blocked(s, s.accept)
    assert got == (None, NO_SOCKET), got


def test_close_wakes_tcp_send():
    # a peer that never reads (a listener of our own that never accepts): sends block once the
    # buffers are full
    n = net()
    ls = TCPSocket()
    assert ls.open(n) == OK
    for port in range(47340, 47380):
        if ls.bind(port) == OK:
            break
    assert ls.listen(1) == OK
    s = TCPSocket()
    assert s.open(n) == OK
    assert s.connect(SocketAddress("127.0.0.1", port)) == OK
    data = bytearray(4096)

    def send_until_blocked():
        while True:
            r = s.send(data)
            if r != len(data):
                return r

    got = _blocked(s, send_until_blocked)
    ls.close()
    assert got == NO_SOCKET, got


def test_close_wakes_tls_recv():
    tls = _tls_module()
    from test_tls import _connected

    s = _connected("tls_echo")  # the echo peer sends nothing unasked: recv blocks
    assert isinstance(s, tls.TLSSocket)
    got = _blocked(s, lambda: s.recv(bytearray(16)))
    assert got == NO_SOCKET, got
    assert s.recv(bytearray(4)) == NO_SOCKET


def _closing_sees(s, prime):
    """sigio(cb), let the stack's first event pass, ``prime()`` (an operation: it clears
    Mbed's pending flag), close(): -> whether cb ran and saw the socket closed."""
    seen = []
    flag = Flag()

    def cb():
        flag.set()
        seen.append(s.getpeername(SocketAddress()) == NO_SOCKET)

    s.sigio(cb)
    flag.wait(2000)  # the first event (writable) on ports that poll; none is fine too
    prime()
    del seen[:]
    assert s.close() == OK
    return True in seen


def test_close_calls_sigio():
    n = net()
    t = TCPSocket()
    assert t.open(n) == OK and t.connect(addr("discard")) == OK
    assert _closing_sees(t, lambda: t.send(b"x")), "TCPSocket.close() did not call sigio"
    u = UDPSocket()
    assert u.open(n) == OK
    u.set_blocking(False)
    assert _closing_sees(u, lambda: u.recv(bytearray(4))), "UDPSocket.close() did not call sigio"


def test_tls_close_calls_sigio():
    _tls_module()
    from test_tls import _connected

    s = _connected("tls_discard")
    assert _closing_sees(s, lambda: s.send(b"x")), "TLSSocket.close() did not call sigio"


def test_dtls_close_calls_sigio():
    tls = _tls_module()
    s = tls.DTLSSocket(net())
    t = s.get_transport()
    t.set_blocking(False)
    assert _closing_sees(s, lambda: t.recv(bytearray(4))), "DTLSSocket.close() did not call sigio"


def test_tls_recv_zero_after_close_notify():
    _tls_module()
    from test_tls import _connected

    s = _connected("tls_daytime")  # one line, then close_notify, TCP left open for 2 s
    time.sleep_ms(300)  # both records arrive together, the case this is about (passes either way)
    buf = bytearray(200)
    n = s.recv(buf)
    assert n > 0 and buf[n - 2:n] == b"\r\n", (n, buf[:n])
    for i in range(3):
        n = s.recv(buf)
        assert n == 0, "recv %d after close_notify = %d" % (i + 1, n)
    assert s.close() == OK


def test_root_ca_cert_path_skips_other_files():
    import os
    from test_tls import _file, _opened, SERVER_NAME, DIR

    _tls_module()
    pem = _file("tls_ca.pem")
    d = DIR + "tls_mixed"
    files = {"README.txt": b"not a certificate\n", "ca.pem": pem, "empty.der": b"", "junk.der": b"\x30\x03abc"}
    try:
        os.mkdir(d)
    except OSError:
        pass
    try:
        os.mkdir(d + "/sub")
    except OSError:
        pass
    for name, data in files.items():
        with open(d + "/" + name, "wb") as f:
            f.write(data)
    try:
        s = _opened(ca=None)
        assert s.set_root_ca_cert_path(d) == OK
        assert s.set_hostname(SERVER_NAME) == OK
        assert s.connect(addr("tls_echo")) == OK, "the CA among other files was loaded"
        assert s.close() == OK
        os.remove(d + "/ca.pem")
        s = _opened(ca=None)
        assert s.set_root_ca_cert_path(d) == PARAMETER, "no certificate at all"
        assert s.close() == OK
    finally:
        for name in files:
            try:
                os.remove(d + "/" + name)
            except OSError:
                pass
        os.rmdir(d + "/sub")
        os.rmdir(d)
