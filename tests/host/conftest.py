"""Fixtures for host-side tests: private virtual boards and the two command lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from netsocket_harness import vboard

BIN = Path(sys.executable).parent


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private state root, so tests never touch the user's own boards; none outlives the test."""
    root = tmp_path / "nshome"
    monkeypatch.setenv("NETSOCKET_HOME", str(root))
    yield root
    for cfg in vboard.list_boards():  # a test that failed half-way may have left one running
        vboard.stop(cfg.name)


@pytest.fixture
def board(home: Path):
    """A fresh virtual board with the default heap, stopped after the test."""
    yield vboard.start("hosttest")


def run(cmd: str, *args: str, timeout: float = 60, check: bool = True, input: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Run a console script of this environment (netsocket, mpremote)."""
    proc = subprocess.run([str(BIN / cmd), *args], capture_output=True, text=True, timeout=timeout,
                          env=os.environ.copy(), input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def mpremote(port: str, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return run("mpremote", "connect", port, *args, **kw)


def board_processes(home: Path) -> set[int]:
    """PIDs of the supervisors of boards under `home`, and of their interpreters."""
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines()]
    sups = {int(r[0]) for r in rows if len(r) == 3 and "netsocket_harness.vboard" in r[2] and str(home) in r[2]}
    return sups | {int(r[0]) for r in rows if len(r) >= 2 and int(r[1]) in sups}
collect_ignore = ["device_samples", "device_faults"]


class Terminal:
    """A `netsocket` command on a pty of its own, as a user's terminal: `write` keys, `expect` output."""

    def __init__(self, *args: str) -> None:
        import pty

        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([str(BIN / "netsocket"), *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=os.environ.copy())
        os.close(slave)
        self.seen = b""

    def write(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def expect(self, text: bytes, limit: float = 15) -> None:
        import select
        import time

        deadline = time.monotonic() + limit
        while text not in self.seen and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.2)[0]:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:  # the command ended
                    break
        assert text in self.seen, self.seen[-500:]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)
