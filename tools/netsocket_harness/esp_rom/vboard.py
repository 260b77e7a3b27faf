"""Download mode of the virtual board: an emulated ESP32 ROM loader on the board's own pty.

The virtual board then behaves like an ESP32 held in its bootloader: esptool
talks to it on the board's serial port, and what it writes lands in the
board's emulated flash (``flash.img`` in the board's directory), except the
ROMFS partition (``download_mode.romfs_offset`` in boards/VIRTUAL/board.json),
which *is* the board's ROM partition file, so the image written there is what
the board mounts at /rom when it boots the application afterwards.

The supervisor holds one `DownloadMode` while the board is in the loader,
feeds it the bytes from the host, sends back what `feed` returns, and boots
the application when `run_requested` turns true (esptool's "run" / FLASH_END
with reboot) or when it is reset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..board import VIRTUAL, BoardDef, load_board
from .chips import chip_profile
from .flash import SpiFlash
from .loader import RomLoader


@dataclass
class DownloadConfig:
    chip: str = "esp32"
    flash_size: int = 4 << 20
    romfs_offset: int = 0x200000


def download_config(bdef: BoardDef | None = None) -> DownloadConfig:
    info = (bdef or load_board(VIRTUAL)).info.get("download_mode", {})
    return DownloadConfig(**info)


class DownloadMode:
    def __init__(self, home: Path, rom_path: Path, log: Callable[[str], None] | None = None) -> None:
        cfg = download_config()
        self.config = cfg
        self.flash = SpiFlash(cfg.flash_size, Path(home) / "flash.img", windows=[(cfg.romfs_offset, rom_path)])
        self.loader = RomLoader(chip_profile(cfg.chip), self.flash, log=log)

    @property
    def run_requested(self) -> bool:
        return self.loader.run_requested

    def feed(self, data: bytes) -> bytes:
        return self.loader.feed(data)

    def close(self) -> None:
        self.flash.close()
