"""Virtual-board personalities: the board behaves like an esp32, stm32 or rp2 port.

Emulations written from MicroPython's C sources (each board-side module cites its
files and lines, and lists what it cannot reproduce). Host side: which personalities
exist, the board-side modules to compile into the board's boot directory, and the
heap the emulation takes (added, so the application still finds the board's heap free).
"""

from __future__ import annotations

from pathlib import Path

PERSONALITIES = ("esp32", "stm32", "rp2")
# heap the emulation takes, given to the board on top of its --heap: the loaded modules
# (gc.mem_free() at the prompt: 112224 plain; with 24K here esp32 105952, stm32 106144, rp2
# 105152; with 31K 113120, 113280, 112288) and what its sockets and NICs, Python objects where
# the ports' are C, take while a program runs: the bad-input and cellular tests, at the heap's
# edge on the plain board, hit MemoryError under esp32 below 48K. So at the prompt the
# application finds ~9K more than on the plain board: a personality does not reproduce the
# port's heap edge (the plain board does, at 110K)
HEAP_RESERVE = 48 * 1024
_BOARD_SIDE = ("pers_boot", "pers_common", "pers_lwip", "pers_esp32", "pers_net")


def check(name: str) -> str:
    from ...errors import HarnessError

    if name and name not in PERSONALITIES:
        raise HarnessError(f"unknown personality {name!r}: choose from {', '.join(PERSONALITIES)}")
    return name


def compile_into(boot_dir: Path) -> None:
    """The board-side emulation modules -> <boot_dir>/<name>.mpy."""
    from ...build import compile_mpy

    here = Path(__file__).parent
    for stem in _BOARD_SIDE:
        src, target = here / f"{stem}.py", boot_dir / f"{stem}.mpy"
        if not target.exists() or target.stat().st_mtime_ns < src.stat().st_mtime_ns:
            compile_mpy(src, target, f"{stem}.py")
