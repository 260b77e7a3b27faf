"""Board definitions (boards/<NAME>/board.json) and which one a running board needs.

A leaf of the harness: which serial port a command talks to is decided above
it, in `targets` (a `--port`, a virtual board, an inventory entry, a labgrid place).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import HarnessError
from .project import BOARDS

VIRTUAL = "VIRTUAL"


@dataclass
class BoardDef:
    """A board definition: boards/<NAME>/board.json."""

    name: str
    path: Path
    info: dict

    @property
    def port_name(self) -> str:
        return self.info["port"]


def known_boards() -> list[str]:
    return sorted(p.parent.name for p in BOARDS.glob("*/board.json"))


def load_board(name: str) -> BoardDef:
    path = BOARDS / name / "board.json"
    if not path.is_file():
        raise HarnessError(f"unknown board {name!r} (known: {', '.join(known_boards())})")
    try:
        return BoardDef(name, path.parent, json.loads(path.read_text()))
    except ValueError as e:
        raise HarnessError(f"{path}: not valid JSON ({e})") from None


# sys.platform on the board -> the board definition used when none is named
_GENERIC = {"linux": VIRTUAL, "esp32": "ESP32_GENERIC", "rp2": "RPI_PICO_W", "pyboard": "NUCLEO_F429ZI"}
# MicroPython port of a board definition -> the sys.platform it reports
PLATFORM = {"unix": "linux", "esp32": "esp32", "rp2": "rp2", "stm32": "pyboard"}


def check_board(transport, port: str, board: str) -> None:
    """Refuse a board definition made for another MicroPython port than the one the board runs."""
    bdef = load_board(board)
    platform = transport.eval("__import__('sys').platform")
    if PLATFORM.get(bdef.port_name, platform) != platform:
        raise HarnessError(f"the board on {port} runs MicroPython's {platform} port, but {board} is "
                           f"{_a(bdef.port_name)} board: name the board it is (see: netsocket boards), or leave out --board")


def detect_board(transport, port: str) -> str:
    """The board definition to build for, from the MicroPython port the board runs."""
    platform = transport.eval("__import__('sys').platform")
    name = _GENERIC.get(platform)
    if name is None:
        raise HarnessError(f"the board on {port} runs MicroPython's {platform!r} port, which netsocket has no "
                           f"board for: pass --board (see: netsocket boards)")
    if name != VIRTUAL:
        print(f"building for {name} (the board runs MicroPython's {platform} port; pass --board to choose)",
              file=sys.stderr)
    return name


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word
