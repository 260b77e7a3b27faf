"""python -m netsocket_harness.esp_rom --chip esp32 --flash flash.img: a chip in download mode on a pty."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .chips import CHIPS
from .flash import SpiFlash
from .serve import EmulatedDevice


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m netsocket_harness.esp_rom", description=__doc__)
    ap.add_argument("--chip", choices=CHIPS, default="esp32")
    ap.add_argument("--flash", help="file holding the flash contents (default: in memory)")
    ap.add_argument("--flash-size", type=lambda s: int(s, 0), default=4 << 20)
    ap.add_argument("-v", "--verbose", action="store_true", help="log each command on stderr")
    args = ap.parse_args(argv)
    log = (lambda m: print(m, file=sys.stderr, flush=True)) if args.verbose else None
    flash = SpiFlash(args.flash_size, args.flash)
    dev = EmulatedDevice(args.chip, flash, log=log)
    done = threading.Event()
    dev.loader.on_run = done.set
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with dev:
        print(dev.port, flush=True)
        done.wait()
    flash.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
