"""`netsocket flash`: write a board's firmware image and reset it.

For the virtual board the "firmware" beyond the interpreter is its ROM
partition: the ROMFS image is written into the partition file and the board
is hard-reset, so it boots with the image mounted at /rom.
"""

from __future__ import annotations

from pathlib import Path

from . import vboard
from .board import VIRTUAL, load_board
from .build import build
from .errors import HarnessError
from .mpr import netsocket_on_board


def _virtual_target(port: str | None, name: str) -> vboard.BoardConfig:
    if port:
        for cfg in vboard.list_boards():
            if cfg.port == port:
                return cfg
        raise HarnessError(f"{port} is not a running virtual board (see: netsocket vboard list)")
    cfg = vboard.running(name)
    if cfg is None:
        raise HarnessError(f"no virtual board named {name!r} is running (start one: netsocket vboard start)")
    return cfg


def flash_virtual(port: str | None, firmware: str | None, out: Path, name: str, log=print) -> None:
    cfg = _virtual_target(port, name)
    image_path = Path(firmware) if firmware else build(VIRTUAL, out).romfs
    try:
        image = image_path.read_bytes()
    except OSError as e:
        raise HarnessError(f"cannot read {image_path}: {e.strerror}") from None
    if not image.startswith(b"\xd2\xcd\x31"):
        raise HarnessError(f"{image_path} is not a ROMFS image (netsocket build makes one)")
    if len(image) > cfg.rom_size:
        raise HarnessError(f"{image_path} has {len(image)} bytes; the ROM partition holds {cfg.rom_size}")
    with open(cfg.rom_path, "r+b") as f:
        f.write(image)
        f.write(b"\xff" * (cfg.rom_size - len(image)))
    log(f"wrote {len(image)} bytes to the ROM partition of {cfg.name!r}; resetting")
    vboard.control(cfg, "reset")
    version, where = netsocket_on_board(cfg.port, "flashed")
    log(f"board boots: netsocket {version} from {where}")


def flash(board: str, port: str | None, firmware: str | None, out: Path, name: str = vboard.DEFAULT_NAME) -> None:
    load_board(board)
    if board == VIRTUAL:
        flash_virtual(port, firmware, out, name)
        return
    raise HarnessError(f"flashing {board} needs its flash method, which this version does not have yet")
