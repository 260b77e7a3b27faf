"""UDPSocket with Mbed's semantics and codes (loaded on first use of ``netsocket.UDPSocket``)."""

from micropython import const
from time import ticks_ms
from .address import SocketAddress
from .socket import InternetSocket, _size, _len

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_SOCKET = const(-3005)
_NO_ADDRESS = const(-3006)
_POLLIN = const(1)
_POLLOUT = const(4)

_BUFFERS = (bytes, bytearray, memoryview)
_NOIP = (None, bytes(4), bytes(16))  # no destination: unspecified, 0.0.0.0, ::


class UDPSocket(InternetSocket):
    """UDP socket: ``sendto``/``recvfrom``, or ``connect`` to set a peer for ``send``/``recv``."""

    _proto = 1

    def listen(self, backlog=1):
        return _UNSUPPORTED

    def accept(self):
        return None, _UNSUPPORTED

    def connect(self, addr, port=None):
        """Set (or, with an unspecified address, reset) the peer. No traffic.

        A connected socket filters sources: it leaves the hot path (see sendto)."""
        if port is not None or not isinstance(addr, SocketAddress):
            if self._h is None:
                return _NO_SOCKET
            if port is None:
                return _PARAMETER
            addr, err = self._addr(addr, port)
            if err:
                return err
        self._peer = SocketAddress(addr) if addr else None
        self._direct()
        return _OK

    def _direct(self):
        # the hot path's native socket: only on NativeStack, without sigio and without a peer
        st = self._stack
        self._io = st.socket_dgram(self._h) if st and self._cb is None and self._peer is None else None

    # sendto(), recvfrom() and recv() are the hot path. On NativeStack (``socket_dgram``) they
    # call the native socket themselves: one Python frame per datagram, compiled with the native
    # emitter where the build knows the board's architecture (tools/netsocket_harness/build.py).
    # A blocking receive first waits in socket_wait (no allocation there), then reads: waiting
    # raises and catches nothing. The native address of the last destination is kept (_dip,
    # _dport, _dna); the stack keeps that of the last source. Anything else (other stacks,
    # sigio, a peer set with connect, other buffer types, errors) takes the full path in
    # _sendto()/_recvfrom(), which redoes the call with every check.

    _dip = None  # the last destination: its ip bytes, port and native address
    _dport = -1
    _dna = None

    @micropython.native
    def sendto(self, addr, data, size=None):
        """Send one datagram to ``addr``. -> count or error."""
        try:
            if (size is None or size == _len(data)) and addr._ip is self._dip and addr._port == self._dport:
                return self._io.sendto(data, self._dna)
        except:  # noqa: E722 - anything: the full path says what
            pass
        return self._sendto(addr, data, size)

    def _sendto(self, addr, data, size):
        h = self._h
        if h is None:
            return _NO_SOCKET
        if not isinstance(addr, SocketAddress):
            return _PARAMETER
        if data is None and not size:
            data = b""
        size = _size(data, size)
        if size < 0:
            return _PARAMETER
        if not addr._port or addr._ip in _NOIP:
            return 0 if size == 0 else _NO_ADDRESS
        t0 = ticks_ms()
        while True:
            if self._cb is not None:
                self._pend = 0
            n = self._stack.socket_sendto(h, addr, data, size)
            if n == _PARAMETER and _len(addr._ip) == 16 and self._to_ipv6(addr):  # IPv6 (_native_ipv6.py)
                h = self._h
                continue
            if n >= 0 and self._io is not None and size == _len(data):  # the hot path's next time
                self._dna = self._stack._sa(addr)
                self._dip = addr._ip
                self._dport = addr._port
            if n != _WOULD_BLOCK:
                return n
            if not self._wait(_POLLOUT, t0):
                return _NO_SOCKET if self._h is None else _WOULD_BLOCK
            h = self._h

    def send(self, data, size=None):
        """Send to the connected peer; NO_ADDRESS if there is none."""
        if self._h is None:
            return _NO_SOCKET
        p = self._peer
        if p is None:
            return _NO_ADDRESS
        return self.sendto(p, data, size)

    @micropython.native
    def recvfrom(self, addr, buf, size=None):
        """Receive one datagram (truncated to ``size``), filling ``addr`` with its source.

        When connected, datagrams from other addresses are dropped.
        """
        io = self._io
        if io is None or type(buf) is not bytearray or type(addr) is not SocketAddress:
            return self._recvfrom(addr, buf, size)
        if size is None:
            size = _len(buf)
        elif not 0 <= size <= _len(buf):
            return _PARAMETER
        t = self._timeout
        if t and not self._stack.socket_wait(io, _POLLIN, t):
            return _NO_SOCKET if self._h is None else _WOULD_BLOCK
        try:
            d, a = io.recvfrom(size)
        except:  # noqa: E722 - closed, an error, or nothing after all: the full path says what
            return self._recvfrom(addr, buf, size)
        t = _len(d)
        buf[:t] = d
        st = self._stack
        c = st._src
        if c is not None and c[0] == a:  # the same source as last time: nothing to parse
            addr._ip = c[1]
            addr._port = c[2]
        else:
            st.source(a, addr)
        return t

    @micropython.native
    def recv(self, buf, size=None):
        io = self._io
        if io is None or type(buf) is not bytearray:
            return self._recvfrom(None, buf, size)
        if size is None:
            size = _len(buf)
        elif not 0 <= size <= _len(buf):
            return _PARAMETER
        t = self._timeout
        if t and not self._stack.socket_wait(io, _POLLIN, t):
            return _NO_SOCKET if self._h is None else _WOULD_BLOCK
        try:
            d = io.recv(size)
        except:  # noqa: E722 - see recvfrom
            return self._recvfrom(None, buf, size)
        t = _len(d)
        buf[:t] = d
        return t

    def _recvfrom(self, addr, buf, size):
        h = self._h
        if h is None:
            return _NO_SOCKET
        if addr is not None and not isinstance(addr, SocketAddress):
            return _PARAMETER
        size = _size(buf, size)
        if size < 0 or isinstance(buf, (bytes, str)):
            return _PARAMETER
        peer = self._peer
        if peer is not None and addr is None:
            addr = SocketAddress()
        t0 = None
        while True:
            if self._cb is not None:
                self._pend = 0
            n = self._stack.socket_recvfrom(h, addr, buf, size)
            if n >= 0 and peer is not None and addr != peer:
                continue
            if n != _WOULD_BLOCK or not self._timeout:
                return n
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLIN, t0):
                return _NO_SOCKET if self._h is None else _WOULD_BLOCK
            h = self._h
