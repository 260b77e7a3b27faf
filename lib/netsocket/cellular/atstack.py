"""ATStack: the modem-independent half of a cellular socket stack (Mbed's AT_CellularStack).

A fixed table of modem sockets (connect IDs), their states, URC flags and
callbacks, and every NetworkStack call built on a few modem commands that a
driver (``bg96.Stack``, ``sim7600.Stack``) supplies:

- ``_open_cmd(h, kind, ip, port)``: the command that opens ID ``h.id``
  (kind "TCP" or "UDP"); its result comes later, the driver's URC handler
  calls ``_opened_urc(id, err)`` (0 = success).
- ``_close_id(id)``: close one ID (with the handler held);
- ``_send_head(h, n, addr)`` and ``_send_result()``: one send exchange after
  the ``>`` prompt -> bytes accepted, 0 (buffer full, try later) or < 0;
- ``_read_cmd(h, n)``, ``_read_head(line)`` -> (n, rest, ip, port): one read
  exchange whose header line starts with ``_RD`` and is followed by n raw bytes
  (rest < 0 when the modem does not tell what is left);
- ``_modem_lookup(host)`` -> IPv4 text or an nsapi error;
- link set-up for CellularInterface: ``_init``, ``_close_all``,
  ``_activate(apn, user, pw) -> (ip, err)``, ``_deactivate``.

URC handlers only set flags and fire socket callbacks (never commands): data
ready -> ``_rx(id)``, peer closed -> ``_hup(id)``, PDP lost ->
``self._if._link_lost(1)``. Every call is non-blocking, as NetworkStack
requires; ``socket_wait`` reads URCs until the socket is ready. DNS goes to
the modem unless the app gave netsocket's resolver servers
(``add_dns_server``): then netsocket's own resolver runs over the modem's
UDP sockets.
"""

from micropython import const
from time import ticks_ms, ticks_diff, ticks_add, sleep_ms
from ..stack import NetworkStack
from ..address import SocketAddress

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

# socket states
_NEW = const(0)
_OPENING = const(1)
_OPEN = const(2)
_CLOSING = const(4)  # the peer closed; the modem's close is still due
_DEAD = const(5)  # the link went down under it


class _Sock:
    def __init__(self, id, proto):
        self.id = id
        self.proto = proto  # 0 TCP, 1 UDP
        self.state = _NEW
        self.lport = 0
        self.rx = False  # the modem said data is waiting and no read has emptied it since
        self.res = None  # open result while opening
        self.t0 = 0  # ticks: opening started, or the send back-off ends
        self.busy = False  # send back-off running (the modem's buffer was full)
        self.cb = None
        self.waits = 0  # socket_wait calls on it now (socket_close waits until they have left)


class ATStack(NetworkStack):
    """Sockets of a modem's own TCP/IP stack, driven over the interface's ATHandler."""

    MAX = 12  # sockets (connect IDs 0..MAX-1)
    SEND_MAX = 1460  # bytes per send exchange
    RECV_MAX = 1500  # bytes per read exchange
    _RD = b""  # prefix of the read header line
    _EMPTY_ERR = False  # the modem answers a read of an empty buffer with an error
    open_timeout = 150000  # ms for the open result
    dns_timeout = 60000  # ms for a modem lookup

    def __init__(self, iface):
        self._if = iface
        self.at = iface.at
        self.sockets = 0
        self._socks = [None] * self.MAX
        self._ncb = 0  # sockets with a sigio callback
        self._sched = False
        self._ip = None  # SocketAddress of the PDP context

    def __repr__(self):
        return "<%s stack %d/%d sockets>" % (type(self).__module__.split(".")[-1].upper(), self.sockets, self.MAX)

    # -- what URC handlers call -------------------------------------------------------------

    def _sock(self, i):
        return self._socks[i] if isinstance(i, int) and 0 <= i < self.MAX else None

    def _fire(self, s):
        if s.cb is not None:
            s.cb()

    def _rx(self, i):
        s = self._sock(i)
        if s is not None:
            s.rx = True
            self._fire(s)

    def _hup(self, i):
        s = self._sock(i)
        if s is not None and s.state == _OPEN:
            s.state = _CLOSING
            s.rx = True  # drain what is left, then EOF
            self._fire(s)

    def _opened_urc(self, i, err):
        s = self._sock(i)
        if s is not None and s.state == _OPENING:
            s.res = err
            if err == 0:
                s.state = _OPEN  # data/close URCs may follow before the application looks
            self._fire(s)

    def _dead(self):
        for s in self._socks:
            if s is not None and s.state in (_OPENING, _OPEN, _CLOSING):
                s.state = _DEAD
                self._fire(s)

    def _close_dead(self, ids):
        # with the handler held: close the modem's IDs that no live socket of ours owns
        for i in ids:
            s = self._sock(i)
            if s is None or s.state in (_DEAD, _CLOSING):
                self._close_id(i)
                if s is not None:
                    s.state = _DEAD

    def _close_open(self):
        # with the handler held: close every socket the link had
        for s in self._socks:
            if s is not None and s.state in (_OPENING, _OPEN, _CLOSING):
                self._close_id(s.id)
                s.state = _DEAD

    # -- NetworkStack ---------------------------------------------------------------------------

    def get_ip_address(self, addr):
        return self._if.get_ip_address(addr)

    def _lookup(self, host, version):
        if NetworkStack._resolver:  # servers were added: netsocket's resolver over our UDP sockets
            return NetworkStack._lookup(self, host, version)
        if version == 2 or '"' in host:
            return _DNS_FAILURE  # the modem's resolver is asked for IPv4 here
        self._if.maintain()
        if self._ip is None:
            return _NO_CONNECTION
        with self.at:
            ip = self._modem_lookup(host)
        if isinstance(ip, int):
            return ip
        a = SocketAddress(ip)
        return a._ip if a else _DNS_FAILURE

    def socket_open(self, proto):
        if proto not in (0, 1):
            return None, _UNSUPPORTED
        for i in range(self.MAX):
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
                self._close_id(h.id)
        h.state = _NEW
        self._socks[h.id] = None
        self.sockets -= 1
        t0 = ticks_ms()
        while h.waits and ticks_diff(ticks_ms(), t0) < 2000:  # a wait in another thread: it sees the
            sleep_ms(1)  # handle gone at its next round (<= 50 ms) and leaves; then return, as Mbed
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
        # the open command; the result comes later in a URC
        if self._ip is None:
            return _NO_CONNECTION
        h.state = _OPENING  # before the command: the result may come in right behind its OK
        h.res = None
        h.t0 = ticks_ms()
        with self.at:
            err = self.at.cmd(self._open_cmd(h, kind, ip, port), None, 5000)[1]
        if err:
            h.state = _NEW
            return _DEVICE_ERROR
        return _OK

    def _opened(self, h):
        # -> OK, IN_PROGRESS while no result yet, or an error (the ID is freed again)
        if h.state == _OPEN:
            return _OK
        if h.res is None:
            if ticks_diff(ticks_ms(), h.t0) < self.open_timeout:
                return _IN_PROGRESS
            res = -1  # the URC never came
        else:
            res = h.res
        with self.at:
            self._close_id(h.id)
        h.state = _NEW
        if res < 0:
            return _CONNECTION_TIMEOUT
        return _PARAMETER if res == self._BIND_FAILED else _NO_CONNECTION

    _BIND_FAILED = -1  # the modem's "bind failed" open result

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

    def _send(self, h, addr, data, size):
        # one send exchange: command, prompt, raw bytes, result; -> bytes sent or error
        if isinstance(data, str):
            data = data.encode()
        at = self.at
        with at:
            at.cmd_start(self._send_head(h, size, addr))
            if not at.prompt(10000):
                return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
            at.write(memoryview(data)[:size])
            n = self._send_result(h, size)
        if n == 0:  # the modem's buffer is full: try again a little later
            h.busy = True
            h.t0 = ticks_add(ticks_ms(), 50)
            return _WOULD_BLOCK
        return n

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
        return self._send(h, None, data, size if size < self.SEND_MAX else self.SEND_MAX)

    def _read(self, h, buf, size, addr):
        # one read exchange into buf; -> count (0 = nothing waiting) or error
        at = self.at
        if size > self.RECV_MAX:
            size = self.RECV_MAX
        with at:
            at.cmd_start(self._read_cmd(h, size))
            line = at.resp(self._RD, 5000)
            if line is None:
                if at.timed_out:
                    return _DEVICE_ERROR
                h.rx = False  # nothing to read (SIMCom says so with an error), or no such socket
                return 0 if h.state == _CLOSING else _WOULD_BLOCK if self._EMPTY_ERR else _NO_CONNECTION
            n, rest, ip, port = self._read_head(line)
            if n == 0 or rest == 0:
                h.rx = False  # re-armed: the next data URC (maybe right behind this OK) counts
            if n > size:  # never asked for: keep the stream in step
                at.skip(n)
                n = 0
            elif n:
                if at.read_into(memoryview(buf), n, 5000) < n:
                    return _DEVICE_ERROR
            if addr is not None and ip:
                addr.set_ip_address(ip)
                addr._port = port
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

    def socket_poll(self, h):
        # what is ready now: the URCs already waiting are read (never waiting for more)
        if not self._valid(h):
            return _POLLERR
        self._if.maintain()
        return self._revents(h)

    def socket_wait(self, h, events, timeout):
        if not self._valid(h):
            return _POLLERR
        h.waits += 1
        try:
            return self._wait(h, events, timeout)
        finally:
            h.waits -= 1

    def _wait(self, h, events, timeout):
        t0 = ticks_ms()
        at = self.at
        while True:
            r = self.socket_poll(h)  # POLLERR once closed meanwhile, by another thread: the wait ends
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
