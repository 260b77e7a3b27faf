# Virtual-board personality (emulation), board side: what the socket emulations share.
# Runs INSIDE the MicroPython unix port, loaded by pers_boot only under --personality.
#
# An emulated socket holds a host socket `_s` (the unix port's, always non-blocking)
# and behaves as the port's C socket does; citations are to MicroPython v1.28.0.
import io
import socket as _hs
import select as _sel

# errno name, its number on Linux (the host; also MicroPython's internal numbering, py/mperrno.h,
# which stm32 and rp2 build with by default), on newlib (esp32: mpconfigport.h:71
# MICROPY_USE_INTERNAL_ERRNO 0; an rp2 build that sets it to 0, rp2 mpconfigport.h:133-135)
_TABLE = (
    "EPERM 1 1 ENOENT 2 2 EIO 5 5 EBADF 9 9 EAGAIN 11 11 ENOMEM 12 12 EACCES 13 13 EEXIST 17 17 "
    "ENODEV 19 19 EISDIR 21 21 EINVAL 22 22 ENFILE 23 23 EMFILE 24 24 EPIPE 32 32 EOPNOTSUPP 95 95 "
    "ECONNRESET 104 104 ENOBUFS 105 105 EAFNOSUPPORT 97 106 ENOPROTOOPT 92 109 ECONNREFUSED 111 111 "
    "EADDRINUSE 98 112 ECONNABORTED 103 113 ENETUNREACH 101 114 ETIMEDOUT 110 116 EHOSTUNREACH 113 118 "
    "EINPROGRESS 115 119 EALREADY 114 120 EDESTADDRREQ 89 121 EMSGSIZE 90 122 EADDRNOTAVAIL 99 125 "
    "EISCONN 106 127 ENOTCONN 107 128"
)
# the names MicroPython's errno module has (py/moderrno.c:39-60)
ERRNO_NAMES = (
    "EPERM ENOENT EIO EBADF EAGAIN ENOMEM EACCES EEXIST ENODEV EISDIR EINVAL EOPNOTSUPP EADDRINUSE "
    "ECONNABORTED ECONNRESET ENOBUFS ENOTCONN ETIMEDOUT ECONNREFUSED EHOSTUNREACH EALREADY EINPROGRESS"
)
_NUM = {}  # name -> the port's number
_NAME = {}  # Linux (host) number -> name


def setup(newlib):
    t = _TABLE.split()
    for i in range(0, len(t), 3):
        _NAME[int(t[i + 1])] = t[i]
        _NUM[t[i]] = int(t[i + 2 if newlib else i + 1])


def num(name):
    """The port's errno number for `name`."""
    return _NUM[name]


def oserror(name):
    return OSError(_NUM[name])


def port_error(e):
    """A host OSError -> the same error with the port's errno number."""
    n = e.errno if isinstance(e, OSError) else None
    name = _NAME.get(n) if isinstance(n, int) else None
    return OSError(_NUM[name]) if name else e


def ip4(text):
    # dotted quad -> 4 bytes; ValueError otherwise (netutils_parse_inet_addr: numbers only)
    p = text.split(".")
    if len(p) != 4:
        raise ValueError("invalid arguments")
    return bytes(int(x) for x in p)


def host_addr(addr):
    """(ip, port) as the port takes it -> the host's sockaddr."""
    ip, port = addr
    ip = "0.0.0.0" if ip == "" else ip
    return b"\x02\x00" + int(port).to_bytes(2, "big") + ip4(ip) + bytes(8)


def port_addr(raw):
    """The host's sockaddr -> (ip, port) as lwIP ports give it."""
    a = _hs.sockaddr(raw)
    return ("%d.%d.%d.%d" % tuple(a[1][:4]), a[2])


def host_socket(kind):
    s = _hs.socket(2, kind)
    s.setblocking(False)
    return s


def host_poll(s, events, timeout):
    """revents of host socket `s` within `timeout` ms (0: now)."""
    p = _sel.poll()
    p.register(s, events)
    for _, ev in p.ipoll(timeout):
        return ev
    return 0


def resolve(host, port):
    # the host resolver; only IPv4 answers, as (ip, port)
    for ai in _hs.getaddrinfo(host, port):
        if ai[0] == 2:
            return port_addr(ai[-1])
    raise OSError(-2)  # EAI_NONAME, as the ports raise it


class Callbacks:
    """The socket event callbacks (setsockopt(SOL_SOCKET, 20, cb)) of one port.

    One thread polls the host sockets of sockets with a callback and schedules the
    callback for the events `fires(sock, revents)` says the port reports; all other
    events are not reported, as on the port.
    """

    def __init__(self, fires):
        self.fires = fires
        self.socks = []
        self.running = False

    def set(self, sock, cb):
        import _thread

        sock._cb = cb
        if cb is None:
            if sock in self.socks:
                self.socks.remove(sock)
            return
        if sock not in self.socks:
            self.socks.append(sock)
        if not self.running:
            self.running = True
            _thread.start_new_thread(self._loop, ())

    def _loop(self):
        # level-triggered, like a port that checks readiness on every poll (spurious calls
        # are allowed by netsocket's sigio); a port's own edge (one call per packet) is not modelled
        import time
        from micropython import schedule

        while self.socks:
            p = _sel.poll()
            socks = [s for s in self.socks if s._s is not None]
            for s in socks:
                p.register(s._s, 1)
            seen = {}
            for obj, ev in p.ipoll(20):
                seen[id(obj)] = ev
            for s in socks:
                ev = seen.get(id(s._s), 0)
                if ev and self.fires(s, ev) and s._cb is not None:
                    try:
                        schedule(s._cb, s)
                    except RuntimeError:
                        pass
            time.sleep_ms(5)
        self.running = False


class Base(io.IOBase):
    """What both emulated sockets share: the host socket, timeouts, UDP, options."""

    _s = None
    _cb = None
    _t = -1  # ms; -1 blocking forever, 0 non-blocking

    def fileno(self):
        return self._s.fileno() if self._s is not None else -1

    def settimeout(self, t):
        self._t = -1 if t is None else int(t * 1000)

    def setblocking(self, flag):
        self._t = -1 if flag else 0

    def _wait(self, events):
        # wait on the host socket within the timeout; -> revents (0 on timeout)
        return host_poll(self._s, events, self._t)

    def readinto(self, buf, n=None):
        # the stream read: None where recv() raises EAGAIN
        n = len(buf) if n is None else n
        try:
            d = self.recv(n)
        except OSError as e:
            if e.errno == num("EAGAIN"):
                return None
            raise
        buf[: len(d)] = d
        return len(d)

    def read(self, n=-1):
        return self.recv(4096 if n is None or n < 0 else n)

    def sendall(self, buf):
        n = 0
        while n < len(buf):
            n += self.send(memoryview(buf)[n:])

    def makefile(self, *a, **k):
        return self

    def _host_opt(self, host, value):
        # an option the port implements, set on the host socket: host = (level, option)
        try:
            self._s.setsockopt(host[0], host[1], value)
        except OSError as e:
            raise port_error(e)

    def _accept_host(self):
        # the next connection on the host socket, non-blocking; the ports' EAGAIN (non-blocking)
        # and ETIMEDOUT (timeout) when none comes
        while True:
            try:
                s, a = self._s.accept()
                s.setblocking(False)
                return s, a
            except OSError as e:
                if e.errno != 11:
                    raise port_error(e)
                if self._t == 0:
                    raise oserror("EAGAIN")
                if not self._wait(1):
                    raise oserror("ETIMEDOUT")

    def readline(self):
        line = b""
        while not line.endswith(b"\n"):
            c = self.recv(1)
            if not c:
                break
            line += c
        return line

    def bind(self, addr):
        try:
            self._s.bind(host_addr(addr))
        except OSError as e:
            raise port_error(e)

    def _recvfrom_host(self, n):
        while True:
            try:
                return self._s.recvfrom(n)
            except OSError as e:
                if e.errno != 11 or self._t == 0 or not self._wait(1):
                    raise port_error(e) if e.errno != 11 else self._would_block()
