"""The emulated ESP32 ROM loader against the real, unmodified esptool (5.6.0, its command line).

Each test runs esptool as a subprocess on the pty of an `EmulatedDevice`
(a loader served by a thread of this process). esptool's timeouts are cut
with its own config file (ESPTOOL_CFGFILE) so the fault tests stay fast.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from esptool.bin_image import ELFSection, LoadFirmwareImage
from esptool.targets import CHIP_DEFS

from netsocket_harness.esp_rom import EmulatedDevice, Faults, SpiFlash
from netsocket_harness.esp_rom.loader import RomLoader, slip_encode
from netsocket_harness.esp_rom.chips import chip_profile

# -- images (built with esptool's own image writer; synthetic, not MicroPython) ----------


def esp_image(chip: str, segments: list[tuple[int, bytes]], entry: int = 0x40080000) -> bytes:
    """A valid ESP app/bootloader image for `chip` with the given (load address, data) segments."""
    img = CHIP_DEFS[chip].BOOTLOADER_IMAGE()
    img.entrypoint = entry
    img.segments = [ELFSection(b".data", a, d, 0) for a, d in segments]
    with tempfile.TemporaryDirectory() as t:
        path = os.path.join(t, "image.bin")
        img.save(path)
        return Path(path).read_bytes()


def firmware_bin(chip: str, version: str = "v1.24.1") -> bytes:
    """Laid out as MicroPython's merged firmware.bin: bootloader, partition table at 0x8000, app at 0x10000.

    Synthetic: the segments hold filler and a MicroPython-style banner, no code."""
    offset = CHIP_DEFS[chip].BOOTLOADER_FLASH_OFFSET
    boot = esp_image(chip, [(0x3FFF0000, b"\x11" * 0x400), (0x40078000, b"\x22" * 0x800)])
    table = struct.pack("<2sBBII16sI", b"\xaa\x50", 0, 0, 0x10000, 0x100000, b"factory", 0).ljust(0xC00, b"\xff")
    banner = f"MicroPython {version} on 2024-11-29; Generic ESP32 module with {chip.upper()}\0".encode()
    app = esp_image(chip, [(0x3F400020, banner.ljust(0x200, b"\0")), (0x3FFB0000, os.urandom(0x3000)),
                           (0x400D0020, os.urandom(0x5000))])
    out = bytearray(b"\xff" * (0x10000 - offset))
    out[: len(boot)] = boot
    out[0x8000 - offset : 0x8000 - offset + len(table)] = table
    return bytes(out + app)


@pytest.fixture
def esptool_env(tmp_path: Path) -> dict[str, str]:
    cfg = tmp_path / "esptool.cfg"
    cfg.write_text("[esptool]\ntimeout = 0.5\nmax_timeout = 2\nsync_timeout = 0.05\n"
                   "md5_timeout_per_mb = 1\nerase_write_timeout_per_mb = 4\nconnect_attempts = 2\n")
    return dict(os.environ, ESPTOOL_CFGFILE=str(cfg))


def esptool(env: dict[str, str], port: str, *args: str, stub: bool = True) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "esptool", "--port", port, "--before", "no-reset", "--after", "no-reset"]
    if not stub:
        argv.append("--no-stub")
    return subprocess.run([*argv, *args], capture_output=True, text=True, env=env, timeout=60)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


# -- chip detection -----------------------------------------------------------------


@pytest.mark.parametrize("chip,name", [("esp32", "ESP32"), ("esp32s3", "ESP32-S3"), ("esp32c3", "ESP32-C3")])
def test_chip_detection(esptool_env, chip, name):
    with EmulatedDevice(chip) as dev:
        out = ok(esptool(esptool_env, dev.port, "read-mac", stub=False))
    assert f"Detecting chip type... {name}" in out
    assert "MAC:                24:0a:c4:00:00:01" in out
    assert "Crystal frequency:  40MHz" in out
    assert "READ_REG" in dev.loader.commands and "SYNC" in dev.loader.commands


def test_sync_is_answered_eight_times_with_the_rom_value():
    loader = RomLoader(chip_profile("esp32"), SpiFlash(1 << 20))
    pkt = struct.pack("<BBHI", 0, 0x08, 36, 0) + b"\x07\x07\x12\x20" + b"\x55" * 32
    out = loader.feed(b"noise" + slip_encode(pkt))
    frames = [f for f in out.split(b"\xc0") if f]
    assert len(frames) == 8
    assert frames[0] == struct.pack("<BBHI", 1, 0x08, 4, 0x20120707) + b"\0\0\0\0"


# -- writing, verifying, reading back, erasing -------------------------------------


@pytest.mark.parametrize("chip", ["esp32", "esp32s3", "esp32c3"])
def test_write_verify_read_back_erase_with_stub(esptool_env, tmp_path, chip):
    fw = firmware_bin(chip)
    extra = os.urandom(5000)  # a second file, at another offset
    (tmp_path / "fw.bin").write_bytes(fw)
    (tmp_path / "data.bin").write_bytes(extra)
    offset = CHIP_DEFS[chip].BOOTLOADER_FLASH_OFFSET
    with EmulatedDevice(chip) as dev:
        out = ok(esptool(esptool_env, dev.port, "--baud", "460800", "write-flash",
                         hex(offset), str(tmp_path / "fw.bin"), "0x300000", str(tmp_path / "data.bin")))
        assert "Stub flasher running." in out and out.count("Hash of data verified.") == 2
        assert dev.flash.read(offset, len(fw)) == fw and dev.flash.read(0x300000, len(extra)) == extra
        # multi-segment image, as written, parses back from flash
        app = LoadFirmwareImage(chip, dev.flash.read(0x10000, len(fw) - (0x10000 - offset)))
        assert {0x3F400020, 0x3FFB0000, 0x400D0020} <= {seg.addr for seg in app.segments}
        ok(esptool(esptool_env, dev.port, "verify-flash", hex(offset), str(tmp_path / "fw.bin")))
        ok(esptool(esptool_env, dev.port, "read-flash", hex(offset), str(len(fw)), str(tmp_path / "back.bin")))
        assert (tmp_path / "back.bin").read_bytes() == fw
        ok(esptool(esptool_env, dev.port, "erase-region", "0x300000", "0x2000"))
        assert dev.flash.read(0x300000, 5000) == b"\xff" * 5000
        assert dev.flash.read(offset, 16) == fw[:16]
        ok(esptool(esptool_env, dev.port, "erase-flash"))
        assert dev.flash.read(offset, len(fw)) == b"\xff" * len(fw)
    assert {"MEM_BEGIN", "MEM_END", "FLASH_DEFL_DATA", "SPI_FLASH_MD5", "READ_FLASH", "ERASE_FLASH",
            "ERASE_REGION", "CHANGE_BAUDRATE", "SPI_SET_PARAMS"} <= set(dev.loader.commands)


def test_rom_path_without_stub(esptool_env, tmp_path):
    data = bytes(range(256)) * 12  # compressible: --compress makes esptool use FLASH_DEFL_*
    (tmp_path / "d.bin").write_bytes(data)
    with EmulatedDevice("esp32") as dev:
        ok(esptool(esptool_env, dev.port, "write-flash", "--compress", "0x20000", str(tmp_path / "d.bin"), stub=False))
        ok(esptool(esptool_env, dev.port, "write-flash", "--no-compress", "0x30000", str(tmp_path / "d.bin"),
                   stub=False))
        ok(esptool(esptool_env, dev.port, "read-flash", "0x20000", str(len(data)), str(tmp_path / "b.bin"), stub=False))
        assert (tmp_path / "b.bin").read_bytes() == data and dev.flash.read(0x30000, len(data)) == data
        # the ROM cannot erase the whole chip; esptool says so
        proc = esptool(esptool_env, dev.port, "erase-flash", stub=False)
    assert proc.returncode == 2 and "ESP32 ROM does not support function erase_flash" in proc.stdout + proc.stderr
    assert "MEM_BEGIN" not in dev.loader.commands and "READ_FLASH_SLOW" in dev.loader.commands
    assert {"FLASH_DATA", "FLASH_DEFL_DATA", "SPI_ATTACH"} <= set(dev.loader.commands)


def test_flash_is_persisted_to_a_file(esptool_env, tmp_path):
    data = os.urandom(4096)
    (tmp_path / "d.bin").write_bytes(data)
    with EmulatedDevice("esp32", flash=SpiFlash(1 << 20, tmp_path / "flash.img")) as dev:
        ok(esptool(esptool_env, dev.port, "write-flash", "0x1000", str(tmp_path / "d.bin")))
        dev.flash.close()
    image = (tmp_path / "flash.img").read_bytes()
    assert len(image) == 1 << 20 and image[0x1000:0x2000] == data and image[:0x1000] == b"\xff" * 0x1000


def test_unknown_ram_image_runs_and_the_loader_goes_silent():
    loader = RomLoader(chip_profile("esp32"), SpiFlash(1 << 20))
    code = b"\x00" * 64

    def cmd(op, data, chk=0):
        return loader.feed(slip_encode(struct.pack("<BBHI", 0, op, len(data), chk) + data))

    assert cmd(0x05, struct.pack("<IIII", 64, 1, 64, 0x40090000))
    chk = 0xEF
    assert cmd(0x07, struct.pack("<IIII", 64, 0, 0, 0) + code, chk)
    assert cmd(0x06, struct.pack("<II", 0, 0x40090000))  # the reply, then the chip runs that code
    assert loader.running_ram and not loader.stub
    assert cmd(0x08, b"\x07\x07\x12\x20" + b"\x55" * 32) == b""


# -- faults -----------------------------------------------------------------------


def test_bad_flash_cell_fails_verification(esptool_env, tmp_path):
    data = bytes(range(1, 256)) * 40
    (tmp_path / "d.bin").write_bytes(data)
    with EmulatedDevice("esp32", faults=Faults(bad_cell=0x10010)) as dev:
        proc = esptool(esptool_env, dev.port, "write-flash", "0x10000", str(tmp_path / "d.bin"))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "MD5 of file does not match data in flash!" in out
    assert "Flash MD5: " + hashlib.md5(data[:0x10] + b"\0" + data[0x11:]).hexdigest() in out


def test_byte_corrupted_on_the_line_is_retried(esptool_env, tmp_path):
    data = os.urandom(40000)
    (tmp_path / "d.bin").write_bytes(data)
    with EmulatedDevice("esp32", faults=Faults(corrupt_data=1)) as dev:
        ok(esptool(esptool_env, dev.port, "write-flash", "0x10000", str(tmp_path / "d.bin")))
        assert dev.flash.read(0x10000, len(data)) == data
    with EmulatedDevice("esp32", faults=Faults(corrupt_data=100)) as dev:
        proc = esptool(esptool_env, dev.port, "write-flash", "0x10000", str(tmp_path / "d.bin"))
    assert proc.returncode == 2
    assert "Bad data checksum" in proc.stdout + proc.stderr


def test_missing_reply(esptool_env, tmp_path):
    data = os.urandom(4096)
    (tmp_path / "d.bin").write_bytes(data)
    # one lost reply to a data block: esptool resends the block, the loader acknowledges the duplicate
    with EmulatedDevice("esp32", faults=Faults(drop_replies={"FLASH_DEFL_DATA": 1})) as dev:
        ok(esptool(esptool_env, dev.port, "write-flash", "0x10000", str(tmp_path / "d.bin")))
        assert dev.flash.read(0x10000, 4096) == data
    # the MD5 reply lost: nothing to retry
    with EmulatedDevice("esp32", faults=Faults(drop_replies={"SPI_FLASH_MD5": 5})) as dev:
        proc = esptool(esptool_env, dev.port, "write-flash", "0x10000", str(tmp_path / "d.bin"))
    assert proc.returncode == 2
    assert "No more data to read from the serial port" in proc.stderr or "Timed out" in proc.stderr


def test_wrong_chip_is_named_by_esptool(esptool_env):
    with EmulatedDevice("esp32s3") as dev:
        proc = esptool(esptool_env, dev.port, "--chip", "esp32", "read-mac")
    assert proc.returncode == 2
    assert "This chip is ESP32-S3, not ESP32. Wrong chip argument?" in proc.stdout + proc.stderr


def test_silent_port(esptool_env):
    with EmulatedDevice("esp32", faults=Faults(silent=True)) as dev:
        proc = esptool(esptool_env, dev.port, "read-mac")
    assert proc.returncode == 2
    assert "Failed to connect to Espressif device: No serial data received." in proc.stdout + proc.stderr
