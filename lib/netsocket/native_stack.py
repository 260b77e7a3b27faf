"""NativeStack: the NetworkStack over MicroPython's own socket module, and nsapi_error.

Loaded when an interface first asks for the native stack (or a socket maps an
exception): a board that only talks through a modem's own stack never loads it.
"""

import socket
import select
from micropython import const
from .address import SocketAddress
from .stack import NetworkStack

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_NO_MEMORY = const(-3007)
_DNS_FAILURE = const(-3009)
_DEVICE_ERROR = const(-3012)
_IN_PROGRESS = const(-3013)
_ALREADY = const(-3014)

_POLLIN = const(1)
_POLLERR = const(8)
_POLLHUP = const(16)


# "errno name, -(nsapi code + 3000), number on Linux and lwIP-internal ports, number on
# newlib (esp32)"; the numbers are used only where the errno module lacks the name.
_ERRNOS = (
    "EAGAIN 1 11 11 EWOULDBLOCK 1 11 11 EINPROGRESS 13 115 119 EALREADY 14 114 120 "
    "EISCONN 15 106 127 ETIMEDOUT 17 110 116 ECONNREFUSED 4 111 111 ECONNRESET 4 104 104 "
    "ECONNABORTED 4 103 113 ENOTCONN 4 107 128 EPIPE 4 32 32 EHOSTUNREACH 4 113 118 "
    "ENETUNREACH 4 101 114 ENOMEM 7 12 12 ENOBUFS 7 105 105 EINVAL 3 22 22 "
    "EADDRINUSE 3 98 112 EADDRNOTAVAIL 3 99 125 EAFNOSUPPORT 3 97 106 EMSGSIZE 3 90 122 "
    "EDESTADDRREQ 3 89 121 EACCES 3 13 13 EOPNOTSUPP 2 95 95 ENOPROTOOPT 2 92 109 "
    "EBADF 5 9 9 EMFILE 5 24 24 ENFILE 5 23 23"
)
_emap = None  # errno number -> -(nsapi code + 3000), 0 for unknown


def nsapi_error(e):
    """Map an exception from MicroPython's socket to an nsapi code, by errno name."""
    global _emap
    if isinstance(e, MemoryError):
        return _NO_MEMORY
    if isinstance(e, (TypeError, ValueError)):
        return _PARAMETER
    if _emap is None:
        import errno
        import sys

        col = 3 if sys.platform == "esp32" else 2
        codes = getattr(errno, "errorcode", {}).items()
        m = bytearray(140)
        w = []  # the 4 words of one entry: read word by word, no list of all ~110 (a 900 B peak)
        i = 0
        k = len(_ERRNOS)
        while i < k:
            j = _ERRNOS.find(" ", i)
            if j < 0:
                j = k
            w.append(_ERRNOS[i:j])
            i = j + 1
            if len(w) == 4:
                n = int(w[col])
                for c, name in codes:  # by name, without interning it (getattr would: heap)
                    if name == w[0]:
                        n = c
                        break
                if n < 140:
                    m[n] = int(w[1])
                del w[:]
        _emap = m
    n = e.errno if isinstance(e, OSError) else None
    if isinstance(n, int) and -3100 < n < -3000:  # already an nsapi code (Stream)
        return n
    n = _emap[n] if isinstance(n, int) and 0 <= n < 140 else 0
    return -3000 - n if n else _DEVICE_ERROR


class NativeStack(NetworkStack):
    """MicroPython's own ``socket`` module: lwIP on boards, the kernel on unix."""

    def __init__(self, max_sockets=16):
        self.sockets = 0
        self.max_sockets = max_sockets
        self._poll = select.poll()  # lent to one waiter at a time (see socket_wait)
        self._raw = hasattr(socket, "sockaddr")  # unix: sockaddr as raw bytes
        self._sigio = None  # poller thread when the port has no socket callbacks
        self._last = None  # see socket_sendto

    _ph = None  # the handle registered in self._poll, and its events (see socket_wait)
    _pev = 0
    _src = None  # (native address, ip, port) of the last source UDPSocket's hot path read (udp.py)

    def __repr__(self):
        return "<NativeStack %d/%d sockets>" % (self.sockets, self.max_sockets)

    def _lookup(self, host, version):
        if NetworkStack._resolver:  # servers were added: netsocket's resolver, not the port's
            return NetworkStack._lookup(self, host, version)
        try:
            ai = socket.getaddrinfo(host, 0, 10 if version == 2 else 2)
            a = self._addr(ai[0][-1])
        except MemoryError:
            return _NO_MEMORY
        except Exception:
            return _DNS_FAILURE
        if a is None or (version and a.get_ip_version() != version):
            return _DNS_FAILURE
        return a._ip

    def _sa(self, addr):
        # SocketAddress -> what MicroPython's socket takes on this port
        ip = addr._ip
        port = addr._port
        if self._raw:
            if ip is None or len(ip) == 4:
                return b"\x02\x00" + port.to_bytes(2, "big") + (ip or bytes(4)) + bytes(8)
            return b"\x0a\x00" + port.to_bytes(2, "big") + bytes(4) + ip + bytes(4)
        return (addr.get_ip_address() or "0.0.0.0", port)

    def _addr(self, a, out=None):
        # native address (raw sockaddr on unix, (ip, port) on lwIP) -> SocketAddress
        if out is None:
            out = SocketAddress()
        if isinstance(a, tuple):
            out.set_ip_address(a[0])
            out._port = a[1]
        else:
            a = socket.sockaddr(a)
            out._ip = bytes(a[1])
            out._port = a[2]
        return out

    def _new(self, s):
        # a new native socket (opened or accepted) -> (s, OK), or (None, err) and closed
        if self.sockets >= self.max_sockets:
            err = _NO_SOCKET
        else:
            try:
                s.setblocking(False)
                self.sockets += 1
                return s, _OK
            except BaseException as e:
                err = nsapi_error(e)
        s.close()
        return None, err

    def socket_open(self, proto):
        if proto != 0 and proto != 1:
            return None, _UNSUPPORTED
        try:
            return self._new(socket.socket(2, 1 if proto == 0 else 2))
        except BaseException as e:
            return None, nsapi_error(e)

    def socket_stream(self, h):
        # the native socket itself, a non-blocking stream (sockets with sigio use a Stream
        # over socket_send, which re-arms the poller thread when a write would block)
        return h

    socket_dgram = socket_stream  # the native socket itself

    def socket_close(self, h):
        if h is self._ph and self._poll is not None:  # not left registered in socket_wait's poll
            self._poll.unregister(h)
            self._ph = None
        self.socket_attach(h, None)
        self.sockets -= 1
        try:
            h.close()
        except OSError:
            pass
        if self._waits and h in self._waits:  # a socket_wait on h in another thread: end it
            from ._wake import wake

            wake(self, h)
        return _OK

    def socket_bind(self, h, addr):
        try:
            h.bind(self._sa(addr))
        except BaseException as e:
            return nsapi_error(e)
        return _OK

    def socket_listen(self, h, backlog):
        try:
            h.listen(backlog)
        except BaseException as e:
            return nsapi_error(e)
        return _OK

    def socket_connect(self, h, addr):
        try:
            h.connect(self._sa(addr))
        except BaseException as e:
            err = nsapi_error(e)
            if self._sigio and err in (_IN_PROGRESS, _ALREADY):
                self._sigio.rearm(h)
            if err == _ALREADY and self.socket_wait(h, 0, 0) & (_POLLERR | _POLLHUP):
                return _NO_CONNECTION  # lwIP keeps saying EALREADY after a failed connect
            return err
        return _OK

    def socket_accept(self, h, addr):
        try:
            s, a = h.accept()
        except BaseException as e:
            return None, nsapi_error(e)
        s, err = self._new(s)
        if s is not None and addr is not None:
            self._addr(a, addr)
        return s, err

    def socket_send(self, h, data, size):
        try:
            n = h.write(data, size)
        except BaseException as e:
            return nsapi_error(e)
        if n is None or n < size:
            if self._sigio:
                self._sigio.rearm(h)
            if n is None:
                return _WOULD_BLOCK
        return n

    def socket_recv(self, h, buf, size):
        try:
            n = h.readinto(buf, size)
        except BaseException as e:
            return nsapi_error(e)
        return _WOULD_BLOCK if n is None else n

    def socket_sendto(self, h, addr, data, size):
        try:
            if size != len(data):
                data = memoryview(data)[:size]
            c = self._last  # (ip, port, native address) of the last destination: no allocation when repeated
            if c is None or c[0] is not addr._ip or c[1] != addr._port:
                c = self._last = (addr._ip, addr._port, self._sa(addr))
            n = h.sendto(data, c[2])
        except BaseException as e:
            return nsapi_error(e)
        return _WOULD_BLOCK if n is None else n

    def socket_recvfrom(self, h, addr, buf, size):
        # one datagram (readinto would run several together); MicroPython has no recv_into,
        # so the datagram arrives in a new bytes object and is copied into buf
        try:
            if addr is None:
                d = h.recv(size)
            else:
                d, a = h.recvfrom(size)
            n = len(d)
            buf[:n] = d
        except BaseException as e:
            return nsapi_error(e)
        if addr is not None:
            self._addr(a, addr)
        return n

    def setsockopt(self, h, level, opt, value):
        if level != 7000:  # not NSAPI_SOCKET: no stack-specific levels here (as Mbed's lwIP stack)
            return _UNSUPPORTED
        lvl = socket.SOL_SOCKET
        if opt == 4:  # NSAPI_LINGER: int seconds (< 0 off) or (onoff, seconds)
            if isinstance(value, int):
                value = (value >= 0, value if value > 0 else 0)
            try:
                value = int(value[0]).to_bytes(4, "little") + int(value[1]).to_bytes(4, "little")
            except Exception:
                return _PARAMETER
            name = "SO_LINGER"
        elif opt in (7, 8):  # NSAPI_ADD/DROP_MEMBERSHIP: group or (group, interface)
            if isinstance(value, SocketAddress):
                value = (value, None)
            try:
                g, i = value
                if g.get_ip_version() != 1:
                    return _UNSUPPORTED
                value = g._ip + (i._ip if i else bytes(4))
            except Exception:
                return _PARAMETER
            lvl = 0  # IPPROTO_IP
            name = "IP_ADD_MEMBERSHIP" if opt == 7 else "IP_DROP_MEMBERSHIP"
        else:
            name = {0: "SO_REUSEADDR", 1: "SO_KEEPALIVE", 5: "SO_SNDBUF", 6: "SO_RCVBUF", 13: "SO_BROADCAST"}.get(opt)
            if name is None:
                return _UNSUPPORTED
            if not isinstance(value, int):
                return _PARAMETER
            value = int(value)
        o = getattr(socket, name, None) if name else None
        if o is None:
            return _UNSUPPORTED
        try:
            h.setsockopt(lvl, o, value)
        except BaseException as e:
            return nsapi_error(e)
        return _OK

    def getsockopt(self, h, level, opt):
        if not hasattr(h, "getsockopt"):
            return None, _UNSUPPORTED
        try:
            return h.getsockopt(level, opt), _OK
        except BaseException as e:
            return None, nsapi_error(e)

    def socket_attach(self, h, cb):
        try:  # lwIP ports call a socket callback on events (SO_CALLBACK = 20)
            h.setsockopt(socket.SOL_SOCKET, 20, None if cb is None else lambda s: cb())
            return _OK
        except Exception:
            pass
        sig = self._sigio
        if sig is None:
            if cb is None:
                return _OK
            try:
                from ._sigio import Sigio
            except ImportError:  # no _thread on this port
                return _UNSUPPORTED
            sig = self._sigio = Sigio()
        sig.attach(h, cb)
        return _OK

    _waits = None  # unix: the handles in socket_wait now (see _wake.py)
    _wk = None  # unix: the waker socket, False if none (see _wake.py)

    @micropython.native
    def socket_wait(self, h, events, timeout):
        # one poll object serves every waiter in turn (a concurrent waiter, in another thread,
        # gets its own). It keeps the last handle registered: register allocates, ipoll and
        # modify do not, so a socket waiting again and again costs no allocation (compiled
        # native where the build knows the board's architecture; as bytecode, the for loop's
        # iterator takes the frame past the 11 words MicroPython keeps on the C stack).
        # unix: every poll also watches the waker, so that a close() in another thread ends it
        # (_wake.py); 0 is then returned, as for a timeout.
        p = self._poll
        self._poll = None
        wk = self._wk
        if wk is None and self._raw:  # the first wait: make the waker; it stays registered
            from ._wake import waker

            wk = waker(self)
            if wk and p is not None:
                p.register(wk, _POLLIN)
        if p is None:  # another thread has the shared one
            p = select.poll()
            if wk:
                p.register(wk, _POLLIN)
            p.register(h, events)
            wk = (wk, p)  # (not given back)
        elif self._ph is not h:
            if self._ph is not None:
                p.unregister(self._ph)
            p.register(h, events)
            self._ph = h
            self._pev = events
        elif self._pev != events:
            p.modify(h, events)
            self._pev = events
        w = self._waits
        if w is not None:
            w.append(h)
        events = 0
        for s, ev in p.ipoll(timeout):
            if s is h:
                events = ev
        if w is not None:
            w.remove(h)
        if type(wk) is not tuple:
            self._poll = p
        return events
