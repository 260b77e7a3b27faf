"""Socket, InternetSocket and TCPSocket with Mbed's semantics and codes (UDPSocket: udp.py).

What a TCP client uses is here; the rest (server calls, options, sigio, errors) is in
_socket_server_opts.py, which joins the classes on first use.

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

    def __getattr__(self, name):
        # the rarely used methods (bind, setsockopt, sigio, accept, ...) are in _socket_server_opts,
        # loaded and added to the classes on first use: importing this costs less heap
        from ._socket_server_opts import more  # (not "from . import": the package's __getattr__ would answer)

        return more(self, name)

    def __repr__(self):
        return self._repr()

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
        if self._cb is not None:  # sigio: attach it, and for TCP a stream that resets the event count
            self._sio()
        elif not self._proto:  # TCP: the stream send/recv use (see NetworkStack.socket_stream)
            self._io = st.socket_stream(h)
        else:  # UDP: the native socket its hot path uses, where the stack offers one (udp.py)
            d = st.socket_dgram(h)
            if d is not None:
                self._io = d
                self._timeout = self._timeout  # an instance attribute: read at every receive
        return _OK

    def close(self):
        """Close; a recv/send/accept blocked in another thread returns NO_SOCKET (the stack's
        socket_close ends its wait), and sigio's callback is called, as in Mbed."""
        h = self._h
        if h is None:
            return _NO_SOCKET
        self._h = None
        self._io = None
        self._peer = None
        err = self._stack.socket_close(h)
        self._stack = None
        if self._cb is not None:  # Mbed's close() calls event(): sigio once more (InternetSocket.cpp)
            self._event()
        return err

    def _wait(self, ev, t0):
        # wait for ev within the timeout counted from t0; False when timed out or closed (also
        # by close() in another thread, which may run between any two lines here)
        t = self._timeout
        if t == 0:
            return False
        if t > 0:
            t -= ticks_diff(ticks_ms(), t0)
            if t <= 0:
                return False
        st = self._stack
        h = self._h
        if h is None or st is None:
            return False
        st.socket_wait(h, ev, t)
        return self._h is not None

    def set_blocking(self, blocking):
        self._timeout = -1 if blocking else 0

    def set_timeout(self, timeout):
        """Timeout in ms (an int) for blocking calls: 0 non-blocking, negative forever. -> OK,
        or PARAMETER (timeout unchanged) for anything else: a float would be seconds to a
        Python programmer (socket.settimeout) and milliseconds to Mbed."""
        if type(timeout) is not int:
            return _PARAMETER
        self._timeout = -1 if timeout < 0 else timeout
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
            if err == _PARAMETER and _len(addr._ip) == 16 and self._to_ipv6(addr):  # IPv6 (_native_ipv6.py)
                h = self._h
                continue
            if err != _IN_PROGRESS and err != _ALREADY:
                break
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLOUT, t0):
                if self._h is None:  # closed meanwhile (another thread)
                    return _NO_SOCKET
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
    # waiting) goes to _send_rest()/_recv(), which redo the call with full checks: an error the
    # hot path caught recurs there (a failed TCP connection stays failed) and is mapped.
    # Where the build knows the board's architecture they are native code (build.py): the
    # frame on the C stack, no bytecode dispatch.

    @micropython.native
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
        if n is None or n is _FAIL:  # would block, or an error: from the start again, with every check
            n = -1
        self._n = n  # sent so far: a third argument would not fit the frame
        return self._send_rest(data, size)

    @micropython.native
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
        if n == -1:  # read again to learn the error. A connection that failed (reset) reads
            # as closed the second time on some stacks: that 0 is NO_CONNECTION
            n = self._recv(buf, size)
            return _NO_CONNECTION if n == 0 and (_len(buf) if size is None else size) else n
        return self._recv(buf, size)

    def _send_rest(self, data, size):
        # write data[self._n:size]; blocking: all of it within the timeout. self._n < 0: send()
        # from the start, with every check (closed, arguments, errors mapped)
        n = self._n
        if n < 0:
            if self._h is None:
                return _NO_SOCKET
            size = _size(data, size)
            if size < 0:
                return 0 if size == -2 else _PARAMETER
            n = 0
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
