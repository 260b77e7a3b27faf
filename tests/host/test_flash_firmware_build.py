"""`netsocket build --micropython`: MicroPython's own build with the board manifest frozen.

A real frozen build needs a MicroPython checkout with lib/micropython-lib:
point NETSOCKET_MICROPYTHON at one; without it that test skips and says why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netsocket_harness import vboard
from netsocket_harness.board import load_board
from netsocket_harness.firmware import build_dir, make_command

from .conftest import run
from .test_cli_errors import _one_line_error

CHECKOUT = os.environ.get("NETSOCKET_MICROPYTHON")


def test_make_command_per_port(tmp_path):
    mp = Path("/src/micropython")
    cmd = make_command(load_board("LILYGO_T_SIM7600"), mp)
    assert cmd[:3] == ["make", "-C", "/src/micropython/ports/esp32"]
    assert "BOARD=ESP32_GENERIC" in cmd and "BOARD_VARIANT=SPIRAM" in cmd
    manifest = next(a for a in cmd if a.startswith("FROZEN_MANIFEST="))
    assert manifest.endswith("boards/LILYGO_T_SIM7600/manifest.py") and Path(manifest.split("=", 1)[1]).is_absolute()
    assert build_dir(load_board("LILYGO_T_SIM7600"), mp) == mp / "ports/esp32/build-ESP32_GENERIC-SPIRAM"
    assert "BOARD=NUCLEO_F429ZI" in make_command(load_board("NUCLEO_F429ZI"), mp)


def test_missing_checkout_or_toolchain(home, tmp_path):
    _one_line_error(run("netsocket", "build", "--board", "ESP32_GENERIC", "--micropython", str(tmp_path / "none"),
                        check=False), "no MicroPython checkout")
    _one_line_error(run("netsocket", "build", "--board", "VIRTUAL", "--micropython", str(tmp_path), check=False),
                    "is not a MicroPython checkout")
    fake = tmp_path / "mp"  # shaped like a checkout, but without the micropython-lib submodule
    (fake / "py").mkdir(parents=True)
    (fake / "py" / "mpconfig.h").write_text("")
    (fake / "ports" / "unix").mkdir(parents=True)
    (fake / "ports" / "unix" / "Makefile").write_text("")
    _one_line_error(run("netsocket", "build", "--board", "VIRTUAL", "--micropython", str(fake), check=False),
                    "git submodule update --init lib/micropython-lib")
    _one_line_error(run("netsocket", "build", "--board", "NUCLEO_F429ZI", "--micropython", str(fake), check=False),
                    "has no ports/stm32")


def test_vboard_firmware_must_be_an_executable(home, tmp_path):
    (tmp_path / "fw").write_text("not a program")
    _one_line_error(run("netsocket", "vboard", "start", "--firmware", str(tmp_path / "fw"), check=False),
                    "not an executable MicroPython unix build")


@pytest.mark.skipif(not CHECKOUT, reason="no MicroPython checkout: set NETSOCKET_MICROPYTHON to one "
                                         "(with lib/micropython-lib) to build the unix port with netsocket frozen")
def test_frozen_unix_build_runs_as_a_virtual_board(home, tmp_path):
    out = run("netsocket", "build", "--board", "VIRTUAL", "--micropython", CHECKOUT, "--out", str(tmp_path),
              timeout=900)
    binary = tmp_path / "VIRTUAL" / "firmware" / "micropython"
    assert str(binary) in out.stdout
    cfg = vboard.start("frozen", interpreter=[str(binary)])
    try:
        proc = run("mpremote", "connect", cfg.port, "exec", "import netsocket; print(netsocket.__file__)")
        assert proc.stdout.strip().startswith(".frozen") or "/" not in proc.stdout.strip().split("netsocket")[0]
    finally:
        vboard.stop("frozen")
