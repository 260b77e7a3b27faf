"""Emulated cellular modems: a separate process per modem, on its own pty.

`start()` runs ``python -m netsocket_harness.modem`` and returns a `Modem`
with the pty (the board's UART) and the control address (fault knobs, one
text command per line: see `core.ModemEmulator.control_command`). Models:
`bg96.BG96`, `sim7600.SIM7600`, `sim800.SIM800`, `sara.SARA`, all over `core.ModemEmulator`. The process stops
with `Modem.stop()` or when the process that started it ends.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass

from ..errors import HarnessError

MODELS = ("bg96", "sim7600", "sim800", "sara")


def model_class(model: str) -> type:
    """The emulator class of a model name."""
    if model == "sim7600":
        from .sim7600 import SIM7600

        return SIM7600
    if model == "sim800":
        from .sim800 import SIM800

        return SIM800
    if model == "sara":
        from .sara import SARA

        return SARA
    from .bg96 import BG96

    return BG96


@dataclass
class Modem:
    model: str
    baud: int
    pty: str
    control: tuple[str, int]
    proc: subprocess.Popen | None = None

    def command(self, line: str, timeout: float = 5.0) -> str:
        """Send one control command; -> the reply line. HarnessError on ERROR."""
        with socket.create_connection(self.control, timeout=timeout) as s:
            s.sendall(line.encode() + b"\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        text = reply.decode().strip()
        if not text.startswith("OK"):
            raise HarnessError(f"modem control {line!r}: {text or 'no reply'}")
        return text

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "Modem":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(model: str = "bg96", baud: int = 115200, faults: str = "", timeout: float = 10.0) -> Modem:
    """Start an emulated modem in the background; return once its pty exists."""
    if model not in MODELS:
        raise HarnessError(f"unknown modem model {model!r} (known: {', '.join(MODELS)})")
    cmd = [sys.executable, "-m", "netsocket_harness.modem", "--model", model, "--baud", str(baud),
           "--die-with-parent"]
    if faults:
        cmd += ["--faults", faults]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    assert proc.stdout is not None
    info: dict[str, str] = {}
    while "pty" not in info or "control" not in info:
        line = proc.stdout.readline()
        if not line:
            err = proc.stderr.read().strip() if proc.stderr else ""
            proc.wait(timeout)
            raise HarnessError(f"modem failed to start: {err.splitlines()[-1] if err else 'no output'}")
        key, _, value = line.strip().partition(" ")
        info[key] = value
    host, _, port = info["control"].rpartition(":")
    return Modem(model, baud, info["pty"], (host, int(port)), proc)
