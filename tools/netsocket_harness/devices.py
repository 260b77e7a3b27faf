"""`netsocket devices`: serial ports with their USB identity, the likely board, and whether MicroPython answers.

Ports come from pyserial's ``list_ports``; the USB vendor:product id names
the USB-serial bridge (or native USB) and, through the ``usb`` lists in
boards/*/board.json, the boards that use it. ``--port auto`` picks the one
port that looks like a board.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field

from serial.tools import list_ports

from .board import known_boards, load_board
from .errors import HarnessError

# vid -> {pid or None (any) -> what it is}
USB_KINDS: dict[str, dict[str | None, str]] = {
    "10c4": {"ea60": "CP210x USB-UART bridge"},
    "1a86": {"7523": "CH340 USB-UART bridge", "55d4": "CH9102 USB-UART bridge"},
    "0403": {"6001": "FTDI FT232R USB-UART bridge", "6010": "FTDI FT2232 USB-UART bridge",
             "6015": "FTDI FT231X USB-UART bridge"},
    "303a": {"1001": "Espressif USB Serial/JTAG (ESP32-S3/C3/C6 native USB)",
             "4001": "Espressif USB OTG CDC (ESP32-S2/S3 TinyUSB)", None: "Espressif native USB"},
    "0483": {"374b": "ST-LINK/V2-1 virtual COM port (Nucleo)", "374e": "ST-LINK/V3 virtual COM port",
             "5740": "STM32 USB CDC (MicroPython stm32)", "df11": "STM32 DFU bootloader"},
    "2e8a": {"0005": "Raspberry Pi Pico (MicroPython)", "000a": "Raspberry Pi Pico (Pico SDK CDC)",
             None: "Raspberry Pi RP2 USB"},
    "f055": {"9800": "MicroPython USB (pyboard)"},
}


@dataclass
class Device:
    port: str
    vid: str | None = None  # 4 lower-case hex digits
    pid: str | None = None
    serial_number: str | None = None
    description: str = ""
    kind: str = ""  # what the USB id says it is, "" if unknown
    boards: list[str] = field(default_factory=list)  # boards whose board.json lists this USB id
    micropython: str | None = None  # version answering on the port, if probed and it answered

    @property
    def usb_id(self) -> str:
        return f"{self.vid}:{self.pid}" if self.vid else "-"


def usb_kind(vid: str | None, pid: str | None) -> str:
    table = USB_KINDS.get(vid or "", {})
    return table.get(pid, table.get(None, ""))


def boards_for(vid: str | None, pid: str | None) -> list[str]:
    """Boards whose board.json names this USB id ("303a:*" style wildcards count too)."""
    if not vid:
        return []
    found = []
    for name in known_boards():
        ids = load_board(name).info.get("usb", [])
        if f"{vid}:{pid}" in ids or f"{vid}:*" in ids:
            found.append(name)
    return found


def from_port_info(info) -> Device:
    vid = f"{info.vid:04x}" if info.vid is not None else None
    pid = f"{info.pid:04x}" if info.pid is not None else None
    return Device(port=info.device, vid=vid, pid=pid, serial_number=info.serial_number,
                  description=info.description or "", kind=usb_kind(vid, pid), boards=boards_for(vid, pid))


def probe(port: str, timeout: float = 2.0) -> str | None:
    """The MicroPython version answering on `port` (raw REPL, no soft reset), or None."""
    from .mpr import connect

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            transport = connect(port, soft_reset=False, timeout=timeout)
    except HarnessError:
        return None
    try:
        return transport.eval("__import__('sys').version").split("MicroPython ")[-1].split(" on ")[0]
    except Exception:  # noqa: BLE001 - anything but a clean answer means "not MicroPython"
        return None
    finally:
        with contextlib.suppress(Exception):
            transport.exit_raw_repl()
        transport.close()


def list_devices(probe_repl: bool = True, ports=None) -> list[Device]:
    """USB serial ports (pyserial's list); with `probe_repl`, ask each for MicroPython."""
    infos = ports if ports is not None else list_ports.comports()
    devices = [from_port_info(i) for i in infos if i.vid is not None]
    if probe_repl:
        for d in devices:
            if d.pid != "df11":  # a DFU bootloader has no serial REPL
                d.micropython = probe(d.port)
    return sorted(devices, key=lambda d: d.port)


def auto_port(board: str | None = None, devices: list[Device] | None = None) -> str:
    """The single connected port that looks like `board` (or like any board)."""
    devices = devices if devices is not None else list_devices(probe_repl=False)
    if board:
        matches = [d for d in devices if board in d.boards]
    else:
        matches = [d for d in devices if d.kind and d.pid != "df11"]
    if len(matches) == 1:
        return matches[0].port
    what = f"a {board}" if board else "a board"
    if not matches:
        raise HarnessError(f"--port auto found no serial port that looks like {what}: plug it in, "
                           "or give --port (see: netsocket devices)")
    listed = ", ".join(f"{d.port} ({d.kind or d.usb_id})" for d in matches)
    raise HarnessError(f"--port auto found several ports that look like {what}: {listed}; give --port")


def format_devices(devices: list[Device]) -> list[str]:
    if not devices:
        return ["no USB serial devices found (virtual boards: netsocket vboard list)"]
    lines = [f"{'PORT':<16} {'USB ID':<10} {'SERIAL':<18} {'KIND':<40} {'LIKELY BOARD':<28} MICROPYTHON"]
    for d in devices:
        boards = ", ".join(d.boards[:3]) + (" ..." if len(d.boards) > 3 else "") or "-"
        mp = d.micropython or "no answer"
        lines.append(f"{d.port:<16} {d.usb_id:<10} {(d.serial_number or '-')[:18]:<18} "
                     f"{(d.kind or d.description or '-')[:40]:<40} {boards:<28} {mp}")
    return lines
