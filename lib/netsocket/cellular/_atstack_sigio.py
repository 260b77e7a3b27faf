"""ATStack sigio callbacks (URCs read while the application is not calling the stack) and
socket options; loaded on first use."""

from micropython import const
from time import sleep_ms

_OK = const(0)
_UNSUPPORTED = const(-3002)
_NO_SOCKET = const(-3005)
_POLLIN = const(1)


def socket_attach(self, h, cb):
    if not self._valid(h):
        return _NO_SOCKET
    if (h.cb is None) != (cb is None):
        self._ncb += 1 if cb is not None else -1
    h.cb = cb
    if cb is not None:
        self._sigio()
    return _OK


def setsockopt(self, h, level, opt, value):
    return _NO_SOCKET if not self._valid(h) else _UNSUPPORTED


def getsockopt(self, h, level, opt):
    return None, _NO_SOCKET if not self._valid(h) else _UNSUPPORTED


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
