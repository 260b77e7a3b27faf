"""`netsocket boards`: the board definitions, their schema, and the module each board freezes.

A board is ``boards/<NAME>/board.json`` plus ``manifest.py``. The device
package learns the board's default interface at runtime from
``netsocket/_board.py``, a small module generated from board.json
(``netsocket boards --generate``) that the board's manifest freezes with the
package; the port glue (``ports/<port>/netsocket/port_<port>.py``) reads it in
``default_interface()`` and ``lan()``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .board import BoardDef, known_boards, load_board
from .errors import HarnessError

PORTS = ("esp32", "stm32", "rp2", "unix")
METHODS = ("esptool", "dfu", "uf2", "vboard-rom")
INTERFACES = ("ethernet", "wifi", "cellular")
ESP_CHIPS = {"esp32": 0x1000, "esp32s3": 0x0, "esp32c3": 0x0}  # where MicroPython's firmware.bin goes
MODEMS = ("BG96", "BG95", "SIM7600", "SIM7000", "SIM800", "SARA-R4", "SARA-R5")

# key -> (type, required); nested dicts have their own tables
_TOP = {"name": (str, True), "description": (str, True), "port": (str, True), "chip": (str, True),
        "micropython_board": (str, False), "micropython_variant": (str, False), "flash": (dict, True),
        "default_interface": (dict, True), "baud": (int, True), "usb": (list, False),
        "rom_size": (int, False), "heap": (int, False), "download_mode": (dict, False)}
_FLASH = {"method": (str, True), "offset": (int, False), "file": (str, False), "baud": (int, False),
          "dfu_id": (str, False), "drive_label": (str, False), "drive_file": (str, False)}
_IFACE = {
    "ethernet": {"type": (str, True), "phy_type": (str, False), "phy_addr": (int, False), "mdc": (int, False),
                 "mdio": (int, False), "power": (int, False), "ref_clk": (int, False), "ref_clk_mode": (str, False)},
    "wifi": {"type": (str, True)},
    "cellular": {"type": (str, True), "modem": (str, True), "uart": (int, True), "tx": (int, True), "rx": (int, True),
                 "uart_baud": (int, True), "pwrkey": (int, True), "pwrkey_active": (int, True),
                 "pwrkey_pulse_ms": (int, True), "flight": (int, False), "dtr": (int, False), "status": (int, False),
                 "reset": (int, False)},
}


def _check(table: dict, d: dict, where: str) -> list[str]:
    errors = [f"{where}: unknown key {k!r}" for k in d if k not in table]
    for key, (typ, required) in table.items():
        if key not in d:
            if required:
                errors.append(f"{where}: missing {key!r}")
        elif not isinstance(d[key], typ) or (typ is int and isinstance(d[key], bool)):
            errors.append(f"{where}: {key!r} must be {typ.__name__}, not {type(d[key]).__name__}")
    return errors


def validate(info: dict, dirname: str) -> list[str]:
    """Every way `info` (a board.json) breaks the schema; empty when it is valid."""
    errors = _check(_TOP, info, "board")
    if errors:
        return errors
    if info["name"] != dirname:
        errors.append(f"name {info['name']!r} differs from its directory {dirname!r}")
    if info["port"] not in PORTS:
        errors.append(f"port {info['port']!r} is not one of {', '.join(PORTS)}")
    flash, iface = info["flash"], info["default_interface"]
    errors += _check(_FLASH, flash, "flash")
    method = flash.get("method")
    if method not in METHODS:
        errors.append(f"flash method {method!r} is not one of {', '.join(METHODS)}")
    if method == "esptool":
        if info["chip"] not in ESP_CHIPS:
            errors.append(f"esptool cannot flash chip {info['chip']!r}")
        elif flash.get("offset") != ESP_CHIPS[info["chip"]]:
            errors.append(f"MicroPython's firmware.bin for {info['chip']} goes at {ESP_CHIPS[info['chip']]:#x}")
    if method == "dfu" and not flash.get("dfu_id"):
        errors.append("a dfu board needs flash.dfu_id (vid:pid of its DFU bootloader)")
    if method == "uf2" and not flash.get("drive_label"):
        errors.append("a uf2 board needs flash.drive_label")
    kind = iface.get("type")
    if kind not in INTERFACES:
        errors.append(f"default_interface type {kind!r} is not one of {', '.join(INTERFACES)}")
    else:
        errors += _check(_IFACE[kind], iface, f"default_interface ({kind})")
        if kind == "cellular" and iface.get("modem") not in MODEMS:
            errors.append(f"modem {iface.get('modem')!r} is not one of {', '.join(MODEMS)}")
        if kind == "ethernet" and info["port"] == "esp32":
            missing = [k for k in ("phy_type", "phy_addr", "mdc", "mdio") if k not in iface]
            if missing:
                errors.append(f"an esp32 Ethernet board must give its PHY's {', '.join(missing)}")
    for vp in info.get("usb", []):
        if not (isinstance(vp, str) and len(vp) == 9 and vp[4] == ":" and all(c in "0123456789abcdef" for c in vp.replace(":", ""))):
            errors.append(f"usb id {vp!r} is not 'vvvv:pppp' in lower-case hex")
    return errors


def board_module(bdef: BoardDef) -> str:
    """The text of netsocket/_board.py for a board."""
    iface = bdef.info["default_interface"]
    return (
        f"# Generated from boards/{bdef.name}/board.json by `netsocket boards --generate`: do not edit.\n"
        f"# The port glue reads INTERFACE in default_interface() and lan().\n"
        f"NAME = {bdef.name!r}\n"
        f"INTERFACE = {json.dumps(iface, sort_keys=True)}\n"
    )


def board_module_path(bdef: BoardDef) -> Path:
    return bdef.path / "netsocket" / "_board.py"


def generate(names: list[str] | None = None) -> list[Path]:
    """Write netsocket/_board.py for boards whose manifest freezes one; return the files changed."""
    changed = []
    for name in names or known_boards():
        bdef = load_board(name)
        path = board_module_path(bdef)
        if '"_board.py"' not in (bdef.path / "manifest.py").read_text():
            continue
        text = board_module(bdef)
        if not path.is_file() or path.read_text() != text:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed


def describe(bdef: BoardDef) -> str:
    info = bdef.info
    flash = info["flash"]
    iface = info["default_interface"]
    where = f"{flash['method']}"
    if flash["method"] == "esptool":
        where += f" {info['chip']}@{flash['offset']:#x}"
    elif flash.get("drive_label"):
        where += f" ({flash['drive_label']})"
    detail = iface["type"]
    if iface["type"] == "ethernet" and "phy_type" in iface:
        detail += f" {iface['phy_type']}"
    elif iface["type"] == "cellular":
        detail += f" {iface['modem']}"
    mp = info.get("micropython_board", "-") + (f"-{info['micropython_variant']}" if info.get("micropython_variant") else "")
    return f"{bdef.name:<18} {info['port']:<6} {mp:<22} {info['chip']:<12} {where:<24} {detail:<16} {info['baud']}"


def list_boards() -> list[str]:
    lines = [f"{'BOARD':<18} {'PORT':<6} {'MICROPYTHON BOARD':<22} {'CHIP':<12} {'FLASH':<24} {'INTERFACE':<16} BAUD"]
    for name in known_boards():
        bdef = load_board(name)
        errors = validate(bdef.info, name)
        if errors:
            raise HarnessError(f"boards/{name}/board.json: {errors[0]}")
        lines.append(describe(bdef))
    return lines
