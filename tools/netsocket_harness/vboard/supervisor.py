"""The virtual board's supervisor: a MicroPython unix-port process behind a pty
that behaves like a board on a USB serial line.

One supervisor process owns:
- the *outer* pty, whose slave (`/dev/pts/N`) is the board's serial port. The
  supervisor keeps the slave open itself, so hosts may connect and disconnect
  at will without the port ever going away;
- the interpreter, a child on an *inner* raw pty. When it exits (soft reset:
  Ctrl-D, `machine.soft_reset()`, `sys.exit()`) the supervisor prints
  ``soft reboot`` and starts it again in the REPL mode the host had chosen,
  as a real port does; when it dies (crash, or ``reset`` on the control
  socket) that is a hard reset into the friendly REPL;
- a control socket (`ctl.sock`) taking one-line commands: ``reset``, ``ping``.

Bytes are relayed both ways with back-pressure, nothing dropped. Host Ctrl-C
becomes SIGINT while the interpreter runs code (the unix port turns off ISIG
then, so the byte alone would be ignored).
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import json
import os
import pty
import re
import selectors
import signal
import socket
import subprocess
import sys
import termios
import time
import tty
from dataclasses import asdict, dataclass, field
from pathlib import Path

SOFT_REBOOT = b"MPY: soft reboot\r\n"
FAULT = b"[virtual board] fault: "  # console lines the board prints (board_boot.FAULT) and the supervisor records
RESET_CODE = 99  # exit status by which board_boot's machine.reset() asks for a hard reset
BOOTLOADER_CODE = 98  # ... and machine.bootloader() for the ROM loader (download mode)
ROM_BLOCK = 4096
# Heap the boot code and the GC's own tables take (measured: ~13.5 KB), added so
# that the application finds --heap bytes free at the prompt, as on a board.
BOOT_RESERVE = 13 * 1024 + 512
_BANNER = re.compile(rb"MicroPython [^\n]*\n(?:Type \"help\(\)\"[^\n]*\n|Use Ctrl-D[^\n]*\n)?>>> ")
_LONE_LF = re.compile(rb"(?<!\r)\n")
_OUT_LIMIT = 1 << 16  # bytes queued for the host before the interpreter is throttled
# The interpreter's first code: the boot code (precompiled, so compiling it
# leaves no holes) loads first and allocates the ROM partition last, so that
# what the boot keeps lies below it and the heap left to the application is
# one piece above it.
STAGE1 = (
    "import os,sys\n"
    "sys.path.insert(0,os.getenv('NSVB_BOOT_DIR'))\n"
    "try:\n"
    " import nsvb_boot\n"
    "except BaseException as e:\n"  # never a REPL on the host's filesystem
    " import vfs;vfs.umount('/');print('[virtual board] fault: boot code not loaded:',repr(e));raise\n"
    "del sys.modules['nsvb_boot']\n"
    "nsvb_boot.boot(int(os.getenv('NSVB_ROM_SIZE')))\n"
    "del nsvb_boot,os,sys\n"
)


@dataclass
class BoardConfig:
    """Everything needed to run one virtual board; saved as the board's state."""

    name: str
    home: str  # the board's own directory: fs/, rom.img, ctl.sock, state.json
    heap: int  # bytes of GC heap the application gets
    rom_size: int
    interpreter: list[str]  # command that runs the MicroPython unix port
    port: str = ""
    pid: int = 0
    owner_pid: int = 0  # if set, the board stops when this process is gone (test runs)
    uarts: dict[str, str] = field(default_factory=dict)  # UART id -> pty wired to it (a modem)
    download_mode: bool = False  # boot into the emulated ESP32 ROM loader (esp_rom.vboard)
    faults: list[str] = field(default_factory=list)  # what did not come up at the last boot (vboard list)
    netns: bool = False  # on its own link: a network namespace and a veth pair (link.py)
    link: dict = field(default_factory=dict)  # that link (link.Link as JSON) while the board runs
    rfc2217: int = 0  # if set, ser2net exports the port as rfc2217://127.0.0.1:<rfc2217> while the board runs

    @property
    def fs_dir(self) -> Path:
        return Path(self.home) / "fs"

    @property
    def rom_path(self) -> Path:
        return Path(self.home) / "rom.img"

    @property
    def ctl_path(self) -> Path:
        return Path(self.home) / "ctl.sock"

    @property
    def state_path(self) -> Path:
        return Path(self.home) / "state.json"

    def save(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        tmp.replace(self.state_path)

    @classmethod
    def load(cls, home: Path) -> "BoardConfig":
        return cls(**json.loads((home / "state.json").read_text()))


def _set_nonblocking(fd: int) -> None:
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)


def _die_with_parent() -> None:
    """In the child: be killed when the supervisor dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _catches_sigint(pid: int) -> bool:
    """True while MicroPython has its SIGINT handler installed (it runs code)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    except OSError:
        pass
    return False


class Supervisor:
    def __init__(self, cfg: BoardConfig) -> None:
        self.cfg = cfg
        self.sel = selectors.DefaultSelector()
        self.raw_mode = False  # the REPL mode the host last chose
        self.child: subprocess.Popen[bytes] | None = None
        self.child_fd = -1
        self.to_child = bytearray()
        self.to_host = bytearray()
        self.hide_banner = False  # drop the friendly banner after a raw-mode restart
        self.held = bytearray()  # output held while looking for that banner
        self.held_since = 0.0
        self.last_cr = False  # for LF -> CRLF in friendly mode
        self.running = True
        self.ready = False
        self.on_ready = lambda: None
        self.loader = None  # esp_rom.vboard.DownloadMode while the board sits in its ROM loader
        self.exporter = None  # ser2net.Ser2net when the board is exported over RFC 2217
        self.scan = bytearray()  # the interpreter's output not yet seen whole, looked at for FAULT lines
        self.link = None  # link.Link of a board on its own link, and its delay relay
        self.relay = None

    # -- the outer serial port -------------------------------------------------

    def open_port(self) -> None:
        self.host_fd, self.slave_fd = pty.openpty()
        tty.setraw(self.slave_fd)
        _set_nonblocking(self.host_fd)
        self.cfg.port = os.ttyname(self.slave_fd)
        self.sel.register(self.host_fd, selectors.EVENT_READ, self.on_host)

    def open_control(self) -> None:
        path = self.cfg.ctl_path
        path.unlink(missing_ok=True)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.bind(str(path))
        self.ctl.listen(4)
        self.sel.register(self.ctl, selectors.EVENT_READ, self.on_control)

    # -- the interpreter -------------------------------------------------------

    def spawn(self, raw: bool) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        env = dict(
            os.environ,
            NSVB_FS=str(self.cfg.fs_dir),
            NSVB_ROM=str(self.cfg.rom_path),
            NSVB_ROM_SIZE=str(self.cfg.rom_size),
            NSVB_ROM_BLOCK=str(ROM_BLOCK),
            NSVB_RESET_CODE=str(RESET_CODE),
            NSVB_BOOTLOADER_CODE=str(BOOTLOADER_CODE),
            NSVB_MODE="raw" if raw else "friendly",
            NSVB_BOOT_DIR=str(self.boot_dir),
        )
        faults = uart_faults(self.cfg.uarts, {os.fstat(fd).st_rdev for fd in (self.slave_fd, slave)})
        for uid, path in self.cfg.uarts.items():
            if uid in faults:
                env[f"NSVB_UART{uid}_FAULT"] = faults[uid]
            else:
                env[f"NSVB_UART{uid}"] = path
        self.cfg.faults = [f"UART({uid}) is not wired: {why}" for uid, why in faults.items()]
        for text in self.cfg.faults:
            self.emit(FAULT + text.encode() + b"\n")
        if self.ready:
            self.cfg.save()
        self.scan.clear()
        heap = self.cfg.heap + self.cfg.rom_size + BOOT_RESERVE  # the ROM buffer comes out of it too
        argv = [*self.cfg.interpreter, "-X", f"heapsize={heap}", "-i", "-c", STAGE1]
        if self.link is not None:  # exec'd in the board's namespace (same pid), with its /sys
            argv = ["ip", "netns", "exec", self.link.netns, *argv]
            env["NSVB_LINK"] = self.link.board_dev
            env["NSVB_LINK_ADDR"] = f"{self.link.board_ip},{self.link.netmask},{self.link.host_ip}"

        def make_ctty() -> None:
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            _die_with_parent()

        self.child = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True, preexec_fn=make_ctty, close_fds=True,
        )
        os.close(slave)
        _set_nonblocking(master)
        self.child_fd = master
        self.to_child.clear()
        self.last_cr = False
        if raw:
            self.to_child += b"\x01"
            self.hide_banner = True
            self.held.clear()
            self.held_since = time.monotonic()
        self.sel.register(master, selectors.EVENT_READ, self.on_child)

    def reap(self) -> int:
        """Close the interpreter's pty after it exited; return its status."""
        assert self.child is not None
        if self.child_fd in self.sel.get_map():
            self.sel.unregister(self.child_fd)
        os.close(self.child_fd)
        self.child_fd = -1
        if self.held:
            self.emit(bytes(self.held))
            self.held.clear()
        self.hide_banner = False
        status = self.child.wait()
        self.child = None
        return status

    def restart(self, status: int) -> None:
        if status == BOOTLOADER_CODE:
            self.enter_loader()
            return
        if status == 0 or (0 < status < 128 and status != RESET_CODE):
            self.emit(SOFT_REBOOT)
            self.spawn(self.raw_mode)
            return
        why = "machine.reset()" if status == RESET_CODE else f"interpreter died ({_describe(status)})"
        self.emit(f"\r\n[virtual board] hard reset: {why}\r\n".encode())
        self.raw_mode = False
        self.spawn(False)

    def enter_loader(self) -> None:
        """Like reset with BOOT held: the emulated ROM loader answers on the port instead of MicroPython."""
        from ..esp_rom.vboard import DownloadMode

        if self.child is not None:
            self.child.kill()
            self.reap()
        self.loader = DownloadMode(Path(self.cfg.home), self.cfg.rom_path, log=lambda m: print("rom:", m, flush=True))
        self.to_host += b"rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n"
        if not self.ready:
            self.ready = True
            self.cfg.save()
            self.on_ready()

    def hard_reset(self) -> None:
        if self.loader is not None:  # leave the ROM loader: boot the application
            self.loader.close()
            self.loader = None
        if self.child is not None:
            self.child.kill()
            # the EIO on the child's pty will follow; reap now to restart at once
            self.reap()
        self.emit(b"\r\n[virtual board] hard reset\r\n")
        self.raw_mode = False
        self.spawn(False)

    # -- relaying --------------------------------------------------------------

    def on_host(self) -> None:
        try:
            data = os.read(self.host_fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            return
        if self.loader is not None:
            self.to_host += self.loader.feed(data)
            if self.loader.run_requested:
                self.hard_reset()
            return
        for b in data:
            if b == 0x01:
                self.raw_mode = True
            elif b == 0x02:
                self.raw_mode = False
        if b"\x03" in data and self.child is not None and _catches_sigint(self.child.pid):
            self.child.send_signal(signal.SIGINT)
            data = data.replace(b"\x03", b"")
        self.to_child += data

    def on_child(self) -> None:
        try:
            data = os.read(self.child_fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.restart(self.reap())
            return
        self.record_faults(data)
        if not self.ready and b">>> " in data:
            self.ready = True
            self.cfg.save()
            self.on_ready()
        if self.hide_banner:
            self.held += data
            m = _BANNER.search(self.held)
            if m is None:
                return
            data = bytes(self.held[: m.start()] + self.held[m.end() :])
            self.held.clear()
            self.hide_banner = False
        self.emit(data)

    def record_faults(self, data: bytes) -> None:
        """Keep the FAULT lines the boot code prints, for `vboard list`."""
        self.scan += data
        if FAULT not in self.scan:
            del self.scan[: max(0, len(self.scan) - len(FAULT))]
            return
        while FAULT in self.scan:
            start = self.scan.index(FAULT)
            end = self.scan.find(b"\n", start)
            if end < 0:
                del self.scan[:start]
                return
            text = self.scan[start + len(FAULT) : end].decode(errors="replace").strip()
            del self.scan[: end + 1]
            if text not in self.cfg.faults:
                self.cfg.faults.append(text)
                if self.ready:
                    self.cfg.save()

    def emit(self, data: bytes) -> None:
        if not self.raw_mode and not self.hide_banner:
            # Real ports print CRLF; the unix port prints bare LF (OPOST is off).
            out = _LONE_LF.sub(b"\r\n", data)
            if self.last_cr and data.startswith(b"\n"):
                out = out[1:]
            data = out
        if data:
            self.last_cr = data.endswith(b"\r")
        self.to_host += data

    def on_control(self) -> None:
        conn, _ = self.ctl.accept()
        with conn:
            conn.settimeout(2)
            try:
                cmd = conn.recv(1024).decode(errors="replace").strip()
            except OSError:
                return
            if cmd == "reset":
                self.hard_reset()
                conn.sendall(b"ok\n")
            elif cmd == "bootloader":
                self.enter_loader()
                conn.sendall(b"ok\n")
            elif cmd == "mode":
                conn.sendall(b"loader\n" if self.loader is not None else b"app\n")
            elif cmd.startswith("link"):
                conn.sendall(self.on_link(cmd[4:].strip()).encode() + b"\n")
            elif cmd == "ping":
                conn.sendall(f"ok {self.cfg.port} {self.child.pid if self.child else 0}\n".encode())
            else:
                conn.sendall(b"error: unknown command\n")

    def on_link(self, given: str) -> str:
        """``link {json of faults}``: change the link's faults; -> ``ok {json of the link}`` or ``error ...``."""
        from ..errors import HarnessError
        from . import link

        if self.link is None or self.relay is None:
            return "error: this board has no link of its own (start it with --netns)"
        try:
            faults = link.parse_faults(self.link.faults, **(json.loads(given) if given else {}))
            self.link.faults = faults
            link.apply(self.link)
        except (HarnessError, ValueError, TypeError) as e:
            return f"error: {e}"
        self.relay.configure(faults)
        self.cfg.link = self.link.to_json()
        self.cfg.save()
        return "ok " + json.dumps(self.cfg.link)

    def open_link(self) -> None:
        from . import link
        from .relay import Relay

        self.link = link.create(self.cfg.home)
        try:
            self.relay = Relay(self.link)
            link.apply(self.link)
        except Exception:
            link.destroy(self.link)
            raise
        for fd in self.relay.fds:
            self.sel.register(fd, selectors.EVENT_READ, self.relay.reader(fd))
        self.cfg.link = self.link.to_json()

    def flush(self) -> None:
        for fd, buf in ((self.host_fd, self.to_host), (self.child_fd, self.to_child)):
            if buf and fd >= 0:
                try:
                    n = os.write(fd, buf)
                    del buf[:n]
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    buf.clear()

    def interest(self) -> None:
        """Ask for writability where bytes wait; throttle a reader that is ahead."""
        self._want(self.host_fd, self.on_host, len(self.to_child) < _OUT_LIMIT, bool(self.to_host))
        if self.child_fd >= 0:
            self._want(self.child_fd, self.on_child, len(self.to_host) < _OUT_LIMIT, bool(self.to_child))

    def _want(self, fd: int, callback, read: bool, write: bool) -> None:
        events = (selectors.EVENT_READ if read else 0) | (selectors.EVENT_WRITE if write else 0)
        try:
            key = self.sel.get_key(fd)
        except KeyError:
            key = None
        if key is None and events:
            self.sel.register(fd, events, callback)
        elif key is not None and not events:
            self.sel.unregister(fd)
        elif key is not None and key.events != events:
            self.sel.modify(fd, events, callback)

    def compile_boot(self) -> None:
        """board_boot.py -> <home>/boot/nsvb_boot.mpy, once per supervisor."""
        from ..build import compile_mpy

        self.boot_dir = Path(self.cfg.home) / "boot"
        compile_mpy(Path(__file__).with_name("board_boot.py"), self.boot_dir / "nsvb_boot.mpy", "board_boot.py")

    def run(self) -> None:
        self.compile_boot()
        self.open_port()
        self.open_control()
        if self.cfg.rfc2217:  # before the board is ready, so that its URL works once start() returns
            from ..ser2net import Ser2net

            self.exporter = Ser2net(self.cfg.port, self.cfg.rfc2217, Path(self.cfg.home)).start()
        self.cfg.pid = os.getpid()
        if self.cfg.netns:
            self.open_link()
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "running", False))
        signal.signal(signal.SIGINT, lambda *_: setattr(self, "running", False))
        if self.cfg.download_mode:
            self.enter_loader()
        else:
            self.spawn(False)
        try:
            while self.running:
                self.interest()
                wait = self.relay.timeout(0.5) if self.relay is not None else 0.5
                for key, events in self.sel.select(timeout=wait):
                    if events & selectors.EVENT_READ:
                        key.data()
                if self.relay is not None:
                    self.relay.send_due()
                self.flush()
                if self.cfg.owner_pid and not os.path.exists(f"/proc/{self.cfg.owner_pid}"):
                    break
                if self.hide_banner and time.monotonic() - self.held_since > 10:
                    self.emit(bytes(self.held))  # no banner came: show what did
                    self.held.clear()
                    self.hide_banner = False
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        if self.exporter is not None:
            self.exporter.stop()
        if self.loader is not None:
            self.loader.close()
        if self.child is not None:
            self.child.kill()
            self.child.wait()
        if self.relay is not None:
            self.relay.close()
        if self.link is not None:
            from . import link

            link.destroy(self.link)
        self.cfg.state_path.unlink(missing_ok=True)
        self.cfg.ctl_path.unlink(missing_ok=True)


def uart_faults(uarts: dict[str, str], own: set[int]) -> dict[str, str]:
    """Why each wired UART cannot be wired now: its pty gone, or its path reused for a console
    (`own`: the device numbers of this board's ptys, its serial port and its interpreter's)."""
    from . import list_boards

    consoles = {}
    for cfg in list_boards():
        try:
            consoles[os.stat(cfg.port).st_rdev] = cfg.name
        except OSError:
            pass
    faults = {}
    for uid, path in uarts.items():
        rewire = f"start the modem, then restart the board with --uart{uid} <its new pty>"
        try:
            st = os.stat(path)
        except OSError:
            faults[uid] = f"{path} is gone (a stopped modem?): {rewire}"
            continue
        if st.st_rdev in own:
            faults[uid] = f"{path} is gone and its number now is this board's own console: {rewire}"
        elif st.st_rdev in consoles:
            faults[uid] = f"{path} is gone and its number now is the console of virtual board {consoles[st.st_rdev]!r}: {rewire}"
    return faults


def _describe(status: int) -> str:
    if status < 0:
        return f"signal {signal.Signals(-status).name}"
    return f"exit status {status}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="virtual board supervisor (started by `netsocket vboard start`)")
    ap.add_argument("home")
    args = ap.parse_args(argv)
    cfg = BoardConfig(**json.loads((Path(args.home) / "config.json").read_text()))
    Supervisor(cfg).run()

