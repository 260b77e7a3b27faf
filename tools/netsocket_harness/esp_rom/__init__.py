"""An emulated ESP32-family ROM serial loader ("download mode") for testing flashing.

No software ROM loader exists, so this is one: it speaks the serial protocol
of the ESP32, ESP32-S3 and ESP32-C3 ROM bootloaders (SLIP framing, SYNC,
READ_REG/WRITE_REG over a register file that answers with the chip's magic
value, MAC and crystal registers, SPI_ATTACH, SPI_SET_PARAMS, FLASH_*,
FLASH_DEFL_* (zlib), SPI_FLASH_MD5, READ_FLASH_SLOW, MEM_* and
CHANGE_BAUDRATE) over an emulated SPI NOR flash. When esptool uploads its own
flasher stub with MEM_BEGIN/DATA/END, the loader recognises the stub (it is
compared with the stub images esptool ships) and answers as that stub does:
``OHAI``, two status bytes, ERASE_FLASH/ERASE_REGION and the windowed
READ_FLASH. Any other RAM image is "run" by going silent, as a chip would.

Chip constants (magic value, chip id, register addresses) come from esptool's
own target classes, so the emulated chips are the ones esptool knows.

- ``RomLoader``: the protocol as a byte-stream state machine (``feed``).
- ``SpiFlash``: the flash, in memory or backed by files, with partition windows.
- ``serve(fd, loader)``: run a loader on a file descriptor (a pty).
- ``EmulatedDevice``: a loader on a fresh pty in a background thread.
- ``python -m netsocket_harness.esp_rom``: the same, from the command line.
"""

from .chips import CHIPS, ChipProfile, chip_profile
from .flash import SpiFlash
from .loader import Faults, RomLoader
from .serve import EmulatedDevice, serve

__all__ = ["CHIPS", "ChipProfile", "chip_profile", "SpiFlash", "Faults", "RomLoader", "EmulatedDevice", "serve"]
