"""One lock file per serial port, so that two runs never drive the same board.

A lock is an ``flock`` on ``<lock dir>/<port as a file name>.lock``. The
kernel drops it when the holding process ends, however it ends, so a run
that died (killed, crashed, power cut of the host aside) never keeps a board
locked: the next run takes the board and says whose stale lock it found. The
file's text (pid and command line) names the holder when a live run has it.
The lock directory is ``$NETSOCKET_LOCK_DIR``, else ``locks/`` in the
harness's state directory; a farm whose runs share one host shares it.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
from pathlib import Path

from .errors import HarnessError
from .procs import alive
from .project import state_home


def lock_dir() -> Path:
    return Path(os.environ.get("NETSOCKET_LOCK_DIR") or state_home() / "locks")


def lock_path(port: str) -> Path:
    return lock_dir() / (re.sub(r"[^A-Za-z0-9._-]+", "_", port).strip("_") + ".lock")


class PortLock:
    """Holds `port` for this process until `release()` (or the process ends)."""

    def __init__(self, port: str, fd: int, stale: str) -> None:
        self.port = port
        self.fd = fd
        self.stale = stale  # "" or who held it before and is gone

    def release(self) -> None:
        if self.fd >= 0:
            os.ftruncate(self.fd, 0)  # a clean end leaves no holder behind (a crash leaves its pid)
            os.close(self.fd)  # closing drops the flock
            self.fd = -1


def holder(port: str) -> str:
    """What the lock file of `port` says about its last holder ("" if nothing)."""
    try:
        return lock_path(port).read_text().strip()
    except OSError:
        return ""


def is_free(port: str) -> bool:
    """Whether no live process holds `port` (looked at without taking it)."""
    path = lock_path(port)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def try_lock(port: str) -> PortLock | None:
    """Lock `port` for this process, or None when a live process holds it."""
    path = lock_path(port)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    before = os.read(fd, 4096).decode(errors="replace").strip()
    stale = ""
    if before:
        pid = before.split()[0]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            stale = f"pid {pid} ({' '.join(before.split()[1:])[:60]}) that is gone"
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {' '.join(sys.argv)[:200]}\n".encode(), 0)
    return PortLock(port, fd, stale)


def lock(port: str) -> PortLock:
    """Lock `port`, or a one-line error naming the run that holds it."""
    got = try_lock(port)
    if got is None:
        who = holder(port) or "another process"
        raise HarnessError(f"{port} is in use by another run (pid {who[:80]}); wait for it, or stop it")
    return got
