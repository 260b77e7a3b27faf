"""A non-blocking CellularInterface.connect() kept going without the application's calls: a
thread that schedules maintain() every 100 ms until the connect is over (where the port has
``_thread``; elsewhere the steps run on the application's calls to the interface and its
sockets). The thread only sleeps and schedules: the steps run on the main thread."""

from time import sleep_ms


def _background(self):
    if self._bg:
        return
    try:
        import _thread
        from micropython import schedule

        self._bg = True
        _thread.start_new_thread(self._ticker, (schedule,))
    except Exception:  # no threads here
        self._bg = False


def _ticker(self, schedule):
    try:
        while self._c is not None:
            sleep_ms(100)
            try:
                schedule(self._tick, None)
            except RuntimeError:  # the schedule queue is full: next time
                pass
    finally:
        self._bg = False


def _tick(self, _):
    self.maintain()
