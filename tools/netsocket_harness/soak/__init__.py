"""`netsocket soak`: a long mixed run on a virtual board on its own link, faults changing at random.

The board (default 110K heap, on its own link: `vboard start --netns`, root only)
runs board_soak.py for the given time: rounds of TCP echo, UDP echo, DNS
lookups and TLS echo over netsocket, chosen at random, every byte checked. The
host meanwhile changes the link's faults every 3-8 s (loss, delay, jitter,
reorder, duplication, a rate limit, or a 1-2 s outage; the first is an outage
that lasts until the board noticed it, so reconnecting is loaded before the
heap counts). Every 3 s the board
reports its heap free after `gc.collect()` and its open sockets.

With `--cellular bg96|sim7600` (no root needed) the board talks through that
emulated modem instead (no TLS rounds), and the host changes the modem's fault
rates (split writes, late replies, garbage lines, URCs inside responses) and
sometimes drops its PDP context, the first time until the board noticed.

The run fails on a wrong byte, a socket left open, heap growth (the best free
figure of the last quarter of the run more than `DRIFT` bytes below that of
the first quarter, counted from the first reconnect), a board that stops reporting, or a kind of round that
never once succeeded.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import HarnessError
from ..vboard import DEFAULT_HEAP

BOARD_CODE = Path(__file__).with_name("board_soak.py")
DRIFT = 1024  # bytes of heap growth allowed over the run
SAMPLE = "@@SOAK "


@dataclass
class Sample:
    ms: int
    free: int
    sockets: int
    rounds: int
    reconnects: int


@dataclass
class SoakResult:
    seconds: float
    seed: int
    cellular: str = ""  # the emulated modem the board used, or "" (its own link)
    samples: list[Sample] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # what the host did to the link, when
    problems: list[str] = field(default_factory=list)

    @property
    def drift(self) -> int:
        """Heap growth: best free of the first quarter minus best free of the last quarter (bytes).

        Counted from the first sample after a reconnect: what reconnecting loads is loaded once."""
        warm = [s for s in self.samples if s.reconnects]
        if len(warm) < 4:
            return 0
        q = max(1, len(warm) // 4)
        return max(s.free for s in warm[:q]) - max(s.free for s in warm[-q:])

    def verdict(self) -> list[str]:
        """Why the run failed (empty: it passed)."""
        why = list(self.problems)
        why += [f"wrong bytes: {w}" for w in self.wrong]
        leaked = [s for s in self.samples if s.sockets]
        if leaked:
            why.append(f"sockets left open: {leaked[0].sockets} at {leaked[0].ms / 1000:.0f} s "
                       f"(in {len(leaked)} of {len(self.samples)} samples)")
        if len([s for s in self.samples if s.reconnects]) < 4:
            why.append("too few heap samples after the first reconnect to judge growth")
        if self.drift > DRIFT:
            why.append(f"heap grew by {self.drift} bytes after collection (limit {DRIFT})")
        if not self.counters:
            why.append("the board did not finish the run (no end line)")
        else:
            for kind in ("tcp", "udp", "dns") if self.cellular else ("tcp", "udp", "dns", "tls"):
                if not self.counters.get(kind):
                    why.append(f"no {kind} round succeeded")
        return why


def _fault_plan(rng: random.Random) -> dict[str, object]:
    """One random set of faults (the rest cleared)."""
    kind = rng.choice(("loss", "delay", "jitter", "reorder", "duplicate", "rate", "mixed", "clean"))
    if kind == "loss":
        return {"loss": rng.choice((1, 2, 5, 10))}
    if kind == "delay":
        return {"delay": rng.choice((10, 50, 100))}
    if kind == "jitter":
        return {"delay": 30, "jitter": rng.choice((10, 20))}
    if kind == "reorder":
        return {"delay": 20, "reorder": rng.choice((1, 5))}
    if kind == "duplicate":
        return {"duplicate": rng.choice((1, 5))}
    if kind == "rate":
        return {"rate": rng.choice(("1mbit", "5mbit"))}
    if kind == "mixed":
        return {"loss": 2, "delay": 20, "jitter": 5, "duplicate": 1, "rate": "5mbit"}
    return {}


def _describe(faults: dict[str, object]) -> str:
    return ", ".join(f"{k} {v}" for k, v in faults.items()) or "clean"


class _Faults(threading.Thread):
    """Changes the board's link at random until stopped; the first change is an outage."""

    def __init__(self, board, rng: random.Random, result: SoakResult, log: Callable[[str], None]) -> None:
        super().__init__(daemon=True, name="soak-faults")
        self.board, self.rng, self.result, self.log = board, rng, result, log
        self.stop = threading.Event()
        self.reconnect = threading.Event()  # the board saw the link down and reconnects
        self.t0 = time.monotonic()

    def set(self, faults: dict[str, object], text: str) -> None:
        answer = self.board.host_call("link " + json.dumps(faults))
        line = f"{time.monotonic() - self.t0:6.1f} s  link: {text}" + ("" if answer == "ok" else f" ({answer})")
        self.result.faults.append(line.strip())
        self.log(line)

    def run(self) -> None:
        first = True
        while not self.stop.wait(self.rng.uniform(2, 4) if first else self.rng.uniform(3, 8)):
            if first or self.rng.random() < 0.15:
                self.set({"down": True}, "down")
                # the first outage lasts until the board noticed it (its rounds time out first)
                if (self.stop.wait(self.rng.uniform(1, 2)) if not first
                        else self.reconnect.wait(30) and self.stop.is_set()):
                    break
                self.set({}, "up")
                first = False
                continue
            faults = _fault_plan(self.rng)
            self.set(faults, _describe(faults))
        self.board.host_call("link {}")


_MODEM_CLEAN = "set split=0 delay_max=0 garbage=0 inject=0"


def _modem_plan(rng: random.Random) -> str:
    """One random set of the emulated modem's rate faults (as its control socket takes them)."""
    return rng.choice((
        f"set split={rng.choice((1, 8, 64))}",
        f"set delay_max={rng.choice((5, 20, 50))}",
        f"set garbage={rng.choice((0.02, 0.1))}",
        f"set inject={rng.choice((0.05, 0.2))}",
        "set split=16 delay_max=5 garbage=0.05 inject=0.05",
        "",
    ))


class _ModemFaults(_Faults):
    """Changes the emulated modem's fault rates at random; sometimes the network drops the PDP context
    (the first change is such a drop, held until the board noticed it)."""

    def __init__(self, modem, *args) -> None:
        super().__init__(None, *args)
        self.modem = modem

    def command(self, line: str) -> None:
        try:
            answer = self.modem.command(line)
        except (HarnessError, OSError) as e:
            answer = str(e)
        text = f"{time.monotonic() - self.t0:6.1f} s  modem: {line}" + ("" if answer.startswith("OK") else f" ({answer})")
        self.result.faults.append(text.strip())
        self.log(text)

    def run(self) -> None:
        first = True
        while not self.stop.wait(self.rng.uniform(2, 4) if first else self.rng.uniform(3, 8)):
            if first or self.rng.random() < 0.15:
                self.command("pdpdeact")
                if first:
                    self.reconnect.wait(30)
                    first = False
                continue
            # the rates back to none, then the new ones ("reset" would also drop a send in progress)
            self.command(_MODEM_CLEAN + " " + _modem_plan(self.rng).removeprefix("set "))
        self.command(_MODEM_CLEAN)


def run(minutes: float = 10, seed: int | None = None, heap: int = DEFAULT_HEAP,
        log: Callable[[str], None] = print, cellular: str = "") -> SoakResult:
    """Soak a private virtual board on its own link for `minutes` (with `cellular`: over that emulated
    modem, its fault rates changing, no root needed); -> what happened (see `SoakResult.verdict`)."""
    from ..runner.boards import TestBoard, default_build_dir

    if minutes <= 0:
        raise HarnessError("--minutes must be more than 0")
    seed = random.randrange(1 << 30) if seed is None else seed
    seconds = minutes * 60
    result = SoakResult(seconds, seed, cellular)
    if cellular not in ("", "bg96", "sim7600"):
        raise HarnessError(f"--cellular {cellular}: the emulated modems are bg96 and sim7600")
    if cellular:
        board = TestBoard(None, None, "soak", heap, "127.0.0.1", default_build_dir("soak"))
        modem, uart = (board.modem, 1) if cellular == "bg96" else (board.modem2, 2)
        faults: _Faults = _ModemFaults(modem, random.Random(seed), result, log)
        where, wanted = f"over an emulated {cellular} at 921600 baud", ("echo", "dns")
    else:
        board = TestBoard(None, None, "soak", heap, "", default_build_dir("soak"), netns=True)
        faults = _Faults(board, random.Random(seed), result, log)
        where = f"link {board.vcfg.link['board_ip']} <-> {board.vcfg.link['host_ip']}"
        wanted = ("echo", "dns", "tls_echo")
    try:
        log(f"soak: {minutes:g} min on {board.port} (heap {heap // 1024}K, {where}), seed {seed}")
        peers = {k: board.addresses[k] for k in wanted if k in board.addresses}
        if len(peers) < len(wanted):
            raise HarnessError("the soak needs the echo, dns (dnsmasq) and TLS peers: "
                               "install dnsmasq-base and the test extras (bash tools/dev.sh setup)")
        cell = (cellular, uart) if cellular else None
        code = (f"PEERS = {peers!r}\nSECONDS = {int(seconds)}\nSEED = {seed & 0x3FFFFFFF}\nCELL = {cell!r}\n"
                + BOARD_CODE.read_text())
        t = board._fresh()
        t.exec_raw_no_follow(code)
        faults.start()
        pending = bytearray()

        def consume(chunk: bytes) -> None:
            pending.extend(chunk)
            while (end := pending.find(b"\n")) >= 0:
                _line(pending[:end].decode(errors="replace").strip(), result, log, faults)
                del pending[:end + 1]

        try:
            _, err = t.follow(seconds + 120, data_consumer=consume)
        except Exception as e:  # noqa: BLE001 - mpremote raises its own errors on a lost or silent port
            result.problems.append(f"the board stopped answering: {e}")
            board.recover()
        else:
            if err:
                result.problems.append("the board raised: " + err.decode(errors="replace").strip()[-800:])
    finally:
        faults.stop.set()
        if faults.is_alive():
            faults.join(10)
        board.close()
    return result


def _line(line: str, result: SoakResult, log: Callable[[str], None], faults: _Faults) -> None:
    if not line.startswith(SAMPLE):
        if line:
            log(f"board: {line}")
        return
    kind, _, rest = line[len(SAMPLE):].partition(" ")
    if kind == "sample":
        ms, free, socks, rounds, reconnects = (int(x) for x in rest.split())
        result.samples.append(Sample(ms, free, socks, rounds, reconnects))
        log(f"{ms / 1000:6.1f} s  heap free {free:6d}  sockets {socks}  rounds {rounds}")
    elif kind == "reconnect":
        faults.reconnect.set()
        log("board: link down, reconnecting")
    elif kind == "wrong":
        result.wrong.append(rest)
        log(f"WRONG: {rest}")
    elif kind == "end":
        result.counters = {k: int(v) for k, v in (kv.split("=") for kv in rest.split())}


def report(result: SoakResult) -> tuple[bool, str]:
    """(passed, a summary paragraph)."""
    why = result.verdict()
    c = result.counters
    free = [s.free for s in result.samples]
    lines = [
        f"soak {result.seconds / 60:g} min{' over ' + result.cellular if result.cellular else ''}, seed {result.seed}: "
        f"{len(result.faults)} {'modem' if result.cellular else 'link'} changes, "
        f"{len(result.samples)} samples",
        "  rounds ok/failed: " + ", ".join(f"{k} {c.get(k, 0)}/{c.get(k + '_err', 0)}" for k in ("tcp", "tls", "dns"))
        + f", udp {c.get('udp', 0) - c.get('udp_lost', 0)}/{c.get('udp_lost', 0)} datagrams"
        + f"; {c.get('bytes', 0)} bytes echoed and checked; {c.get('reconnect', 0)} reconnects",
        f"  heap free after collection: {min(free, default=0)}..{max(free, default=0)} B, "
        f"drift {result.drift} B (limit {DRIFT}); open sockets at samples: "
        f"{max((s.sockets for s in result.samples), default=0)} at most",
        "  PASS" if not why else "  FAIL: " + "; ".join(why),
    ]
    return not why, "\n".join(lines)
