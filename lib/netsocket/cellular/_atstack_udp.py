"""UDP sockets of ATStack (loaded on first use: a TCP client never needs them)."""

from micropython import const
from time import ticks_ms, ticks_diff

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_DEVICE_ERROR = const(-3012)
_IN_PROGRESS = const(-3013)
_NEW = const(0)  # socket states: as in atstack.py
_OPEN = const(2)
_DEAD = const(5)


def _udp(self, h):
    # open the UDP socket behind h on first use; -> nsapi code
    if h.state == _OPEN:
        return _OK
    if h.state == _DEAD:
        return _NO_CONNECTION
    if h.state == _NEW:
        err = self._open(h, "UDP", "127.0.0.1", 0)
        if err:
            return err
    with self.at:
        while h.res is None and ticks_diff(ticks_ms(), h.t0) < 5000:
            self.at.process(50)
    err = self._opened(h)
    return _DEVICE_ERROR if err == _IN_PROGRESS else err


def socket_sendto(self, h, addr, data, size):
    if not self._valid(h):
        return _NO_SOCKET
    if h.proto != 1:
        return self.socket_send(h, data, size)
    self._if.maintain()
    if addr.get_ip_version() != 1:
        return _UNSUPPORTED
    if size > self.SEND_MAX:
        return _PARAMETER
    err = self._udp(h)
    if err:
        return err
    if size == 0:
        return 0
    if self._backoff(h):
        return _WOULD_BLOCK
    return self._send(h, addr, data, size)


def socket_recvfrom(self, h, addr, buf, size):
    if not self._valid(h):
        return _NO_SOCKET
    if h.proto != 1:
        n = self.socket_recv(h, buf, size)
        if n >= 0 and addr is not None:
            addr._ip, addr._port = None, 0
        return n
    self._if.maintain()
    if h.state == _DEAD:
        return _NO_CONNECTION
    if h.state == _NEW:
        if not h.lport:
            return _WOULD_BLOCK  # nothing can arrive before the first sendto
        err = self._udp(h)
        if err:
            return err
    if not h.rx:
        return _WOULD_BLOCK
    n = self._read(h, buf, size, addr)
    return _WOULD_BLOCK if n == 0 else n
