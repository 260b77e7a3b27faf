"""The facade socket's server, datagram and option calls, added to compat.socket on first use.

compat.py keeps what a client stream needs (connect, read/write, recv/send, poll);
these join the class when a program first asks for one (compat.socket.__getattr__), so
importing the facade costs less heap. They behave as if defined in the class.
"""

from .address import SocketAddress
from .compat import socket, _oserror, _sockaddr, _tuple, SOL_SOCKET, SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST

_NAMES = ("sendall", "bind", "listen", "accept", "sendto", "recvfrom", "setsockopt", "makefile")
_added = False


def more(sock, name):
    """compat.socket.__getattr__: add these methods to the class; -> sock.<name>."""
    global _added
    if not _added:
        _added = True
        g = globals()
        for n in _NAMES:
            setattr(socket, n, g[n])
    if name in _NAMES:
        return getattr(sock, name)
    raise AttributeError(name)


def sendall(self, data):
    s = self._s
    to = s._timeout
    if to == 0:  # MicroPython's sendall writes everything, also on a non-blocking socket
        s.set_timeout(-1)
    try:
        self.write(data)
    finally:
        if to == 0:
            s.set_timeout(0)


def bind(self, addr):
    r = self._s.bind(_sockaddr(addr))
    if r:
        raise _oserror(r)


def listen(self, backlog=2):
    r = self._s.listen(backlog)
    if r:
        raise _oserror(r)


def accept(self):
    ns, r = self._s.accept()
    if r:
        raise _oserror(r)
    f = socket(_s=ns)
    f._up = True
    a = SocketAddress()
    ns.getpeername(a)
    return f, _tuple(a)


def sendto(self, data, addr):
    r = self._s.sendto(_sockaddr(addr), data)
    if r < 0:
        return self._fail(r, 0) if r != -3003 else self._type(data)
    return r


def recvfrom(self, n):
    b = bytearray(n)
    a = SocketAddress()
    r = self._s.recvfrom(a, b, n)
    if r < 0:
        self._fail(r, 0)
    return bytes(memoryview(b)[:r]), _tuple(a)


def setsockopt(self, level, opt, value):
    if level == SOL_SOCKET:  # the socket module's options as netsocket's (NSAPI_SOCKET level)
        o = {SO_REUSEADDR: 0, SO_KEEPALIVE: 1, SO_BROADCAST: 13}.get(opt)
        if o is not None:
            level, opt, value = 7000, o, int(value)
    r = self._s.setsockopt(level, opt, value)
    if r:
        raise _oserror(r)


def makefile(self, mode="rb", buffering=0):
    return self
