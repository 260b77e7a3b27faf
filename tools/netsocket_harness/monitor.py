"""`netsocket monitor`: a serial terminal on a board (pyserial's miniterm), with a reset first if asked.

Resets: ``hard`` is the reset button (the virtual board's reset line; on a
USB-serial board the EN pin through RTS, as esptool's hard reset does),
``soft`` is Ctrl-C, Ctrl-C, Ctrl-D at the REPL (MicroPython's soft reset).
"""

from __future__ import annotations

import sys
import time

import serial
from serial.tools.miniterm import Miniterm, Transform

from . import vboard
from .errors import HarnessError
from .serial_url import serial_url


class _EnterIsCR(Transform):
    """Enter reaches the board as CR (what a REPL wants); the board's CRLF reaches the screen as it is."""

    def tx(self, text: str) -> str:
        return text.replace("\n", "\r")


def monitor(port: str, baud: int = 115200, reset: str = "none", vcfg: vboard.BoardConfig | None = None) -> None:
    if not sys.stdin.isatty():
        raise HarnessError("netsocket monitor needs a terminal (stdin is not one)")
    try:
        ser = serial.serial_for_url(serial_url(port), baud, timeout=1)  # rfc2217:// gains ign_set_control
    except serial.SerialException as e:
        raise HarnessError(f"cannot open {port}: {e}") from None
    if reset == "hard":
        if vcfg is not None:
            vboard.control(vcfg, "reset")
        else:  # EN low through RTS, as esptool's HardReset
            ser.dtr = False
            ser.rts = True
            time.sleep(0.1)
            ser.rts = False
    elif reset == "soft":
        ser.write(b"\r\x03\x03\x02\x04")  # out of any running code and the raw REPL, then soft reset
    term = Miniterm(ser, echo=False, eol="lf", filters=["direct"])
    term.tx_transformations = [_EnterIsCR()]
    term.rx_transformations = []
    term.exit_character = "\x1d"  # Ctrl-], as mpremote's REPL
    term.menu_character = "\x14"  # Ctrl-T
    term.raw = True
    term.set_rx_encoding("utf-8")
    term.set_tx_encoding("utf-8")
    print(f"--- {port} at {baud} baud; Ctrl-] leaves, Ctrl-T Ctrl-H for help ---", file=sys.stderr)
    term.start()
    try:
        term.join(True)
    except KeyboardInterrupt:
        pass
    term.join()
    term.close()
