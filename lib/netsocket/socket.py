"""Socket, InternetSocket and TCPSocket with Mbed's semantics and codes (UDPSocket: udp.py).

Methods return nsapi codes (0 OK, < 0 error, counts for send/recv). Blocking
and timeouts are done here, over the stack's non-blocking calls and
``socket_wait``, so they behave the same on every port.

Memory: an instance stores only what differs from the class defaults below
(a connected TCPSocket: stack, handle, stream and peer).
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

_len = len  # a module global: found at once, where ``len`` is looked up in globals, then builtins
_FAIL = object()  # send(): the hot path caught an exception



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
    _io = None  # TCP: the stack's stream for _h (see NetworkStack.socket_stream)
    _timeout = -1  # ms; 0 non-blocking, < 0 forever
    _peer = None  # TCP: (ip bytes, port); UDP: SocketAddress; None without a peer
    _cb = None  # sigio callback
    _n = 0  # TCP: bytes of the current send written so far (see send)
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
        self._set_io()
        return _OK

    def _set_io(self):
        # TCP: the stream send/recv use, the stack's own or (with sigio) one that also resets the event count
        if self._proto:
            return
        st = self._stack
        if self._cb is None:
            self._io = st.socket_stream(self._h)
        else:
            from .stack import Stream

            self._io = Stream(st, self._h, self)

    def close(self):
        h = self._h
        if h is None:
            return _NO_SOCKET
        self._h = None
        self._io = None
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
            self._set_io()

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

    # send() and recv() are the hot path: one Python frame over the stack's stream (the
    # native socket itself on NativeStack), within MicroPython's 11 words on the C stack
    # (a frame any larger is allocated on the heap at every call): four locals, calls of
    # at most two arguments, a bare ``except`` that only sets a value (``except Exception``
    # or ``as e`` take the frame past 11 words). Anything unusual (other arguments, errors,
    # waiting) goes to _send()/_recv(), which redo the call with full checks: an error the
    # hot path caught recurs there (a failed TCP connection stays failed) and is mapped.

    def send(self, data, size=None):
        """Send; blocking mode sends everything. -> count, WOULD_BLOCK or error."""
        try:
            if size is None:
                size = _len(data)
            elif not 0 <= size <= _len(data):
                raise ValueError
            n = self._io.write(data, size)
        except:  # noqa: E722 - see above
            n = _FAIL
        if n == size:
            return n
        if n is None or n is _FAIL:  # would block, or an error: from the start again
            return self._send(data, size)
        self._n = n  # sent so far: a third argument would not fit the frame
        return self._send_rest(data, size)

    def recv(self, buf, size=None):
        """Receive into ``buf``. -> count, 0 when the peer closed, WOULD_BLOCK or error."""
        try:
            if size is None:
                n = self._io.readinto(buf)
            elif 0 <= size <= _len(buf):
                n = self._io.readinto(buf, size)
            else:
                n = -2  # not valid: _recv() says which error
        except:  # noqa: E722 - see above
            n = -1
        if n is not None and n >= 0:
            return n
        if n == -1:
            return self._recv_err(buf, size)
        return self._recv(buf, size)

    def _send(self, data, size):
        # send() with every check: closed, arguments, errors mapped, waiting
        if self._h is None:
            return _NO_SOCKET
        size = _size(data, size)
        if size < 0:
            return 0 if size == -2 else _PARAMETER
        self._n = 0
        return self._send_rest(data, size)

    def _send_rest(self, data, size):
        # write data[self._n:size]; blocking: all of it within the timeout
        n = self._n
        t0 = None
        while n < size:
            try:
                m = self._io.write(data, n, size - n)
            except Exception as e:
                return self._err(e)
            if m is not None:
                n += m
                if self._timeout:
                    continue
            if not self._timeout:
                return n or _WOULD_BLOCK
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLOUT, t0):
                return _NO_SOCKET if self._h is None else n or _WOULD_BLOCK
        return n

    def _recv(self, buf, size):
        # recv() with every check: closed, arguments, errors mapped, waiting
        if self._h is None:
            return _NO_SOCKET
        size = _size(buf, size)
        if size < 0 or isinstance(buf, (bytes, str)):
            return _PARAMETER
        t0 = None
        while True:
            try:
                n = self._io.readinto(buf, size)
            except Exception as e:
                return self._err(e)
            if n is not None:
                return n
            if not self._timeout:
                return _WOULD_BLOCK
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLIN, t0):
                return _NO_SOCKET if self._h is None else _WOULD_BLOCK

    def _recv_err(self, buf, size):
        # the hot path caught an exception: read again to learn it. A connection that failed
        # (reset) reads as closed the second time on some stacks: that 0 is NO_CONNECTION.
        n = self._recv(buf, size)
        return _NO_CONNECTION if n == 0 and (_len(buf) if size is None else size) else n

    def _err(self, e):
        # an exception from the stream -> nsapi code
        if self._h is None:
            return _NO_SOCKET
        if isinstance(e, (TypeError, ValueError, AttributeError)):
            return _PARAMETER
        from .stack import nsapi_error

        return nsapi_error(e)

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
        s._set_io()
        s._peer = (a._ip, a._port)
        return s, _OK
