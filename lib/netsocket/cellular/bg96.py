"""Quectel BG96 (and BG95/BG77/EC2x): the modem's own TCP/IP stack as a NetworkStack.

Up to 12 sockets (connect IDs 0-11) in buffer access mode: ``AT+QIOPEN``
then the ``+QIOPEN`` URC, ``AT+QISEND`` (``>`` prompt, raw bytes,
``SEND OK``), ``AT+QIRD`` after the edge-triggered ``"recv"`` URC (read
until ``+QIRD: 0``), ``AT+QICLOSE``; UDP sockets are ``UDP SERVICE`` sockets
so that ``sendto`` reaches any peer and ``recvfrom`` reports the source.
DNS through ``AT+QIDNSGIP``. Every call is non-blocking, as NetworkStack
requires; ``socket_wait`` reads URCs until the socket is ready.
"""

from micropython import const
from time import ticks_ms, ticks_diff, ticks_add, sleep_ms
from ..stack import NetworkStack
from ..address import SocketAddress
from .at import params

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_DNS_FAILURE = const(-3009)
_DEVICE_ERROR = const(-3012)
_IN_PROGRESS = const(-3013)
_ALREADY = const(-3014)
_IS_CONNECTED = const(-3015)
_CONNECTION_TIMEOUT = const(-3017)
_POLLIN = const(1)
_POLLOUT = const(4)
_POLLERR = const(8)
_POLLHUP = const(16)

_MAX = const(12)
_SEND_MAX = const(1460)
_RECV_MAX = const(1500)

# socket states (the modem's, plus DEAD)
_NEW = const(0)
_OPENING = const(1)
_OPEN = const(2)
_CLOSING = const(4)  # the peer closed; QICLOSE still due
_DEAD = const(5)  # the link went down under it


class _Sock:
    def __init__(self, id, proto):
        self.id = id
        self.proto = proto  # 0 TCP, 1 UDP
        self.state = _NEW
        self.lport = 0
        self.rx = False  # a "recv" URC came and QIRD has not yet returned 0
        self.res = None  # +QIOPEN result while opening
        self.t0 = 0  # ticks: opening started, or SEND FAIL back-off ends
        self.busy = False  # SEND FAIL back-off running
        self.cb = None


class Stack(NetworkStack):
    """The BG96 socket stack; made by CellularInterface(modem="bg96")."""

    cid = 1  # PDP context
    open_timeout = 150000  # ms for the +QIOPEN URC
    dns_timeout = 60000  # ms for the +QIURC: "dnsgip" URCs

    def __init__(self, iface):
        self._if = iface
        self.at = at = iface.at
        self.sockets = 0
        self._socks = [None] * _MAX
        self._dns = None  # [err, count, ip text] while a lookup runs
        self._ncb = 0  # sockets with a sigio callback
        self._sched = False
        self._ip = None  # SocketAddress of the PDP context
        at.set_urc(b'+QIURC: "recv"', self._on_recv)
        at.set_urc(b'+QIURC: "closed"', self._on_closed)
        at.set_urc(b'+QIURC: "pdpdeact"', self._on_pdp)
        at.set_urc(b'+QIURC: "dnsgip"', self._on_dns)
        at.set_urc(b"+QIOPEN:", self._on_open)

    def __repr__(self):
        return "<BG96 stack %d/%d sockets>" % (self.sockets, _MAX)

    # -- URCs: set flags and fire callbacks, never send commands ---------------------------

    def _sock_of(self, line, start):
        p = params(line, start)
        i = p[1] if isinstance(p[0], str) else p[0]
        if isinstance(i, int) and 0 <= i < _MAX:
            return self._socks[i], p
        return None, p

    def _fire(self, s):
        if s.cb is not None:
            s.cb()

    def _on_recv(self, line):
        s, _ = self._sock_of(line, 8)
        if s is not None:
            s.rx = True
            self._fire(s)

    def _on_closed(self, line):
        s, _ = self._sock_of(line, 8)
        if s is not None and s.state == _OPEN:
            s.state = _CLOSING
            s.rx = True  # drain what is left, then EOF
            self._fire(s)

    def _on_open(self, line):
        s, p = self._sock_of(line, 8)
        if s is not None and s.state == _OPENING and len(p) > 1:
            s.res = p[1]
            if s.res == 0:
                s.state = _OPEN  # "recv"/"closed" may follow before the application looks
            self._fire(s)

    def _on_pdp(self, line):
        self._if._link_lost(1)

    def _on_dns(self, line):
        d = self._dns
        if d is None:
            return
        p = params(line, 8)
        if len(p) < 2:
            return
        if isinstance(p[1], str):  # an address line
            if d[2] is None and ":" not in p[1]:
                d[2] = p[1]
            d[1] -= 1
        else:  # the header: err[,count,ttl]
            d[0] = p[1]
            d[1] = p[2] if p[1] == 0 and len(p) > 2 else 0

    def _dead(self):
        for s in self._socks:
            if s is not None and s.state in (_OPENING, _OPEN, _CLOSING):
                s.state = _DEAD
                self._fire(s)

    # -- link set-up, called by CellularInterface with the AT handler held -----------------

    def _init(self):
        at = self.at
        at.cmd('AT+QURCCFG="urcport","uart1"')
        return self._close_all()

    def _close_all(self):
        """Close every socket the modem has (stale ones after a host reset, dead ones after PDP loss)."""
        at = self.at
        ids = []
        at.cmd_start("AT+QISTATE?")
        while True:
            line = at.resp(b"+QISTATE:")
            if line is None:
                break
            ids.append(params(line, 9)[0])
        for i in ids:
            s = self._socks[i]
            if s is None or s.state in (_DEAD, _CLOSING):
                at.cmd("AT+QICLOSE=%d" % i, None, 20000)
                if s is not None:
                    s.state = _DEAD
        return _OK

    def _activate(self, apn, user, pw):
        at = self.at
        err = at.cmd('AT+QICSGP=%d,1,"%s","%s","%s",%d' % (self.cid, apn, user, pw, 3 if user else 0))[1]
        if err:
            return None, _DEVICE_ERROR
        ip = self._active_ip()
        for _ in range(3):
            if ip is not None:
                break
            if at.cmd("AT+QIACT=%d" % self.cid, None, 150000)[1]:
                at.cmd("AT+QIDEACT=%d" % self.cid, None, 40000)
            else:
                ip = self._active_ip()
        if ip is None:
            return None, _NO_CONNECTION
        self._ip = SocketAddress(ip)
        return ip, _OK

    def _active_ip(self):
        at = self.at
        ip = None
        at.cmd_start("AT+QIACT?")
        while True:
            line = at.resp(b"+QIACT:")
            if line is None:
                return ip
            p = params(line, 7)
            if len(p) > 3 and p[0] == self.cid and p[1] == 1:
                ip = p[3]

    def _deactivate(self):
        for s in self._socks:
            if s is not None and s.state in (_OPENING, _OPEN, _CLOSING):
                self.at.cmd("AT+QICLOSE=%d" % s.id, None, 20000)
                s.state = _DEAD
        self.at.cmd("AT+QIDEACT=%d" % self.cid, None, 40000)
        self._ip = None

    # -- NetworkStack -------------------------------------------------------------------------

    def get_ip_address(self, addr):
        return self._if.get_ip_address(addr)

    def _lookup(self, host, version):
        if version == 2:
            return _DNS_FAILURE  # the modem's resolver is asked for IPv4 here
        if '"' in host:
            return _DNS_FAILURE
        self._if.maintain()
        if self._ip is None:
            return _NO_CONNECTION
        at = self.at
        with at:
            d = self._dns = [-1, 1, None]
            try:
                for _ in range(50):
                    err = at.cmd('AT+QIDNSGIP=%d,"%s"' % (self.cid, host), None, 5000)[1]
                    if not err or at.cme != 564:  # 564: another lookup is running
                        break
                    at.process(100)
                if err:
                    return _DNS_FAILURE
                t0 = ticks_ms()
                while d[0] < 0 or d[0] == 0 and d[1] > 0:
                    if ticks_diff(ticks_ms(), t0) > self.dns_timeout:
                        return _DNS_FAILURE
                    at.process(100)
            finally:
                self._dns = None
        if d[0] or d[2] is None:
            return _DNS_FAILURE
        a = SocketAddress(d[2])
        return a._ip if a else _DNS_FAILURE

    def socket_open(self, proto):
        if proto not in (0, 1):
            return None, _UNSUPPORTED
        for i in range(_MAX):
            if self._socks[i] is None:
                s = self._socks[i] = _Sock(i, proto)
                self.sockets += 1
                return s, _OK
        return None, _NO_SOCKET

    def _valid(self, h):
        return isinstance(h, _Sock) and self._socks[h.id] is h

    def socket_close(self, h):
        if not self._valid(h):
            return _NO_SOCKET
        if h.cb is not None:
            self._ncb -= 1
        if h.state in (_OPENING, _OPEN, _CLOSING):
            with self.at:
                self.at.cmd("AT+QICLOSE=%d" % h.id, None, 20000)
        h.state = _NEW
        self._socks[h.id] = None
        self.sockets -= 1
        return _OK

    def socket_bind(self, h, addr):
        if not self._valid(h):
            return _NO_SOCKET
        ip = addr._ip
        if ip is not None and ip != bytes(4):
            if len(ip) != 4 or self._ip is None or ip != self._ip._ip:
                return _PARAMETER
        port = addr._port
        if h.state != _NEW:
            return _PARAMETER
        if port:
            for s in self._socks:
                if s is not None and s is not h and s.lport == port:
                    return _PARAMETER
        h.lport = port
        return _OK

    def socket_listen(self, h, backlog):
        return _UNSUPPORTED

    def socket_accept(self, h, addr):
        return None, _UNSUPPORTED

    def _open(self, h, kind, ip, port):
        # AT+QIOPEN; the result comes later in +QIOPEN
        at = self.at
        if self._ip is None:
            return _NO_CONNECTION
        h.state = _OPENING  # before the command: +QIOPEN may come in right behind its OK
        h.res = None
        h.t0 = ticks_ms()
        with at:
            err = at.cmd('AT+QIOPEN=%d,%d,"%s","%s",%d,%d,0' % (self.cid, h.id, kind, ip, port, h.lport),
                         None, 5000)[1]
        if err:
            h.state = _NEW
            return _DEVICE_ERROR
        return _OK

    def _opened(self, h):
        # -> OK, IN_PROGRESS while no +QIOPEN yet, or an error (the ID is freed again)
        if h.state == _OPEN:
            return _OK
        if h.res is None:
            if ticks_diff(ticks_ms(), h.t0) < self.open_timeout:
                return _IN_PROGRESS
            res = -1  # the URC never came
        else:
            res = h.res
        with self.at:
            self.at.cmd("AT+QICLOSE=%d" % h.id, None, 20000)
        h.state = _NEW
        if res < 0:
            return _CONNECTION_TIMEOUT
        return _PARAMETER if res == 556 else _NO_CONNECTION

    def socket_connect(self, h, addr):
        if not self._valid(h):
            return _NO_SOCKET
        if h.proto != 0:
            return _UNSUPPORTED
        self._if.maintain()
        st = h.state
        if st == _OPEN or st == _CLOSING and h.res == 0:
            return _IS_CONNECTED
        if st in (_CLOSING, _DEAD):
            return _NO_CONNECTION
        if st == _OPENING:
            err = self._opened(h)
            if err == _IN_PROGRESS:
                return _ALREADY
            return _IS_CONNECTED if err == _OK else err
        if addr.get_ip_version() != 1:
            return _UNSUPPORTED
        err = self._open(h, "TCP", addr.get_ip_address(), addr._port)
        return err or _IN_PROGRESS

    def _send(self, h, head, data, size):
        # one AT+QISEND exchange; -> bytes sent or error
        if isinstance(data, str):
            data = data.encode()
        at = self.at
        with at:
            at.cmd_start(head)
            if not at.prompt(10000):
                return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
            at.write(memoryview(data)[:size])
            line = at.resp(b"SEND ", 30000)
            if line is None:
                return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
            at.end()
        if line == b"SEND OK":
            return size
        h.busy = True  # SEND FAIL: the modem's buffer is full; try again a little later
        h.t0 = ticks_add(ticks_ms(), 50)
        return _WOULD_BLOCK

    def _backoff(self, h):
        if h.busy and ticks_diff(ticks_ms(), h.t0) >= 0:
            h.busy = False
        return h.busy

    def socket_send(self, h, data, size):
        if not self._valid(h):
            return _NO_SOCKET
        self._if.maintain()
        if h.state != _OPEN:
            return _NO_CONNECTION
        if size == 0:
            return 0
        if self._backoff(h):
            return _WOULD_BLOCK
        n = size if size < _SEND_MAX else _SEND_MAX
        return self._send(h, "AT+QISEND=%d,%d" % (h.id, n), data, n)

    def _read(self, h, buf, size, addr):
        # one AT+QIRD exchange into buf; -> count (0 = buffer empty) or error
        at = self.at
        if size > _RECV_MAX:
            size = _RECV_MAX
        with at:
            at.cmd_start("AT+QIRD=%d,%d" % (h.id, size))
            line = at.resp(b"+QIRD:", 5000)
            if line is None:
                return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
            p = params(line, 6)
            n = p[0]
            if n == 0:
                h.rx = False  # re-armed: the next "recv" URC (maybe right behind this OK) counts
            if n > size:  # never asked for: keep the stream in step
                at.skip(n)
                n = 0
            elif n:
                if at.read_into(memoryview(buf), n, 5000) < n:
                    return _DEVICE_ERROR
            if addr is not None and len(p) > 2:
                addr.set_ip_address(p[1])
                addr._port = p[2]
            at.final(5000)
        return n

    def socket_recv(self, h, buf, size):
        if not self._valid(h):
            return _NO_SOCKET
        if h.proto == 1:
            return self.socket_recvfrom(h, None, buf, size)
        self._if.maintain()
        st = h.state
        if st == _DEAD or st == _NEW or st == _OPENING:
            return _NO_CONNECTION
        if size == 0:
            return 0
        if not h.rx:
            return 0 if st == _CLOSING else _WOULD_BLOCK
        n = self._read(h, buf, size, None)
        if n == 0:
            return 0 if h.state == _CLOSING else _WOULD_BLOCK
        return n

    def _udp(self, h):
        # open the UDP SERVICE socket behind h on first use; -> nsapi code
        if h.state == _OPEN:
            return _OK
        if h.state == _DEAD:
            return _NO_CONNECTION
        if h.state == _NEW:
            err = self._open(h, "UDP SERVICE", "127.0.0.1", 0)
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
        if size > _SEND_MAX:
            return _PARAMETER
        err = self._udp(h)
        if err:
            return err
        if size == 0:
            return 0
        if self._backoff(h):
            return _WOULD_BLOCK
        head = 'AT+QISEND=%d,%d,"%s",%d' % (h.id, size, addr.get_ip_address(), addr._port)
        return self._send(h, head, data, size)

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

    def socket_attach(self, h, cb):
        if not self._valid(h):
            return _NO_SOCKET
        if (h.cb is None) != (cb is None):
            self._ncb += 1 if cb is not None else -1
        h.cb = cb
        if cb is not None:
            self._sigio()
        return _OK

    def _revents(self, h):
        st = h.state
        r = 0
        if h.rx:
            r |= _POLLIN
        if st == _CLOSING:
            r |= _POLLIN | _POLLHUP
        if st == _OPEN and not self._backoff(h):
            r |= _POLLOUT
        elif st == _OPENING and (h.res is not None or ticks_diff(ticks_ms(), h.t0) >= self.open_timeout):
            r |= _POLLOUT
        elif st == _NEW and h.proto == 1:
            r |= _POLLOUT
        if st == _DEAD:
            r |= _POLLERR | _POLLHUP | _POLLIN
        return r

    def socket_wait(self, h, events, timeout):
        if not self._valid(h):
            return _POLLERR
        t0 = ticks_ms()
        at = self.at
        while True:
            self._if.maintain()
            r = self._revents(h)
            if r & (events | _POLLERR | _POLLHUP):
                return r
            left = 50
            if timeout >= 0:
                left = timeout - ticks_diff(ticks_ms(), t0)
                if left <= 0:
                    return 0
                if left > 50:
                    left = 50
            if h.busy:
                left = 5
            with at:
                at.process(left)

    def setsockopt(self, h, level, opt, value):
        return _NO_SOCKET if not self._valid(h) else _UNSUPPORTED

    def getsockopt(self, h, level, opt):
        return None, _NO_SOCKET if not self._valid(h) else _UNSUPPORTED

    # -- sigio: URCs read while the application is not calling the stack ------------------

    def _sigio(self):
        if self._sched is not False:
            return
        self._sched = None  # running, nothing scheduled
        u = self._if._uart
        try:
            u.irq(self._irq, u.IRQ_RXIDLE)  # boards: the UART interrupts on idle after data
            return
        except Exception:
            pass
        try:
            import _thread

            _thread.start_new_thread(self._poller, ())
        except Exception:
            self._sched = False  # no way to run in the background: callbacks fire from calls only

    def _irq(self, u):
        self._schedule()

    def _schedule(self):
        if self._sched:
            return
        try:
            from micropython import schedule

            self._sched = True
            schedule(self._oob, None)
        except Exception:
            self._sched = None

    def _poller(self):
        import select

        p = select.poll()
        p.register(self._if._uart, _POLLIN)
        while self._ncb > 0:
            if p.poll(50) and not self._sched:
                self._schedule()
            sleep_ms(2)
        self._sched = False

    def _oob(self, _):
        self._sched = None
        at = self.at
        if at.try_lock():
            try:
                while at.pending() and at.process(0):
                    pass
            finally:
                at.unlock()
