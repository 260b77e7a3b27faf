"""UDPSocket with Mbed's semantics and codes (loaded on first use of ``netsocket.UDPSocket``)."""

from micropython import const
from time import ticks_ms
from .address import SocketAddress
from .socket import InternetSocket, _size

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_SOCKET = const(-3005)
_NO_ADDRESS = const(-3006)
_POLLIN = const(1)
_POLLOUT = const(4)


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

    def sendto(self, addr, data, size=None):
        """Send one datagram to ``addr``. -> count or error."""
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
        if not addr or not addr._port:
            return 0 if size == 0 else _NO_ADDRESS
        st = self._stack
        t0 = None
        while True:
            if self._cb is not None:
                self._pend = 0
            n = st.socket_sendto(h, addr, data, size)
            if n != _WOULD_BLOCK:
                return n
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLOUT, t0):
                return _WOULD_BLOCK

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
        h = self._h
        if h is None:
            return _NO_SOCKET
        if addr is not None and not isinstance(addr, SocketAddress):
            return _PARAMETER
        size = _size(buf, size)
        if size < 0:
            return _PARAMETER
        st = self._stack
        peer = self._peer
        if peer is not None and addr is None:
            addr = SocketAddress()
        t0 = None
        while True:
            if self._cb is not None:
                self._pend = 0
            if addr is None:
                n = st.socket_recv(h, buf, size)
            else:
                n = st.socket_recvfrom(h, addr, buf, size)
            if n >= 0 and peer is not None and addr != peer:
                continue
            if n != _WOULD_BLOCK:
                return n
            if t0 is None:
                t0 = ticks_ms()
            if not self._wait(_POLLIN, t0):
                return _NO_SOCKET if self._h is None else _WOULD_BLOCK

    def recv(self, buf, size=None):
        return self.recvfrom(None, buf, size)
