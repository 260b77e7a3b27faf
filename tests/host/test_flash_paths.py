"""The STM32 (dfu-util, ST-LINK drive) and RP2 (UF2 drive) flash paths, without hardware.

No USB here: the "drives" are directories laid out as the ST-LINK and the RP2
bootloader present them (DETAILS.TXT, INFO_UF2.TXT) — mock drives, named so —
and dfu-util is only checked for the command line netsocket builds.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from netsocket_harness.board import load_board
from netsocket_harness.errors import HarnessError
from netsocket_harness.firmware import check_dfu, check_uf2, micropython_version
from netsocket_harness.flash import dfu_command, find_drive, flash_rp2, flash_stm32

BANNER = b"MicroPython v1.24.1 on 2024-11-29; Raspberry Pi Pico W with RP2040\0"


def uf2(payload: bytes, family: int = 0xE48BFF56, blocks: int | None = None) -> bytes:
    chunks = [payload[i : i + 256] for i in range(0, len(payload), 256)]
    n = blocks if blocks is not None else len(chunks)
    out = b""
    for i, c in enumerate(chunks):
        head = struct.pack("<IIIIIIII", 0x0A324655, 0x9E5D5157, 0x2000, 0x10000000 + 256 * i, 256, i, n, family)
        out += head + c.ljust(476, b"\0") + struct.pack("<I", 0x0AB16F30)
    return out


def mock_drive(root: Path, label: str, marker: str) -> Path:
    d = root / "media" / label
    d.mkdir(parents=True)
    (d / marker).write_text("mock bootloader drive\n")
    return d


def test_uf2_copy_to_the_rpi_rp2_drive(tmp_path):
    fw = tmp_path / "firmware.uf2"
    fw.write_bytes(uf2(BANNER.ljust(1024, b"\xaa")))
    drive = mock_drive(tmp_path, "RPI-RP2", "INFO_UF2.TXT")
    log = []
    flash_rp2(load_board("RPI_PICO_W"), None, str(fw), tmp_path, str(drive), log.append)
    assert (drive / "firmware.uf2").read_bytes() == fw.read_bytes()
    assert "give --port" in log[-1]
    assert micropython_version(fw.read_bytes()) == "v1.24.1"


def test_uf2_bad_input(tmp_path):
    good = uf2(b"\x01" * 1024)
    with pytest.raises(HarnessError, match="truncated: it has 3 of its 4 UF2 blocks"):
        check_uf2(good[:-512], "rp2040", "f.uf2")
    with pytest.raises(HarnessError, match="is for UF2 family 0xe48bff59, not rp2040"):
        check_uf2(uf2(b"\x01" * 512, family=0xE48BFF59), "rp2040", "f.uf2")
    with pytest.raises(HarnessError, match="not a UF2 file"):
        check_uf2(b"\xe9" * 1024, "rp2040", "f.uf2")
    fw = tmp_path / "firmware.uf2"
    fw.write_bytes(good)
    not_rp2 = mock_drive(tmp_path, "USBSTICK", "README.TXT")
    with pytest.raises(HarnessError, match="is not a RPI-RP2 drive"):
        flash_rp2(load_board("RPI_PICO_W"), None, str(fw), tmp_path, str(not_rp2), print)


def test_drive_detection_by_label(tmp_path):
    d = mock_drive(tmp_path, "NOD_F429ZI", "DETAILS.TXT")
    assert find_drive("NOD_F429ZI", [tmp_path / "media" / "other", d]) == d
    assert find_drive("RPI-RP2", [d]) is None


def test_stlink_drive_copy_and_hex_checks(tmp_path):
    drive = mock_drive(tmp_path, "NOD_F767ZI", "DETAILS.TXT")
    hexfile = tmp_path / "firmware.hex"
    hexfile.write_text(":020000040800F2\n:10000000000000200000000000000000000000000D\n:00000001FF\n")
    flash_stm32(load_board("NUCLEO_F767ZI"), None, str(hexfile), tmp_path, str(drive), print)
    assert (drive / "firmware.hex").read_bytes() == hexfile.read_bytes()
    hexfile.write_text(":020000040800F2\n")
    with pytest.raises(HarnessError, match="truncated: it has no Intel HEX end-of-file record"):
        flash_stm32(load_board("NUCLEO_F767ZI"), None, str(hexfile), tmp_path, str(drive), print)


def test_dfu_command_and_file_checks(tmp_path):
    fw = tmp_path / "firmware.dfu"
    assert dfu_command("0483:df11", fw) == ["dfu-util", "-d", "0483:df11", "-a", "0", "-s", ":leave", "-D", str(fw)]
    body = b"\x00" * 100
    dfu = b"DfuSe\x01" + struct.pack("<I", 11 + len(body)) + b"\x01" + body + b"\x00" * 16
    check_dfu(dfu, "ok.dfu")
    with pytest.raises(HarnessError, match="truncated"):
        check_dfu(dfu[:-20], "cut.dfu")
    with pytest.raises(HarnessError, match="not a DfuSe file"):
        check_dfu(b"\xe9" * 64, "x.dfu")
