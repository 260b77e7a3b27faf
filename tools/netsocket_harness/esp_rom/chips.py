"""What an emulated chip answers, taken from esptool's own target classes."""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

from esptool.targets import CHIP_DEFS

CHIPS = ("esp32", "esp32s3", "esp32c3")

# SPI flash JEDEC ids: manufacturer 0xEF (Winbond), type 0x40, capacity log2(size)
_CAPACITY = {1 << 20: 0x14, 2 << 20: 0x15, 4 << 20: 0x16, 8 << 20: 0x17, 16 << 20: 0x18}


@dataclass(frozen=True)
class Stub:
    """One flasher stub esptool may upload: its RAM segments and entry point."""

    text_start: int
    text: bytes
    data_start: int | None
    data: bytes | None
    entry: int


@dataclass
class ChipProfile:
    name: str  # esptool's chip argument: esp32, esp32s3, esp32c3
    rom: type  # esptool's ROM class for the chip
    mac: bytes = b"\x24\x0a\xc4\x00\x00\x01"
    xtal_hz: int = 40_000_000
    stubs: list[Stub] = field(default_factory=list)

    @property
    def chip_name(self) -> str:
        return self.rom.CHIP_NAME

    @property
    def image_chip_id(self) -> int:
        return self.rom.IMAGE_CHIP_ID

    @property
    def has_security_info(self) -> bool:
        """ESP32-S3/C3 ROMs answer GET_SECURITY_INFO with the chip id; the ESP32 ROM does not know it."""
        return not self.rom.USES_MAGIC_VALUE

    @property
    def rom_status_len(self) -> int:
        return 4  # ROM loaders (all but the ESP8266) send 2 status bytes and 2 reserved

    @property
    def bootloader_offset(self) -> int:
        return self.rom.BOOTLOADER_FLASH_OFFSET

    def flash_id(self, size: int) -> int:
        return 0xEF | 0x40 << 8 | _CAPACITY.get(size, 0x16) << 16

    def registers(self) -> dict[int, int]:
        """Register values a fresh chip reads back (everything else reads 0)."""
        rom = self.rom
        regs: dict[int, int] = {}
        if rom.USES_MAGIC_VALUE:
            regs[rom.CHIP_DETECT_MAGIC_REG_ADDR] = rom.MAGIC_VALUE
        m = self.mac
        if hasattr(rom, "MAC_EFUSE_REG"):  # S3, C3: two words, MAC in the low 6 bytes
            regs[rom.MAC_EFUSE_REG] = struct.unpack(">I", m[2:6])[0]
            regs[rom.MAC_EFUSE_REG + 4] = m[0] << 8 | m[1]
        else:  # ESP32: efuse words 1 and 2
            base = rom.EFUSE_RD_REG_BASE
            regs[base + 4] = struct.unpack(">I", m[2:6])[0]
            regs[base + 8] = m[0] << 8 | m[1]
        if hasattr(rom, "RTCCALICFG1"):  # ESP32: the ROM's own crystal estimate (cali * 15625 * ck8m / 40)
            ck8m = 200
            cali = self.xtal_hz * 40 // (15625 * ck8m)
            regs[rom.RTCCALICFG1] = cali << rom.TIMERS_RTC_CALI_VALUE_S
            regs[rom.EFUSE_RD_REG_BASE + 16] = ck8m
        return regs

    def uart_clkdiv(self, baud: int) -> int:
        """The UART divider the ROM auto-bauded to, for esptool's crystal estimate."""
        return round(self.xtal_hz * getattr(self.rom, "XTAL_CLK_DIVIDER", 1) / baud) & self.rom.UART_CLKDIV_MASK


def _load_stubs(chip: str) -> list[Stub]:
    import esptool.loader

    root = Path(esptool.loader.StubFlasher.STUB_DIR)
    stubs = []
    for path in sorted(root.glob(f"*/{chip}.json")):
        d = json.loads(path.read_text())
        data = base64.b64decode(d["data"]) if "data" in d else None
        stubs.append(Stub(d["text_start"], base64.b64decode(d["text"]), d.get("data_start"), data, d["entry"]))
    return stubs


def chip_profile(chip: str) -> ChipProfile:
    """The profile of `chip` (esp32, esp32s3 or esp32c3; ESP32-S3 style spellings too)."""
    key = chip.lower().replace("-", "").replace("_", "")
    if key not in CHIPS:
        raise ValueError(f"unknown chip {chip!r} (emulated: {', '.join(CHIPS)})")
    return ChipProfile(key, CHIP_DEFS[key], stubs=_load_stubs(key))
