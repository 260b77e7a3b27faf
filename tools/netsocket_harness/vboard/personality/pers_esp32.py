# Virtual-board personality (emulation), board side: the `socket` module of the esp32
# port, MicroPython's ports/esp32/modsocket.c (v1.28.0) over lwIP's BSD sockets, here over
# host sockets. Errors carry newlib numbers (mpconfigport.h:71 MICROPY_USE_INTERNAL_ERRNO 0).
#
# Reproduced (modsocket.c line):
# - LWIP_MAX_SOCKETS (ESP-IDF components/lwip/Kconfig default 10) sockets of any kind:
#   the 11th socket() raises ENFILE (296-305);
# - states NEW/CONNECTED/PEER_CLOSED (70-72, 294): a TCP socket is NEW until bind, listen or
#   connect (316, 336, 401: connect sets CONNECTED before it tries);
# - reads: ENOTCONN on a NEW socket (622-625); a read of 0 bytes marks the socket PEER_CLOSED
#   and every later read returns 0 (631-633, 655-657), a zero-length UDP datagram included;
#   would block: EAGAIN when non-blocking, else ETIMEDOUT (668);
# - send: EAGAIN/ETIMEDOUT when nothing was sent (711-729), a 0-byte send included;
#   sendto: ETIMEDOUT for a 0-byte datagram or when it would block, even non-blocking (768-781);
# - setsockopt: SO_REUSEADDR, SO_BROADCAST, SO_BINDTODEVICE, TCP_NODELAY, IP_ADD_MEMBERSHIP,
#   option 20 (the events callback); anything else prints
#   "Warning: lwip.setsockopt() option not implemented" and returns None (563-566);
# - the events callback: readability only, polled every 8th poll hook (94-153);
# - poll: a NEW socket is writable and hung up (862-865);
# - constants of lwIP's sockets.h as exported (1005-1020).
#
# Not reproduced: lwIP's TCP timing, the exact error of a second connect() after a failed
# non-blocking one (the host's answer is given), SO_BINDTODEVICE (accepted, no effect), IPv6.
from pers_common import Base, Callbacks, host_addr, host_poll, host_socket, oserror, port_addr, port_error, resolve

AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
IPPROTO_IP = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
SOL_SOCKET = 0xFFF
SO_REUSEADDR = 0x0004
SO_BROADCAST = 0x0020
SO_BINDTODEVICE = 0x100B
IP_ADD_MEMBERSHIP = 3
TCP_NODELAY = 1
MSG_PEEK = 1
MSG_DONTWAIT = 8

MAX_SOCKETS = 10
_NEW = 0
_CONNECTED = 1
_PEER_CLOSED = 2
_open = [0]
_callbacks = Callbacks(lambda s, ev: ev & 1)  # readability only


class socket(Base):
    def __init__(self, af=AF_INET, kind=SOCK_STREAM, proto=0, _conn=None):
        if _open[0] >= MAX_SOCKETS:
            raise oserror("ENFILE")  # modsocket.c:297-305
        self._s = host_socket(kind) if _conn is None else _conn  # _conn: an accepted host socket
        _open[0] += 1
        self._udp = kind == SOCK_DGRAM
        # modsocket.c:294; an accepted socket is CONNECTED (378)
        self._state = _CONNECTED if self._udp or _conn is not None else _NEW
        self._pending = None  # an error the next connect() reports
        self._first = _conn is None

    def close(self):
        if self._s is not None:
            _callbacks.set(self, None)
            self._s.close()
            self._s = None
            _open[0] -= 1

    def _fd(self):
        if self._s is None:
            raise oserror("EBADF")

    def bind(self, addr):
        self._fd()
        self._state = _CONNECTED  # modsocket.c:316
        Base.bind(self, addr)

    def listen(self, backlog=2):
        self._fd()
        self._state = _CONNECTED  # modsocket.c:336
        try:
            self._s.listen(backlog)
        except OSError as e:
            raise port_error(e)

    def accept(self):
        self._fd()
        s, a = self._accept_host()  # modsocket.c:364-369
        try:
            c = socket(AF_INET, SOCK_STREAM, 0, s)
        except OSError:
            s.close()
            raise
        return c, port_addr(a)

    def connect(self, addr):
        self._fd()
        dest = host_addr(addr)
        self._state = _CONNECTED  # modsocket.c:401, before trying
        err, self._pending = self._pending, None
        if err is not None:
            raise err
        try:
            self._s.connect(dest)
            return
        except OSError as e:
            if self._t == 0 and e.errno == 111 and self._first:
                # the host refused at once (loopback); lwip_connect answers EINPROGRESS and the
                # refusal shows on the next call
                self._first = False
                self._pending = port_error(e)
                raise oserror("EINPROGRESS")
            if e.errno != 115 or self._t == 0:
                raise port_error(e)  # non-blocking: EINPROGRESS, EALREADY, EISCONN, ...
        # blocking: wait for writability, then the socket's error (modsocket.c:442-478)
        if not host_poll(self._s, 4, self._t):
            raise oserror("ETIMEDOUT")
        try:
            self._s.connect(dest)
        except OSError as e:
            if e.errno != 106:
                raise port_error(e)

    def _read(self, n, want_addr):
        # _socket_read_data (modsocket.c:616-669)
        self._fd()
        if self._state == _NEW:
            raise oserror("ENOTCONN")
        if self._state == _PEER_CLOSED:
            return b"", None
        while True:
            try:
                if want_addr or self._udp:
                    d, a = self._s.recvfrom(n)
                else:
                    d, a = self._s.recv(n), None
                if not d:
                    self._state = _PEER_CLOSED
                return d, a
            except OSError as e:
                if e.errno != 11:
                    raise port_error(e)
            if self._t == 0:
                raise oserror("EAGAIN")
            if not self._wait(1):
                raise oserror("ETIMEDOUT")

    def recv(self, n, flags=0):
        return self._read(n, False)[0]

    def recvfrom(self, n, flags=0):
        d, a = self._read(n, True)
        return d, port_addr(a) if a else None


    def _send(self, buf):
        # one lwip_write: > 0 sent, 0 would block (EWOULDBLOCK / EINPROGRESS are retried)
        self._fd()
        if not len(buf):
            return 0
        try:
            return self._s.send(buf)
        except OSError as e:
            if e.errno in (11, 115):
                return 0
            raise port_error(e)

    def write(self, buf, n=None, m=None):
        # socket_stream_write (modsocket.c:806-818); None for EAGAIN
        if m is not None:  # write(buf, offset, n), as MicroPython's streams take it
            buf = memoryview(buf)[n : n + m]
        elif n is not None:
            buf = memoryview(buf)[:n]
        while True:
            r = self._send(buf)
            if r > 0:
                return r
            if self._t == 0:
                return None
            if not self._wait(4):
                raise oserror("ETIMEDOUT")

    def send(self, buf):
        # _socket_send (modsocket.c:711-729)
        r = self.write(buf) if len(buf) else None
        if not r:
            raise oserror("EAGAIN" if self._t == 0 else "ETIMEDOUT")
        return r


    def sendto(self, data, addr):
        # modsocket.c:768-781: only a count > 0 returns; 0 bytes or would-block: ETIMEDOUT
        self._fd()
        if len(data):
            try:
                return self._s.sendto(data, host_addr(addr))
            except OSError as e:
                if e.errno != 11:
                    raise port_error(e)
        else:
            self._s.sendto(data, host_addr(addr))  # lwip_sendto sends it and returns 0
        raise oserror("ETIMEDOUT")

    def setsockopt(self, level, opt, value):
        self._fd()
        if opt == 20:  # modsocket.c:521-536
            _callbacks.set(self, value)
            return
        host = {SO_REUSEADDR: (1, 2), SO_BROADCAST: (1, 6), TCP_NODELAY: (6, 1), IP_ADD_MEMBERSHIP: (0, 35)}.get(opt)
        if opt == SO_BINDTODEVICE:
            return
        if host is None:
            print("Warning: lwip.setsockopt() option not implemented")  # modsocket.c:565
            return
        self._host_opt(host, value)


    def ioctl(self, req, arg):
        if req == 4:
            self.close()
            return 0
        if req != 3:
            return -1
        if self._s is None:
            return 32  # POLLNVAL
        ret = host_poll(self._s, arg & 5, 0) & (arg & 5)
        if self._state == _NEW:
            ret |= (arg & 4) | 16  # modsocket.c:862-865
        return ret


def getaddrinfo(host, port, af=0, kind=0, proto=0, flags=0):
    return [(AF_INET, kind or SOCK_STREAM, proto, "", resolve(host, port))]
