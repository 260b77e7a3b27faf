"""A board under test: its serial transport, its peers, and recovery when it hangs.

One `TestBoard` per pytest process (each xdist worker has its own): either
a real or already running board given by port, or a virtual board this
process starts in a private state directory and stops at the end.
"""

from __future__ import annotations

import hashlib
import contextlib
import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from .. import modem, vboard
from ..build import compile_mpy
from ..deploy import deploy
from ..docsite import doc_programs
from ..errors import HarnessError
from ..mpr import connect, mpremote
from ..peers import Peers
from ..project import DEVICE_TESTS, ROOT

VERDICT = b"@@NSTEST "
MODEM_BAUD = 921600  # the emulated modem's line rate in device tests (cellular tests stay quick)
_HARD_RESET = b"[virtual board] hard reset"


@dataclass
class Outcome:
    verdict: str  # PASS, FAIL, SKIP, ERROR
    output: str  # everything the board printed for this test
    detail: str = ""  # skip reason, device traceback, or what went wrong


class TestBoard:
    def __init__(self, board: str | None, port: str | None, worker: str, heap: int, peer_host: str,
                 build_dir: Path, device_dir: Path = DEVICE_TESTS) -> None:
        self.board = board
        self.device_dir = device_dir
        self.worker = worker
        self.heap = heap
        self.build_dir = build_dir
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.vcfg: vboard.BoardConfig | None = None
        self.modem: modem.Modem | None = None  # an emulated BG96 on the virtual board's UART(1)
        self.modem2: modem.Modem | None = None  # an emulated SIM7600 on its UART(2)
        if port is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"nstest-{worker}-")
            self.modem = modem.start("bg96", baud=MODEM_BAUD)
            self.modem2 = modem.start("sim7600", baud=MODEM_BAUD)
            self.vcfg = vboard.start(f"test-{worker}", heap=heap, root=Path(self._tmp.name), owner_pid=os.getpid(),
                                     uarts={"1": self.modem.pty, "2": self.modem2.pty})
            port = self.vcfg.port
        else:
            self.vcfg = next((b for b in vboard.list_boards() if b.port == port), None)
        self.port = port
        self.peers = Peers(peer_host)
        self.addresses = self.peers.start()
        if self.modem is not None:
            self.addresses["modem"] = self.modem.control
        if self.modem2 is not None:
            self.addresses["modem2"] = self.modem2.control
        self.transport: SerialTransport | None = None
        self.current_personality = ""
        self.prepare()

    # -- set-up -----------------------------------------------------------------

    def prepare(self) -> None:
        """Deploy the package (ROMFS where the board has it) and the device tests."""
        quiet = lambda *_a, **_k: None  # noqa: E731
        try:
            deploy(self.port, "romfs", self.board, self.build_dir, log=quiet)
        except HarnessError as e:
            if "no ROMFS partition" not in str(e):
                raise
            deploy(self.port, "mpy", self.board, self.build_dir, log=quiet)
        tests = self.build_dir / "tests" / hashlib.sha256(str(self.device_dir.resolve()).encode()).hexdigest()[:8]
        sources = {p.name: p for p in DEVICE_TESTS.glob("devtest.py")}
        sources.update((p.name, p) for p in self.device_dir.glob("*.py"))
        test_files = _compiled(sorted(sources.values()), tests)
        for fname, data in self.peers.files.items():  # e.g. the TLS test CA
            (tests / fname).write_bytes(data)
            test_files.append(str(tests / fname))
        # the examples and the docs' programs, run by test_examples.py and test_docs.py
        # (devtest puts /examples on sys.path)
        programs = sorted((ROOT / "examples").glob("*.py")) + doc_programs(tests / "docs")
        examples = _compiled(programs, tests / "examples")
        t = connect(self.port)
        try:
            for remote, files in (("tests", test_files), ("examples", examples)):
                if not files:
                    continue
                if not t.fs_exists(remote):
                    t.fs_mkdir(remote)
                with contextlib.redirect_stdout(io.StringIO()):  # mpremote's "Up to date" lines
                    mpremote(self.port, ["fs", "cp", *files, f":{remote}/"], t)
        finally:
            t.close()

    def close(self) -> None:
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.close()
        self.peers.stop()
        if self._tmp is not None and self.vcfg is not None:
            with contextlib.suppress(HarnessError):
                vboard.stop(self.vcfg.name, root=Path(self._tmp.name))
            self._tmp.cleanup()
        for m in (self.modem, self.modem2):
            if m is not None:
                m.stop()

    # -- running one test -------------------------------------------------------

    def _fresh(self) -> SerialTransport:
        """A transport in the raw REPL of a freshly soft-reset interpreter."""
        if self.transport is None:
            self.transport = connect(self.port, soft_reset=False)
        try:
            self.transport.enter_raw_repl(soft_reset=True, timeout_overall=5)
        except (TransportError, OSError):
            self.recover()
            self.transport.enter_raw_repl(soft_reset=True, timeout_overall=5)
        return self.transport

    def personality(self, name: str) -> None:
        """Make the virtual board behave like port `name` ("" plain) from its next soft reset."""
        if name == self.current_personality:
            return
        if self.vcfg is None:
            raise HarnessError(f"personality {name!r} needs a virtual board, not {self.port}")
        answer = vboard.control(self.vcfg, f"personality {name}")
        if answer != "ok":
            raise HarnessError(f"virtual board {self.vcfg.name!r}: personality {name!r}: {answer}")
        self.current_personality = name

    def run(self, module: str, function: str, timeout: float, param: str | None = None,
            personality: str = "") -> Outcome:
        """Run one test function of a device module; with `param`, after the module's setup(param);
        with `personality`, on the virtual board behaving like that port."""
        try:
            self.personality(personality)
        except HarnessError as e:
            return Outcome("ERROR", "", str(e))
        code = (
            "import sys\nsys.path.append('/tests')\nimport devtest\n"
            f"devtest.PEERS={self.addresses!r}\n"
            f"devtest.STRICT={self._tmp is not None}\n"  # its own virtual board: a missing peer fails
            f"from {module} import {function}\n"
        )
        if param is None:
            code += f"devtest.run({function})\n"
        else:
            code += f"from {module} import setup\ndevtest.run({function}, lambda: setup({param!r}))\n"
        try:
            t = self._fresh()
            t.exec_raw_no_follow(code)
        except (TransportError, OSError, HarnessError) as e:
            return Outcome("ERROR", "", f"could not start the test on {self.port}: {e}")
        out, err, problem = self._collect(t, timeout)
        text = out.decode(errors="replace")
        if problem:
            self.recover()
            return Outcome("ERROR", text + err.decode(errors="replace"), problem)
        if err:  # an exception outside devtest.run: the module failed to import
            return Outcome("FAIL", text, err.decode(errors="replace"))
        head, sep, verdict = text.rpartition("@@NSTEST ")
        if not sep:
            return Outcome("ERROR", text, "the test ended without a verdict line")
        word, _, rest = verdict.strip().partition(" ")
        log = head.rstrip("\n")
        if word == "FAIL":
            return Outcome("FAIL", log, _last_traceback(log))
        if word not in ("PASS", "SKIP"):
            return Outcome("ERROR", text, f"unknown verdict {word!r} (devtest prints PASS, FAIL or SKIP)")
        return Outcome(word, log, rest.strip())

    def _collect(self, t: SerialTransport, timeout: float) -> tuple[bytes, bytes, str]:
        """Read stdout and stderr of the running code (each ends with 0x04)."""
        parts = [bytearray(), bytearray()]
        deadline = time.monotonic() + timeout
        ser = t.serial
        ser.timeout = 0.05
        try:
            return self._read_parts(t, parts, deadline, timeout)
        finally:
            ser.timeout = 1

    def _read_parts(self, t: SerialTransport, parts: list[bytearray], deadline: float,
                    timeout: float) -> tuple[bytes, bytes, str]:
        ser = t.serial
        i = 0
        while True:
            if time.monotonic() > deadline:
                return bytes(parts[0]), bytes(parts[1]), f"timed out after {timeout:g} s"
            try:
                chunk = ser.read(max(1, min(ser.in_waiting, 4096)))
            except OSError as e:
                return bytes(parts[0]), bytes(parts[1]), f"lost the serial port: {e}"
            if not chunk:
                continue
            for n, b in enumerate(chunk):
                if b == 4:
                    i += 1
                    if i == 2:
                        if b">" not in chunk[n:]:
                            t.read_until(1, b">", timeout=2)  # the next prompt
                        return bytes(parts[0]), bytes(parts[1]), ""
                else:
                    parts[i].append(b)
            if _HARD_RESET in parts[0] or _HARD_RESET in parts[1]:
                return bytes(parts[0]), bytes(parts[1]), "the board reset itself (crash) during the test"

    def recover(self) -> None:
        """Interrupt; if that fails, hard-reset a virtual board; then reconnect."""
        t = self.transport
        if t is not None:
            try:
                t.serial.write(b"\x03\x03")
                got = t.read_until(1, b"\x04>", timeout=1, timeout_overall=3)
                if got.endswith(b"\x04>"):
                    return
            except (OSError, TransportError):
                pass
        if self.vcfg is not None:
            vboard.control(self.vcfg, "reset")
        if t is not None:
            with contextlib.suppress(Exception):
                t.close()
        self.transport = connect(self.port, soft_reset=False, timeout=10)


def _last_traceback(log: str) -> str:
    at = log.rfind("Traceback (most recent call last)")
    return log[at:] if at >= 0 else log[-2000:]


def _compiled(sources: list[Path], out: Path) -> list[str]:
    """The .mpy files of `sources` in `out`, each compiled again when older than its source."""
    paths = []
    for src in sources:
        target = out / (src.stem + ".mpy")
        if not target.exists() or target.stat().st_mtime_ns < src.stat().st_mtime_ns:
            compile_mpy(src, target, src.name)
        paths.append(str(target))
    return paths


def default_build_dir(worker: str) -> Path:
    return ROOT / "build" / f"test-{worker}"

