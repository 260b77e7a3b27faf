"""A board under test: its serial transport, its peers, and recovery when it hangs.

One `TestBoard` per pytest process (each xdist worker has its own): either
a real or already running board given by port, or a virtual board this
process starts in a private state directory and stops at the end.
"""

from __future__ import annotations

import hashlib
import contextlib
import io
import json
import re
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from .. import modem, thirdparty, vboard
from ..build import compile_mpy
from ..deploy import deploy
from ..docsite import doc_programs
from ..errors import HarnessError
from ..mpr import connect, mpremote, release
from ..peers import Peers
from ..project import DEVICE_TESTS, ROOT

VERDICT = b"@@NSTEST "
MODEM_BAUD = 921600  # the emulated modem's line rate in device tests (cellular tests stay quick)
_HARD_RESET = b"[virtual board] hard reset"
_BANNER = re.compile(rb"MicroPython \S+ on \d{4}-\d\d-\d\d; ")  # printed by a board that (re)booted
FLOOD_LIMIT = 1 << 20  # bytes one test may print; past it the board is stopped and the test is an error
_KEEP = 4000  # characters of a flood's head and tail kept for the report
HOST_CALL = b"@@NSHOST "  # a device test's request to the host (devtest.host), answered on its stdin
_CLEAN_LINK = {"loss": 0, "delay": 0, "jitter": 0, "reorder": 0, "duplicate": 0, "rate": "", "down": False}


@dataclass
class Outcome:
    verdict: str  # PASS, FAIL, SKIP, ERROR
    output: str  # everything the board printed for this test
    detail: str = ""  # skip reason, device traceback, or what went wrong


class TestBoard:
    def __init__(self, board: str | None, port: str | None, worker: str, heap: int, peer_host: str,
                 build_dir: Path, device_dir: Path = DEVICE_TESTS, netns: bool = False) -> None:
        self.board = board
        self.device_dir = device_dir
        self.worker = worker
        self.heap = heap
        self.build_dir = build_dir
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.vcfg: vboard.BoardConfig | None = None
        self.modem: modem.Modem | None = None  # an emulated BG96 on the virtual board's UART(1)
        self.modem2: modem.Modem | None = None  # an emulated SIM7600 on its UART(2)
        self.modem3: modem.Modem | None = None  # an emulated SIM800 on its UART(3)
        self.modem4: modem.Modem | None = None  # an emulated SARA-R4 on its UART(4)
        self.link_changed = False  # a test changed the faults of the board's own link
        self.lost = ""  # set when the board could not be recovered: the run cannot go on on it
        self.exchange = None  # multi.Exchange while the board runs one instance of a test of several boards
        if port is None and netns:  # a board on its own link; the peers listen on the host's end
            self._tmp = tempfile.TemporaryDirectory(prefix=f"nstest-{worker}-")
            self.vcfg = vboard.start(f"test-{worker}", heap=heap, root=Path(self._tmp.name), owner_pid=os.getpid(),
                                     netns=True)
            port, peer_host = self.vcfg.port, self.vcfg.link["host_ip"]
        elif port is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"nstest-{worker}-")
            self.modem = modem.start("bg96", baud=MODEM_BAUD)
            self.modem2 = modem.start("sim7600", baud=MODEM_BAUD)
            self.modem3 = modem.start("sim800", baud=MODEM_BAUD)
            self.modem4 = modem.start("sara", baud=MODEM_BAUD)
            self.vcfg = vboard.start(f"test-{worker}", heap=heap, root=Path(self._tmp.name), owner_pid=os.getpid(),
                                     uarts={"1": self.modem.pty, "2": self.modem2.pty, "3": self.modem3.pty,
                                            "4": self.modem4.pty})
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
        if self.modem3 is not None:
            self.addresses["modem3"] = self.modem3.control
        if self.modem4 is not None:
            self.addresses["modem4"] = self.modem4.control
        self.transport: SerialTransport | None = None
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
        # unmodified third-party libraries (umqtt, urequests) for the socket facade tests, into /lib
        libs: dict[str, list[str]] = {}
        for path, src in thirdparty.board_files():
            out = self.build_dir / "thirdparty" / Path(path).with_suffix(".mpy")
            libs.setdefault(str(Path("lib", path).parent), []).extend(_compiled([src], out.parent, out.name))
        t = connect(self.port)
        try:
            for remote, files in (("tests", test_files), ("examples", examples), *libs.items()):
                if not files:
                    continue
                if not t.fs_exists(remote):
                    if "/" in remote and not t.fs_exists(remote.rsplit("/", 1)[0]):
                        t.fs_mkdir(remote.rsplit("/", 1)[0])
                    t.fs_mkdir(remote)
                with contextlib.redirect_stdout(io.StringIO()):  # mpremote's "Up to date" lines
                    mpremote(self.port, ["fs", "cp", *files, f":{remote}/"], t)
        finally:
            release(t)

    def close(self) -> None:
        if self.transport is not None:
            release(self.transport)  # the board at its friendly prompt, as after mpremote
        self.peers.stop()
        if self._tmp is not None and self.vcfg is not None:
            with contextlib.suppress(HarnessError):
                vboard.stop(self.vcfg.name, root=Path(self._tmp.name))
            self._tmp.cleanup()
        for m in (self.modem, self.modem2, self.modem3, self.modem4):
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

    def test_code(self, module: str, function: str, param: str | None = None) -> str:
        """What the board executes to run one test function (and print its verdict line)."""
        code = (
            "import sys\nsys.path.append('/tests')\nimport devtest\n"
            f"devtest.PEERS={self.addresses!r}\n"
            f"from {module} import {function}\n"
        )
        if param is None:
            return code + f"devtest.run({function})\n"
        return code + f"from {module} import setup\ndevtest.run({function}, lambda: setup({param!r}))\n"

    def run(self, module: str, function: str, timeout: float, param: str | None = None) -> Outcome:
        """Run one test function of a device module; with `param`, after the module's setup(param)."""
        code = self.test_code(module, function, param)
        try:
            t = self._fresh()
            t.exec_raw_no_follow(code)
        except (TransportError, OSError, HarnessError) as e:
            return Outcome("ERROR", "", f"could not start the test on {self.port}: {e}{self._recovered()}")
        out, err, problem = self._collect(t, timeout)
        if self.link_changed:  # the next test starts on a clean link, whatever this one left
            self.link_changed = False
            if self.host_call("link {}") != "ok":
                problem = problem or "could not clear the faults of the board's link"
        problem = problem or _garbage(out + err)
        text = out.decode(errors="replace")
        if len(text) > 2 * _KEEP:  # a flood: its head and tail are enough for the report
            text = text[:_KEEP] + f"\n[... {len(text) - 2 * _KEEP} characters left out ...]\n" + text[-_KEEP:]
        if problem:
            return Outcome("ERROR", text + err.decode(errors="replace")[-_KEEP:], problem + self._recovered())
        return verdict_of(text, err.decode(errors="replace"))

    def _collect(self, t: SerialTransport, timeout: float) -> tuple[bytes, bytes, str]:
        """Read stdout and stderr of the running code (each ends with 0x04)."""
        parts = [bytearray(), bytearray()]
        deadline = time.monotonic() + timeout
        ser = t.serial
        ser.timeout = 0.05
        try:
            return self._read_parts(t, parts, deadline, timeout)
        finally:
            with contextlib.suppress(OSError):  # the port may be gone
                ser.timeout = 1

    def _read_parts(self, t: SerialTransport, parts: list[bytearray], deadline: float,
                    timeout: float) -> tuple[bytes, bytes, str]:
        ser = t.serial
        i = 0
        asked = 0  # where the next request of the test to the host may start (devtest.host)
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
            if HOST_CALL in parts[0][asked:]:
                asked = self._host_calls(ser, parts[0], asked)
            if _HARD_RESET in parts[0] or _HARD_RESET in parts[1]:
                return bytes(parts[0]), bytes(parts[1]), "the board reset itself (crash) during the test"
            if _BANNER.search(parts[0]) or _BANNER.search(parts[1]):  # a watchdog or brown-out on a real board
                return bytes(parts[0]), bytes(parts[1]), "the board rebooted by itself during the test"
            if len(parts[0]) + len(parts[1]) > FLOOD_LIMIT:
                return bytes(parts[0]), bytes(parts[1]), f"the board flooded the serial line (over {FLOOD_LIMIT >> 20} MB)"

    def _host_calls(self, ser, out: bytearray, start: int) -> int:
        """Answer each complete ``@@NSHOST <request>`` line of `out` from `start` on; -> where to look next."""
        while (at := out.find(HOST_CALL, start)) >= 0 and (end := out.find(b"\n", at)) >= 0:
            answer = self.host_call(out[at + len(HOST_CALL):end].decode(errors="replace").strip())
            ser.write(answer.encode() + b"\n")
            start = end + 1
        return start

    def host_call(self, request: str) -> str:
        """What a device test asks the host: ``link {faults as JSON}`` sets the faults of the board's own
        link (those not given cleared); ``barrier``, ``share KEY VALUE``, ``wait KEY`` go between the
        boards of a test of several boards (runner/multi.py); -> ``ok``, a value, or ``error: ...``."""
        verb, _, arg = request.partition(" ")
        if verb in ("barrier", "share", "wait"):
            if self.exchange is None:
                return f"error: {verb} is for tests of several boards (test_x_instance0, test_x_instance1)"
            return self.exchange.answer(verb, arg)
        if verb != "link":
            return f"error: unknown request {verb!r}"
        if self.vcfg is None or not self.vcfg.link or self._tmp is None:
            return "error: this board has no link of its own (NETNS = True modules get one)"
        try:
            faults = {**_CLEAN_LINK, **json.loads(arg or "{}")}
            vboard.set_link(self.vcfg.name, root=Path(self._tmp.name), **faults)
        except (HarnessError, ValueError, TypeError) as e:
            return f"error: {e}"
        self.link_changed = True
        return "ok"

    def _recovered(self) -> str:
        """Recover the board after a fault; -> what was done, for the report."""
        try:
            return f" (then: {self.recover()})"
        except (HarnessError, TransportError, OSError) as e:
            self.lost = f"lost the board on {self.port}: recovery failed: {e}"  # the runner ends the run
            return f" (then: recovery failed: {e})"

    def recover(self) -> str:
        """Interrupt; if that fails, hard-reset a virtual board; restart one of ours that is gone; -> what was done."""
        t = self.transport
        if t is not None:
            try:
                t.serial.write(b"\x03\x03")
                got = t.read_until(1, b"\x04>", timeout=1, timeout_overall=3)
                if got.endswith(b"\x04>"):
                    return "interrupted with Ctrl-C"
            except (OSError, TransportError):
                pass
        if self._tmp is not None and self.vcfg is not None and not self._supervised():
            self.restart()
            return "the board was gone: started it again, package and tests deployed"
        if t is not None:
            with contextlib.suppress(Exception):
                t.close()
            self.transport = None
        done = "reconnected"
        if self.vcfg is not None:
            vboard.control(self.vcfg, "reset")
            done = "hard reset"
        self.transport = connect(self.port, soft_reset=False, timeout=10)
        return done

    def _supervised(self) -> bool:
        """Our virtual board's supervisor is there and answers."""
        assert self._tmp is not None and self.vcfg is not None
        cfg = vboard.running(self.vcfg.name, Path(self._tmp.name))
        try:
            return cfg is not None and vboard.control(cfg, "ping", timeout=5).startswith("ok")
        except HarnessError:
            return False

    def restart(self) -> None:
        """Start our virtual board again after it died (its supervisor killed, its port gone)."""
        assert self._tmp is not None and self.vcfg is not None
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.close()
            self.transport = None
        old, root = self.vcfg, Path(self._tmp.name)
        with contextlib.suppress(HarnessError):  # a supervisor still dying
            vboard.stop(old.name, root=root)
        self.vcfg = vboard.start(old.name, heap=self.heap, root=root, owner_pid=os.getpid(), uarts=old.uarts,
                                 netns=old.netns)
        self.port = self.vcfg.port
        if old.netns and self.vcfg.link["host_ip"] != old.link.get("host_ip"):  # the peers follow the new link
            self.peers.stop()
            self.peers = Peers(self.vcfg.link["host_ip"])
            self.addresses = self.peers.start()
        self.prepare()
        self.transport = connect(self.port, soft_reset=False, timeout=10)

def _garbage(out: bytes) -> str:
    """Why `out` is not what a test prints (noise on the line, a wrong baud rate), or ''."""
    try:
        out.decode()
    except UnicodeDecodeError as e:
        return f"the board sent bytes that are not text (first at byte {e.start}: {out[e.start:e.start + 8]!r})"
    controls = sum(1 for b in out if b < 32 and b not in (9, 10, 13, 27))
    if controls > 16:
        return f"the board sent {controls} control bytes that are not text"
    return ""


def verdict_of(text: str, err: str) -> Outcome:
    """The outcome of a test that ran to its end: what it printed (stdout, stderr) and its verdict line."""
    if err:  # an exception outside devtest.run: the module failed to import
        return Outcome("FAIL", text, err)
    head, sep, verdict = text.rpartition("@@NSTEST ")
    if not sep:
        return Outcome("ERROR", text, "the test ended without a verdict line")
    word, _, rest = verdict.strip().partition(" ")
    log = head.rstrip("\n")
    if word == "FAIL":
        return Outcome("FAIL", log, _last_traceback(log))
    return Outcome(word, log, rest.strip())


def _last_traceback(log: str) -> str:
    at = log.rfind("Traceback (most recent call last)")
    return log[at:] if at >= 0 else log[-2000:]


def _compiled(sources: list[Path], out: Path, name: str | None = None) -> list[str]:
    """The .mpy files of `sources` in `out` (`name`: of the one source), compiled again when older than it."""
    paths = []
    for src in sources:
        target = out / (name or src.stem + ".mpy")
        if not target.exists() or target.stat().st_mtime_ns < src.stat().st_mtime_ns:
            compile_mpy(src, target, src.name)
        paths.append(str(target))
    return paths


def default_build_dir(worker: str) -> Path:
    return ROOT / "build" / f"test-{worker}"

