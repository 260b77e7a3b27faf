"""Socket, InternetSocket and TCPSocket with Mbed's semantics and codes (UDPSocket: udp.py).

Methods return nsapi codes (0 OK, < 0 error, counts for send/recv). Blocking
and timeouts are done here, over the stack's non-blocking calls and
``socket_wait``, so they behave the same on every port.

Memory: an instance stores only what differs from the class defaults below
(a connected TCPSocket: stack, handle and peer).
"""

from micropython import const
from time import ticks_ms, ticks_diff
from .address import SocketAddress

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_IN_PROGRESS = const(-3013)
_ALREADY = const(-3014)
_IS_CONNECTED = const(-3015)
_POLLIN = const(1)
_POLLOUT = const(4)


_BUFFERS = (bytes, bytearray, memoryview)


def _size(data, size):
    # the byte count to use for data[:size]; -1 when not valid, -2 for (None, 0 or None)
    if data is None and not size:
        return -2
    try:
        n = len(data)
        if size is None:
            return n
        if 0 <= size <= n:
            return size
    except TypeError:
        pass
    return -1


class Socket:
    """Abstract socket (Mbed's Socket). Supports ``with``: the socket closes on exit."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class InternetSocket(Socket):
    """IP socket over a NetworkStack; not created directly."""

    _proto = -1
    _stack = None
    _h = None  # the stack's handle; None when not open
    _timeout = -1  # ms; 0 non-blocking, < 0 forever
    _peer = None  # TCP: (ip bytes, port); UDP: SocketAddress; None without a peer
    _cb = None  # sigio callback
    _pend = 0  # events since the last operation (sigio fires on the first)

    def __repr__(self):
        s = "open" if self._h is not None else "closed"
        if self._peer is not None:
            a = SocketAddress()
            self.getpeername(a)
            s += " peer=" + repr(a)
        return "<%s %s>" % (type(self).__name__, s)

    def open(self, net):
        """Open on a NetworkInterface or NetworkStack; PARAMETER if already open."""
        if self._h is not None:
            return _PARAMETER
        st = getattr(net, "get_stack", None)
        st = st() if st else net
        if not hasattr(st, "socket_open"):
            return _PARAMETER
        h, err = st.socket_open(self._proto)
        if err:
            return err
        self._stack = st
        self._h = h
        if self._cb is not None:
            st.socket_attach(h, self._event)
        return _OK

    def close(self):
        h = self._h
        if h is None:
            return _NO_SOCKET
        self._h = None
        self._peer = None
        err = self._stack.socket_close(h)
        self._stack = None
        return err

    def _addr(self, addr, port):
        # a SocketAddress from (SocketAddress) or (host, port); -> (addr, err)
        if port is None:
            if isinstance(addr, SocketAddress):
                return addr, _OK
            if isinstance(addr, int) and not isinstance(addr, bool):
                port, addr = addr, None
            else:
                return None, _PARAMETER
        elif addr is None:
            return None, _PARAMETER
        if not isinstance(port, int) or not 0 <= port <= 65535:
            return None, _PARAMETER
        a = SocketAddress(None, port)
        if addr is not None:
            err = self._stack.gethostbyname(addr, a)
            if err:
                return None, err
        return a, _OK

    def bind(self, addr, port=None):
        """bind(port), bind(SocketAddress) or bind(ip, port); an unspecified IP binds only the port."""
        if self._h is None:
            return _NO_SOCKET
        addr, err = self._addr(addr, port)
        if err:
            return err
        return self._stack.socket_bind(self._h, addr)

    def _wait(self, ev, t0):
        # wait for ev within the timeout counted from t0; False when timed out or closed
        t = self._timeout
        if t == 0:
            return False
        if t > 0:
            t -= ticks_diff(ticks_ms(), t0)
            if t <= 0:
                return False
        self._stack.socket_wait(self._h, ev, t)
        return self._h is not None

    def set_blocking(self, blocking):
        self._timeout = -1 if blocking else 0

    def set_timeout(self, timeout):
        """Timeout in ms for blocking calls: 0 non-blocking, negative forever."""
        self._timeout = -1 if timeout < 0 else int(timeout)

    def setsockopt(self, level, opt, value):
        if self._h is None:
            return _NO_SOCKET
        return self._stack.setsockopt(self._h, level, opt, value)

    def getsockopt(self, level, opt):
        """-> (value, err)"""
        if self._h is None:
            return None, _NO_SOCKET
        return self._stack.getsockopt(self._h, level, opt)

    def sigio(self, cb):
        """Call ``cb()`` on state changes (readable, writable, error). It may fire
        spuriously and must not send or recv. None removes it."""
        self._cb = cb
        if self._h is not None:
            self._stack.socket_attach(self._h, None if cb is None else self._event)

    def _event(self):
        self._pend += 1
        cb = self._cb
        if cb is not None and self._pend == 1:
            cb()

    def getpeername(self, addr):
        """Fill the SocketAddress ``addr`` with the peer; NO_CONNECTION if none."""
        if self._h is None:
            return _NO_SOCKET
        if not isinstance(addr, SocketAddress):
            return _PARAMETER
        p = self._peer
        if p is None:
            return _NO_CONNECTION
        if isinstance(p, tuple):
            addr._ip, addr._port = p
        else:
            addr._ip, addr._port = p._ip, p._port
        return _OK


class TCPSocket(InternetSocket):
    """TCP socket: ``connect``, ``send``/``recv``, or ``bind``/``listen``/``accept``."""

    _proto = 0

    def connect(self, addr, port=None):
        """connect(SocketAddress) or the legacy connect(host, port).

        OK, IN_PROGRESS / ALREADY / IS_CONNECTED when non-blocking, or an error.
        """
        h = self._h
        if h is None:
            return _NO_SOCKET
        if port is not None or not isinstance(addr, SocketAddress):
            if port is None:
                return _PARAMETER
            addr, err = self._addr(addr, port)
            if err:
                return err
        if not addr or not addr._port:
            return _PARAMETER
        st = self._stack
        t0 = None
        while True:
            if self._cb is not None:
                self._pend = 0
            err = st.socket_connect(h, addr)
            if err != _IN_PROGRESS and err != _ALREADY:
                break
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLOUT, t0):
                break
        if err == _IS_CONNECTED and t0 is not None:
            err = _OK
        if err == _OK or err == _IN_PROGRESS:
            self._peer = (addr._ip, addr._port)
        return err

    def send(self, data, size=None):
        """Send; blocking mode sends everything. -> count, WOULD_BLOCK or error."""
        h = self._h
        if h is None:
            return _NO_SOCKET
        # hot path: few locals and no try block, so the frame stays off the heap
        if size is None and type(data) in _BUFFERS:
            size = len(data)
        else:
            size = _size(data, size)
            if size < 0:
                return 0 if data is None and size == -2 else _PARAMETER
        if self._cb is not None:
            self._pend = 0
        n = self._stack.socket_send(h, data, size)
        if n == size or n < 0 and (n != _WOULD_BLOCK or not self._timeout):
            return n
        return self._send_rest(data, size, n)

    def _send_rest(self, data, size, n):
        # blocking/timeout send after a first partial or blocked write
        st = self._stack
        mv = memoryview(data)
        sent = 0
        t0 = ticks_ms()
        while True:
            if n >= 0:
                sent += n
                if sent >= size:
                    return sent
            elif n != _WOULD_BLOCK:
                return n
            if not self._timeout or n == _WOULD_BLOCK and not self._wait(_POLLOUT, t0):
                return sent or _WOULD_BLOCK
            if self._h is None:
                return _NO_SOCKET
            if self._cb is not None:
                self._pend = 0
            n = st.socket_send(self._h, mv[sent:], size - sent)

    def recv(self, buf, size=None):
        """Receive into ``buf``. -> count, 0 when the peer closed, WOULD_BLOCK or error."""
        h = self._h
        if h is None:
            return _NO_SOCKET
        if size is None and type(buf) is bytearray:  # hot path, as in send()
            size = len(buf)
        else:
            size = _size(buf, size)
            if size < 0:
                return _PARAMETER
        if self._cb is not None:
            self._pend = 0
        n = self._stack.socket_recv(h, buf, size)
        if n != _WOULD_BLOCK or not self._timeout:
            return n
        t0 = ticks_ms()
        while self._wait(_POLLIN, t0):
            if self._cb is not None:
                self._pend = 0
            n = self._stack.socket_recv(self._h, buf, size)
            if n != _WOULD_BLOCK:
                return n
        return _NO_SOCKET if self._h is None else _WOULD_BLOCK

    def sendto(self, addr, data, size=None):
        """A connected socket ignores ``addr``."""
        return self.send(data, size)

    def recvfrom(self, addr, buf, size=None):
        """recv() that also fills the SocketAddress ``addr`` with the peer."""
        if addr is not None and self._h is not None:
            self.getpeername(addr)
        return self.recv(buf, size)

    def listen(self, backlog=1):
        if self._h is None:
            return _NO_SOCKET
        if not isinstance(backlog, int) or backlog < 0:
            return _PARAMETER
        return self._stack.socket_listen(self._h, backlog)

    def accept(self):
        """-> (TCPSocket, OK) for the next connection, or (None, err); the listener keeps listening."""
        h = self._h
        if h is None:
            return None, _NO_SOCKET
        st = self._stack
        a = SocketAddress()
        t0 = None
        while True:
            if self._cb is not None:
                self._pend = 0
            nh, err = st.socket_accept(h, a)
            if err != _WOULD_BLOCK:
                break
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLIN, t0):
                break
        if err:
            return None, err
        s = TCPSocket()
        s._stack = st
        s._h = nh
        s._peer = (a._ip, a._port)
        return s, _OK
