"""The rarely used socket methods, added to InternetSocket / TCPSocket on first use.

socket.py keeps what a TCP client needs (open, connect, send, recv, close, timeouts);
these join the classes when a program first asks for one of them (InternetSocket.__getattr__),
so importing netsocket costs less heap. They behave as if defined in the classes.
"""

from micropython import const
from time import ticks_ms
from .address import SocketAddress
from .socket import InternetSocket, TCPSocket

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_POLLIN = const(1)

# the methods each class gets, all at once on first use
_INET = ("_repr", "_sio", "_to_ipv6", "_addr", "bind", "setsockopt", "getsockopt", "sigio", "_event", "getpeername",
         "join_multicast_group", "leave_multicast_group", "get_rtt_estimate_to_address",
         "get_stagger_estimate_to_address")
_TCP = ("_err", "sendto", "recvfrom", "listen", "accept", "join_multicast_group", "leave_multicast_group")
_added = False


def more(sock, name):
    """InternetSocket.__getattr__: add these methods to the classes; -> sock.<name>."""
    global _added
    if not _added:
        _added = True
        g = globals()
        for cls, names in ((InternetSocket, _INET), (TCPSocket, _TCP)):
            for n in names:
                setattr(cls, n, g[("tcp_" if cls is TCPSocket and n in _MCAST else "") + n])
    if name in _INET or (name in _TCP and isinstance(sock, TCPSocket)):
        return getattr(sock, name)
    raise AttributeError(name)


def _sio(self):
    # open with sigio: attach the callback; TCP: a stream over the stack's socket_send/recv
    # that also resets the event count
    st = self._stack
    st.socket_attach(self._h, self._event)
    if not self._proto:
        from .stack import Stream

        self._io = Stream(st, self._h, self)
    else:  # UDP: every datagram through the stack, which resets the event count (udp.py)
        self._io = None


def _to_ipv6(self, addr):
    # an IPv6 address on a socket the stack opened as IPv4: reopen it as IPv6 (_native_ipv6.py)
    from ._native_ipv6 import reopen

    return reopen(self, addr)


def _repr(self):
    s = "open" if self._h is not None else "closed"
    if self._peer is not None:
        a = SocketAddress()
        self.getpeername(a)
        s += " peer=" + repr(a)
    return "<%s %s>" % (type(self).__name__, s)

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
    err = self._stack.socket_bind(self._h, addr)
    if err == _PARAMETER and addr._ip is not None and len(addr._ip) == 16 and self._to_ipv6(addr):
        err = self._stack.socket_bind(self._h, addr)
    if not err:
        self._bound = True
    return err

def setsockopt(self, level, opt, value):
    """NSAPI_SOCKET options: OK, UNSUPPORTED (unknown option or level), PARAMETER, NO_SOCKET."""
    if self._h is None:
        return _NO_SOCKET
    if type(level) is not int or type(opt) is not int:
        return _PARAMETER
    return self._stack.setsockopt(self._h, level, opt, value)

def getsockopt(self, level, opt):
    """-> (value, err)"""
    if self._h is None:
        return None, _NO_SOCKET
    if type(level) is not int or type(opt) is not int:
        return None, _PARAMETER
    return self._stack.getsockopt(self._h, level, opt)

def sigio(self, cb):
    """Call ``cb()`` on state changes (readable, writable, error). It may fire
    spuriously and must not send or recv. None removes it."""
    self._cb = cb
    if self._h is not None:
        if cb is not None:
            self._sio()
        else:
            self._stack.socket_attach(self._h, None)
            if not self._proto:
                self._io = self._stack.socket_stream(self._h)
            elif self._peer is None:  # UDP: the hot path's native socket again (udp.py)
                self._io = self._stack.socket_dgram(self._h)


def _event(self):
    self._pend += 1
    cb = self._cb
    if cb is not None and self._pend == 1:
        cb()

def join_multicast_group(self, addr):
    """Join the multicast group ``addr`` (a SocketAddress) on the default interface:
    setsockopt(NSAPI_SOCKET, NSAPI_ADD_MEMBERSHIP, addr), as Mbed. OK, PARAMETER, UNSUPPORTED
    (IPv6 groups on the native stack), NO_SOCKET."""
    if not isinstance(addr, SocketAddress):
        return _PARAMETER
    return self.setsockopt(7000, 7, addr)


def leave_multicast_group(self, addr):
    """Leave the group: setsockopt(NSAPI_SOCKET, NSAPI_DROP_MEMBERSHIP, addr)."""
    if not isinstance(addr, SocketAddress):
        return _PARAMETER
    return self.setsockopt(7000, 8, addr)


_MCAST = ("join_multicast_group", "leave_multicast_group")


def tcp_join_multicast_group(self, addr):
    """UNSUPPORTED: multicast needs a datagram socket."""
    return _UNSUPPORTED


tcp_leave_multicast_group = tcp_join_multicast_group


def get_rtt_estimate_to_address(self, addr):
    """-> (round-trip time estimate in ms, OK) from the stack's NSAPI_LATENCY, or (None, err):
    UNSUPPORTED on the native and AT stacks (as on most Mbed stacks), PARAMETER, NO_SOCKET."""
    if not isinstance(addr, SocketAddress):
        return None, _PARAMETER
    v, err = self.getsockopt(7000, 10)  # NSAPI_LATENCY
    return (None, err) if err else (2 * v, _OK)


def get_stagger_estimate_to_address(self, addr, data_amount):
    """-> ((min, max, rand) in s, OK) from the stack's NSAPI_STAGGER, or (None, err):
    UNSUPPORTED on the native and AT stacks (as on most Mbed stacks), PARAMETER, NO_SOCKET."""
    if not isinstance(addr, SocketAddress) or type(data_amount) is not int:
        return None, _PARAMETER
    return self.getsockopt(7000, 11)  # NSAPI_STAGGER


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
    if self._h is None:  # closed meanwhile (another thread)
        return None, _NO_SOCKET
    if err:
        return None, err
    s = TCPSocket()
    s._stack = st
    s._h = nh
    s._io = st.socket_stream(nh)
    s._peer = (a._ip, a._port)
    return s, _OK
