"""ser2net (the Debian package) exporting one serial port as RFC 2217 on a TCP port.

What a board farm runs next to its boards, and what labgrid's exporter runs
for a serial port. The generated configuration is the one measured in
virtual-board-notes §4/§14: ``telnet(rfc2217)`` on a loopback (or given)
address, the device opened as ``serialdev ... local`` (a pty has no modem
lines), ``kickolduser`` so that a client that went away without closing
never keeps the board. Clients then open ``rfc2217://HOST:PORT`` (the harness
adds ``ign_set_control``, see `serial_url`).

The ser2net process is killed when the process that started it ends
(``PR_SET_PDEATHSIG``), so a test run or a virtual board's supervisor never
leaves one behind.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from .errors import HarnessError
from .procs import die_with_parent, stop


def listening(port: int) -> bool:
    """Whether some socket listens on TCP `port` (IPv4 or IPv6), read from /proc/net."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 3 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def config(device: str, port: int, host: str = "127.0.0.1", baud: int = 115200) -> str:
    return (
        "connection: &board\n"
        f"  accepter: telnet(rfc2217),tcp(nodelay),{host},{port}\n"
        f"  connector: serialdev,{device},{baud}n81,local\n"
        "  options:\n"
        "    kickolduser: true\n"
        "    chardelay: false\n"
    )


class Ser2net:
    """One ser2net process exporting `device` on `host:port`; `url` is what clients open."""

    def __init__(self, device: str, port: int, workdir: Path, host: str = "127.0.0.1") -> None:
        self.device, self.port, self.host = device, port, host
        self.workdir = Path(workdir)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"rfc2217://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"ser2net-{self.port}.log"

    def start(self, timeout: float = 10.0) -> Ser2net:
        exe = shutil.which("ser2net") or next((p for p in ("/usr/sbin/ser2net", "/sbin/ser2net")
                                               if Path(p).exists()), None)
        if exe is None:
            raise HarnessError("ser2net not found: apt install ser2net (bash tools/dev.sh setup does)")
        if not 0 < self.port < 65536:
            raise HarnessError(f"--rfc2217 {self.port}: not a TCP port number")
        if listening(self.port):
            raise HarnessError(f"TCP port {self.port} is already in use: pick another for the RFC 2217 server")
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / f"ser2net-{self.port}.yaml"
        conf.write_text(config(self.device, self.port, self.host))
        with open(self.log_path, "wb") as log:
            # -n: stay in the foreground (our child), -u: no UUCP lock files (ptys have none)
            self.proc = subprocess.Popen([exe, "-n", "-u", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while not listening(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise HarnessError(f"ser2net did not start on port {self.port}: {self._last_log_line()}")
            time.sleep(0.02)
        return self

    def _last_log_line(self) -> str:
        try:
            lines = [ln for ln in self.log_path.read_text(errors="replace").splitlines()
                     if ln.strip() and "mdns" not in ln]  # "Unable to start mdns" is harmless
        except OSError:
            lines = []
        return lines[-1] if lines else "no output"

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None

    def __enter__(self) -> Ser2net:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
