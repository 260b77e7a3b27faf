"""CellularNonIPSocket: NB-IoT non-IP data delivery (3GPP TS 27.007 10.1.43-44), as in Mbed.

A PDP context of type "Non-IP" (``AT+CGDCONT``, ``AT+CGACT``); datagrams go
out with ``AT+CSODCP`` (hex payload) and come in as ``+CRTDCP`` URCs
(``AT+CRTDCP=1``). No address, port, bind or connect: ``open`` on a
connected CellularInterface, then ``send``, ``recv``, ``sigio``, ``close``.
"""

from micropython import const
from time import ticks_ms, ticks_diff
from binascii import hexlify, unhexlify
from ..socket import Socket
from .at import params

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_DEVICE_ERROR = const(-3012)
_QUEUE = const(4)  # datagrams kept until recv; more are dropped, as a datagram service may
_MAX = const(1358)  # bytes per datagram (BG96 limit for CSODCP)


class CellularNonIPSocket(Socket):
    cid = 2  # the non-IP context (the IP context of the modem driver is 1)

    def __init__(self):
        self._if = None
        self._q = []
        self._cb = None
        self._timeout = -1

    def open(self, net):
        """Define and activate the non-IP context on the connected CellularInterface ``net``."""
        if self._if is not None:
            return _PARAMETER
        at = getattr(net, "at", None)
        if at is None:
            return _PARAMETER
        if not net.is_connected():
            return _NO_CONNECTION
        with at:
            err = at.cmd('AT+CGDCONT=%d,"Non-IP","%s"' % (self.cid, net._apn), None, 5000)[1]
            err = err or at.cmd("AT+CGACT=1,%d" % self.cid, None, 150000)[1]
            err = err or at.cmd("AT+CRTDCP=1")[1]
            if err:
                return _DEVICE_ERROR
            at.set_urc(b"+CRTDCP:", self._on_data)
        self._if = net
        self._q = []
        if self._cb is not None:
            self._attach(True)
        return _OK

    def close(self):
        net = self._if
        if net is None:
            return _NO_SOCKET
        self._attach(False)
        self._if = None
        at = net.at
        with at:
            at.set_urc(b"+CRTDCP:", None)
            at.cmd("AT+CRTDCP=0")
            at.cmd("AT+CGACT=0,%d" % self.cid, None, 40000)
        return _OK

    def _attach(self, on):
        st = self._if._stack
        st._ncb += 1 if on else -1
        if on:
            st._sigio()

    def _on_data(self, line):
        p = params(line, 8)
        if len(p) < 3 or p[0] != self.cid or len(self._q) >= _QUEUE:
            return
        try:
            self._q.append(unhexlify(p[2]))
        except ValueError:
            return
        if self._cb is not None:
            self._cb()

    def set_blocking(self, blocking):
        self._timeout = -1 if blocking else 0

    def set_timeout(self, timeout):
        self._timeout = -1 if timeout < 0 else int(timeout)

    def sigio(self, cb):
        if self._if is not None and (cb is None) != (self._cb is None):
            self._attach(cb is not None)
        self._cb = cb

    def send(self, data, size=None):
        """Send one datagram; -> its size or an error."""
        net = self._if
        if net is None:
            return _NO_SOCKET
        try:
            n = len(data) if size is None else size
            if not 0 <= n <= len(data) or n > _MAX:
                return _PARAMETER
            if isinstance(data, str):
                data = data.encode()
            hexed = hexlify(memoryview(data)[:n])
        except TypeError:
            return _PARAMETER
        with net.at:
            err = net.at.cmd('AT+CSODCP=%d,%d,"%s"' % (self.cid, n, hexed.decode()), None, 10000)[1]
        return _DEVICE_ERROR if err else n

    def recv(self, buf, size=None):
        """Receive one datagram into ``buf`` (truncated to ``size``); WOULD_BLOCK when none came in time."""
        net = self._if
        if net is None:
            return _NO_SOCKET
        try:
            size = len(buf) if size is None else size
            if not 0 <= size <= len(buf):
                return _PARAMETER
        except TypeError:
            return _PARAMETER
        t0 = ticks_ms()
        at = net.at
        while not self._q:
            net.maintain()
            if self._q:
                break
            left = 50
            if self._timeout >= 0:
                left = self._timeout - ticks_diff(ticks_ms(), t0)
                if left <= 0:
                    return _WOULD_BLOCK
                left = min(left, 50)
            with at:
                at.process(left)
        d = self._q.pop(0)
        n = min(len(d), size)
        buf[:n] = d[:n]
        return n
