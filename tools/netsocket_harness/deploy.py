"""`netsocket deploy`: put the package on a board without reflashing.

- ``romfs``: the build's ROMFS image into the board's ROM partition
  (mpremote's ``romfs deploy``), skipped when the partition already holds it;
- ``mpy`` / ``py``: the compiled or plain files into ``/lib`` (mpremote's
  ``fs cp -r``, which skips every file whose SHA-256 on the board matches).

Ends with a soft reset and a check that ``import netsocket`` works.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import time
from pathlib import Path

from mpremote.transport_serial import SerialTransport

from .board import check_board, detect_board
from .build import BuildOutput, arch_of_mpy, board_arch, build
from .errors import HarnessError
from .mpr import connect, mpremote, netsocket_on_board, release


def _rom_matches(transport: SerialTransport, image: bytes) -> bool:
    if not transport.eval("hasattr(__import__('vfs'),'rom_ioctl')"):
        raise HarnessError("this board has no ROMFS partition: use --mode mpy")
    digest = transport.eval(
        f"__import__('hashlib').sha256(memoryview(__import__('vfs').rom_ioctl(2,0))[:{len(image)}]).digest()")
    return digest == hashlib.sha256(image).digest()


def _quiet(fn, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args)
    return out.getvalue()


def deploy(port: str, mode: str, board: str | None, out: Path, rebuild: bool = True,
           log=print) -> dict[str, int]:
    """Deploy and verify; returns counts {"written": n, "skipped": m}.

    With no `board`, the package is built for the generic board of the
    MicroPython port the board runs (VIRTUAL for the unix port). The hot methods
    are native code only when the board itself reports the board definition's
    architecture (``sys.implementation._mpy``); otherwise everything is bytecode."""
    t0 = time.monotonic()
    transport = connect(port)
    counts = {"written": 0, "skipped": 0}
    try:
        if board is None:
            board = detect_board(transport, port)
        else:
            check_board(transport, port, board)
        arch = board_arch(board)
        if arch is not None and arch_of_mpy(transport.eval("getattr(__import__('sys').implementation,'_mpy',0)")) != arch:
            log(f"{port} does not report {arch} code: bytecode only")
            arch = None
        result = build(board, out, arch) if rebuild else BuildOutput(board, out.resolve() / board, [])
        if mode == "romfs":
            if not result.romfs.is_file():
                raise HarnessError(f"no ROMFS image at {result.romfs}: run netsocket build --board {board}")
            image = result.romfs.read_bytes()
            if _rom_matches(transport, image):
                counts["skipped"] = 1
                log(f"ROMFS image up to date on {port} ({len(image)} bytes)")
            else:
                _quiet(mpremote, port, ["romfs", "deploy", str(result.romfs)], transport)
                counts["written"] = 1
                log(f"wrote ROMFS image ({len(image)} bytes) to {port}")
        else:
            tree = result.mpy_dir if mode == "mpy" else result.py_dir
            if not tree.is_dir():
                raise HarnessError(f"nothing built at {tree}: run netsocket build --board {board}")
            if not transport.fs_exists("lib"):
                transport.fs_mkdir("lib")
            for package in sorted(p for p in tree.iterdir() if p.is_dir()):
                text = _quiet(mpremote, port, ["fs", "cp", "-r", str(package), ":lib/"], transport)
                same = text.count("Up to date:")
                counts["skipped"] += same
                counts["written"] += sum(1 for f in package.rglob("*") if f.is_file()) - same
            log(f"{counts['written']} files written, {counts['skipped']} up to date, in /lib on {port}")
    finally:
        release(transport)
    _check_import(port, mode, log, time.monotonic() - t0)
    return counts


def _check_import(port: str, mode: str, log, elapsed: float) -> None:
    version, where = netsocket_on_board(port, "deployed")
    log(f"import netsocket works: version {version} from {where} ({elapsed:.2f} s)")
    if mode != "romfs" and where.startswith("/rom/"):
        log("note: the ROMFS copy in /rom comes first on sys.path and shadows /lib")
