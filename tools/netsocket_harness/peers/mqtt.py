"""A real MQTT broker for the device tests: Debian's mosquitto on free ports of the peers' address.

`MosquittoPeer` writes a config into a temporary directory (a plain listener, and a TLS
listener with the test CA's server certificate when a `TestPKI` is given), starts
``mosquitto -c`` and waits until it accepts connections. It runs with its owner: stopped by
`stop()`, and killed by the kernel if the owning process dies (PR_SET_PDEATHSIG).
Addresses: ``mqtt`` and ``mqtts``.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import HarnessError

if TYPE_CHECKING:
    from .tls import TestPKI

BINARY = "mosquitto"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _binary() -> str | None:
    return shutil.which(BINARY) or next((p for p in ("/usr/sbin/mosquitto",) if Path(p).exists()), None)


class MosquittoPeer:
    def __init__(self, host: str = "127.0.0.1", pki: TestPKI | None = None) -> None:
        self.host = host
        self.pki = pki
        self.proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self.addresses: dict[str, tuple[str, int]] = {}

    @staticmethod
    def available() -> bool:
        return _binary() is not None

    def _config(self, workdir: Path) -> str:
        port = _free_port(self.host)
        self.addresses["mqtt"] = (self.host, port)
        lines = ["per_listener_settings false", "allow_anonymous true", "persistence false",
                 f"user {getpass.getuser()}",  # as root it would switch to user mosquitto
                 "log_dest none", f"listener {port} {self.host}"]
        if self.pki is not None:
            cred = self.pki.certs["server"]
            (workdir / "ca.pem").write_bytes(self.pki.ca.cert_pem)
            (workdir / "server.pem").write_bytes(cred.cert_pem)
            (workdir / "server.key").write_bytes(cred.key_pem)
            tls_port = _free_port(self.host)
            self.addresses["mqtts"] = (self.host, tls_port)
            lines += [f"listener {tls_port} {self.host}", f"cafile {workdir / 'ca.pem'}",
                      f"certfile {workdir / 'server.pem'}", f"keyfile {workdir / 'server.key'}"]
        return "\n".join(lines) + "\n"

    def start(self) -> dict[str, tuple[str, int]]:
        binary = _binary()
        if binary is None:
            raise HarnessError("mosquitto not found: apt-get install mosquitto")
        from .tls import _die_with_parent

        self._dir = tempfile.TemporaryDirectory(prefix="nsmqtt-")
        workdir = Path(self._dir.name)
        conf = workdir / "mosquitto.conf"
        conf.write_text(self._config(workdir))
        self.proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        for addr in self.addresses.values():
            while True:
                try:
                    socket.create_connection(addr, timeout=1).close()
                    break
                except OSError:
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                        self.stop()
                        raise HarnessError(f"mosquitto did not start: {err.strip()[-300:]}") from None
                    time.sleep(0.05)
        return self.addresses

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            self.proc = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
