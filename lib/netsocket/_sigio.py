"""sigio for ports whose sockets have no event callback (unix): one poller thread per stack.

Calls a socket's callback while it is readable, has an error or hang-up, or
when it becomes writable; callbacks run in the main thread via
``micropython.schedule`` where the port has it.
"""

import _thread
import select
import time

try:
    from micropython import schedule
except ImportError:
    schedule = None


def _call(cb):
    cb()


class Sigio:
    def __init__(self):
        self._cbs = {}  # native socket -> callback
        self._lock = _thread.allocate_lock()
        self._running = False
        self._want = []  # sockets waiting to become writable

    def rearm(self, s):
        """Fire on the next writable state of ``s`` (after a send that would block)."""
        with self._lock:
            self._want.append(s)

    def attach(self, s, cb):
        with self._lock:
            if cb is None:
                self._cbs.pop(s, None)
            else:
                self._cbs[s] = cb
            if self._cbs and not self._running:
                self._running = True
                _thread.start_new_thread(self._loop, ())

    def _loop(self):
        p = select.poll()
        last = {}  # socket -> revents seen last time
        while True:
            with self._lock:
                cbs = dict(self._cbs)
                want = self._want
                self._want = []
                if not cbs:
                    self._running = False
                    return
            if any(s not in cbs for s in last):
                p = select.poll()  # rebuild: a closed socket can't be unregistered everywhere
                last = {}
            for s in cbs:
                if s not in last:
                    p.register(s, 5)  # POLLIN | POLLOUT
                    last[s] = 0
            for s in want:
                if s in last:
                    last[s] = 0
            seen = {}
            for s, ev in p.ipoll(20):
                seen[s] = ev
            fired = False
            for s in cbs:
                ev = seen.get(s, 0)
                if ev & ~4 or (ev and ev != last[s]):
                    cb = cbs[s]
                    try:
                        if schedule:
                            schedule(_call, cb)
                        else:
                            cb()
                    except RuntimeError:  # schedule queue full: try again next round
                        continue
                    fired = True
                last[s] = ev
            if fired:
                time.sleep_ms(2)
