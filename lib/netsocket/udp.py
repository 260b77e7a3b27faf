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
        if self._io is not None or self._peer is None and self._cb is None and self._stack:
            self._io = None if self._peer else self._stack.socket_dgram(self._h)  # hot path only without a peer
        return _OK

    @micropython.native
    def sendto(self, addr, data, size=None):
        """Send one datagram to ``addr``. -> count or error."""
        io = self._io
        if io is not None:
            try:
                c = self._stack._last
                if (size is None or size == _len(data)) and addr._ip is c[0] and addr._port == c[1]:
                    return io.sendto(data, c[2])
            except:  # noqa: E722 - anything (no destination yet, an error): the full path says what
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
        if io is None or type(buf) is not bytearray or addr is not None and type(addr) is not SocketAddress:
            return self._recvfrom(addr, buf, size)
        if size is None:
            size = _len(buf)
        elif not 0 <= size <= _len(buf):
            return _PARAMETER
        t = self._timeout
        if t and not self._stack.socket_wait(io, _POLLIN, t):  # 0: timed out, or a close woke it
            if self._h is None:
                return _NO_SOCKET
            if t > 0:
                return _WOULD_BLOCK  # (forever: read, and on nothing the full path waits again)
        try:
            if addr is None:  # recv(): no source wanted
                d = io.recv(size)
            else:
                d, a = io.recvfrom(size)
        except:  # noqa: E722 - closed, an error, or nothing after all: the full path says what
            return self._recvfrom(addr, buf, size)
        t = _len(d)
        buf[:t] = d
        if addr is None:
            return t
        st = self._stack
        c = st._src
        if c is not None and c[0] == a:  # the same source as last time: nothing to parse
            addr._ip = c[1]
            addr._port = c[2]
        else:  # parsed once per new source
            st._addr(a, addr)
            st._src = (a, addr._ip, addr._port)
        return t

    def recv(self, buf, size=None):
        return self.recvfrom(None, buf, size)

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
