"""`netsocket flash` for the ESP32 family, against the emulated ROM loader; and the virtual board's download mode."""

from __future__ import annotations

import fcntl
import os

import pytest

from netsocket_harness import vboard
from netsocket_harness.board import load_board
from netsocket_harness.errors import HarnessError
from netsocket_harness.esp_rom import EmulatedDevice, Faults
from netsocket_harness.flash import esp_argv, explain_esptool, flash_esp

from .conftest import run
from .test_esp_rom import firmware_bin
from .test_cli_errors import _one_line_error


def test_esptool_arguments_per_chip(tmp_path):
    fw = tmp_path / "firmware.bin"
    for board, chip, offset in [("ESP32_GENERIC", "esp32", "0x1000"), ("ESP32_GENERIC_S3", "esp32s3", "0x0"),
                                ("ESP32_GENERIC_C3", "esp32c3", "0x0"), ("OLIMEX_ESP32_POE", "esp32", "0x1000")]:
        info = load_board(board).info
        argv = esp_argv(info["chip"], "/dev/ttyUSB0", 460800, info["flash"]["offset"], fw, True, False, pty=False)
        assert argv == ["--chip", chip, "--port", "/dev/ttyUSB0", "--baud", "460800", "--before", "default-reset",
                        "--after", "hard-reset", "write-flash", "--erase-all", "--no-progress", offset, str(fw)]


def test_flash_writes_firmware_then_checks_the_boot(tmp_path, capsys):
    """The emulator is a bootloader, not MicroPython: the image lands in flash, the boot check then fails clearly."""
    fw = firmware_bin("esp32s3")
    (tmp_path / "firmware.bin").write_bytes(fw)
    with EmulatedDevice("esp32s3") as dev:
        with pytest.raises(HarnessError, match="flashed, but the board does not boot MicroPython"):
            flash_esp(load_board("ESP32_GENERIC_S3"), dev.port, str(tmp_path / "firmware.bin"), tmp_path, erase=True,
                      baud=921600, progress=False, log=print, boot_timeout=0.5)
        assert dev.flash.read(0, len(fw)) == fw
        assert dev.flash.read(len(fw), 4096) == b"\xff" * 4096  # --erase: the rest of the chip is blank
        assert "ERASE_FLASH" in dev.loader.commands and dev.loader.baud == 921600
    out = capsys.readouterr().out
    assert "to ESP32_GENERIC_S3 (esp32s3) at 0x0" in out and "Hash of data verified." in out


def test_flash_bad_input(home, tmp_path):
    fw = firmware_bin("esp32")
    (tmp_path / "esp32.bin").write_bytes(fw)
    (tmp_path / "short.bin").write_bytes(fw[: 0x9000])
    (tmp_path / "s3.bin").write_bytes(firmware_bin("esp32s3"))
    (tmp_path / "text.bin").write_bytes(b"hello")
    with EmulatedDevice("esp32") as dev:
        p = dev.port
        flash = ["flash", "--board", "ESP32_GENERIC", "--port", p, "--no-progress", "--firmware"]
        _one_line_error(run("netsocket", *flash, str(tmp_path / "s3.bin"), check=False),
                        "firmware for ESP32-S3", "this board is ESP32")
        _one_line_error(run("netsocket", *flash, str(tmp_path / "short.bin"), check=False), "truncated")
        _one_line_error(run("netsocket", *flash, str(tmp_path / "text.bin"), check=False), "not an ESP32 firmware")
        _one_line_error(run("netsocket", *flash, str(tmp_path / "none.bin"), check=False), "cannot read")
        _one_line_error(run("netsocket", "flash", "--board", "ESP32_GENERIC", check=False), "--port")
        _one_line_error(run("netsocket", "flash", "--board", "ESP32_GENERIC", "--port", p, "--out",
                            str(tmp_path / "nobuild"), check=False), "netsocket build --board ESP32_GENERIC")
        # the port busy: another program holds it exclusively, as mpremote and esptool do
        fd = os.open(p, os.O_RDWR | os.O_NOCTTY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            _one_line_error(run("netsocket", *flash, str(tmp_path / "esp32.bin"), check=False), "busy")
        finally:
            os.close(fd)
    with EmulatedDevice("esp32s3") as dev:  # a good ESP32 image, but the chip on the port is an S3
        _one_line_error(run("netsocket", "flash", "--board", "ESP32_GENERIC", "--port", dev.port, "--firmware",
                            str(tmp_path / "esp32.bin"), check=False), "is ESP32-S3, not the ESP32", "--board")
    with EmulatedDevice("esp32", faults=Faults(silent=True)) as dev:
        _one_line_error(run("netsocket", "flash", "--board", "ESP32_GENERIC", "--port", dev.port, "--firmware",
                            str(tmp_path / "esp32.bin"), check=False), "no ESP32 bootloader answers", "BOOT")
    with EmulatedDevice("esp32", faults=Faults(bad_cell=0x2000)) as dev:
        _one_line_error(run("netsocket", "flash", "--board", "ESP32_GENERIC", "--port", dev.port, "--firmware",
                            str(tmp_path / "esp32.bin"), check=False), "verification failed")


def test_esptool_messages_become_advice():
    assert "lower --baud" in explain_esptool("Failed to write compressed data to flash after seq 3 (result was "
                                             "C100: Bad data checksum)", "/dev/x", "ESP32")
    assert "stopped answering" in explain_esptool("Timed out waiting for packet header", "/dev/x", "ESP32")


def test_virtual_board_download_mode(home, tmp_path):
    """vboard start --download-mode, then netsocket flash: esptool writes the ROMFS image; the board boots it."""
    cfg = vboard.start("dltest", download_mode=True)
    try:
        assert vboard.control(cfg, "mode") == "loader"
        out = run("netsocket", "flash", "--board", "VIRTUAL", "--name", "dltest", "--no-progress",
                  "--out", str(tmp_path / "build"))
        assert "esptool" in out.stdout and "Hash of data verified." in out.stdout
        assert "netsocket" in out.stdout and "from /rom/netsocket/" in out.stdout
        assert vboard.control(cfg, "mode") == "app"
        image = (tmp_path / "build" / "VIRTUAL" / "romfs.img").read_bytes()
        assert cfg.rom_path.read_bytes()[: len(image)] == image
        # reset into the loader again (BOOT held), read the partition back with plain esptool
        run("netsocket", "vboard", "reset", "dltest", "--bootloader")
        proc = run("esptool", "--port", cfg.port, "--before", "no-reset", "--after", "no-reset", "read-flash",
                   "0x200000", str(len(image)), str(tmp_path / "back.img"))
        assert "Detecting chip type... ESP32" in proc.stdout
        assert (tmp_path / "back.img").read_bytes() == image
    finally:
        vboard.stop("dltest")
