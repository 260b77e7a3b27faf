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
        """Set (or, with an unspecified address, reset) the peer. No traffic."""
        if port is not None or not isinstance(addr, SocketAddress):
            if self._h is None:
                return _NO_SOCKET
            if port is None:
                return _PARAMETER
            addr, err = self._addr(addr, port)
            if err:
                return err
        self._peer = SocketAddress(addr) if addr else None
        return _OK

    # sendto(), recvfrom() and recv() begin with a hot path small enough to keep its frame
    # off the heap: a bytes-like buffer, no size, a SocketAddress, one attempt. Anything
    # else (checks that fail, a size, waiting) takes the full path in _sendto()/_recvfrom().

    def sendto(self, addr, data, size=None):
        """Send one datagram to ``addr``. -> count or error."""
        if size is None and type(data) in _BUFFERS and type(addr) is SocketAddress and addr._port:
            if self._h is not None and addr._ip not in _NOIP:
                if self._cb is not None:
                    self._pend = 0
                size = _len(data)
                n = self._stack.socket_sendto(self._h, addr, data, size)
                if n >= 0 or n != _PARAMETER and (n != _WOULD_BLOCK or not self._timeout):
                    return n
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

    def recvfrom(self, addr, buf, size=None):
        """Receive one datagram (truncated to ``size``), filling ``addr`` with its source.

        When connected, datagrams from other addresses are dropped.
        """
        if size is None and type(buf) is bytearray and type(addr) is SocketAddress and self._peer is None:
            if self._h is not None:
                if self._cb is not None:
                    self._pend = 0
                size = _len(buf)
                n = self._stack.socket_recvfrom(self._h, addr, buf, size)
                if n != _WOULD_BLOCK or not self._timeout:
                    return n
        return self._recvfrom(addr, buf, size)

    def recv(self, buf, size=None):
        if size is None and type(buf) is bytearray and self._peer is None:
            if self._h is not None:
                if self._cb is not None:
                    self._pend = 0
                size = _len(buf)
                n = self._stack.socket_recvfrom(self._h, None, buf, size)
                if n != _WOULD_BLOCK or not self._timeout:
                    return n
        return self._recvfrom(None, buf, size)

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
