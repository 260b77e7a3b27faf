"""Run a RomLoader on a file descriptor: the master side of a pty."""

from __future__ import annotations

import os
import pty
import selectors
import threading
import tty

from .chips import chip_profile
from .flash import SpiFlash
from .loader import Faults, RomLoader


def serve(fd: int, loader: RomLoader, stop: threading.Event | None = None) -> None:
    """Answer the host on `fd` until the loader runs the application or `stop` is set."""
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    try:
        while not loader.run_requested and not (stop and stop.is_set()):
            if not sel.select(timeout=0.1):
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:  # no process has the slave open at the moment
                if stop and stop.wait(0.05):
                    break
                continue
            out = loader.feed(data)
            while out:
                n = os.write(fd, out)
                out = out[n:]
    finally:
        sel.close()


class EmulatedDevice:
    """A chip in download mode on a new pty, served by a background thread.

    ``with EmulatedDevice("esp32") as dev: esptool --port dev.port ...``"""

    def __init__(self, chip: str = "esp32", flash: SpiFlash | None = None, faults: Faults | None = None,
                 log=None) -> None:
        self.flash = flash or SpiFlash()
        self.loader = RomLoader(chip_profile(chip), self.flash, faults, log=log)
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=serve, args=(self._master, self.loader, self._stop), daemon=True)

    def __enter__(self) -> "EmulatedDevice":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self._master = self._slave = -1
