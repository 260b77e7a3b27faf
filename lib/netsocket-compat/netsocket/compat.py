"""netsocket.compat: MicroPython's ``socket`` module over any NetworkInterface or NetworkStack.

``install(net)`` makes ``import socket`` / ``import usocket`` (and ``ssl`` / ``ussl``,
compat_ssl.py) in code imported afterwards give this module, bound to ``net`` (the default
interface when None), so libraries written for MicroPython's socket (umqtt, urequests,
asyncio streams) run over a cellular modem unchanged; ``uninstall()`` undoes it.
netsocket's own modules keep the port's socket and ssl (imported before, held by them).

On the board's own stack (a NativeStack: lwIP, PPP, the unix kernel) ``socket()`` hands
out the port's own socket, which is exact by definition (errno, polling, speed), and
``getaddrinfo`` gives the port's own address form; ``install(net, native=False)`` keeps
facade sockets there too. Over any other stack (a modem's AT sockets) a facade socket
holds a netsocket socket (TCPSocket, UDPSocket, TLSSocketWrapper) and maps its nsapi
codes to ``OSError`` with the errno MicroPython's socket raises in the same case (unix
port and lwIP). It is a stream ``select.poll`` and asyncio wait on: ``ioctl``
answers MP_STREAM_POLL from the stack's ``socket_poll`` (on an AT stack: after reading the
URCs waiting) and -1 to MP_STREAM_GET_FILENO (the unix port's poller would watch fd 0).
Addresses are ``(ip, port)`` tuples as on lwIP boards; raw unix sockaddrs are accepted too.
"""

import io
import sys
import socket as _port  # the port's module: its option numbers; held before install()
from micropython import const
from .socket import TCPSocket
from .address import SocketAddress

AF_INET = const(2)
AF_INET6 = const(10)
SOCK_STREAM = const(1)
SOCK_DGRAM = const(2)
SOCK_RAW = const(3)
IPPROTO_IP = const(0)
IPPROTO_TCP = const(6)
IPPROTO_UDP = const(17)
SOL_SOCKET = _port.SOL_SOCKET
SO_REUSEADDR = _port.SO_REUSEADDR
SO_KEEPALIVE = getattr(_port, "SO_KEEPALIVE", 8)
SO_BROADCAST = getattr(_port, "SO_BROADCAST", 32)

_WOULD_BLOCK = const(-3001)
_NO_CONNECTION = const(-3004)
_POLLIN = const(1)
_ERRHUP = const(24)  # POLLERR | POLLHUP: always reported
_RB = const(128)  # readline's read-ahead (made on first use)

_net = None  # what facade sockets open on; None: the default interface
_last = None  # (sockaddr tuple, SocketAddress) getaddrinfo gave last: connect() needs no second parse
_native = False  # socket() hands out the port's own sockets (install() on a NativeStack)
_UNIX = sys.platform == "linux"

# nsapi code -> errno, "code errno-name linux-number" (the number where errno lacks the name)
_CODES = (
    "3001 EAGAIN 11 3002 EOPNOTSUPP 95 3003 EINVAL 22 3004 ENOTCONN 107 3005 EBADF 9 "
    "3006 EDESTADDRREQ 89 3007 ENOMEM 12 3008 ENOBUFS 105 3009 EHOSTUNREACH 113 3012 EIO 5 "
    "3013 EINPROGRESS 115 3014 EALREADY 114 3015 EISCONN 106 3017 ETIMEDOUT 110 "
    "3019 ETIMEDOUT 110 3011 EACCES 13"
)


def _errno(name, number):
    import errno

    return getattr(errno, name, number)


def _oserror(code, op=0):
    # an nsapi code -> OSError with MicroPython's errno; op: 0 recv/send, 1 stream, 2 connect
    if code == _WOULD_BLOCK and op != 1 and not _UNIX:
        code = -3017  # lwIP ports time out recv/send/accept with ETIMEDOUT, unix with EAGAIN
    elif code == _WOULD_BLOCK and op == 1:
        code = -3017  # a stream read/write that timed out
    elif code == _NO_CONNECTION and op:
        return OSError(_errno("ECONNREFUSED" if op == 2 else "ECONNRESET", 111 if op == 2 else 104))
    t = _CODES.split()
    for i in range(0, len(t), 3):
        if -int(t[i]) == code:
            n = _errno(t[i + 1], int(t[i + 2]))
            if t[i + 1] == "EOPNOTSUPP":
                return OSError(n, "not supported by this network stack")
            return OSError(n)
    return OSError(_errno("EIO", 5))


def _stack():
    # the NetworkStack facade sockets open on and resolve with
    net = _net
    if net is None:
        from .interface import NetworkInterface

        net = NetworkInterface.get_default_instance()
    st = getattr(net, "get_stack", None)
    return st() if st else net


def _resolve(host, port, version=0):
    # (host, port) -> SocketAddress through the interface's DNS; OSError(-2) as getaddrinfo
    if not isinstance(host, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(host).__name__)
    a = SocketAddress(None, int(port))
    if host in ("", "0.0.0.0"):
        return a
    err = _stack().gethostbyname(host, a, version)
    if err:
        raise OSError(-2)  # EAI_NONAME, as the ports' getaddrinfo
    return a


def _sockaddr(addr):
    # (host, port) or a raw sockaddr (unix port's getaddrinfo) -> SocketAddress
    if _last is not None and addr is _last[0]:  # what getaddrinfo just gave: resolved already
        return _last[1]
    if isinstance(addr, tuple) and isinstance(addr[1], int):
        return _resolve(addr[0], addr[1])
    if not isinstance(addr, (bytes, bytearray, memoryview)) or len(addr) < 8:
        raise TypeError("object with buffer protocol required")
    b = bytes(addr)
    a = SocketAddress(None, b[2] << 8 | b[3])
    a.set_ip_bytes(b[4:8] if b[0] == AF_INET else b[8:24], 1 if b[0] == AF_INET else 2)
    return a


def _tuple(a):
    return (a.get_ip_address(), a.get_port())


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    """One entry ``(af, type, proto, '', (ip, port))``, resolved by the interface's DNS."""
    global _last
    a = _resolve(host, port, 2 if af == AF_INET6 else 1 if af == AF_INET else 0)
    t = type or SOCK_STREAM
    fam = AF_INET6 if a.get_ip_version() == 2 else AF_INET
    sa = _stack()._sa(a) if _native else _tuple(a)  # the port's own form for its own sockets
    _last = (sa, a)
    return [(fam, t, proto or (IPPROTO_UDP if t == SOCK_DGRAM else IPPROTO_TCP), "", sa)]


class socket(io.IOBase):
    """MicroPython's socket object over a netsocket socket (``_s``)."""

    _rb = None  # readline's read-ahead: bytes _ri.._rn of _rb are not read yet
    _ri = 0
    _rn = 0
    _up = False  # was connected: a lost connection is ECONNRESET, not ENOTCONN

    def __new__(cls, af=AF_INET, type=SOCK_STREAM, proto=0, _s=None):
        if _native and _s is None:
            return _port.socket(af, type, proto)  # the board's own stack: its own socket
        return super().__new__(cls)

    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0, _s=None):
        if _s is None:
            if af != AF_INET and af != AF_INET6:
                raise OSError(_errno("EAFNOSUPPORT", 97))
            if type == SOCK_STREAM:
                _s = TCPSocket()
            elif type == SOCK_DGRAM:
                from .udp import UDPSocket

                _s = UDPSocket()
            else:
                raise OSError(_errno("EOPNOTSUPP", 95), "socket type %r not supported" % type)
            err = _s.open(_stack())
            if err:
                raise _oserror(err)
        self._s = _s

    def __getattr__(self, name):
        # bind, listen, accept, sendto, recvfrom, setsockopt, sendall, makefile: in
        # _compat_server_dgram.py, added to the class on first use (importing this costs less)
        from ._compat_server_dgram import more

        return more(self, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fail(self, code, op):
        # a negative result: None where a non-blocking stream call returns None, else raise
        if code == _WOULD_BLOCK and op == 1 and self._s._timeout == 0:
            return None
        if code == _NO_CONNECTION and op != 2 and not self._up:
            op = 0  # never connected: ENOTCONN
        raise _oserror(code, op)

    # -- the stream: what umqtt, urequests and asyncio call. The hot path goes straight to
    # the stream TCPSocket itself sends and receives through (the native socket on
    # NativeStack, see NetworkStack.socket_stream): one call, no allocation, in a frame that
    # stays off the heap (see the comment above TCPSocket.send). Anything else (would block,
    # a short read to complete, errors, TLS and UDP sockets) redoes the call through the
    # netsocket socket in _write()/_readinto(), with its waits, timeouts and codes.

    def write(self, buf, n=None):
        try:
            if n is None:
                n = len(buf)
            r = self._s._io.write(buf, n)
        except:  # noqa: E722 - redone with every check in _write
            r = -1
        if r == n:
            return r
        return self._write(buf, n, r)

    def readinto(self, buf, n=None):
        try:
            if n is None:
                n = len(buf)
            r = -1 if self._rn else self._s._io.readinto(buf, n)
        except:  # noqa: E722 - redone with every check in _readinto
            r = -1
        if r == n:
            return r
        return self._readinto(buf, n, r)

    def _write(self, buf, n, r):
        # r: what the stream wrote (None: would block, -1: redo from the start)
        s = self._s
        if r is None or r < 0:
            if r is None and not s._timeout:
                return None
            r = s.send(buf, n)
            if r < 0 or r == 0 and buf is None:
                return self._fail(r, 1) if r < 0 and r != -3003 else self._type(buf)
            return r
        if r < n and s._timeout:  # blocking: the rest too, as MicroPython's write
            k = s.send(memoryview(buf)[r:n])
            if k < 0:
                return r if k == _WOULD_BLOCK else self._fail(k, 1)
            r += k
        return r

    def _readinto(self, buf, n, r):
        # r: what the stream read (None: nothing yet, 0: closed, -1: redo from the start)
        if self._rn:
            return self._take(buf, n)
        s = self._s
        if r is None or r < 0:
            if r is None and not s._timeout:
                return None
            r = s.recv(buf, n)
            if r < 0:
                return self._fail(r, 1) if r != -3003 else self._type(buf, True)
        if r == 0 or not s._timeout:
            return r
        mv = memoryview(buf)  # blocking: until the buffer is full, as MicroPython's readinto
        while r < n:
            k = s.recv(mv[r:n])
            if k <= 0:
                if k < 0 and k != _WOULD_BLOCK:
                    self._fail(k, 1)
                break
            r += k
        return r

    def _take(self, buf, n):
        # from the read-ahead left by readline
        i = self._ri
        k = self._rn - i
        if n is None:
            n = len(buf)
        if k > n:
            k = n
        buf[:k] = memoryview(self._rb)[i : i + k]
        self._ri = i + k
        if self._ri == self._rn:
            self._ri = self._rn = 0
        return k

    def _type(self, buf, out=False):
        if self._s._h is None and hasattr(self._s, "_h"):
            raise _oserror(-3005)
        if out and isinstance(buf, (bytes, str)):
            raise TypeError("object with buffer protocol required")
        memoryview(buf)  # TypeError for what has no buffer
        raise TypeError("object with buffer protocol required")

    def read(self, n=-1):
        if n is None or n < 0:
            out = b""
            while True:
                b = self.read(512)
                if not b:
                    return out if b is not None or out else b
                out += b
        b = None
        f = None if self._rn else getattr(getattr(self._s, "_io", None), "read", None)
        if f is not None:  # the native socket's own read: one allocation, as the port's
            try:
                b = f(n)
            except:  # noqa: E722 - redone below with every check
                pass
            if b is not None and (len(b) == n or not b or not self._s._timeout):
                return b
        buf = bytearray(n)
        k = len(b) if b else 0
        if k:
            buf[:k] = b
        r = self.readinto(memoryview(buf)[k:])
        if r is None:
            return b or None
        return bytes(buf) if k + r == n else bytes(memoryview(buf)[: k + r])

    def recv(self, n, flags=0):
        if not isinstance(n, int):
            raise TypeError("can't convert %s to int" % type(n).__name__)
        b = bytearray(n)
        if self._rn:
            r = self._take(b, n)
        else:
            r = self._s.recv(b, n)
            if r < 0:
                self._fail(r, 0)
        return bytes(b) if r == n else bytes(memoryview(b)[:r])

    def readline(self, limit=-1):
        out = b""
        f = None if self._rn or limit >= 0 else getattr(getattr(self._s, "_io", None), "readline", None)
        if f is not None:  # the native socket's own readline (in C), then ours for the rest
            try:
                out = f()
            except:  # noqa: E722 - redone below with every check
                out = b""
            if out is None:
                out = b""
            elif out and (out[-1] == 10 or not self._s._timeout):
                return out
        while True:
            if not self._rn:
                if self._rb is None:
                    self._rb = bytearray(_RB)
                r = self._s.recv(self._rb, _RB)
                if r <= 0:
                    if r == _WOULD_BLOCK and self._s._timeout == 0:
                        return out or None
                    if r < 0:
                        self._fail(r, 1)
                    return out
                self._ri, self._rn = 0, r
            rb = self._rb
            i = self._ri
            j = i
            while j < self._rn and rb[j] != 10:
                j += 1
            if j < self._rn:
                j += 1
            out += rb[i:j]
            self._ri = j
            if j == self._rn:
                self._ri = self._rn = 0
            if out[-1] == 10 or 0 < limit <= len(out):
                return out

    def send(self, data, flags=0):
        r = self._s.send(data)
        if r > 0 or r == 0 and data is not None:
            return r
        return self._fail(r, 0) if r < 0 and r != -3003 else self._type(data)

    # -- connections

    def connect(self, addr):
        s = self._s
        a = _sockaddr(addr)
        r = s.connect(a)
        if r == 0 or r == -3015 and self._up:
            self._up = True
            return
        if r == -3013 or r == -3014:  # in progress: non-blocking, or out of time
            self._up = True
            if s._timeout:
                r = -3017
        raise _oserror(r, 2)

    def setblocking(self, flag):
        self._s.set_blocking(flag)

    def settimeout(self, t):
        if t is not None and not isinstance(t, (int, float)):
            raise TypeError("can't convert %s to float" % type(t).__name__)
        self._s.set_timeout(-1 if t is None else int(t * 1000))

    def close(self):
        self._s.close()
        self._rb = None

    def ioctl(self, req, arg):
        if req == 3:  # MP_STREAM_POLL
            h = self._s._h
            if h is None:
                return 32  # POLLNVAL
            r = self._s._stack.socket_poll(h)
            if self._rn:
                r |= _POLLIN
            return r & (arg | _ERRHUP)
        if req == 10:  # MP_STREAM_GET_FILENO: no file descriptor
            return -1
        if req == 4:  # MP_STREAM_CLOSE
            self.close()
        return 0


def install(net=None, cadata=None, native=True):
    """``import socket``/``usocket``/``ssl``/``ussl`` give the facade over ``net`` from now on.

    ``cadata``: CA certificate(s) (DER or PEM) that ssl.wrap_socket trusts when the caller
    names none (urequests, for one, passes no CA; verification stays on). ``native``: on a
    NativeStack, hand out the port's own sockets (False: facade sockets there too).
    """
    global _net, _native
    from .stack import NativeStack  # netsocket's users of the port's socket hold it before the swap  # noqa: F401

    try:
        import tls  # noqa: F401 - what netsocket's TLS uses; on ports without it, tls.py takes ssl
    except ImportError:
        from .tls import TLSSocket  # noqa: F401
    from .compat_ssl import SSLContext  # noqa: F401

    _net = net
    _native = native and type(_stack()) is NativeStack
    m = sys.modules
    ssl = m["netsocket.compat_ssl"]
    ssl._ca = cadata
    m["socket"] = m["usocket"] = m[__name__]
    m["ssl"] = m["ussl"] = ssl


def uninstall():
    """Give ``socket``/``usocket``/``ssl``/``ussl`` back to the port's modules (for later imports)."""
    global _net, _native
    _net = None
    _native = False
    for n in ("socket", "usocket", "ssl", "ussl"):
        sys.modules.pop(n, None)
