"""The build's native-emitter choice: -march from the board definition's chip, bytecode otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from netsocket_harness import build as b


@pytest.mark.parametrize("board, arch", [
    ("ESP32_GENERIC", "xtensawin"), ("ESP32_GENERIC_S3", "xtensawin"), ("ESP32_GENERIC_C3", "rv32imc"),
    ("NUCLEO_F429ZI", "armv7emsp"), ("NUCLEO_F767ZI", "armv7emdp"), ("RPI_PICO_W", "armv6m"),
])
def test_board_arch(board: str, arch: str) -> None:
    assert b.board_arch(board) == arch


def test_virtual_board_is_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(b.platform, "machine", lambda: "x86_64")
    assert b.board_arch("VIRTUAL") == "x64"
    monkeypatch.setattr(b.platform, "machine", lambda: "riscv128")
    assert b.board_arch("VIRTUAL") is None


def test_arch_of_mpy() -> None:
    assert b.arch_of_mpy(2822) == "x64"  # the unix port on x86-64: 2 << 10 | 6
    assert b.arch_of_mpy(10 << 10 | 6) == "xtensawin"
    assert b.arch_of_mpy(6) is None  # bytecode only
    assert b.arch_of_mpy(None) is None and b.arch_of_mpy(99 << 10) is None


def test_bytecode_only_drops_the_decorator_lines() -> None:
    src = "class A:\n    @micropython.native\n    def f(self):\n        return 1\n"
    assert b.bytecode_only(src) == "class A:\n\n    def f(self):\n        return 1\n"


def test_build_without_arch_is_bytecode(tmp_path: Path) -> None:
    out = b.build("VIRTUAL", tmp_path, None)
    udp = out.py_dir / "netsocket" / "udp.py"
    assert "@micropython.native" not in udp.read_text()
    assert (out.mpy_dir / "netsocket" / "udp.mpy").read_bytes()[2] >> 2 == 0  # no architecture in the header
    native = b.build("VIRTUAL", tmp_path / "n", "x64")
    assert "@micropython.native" in (native.py_dir / "netsocket" / "udp.py").read_text()
    assert (native.mpy_dir / "netsocket" / "udp.mpy").read_bytes()[2] >> 2 == 2  # x64
