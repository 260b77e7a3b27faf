"""Which board a command or a test run talks to: a serial URL plus what the board can do.

A ``--port``, a virtual board by name, an entry of an inventory file and a
labgrid place all end as a `Target`: a name for reports, the serial port (a
device path or a pyserial URL such as ``rfc2217://rack1:4001``), the board
definition, and its capabilities. This module sits above board definitions,
virtual boards and device listing (it may start a virtual board or pick the
one USB board) and below the commands and the test runner.

Capabilities are words: ``ethernet``, ``wifi``, ``tls``, ``cellular`` and
``cellular:<model>`` for each modem driver in lib/ (``cellular:bg96`` implies
``cellular``). A device test asks for them with ``@devtest.requires(...)``.

An inventory is a TOML file, one table per board::

    [boards.rack1-esp32]
    port = "rfc2217://rack1.lab:4001"   # or /dev/ttyUSB0, socket://...
    board = "ESP32_GENERIC"
    caps = ["wifi", "tls"]              # default: from the board definition

    [boards.poe-2]
    labgrid = "poe-2"                    # port from this labgrid place (needs LG_COORDINATOR)
    board = "OLIMEX_ESP32_POE"
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import vboard
from .board import VIRTUAL, BoardDef, load_board
from .errors import HarnessError
from .locks import PortLock, holder, is_free, try_lock
from .project import LIB
from .serial_url import check_port


@dataclass(frozen=True)
class Target:
    name: str  # how reports call the board
    port: str | None  # device path or URL; None: a private virtual board the test runner starts
    board: str | None  # board definition; None: detected from the MicroPython port it runs
    caps: frozenset[str] = field(default_factory=frozenset)
    origin: str = "--port"  # where it came from, for messages

    def lacks(self, needs: Iterable[str]) -> list[str]:
        return [n for n in needs if n not in self.caps]

    def describe(self) -> str:
        caps = ",".join(sorted(self.caps)) or "-"
        return f"{self.name} ({self.port or 'private virtual board'}, {self.board or 'board detected'}, caps {caps})"

    def to_json(self) -> dict:
        return {"name": self.name, "port": self.port, "board": self.board, "caps": sorted(self.caps),
                "origin": self.origin}

    @classmethod
    def from_json(cls, data: dict) -> Target:
        return cls(data["name"], data["port"], data["board"], frozenset(data["caps"]), data["origin"])


# -- capabilities ------------------------------------------------------------------------

BASE_CAPS = ("ethernet", "wifi", "tls", "cellular")


def modem_models() -> list[str]:
    """The modem drivers the package has: lib/netsocket-<model> beside the shared cellular base."""
    return sorted(p.name.split("-", 1)[1] for p in LIB.glob("netsocket-*")
                  if p.name.split("-", 1)[1] not in ("cellular", "dns", "tls"))


def known_caps() -> list[str]:
    return [*BASE_CAPS, *(f"cellular:{m}" for m in modem_models())]


def parse_caps(values: Iterable[str], where: str) -> frozenset[str]:
    known = known_caps()
    caps: set[str] = set()
    for v in values:
        if not isinstance(v, str) or v not in known:
            raise HarnessError(f"{where}: unknown capability {v!r} (known: {', '.join(known)})")
        caps.add(v)
        if v.startswith("cellular:"):
            caps.add("cellular")
    return frozenset(caps)


def caps_of(bdef: BoardDef) -> frozenset[str]:
    """What a board can do by its definition: its default interface, its modem, TLS (every port has ssl)."""
    iface = bdef.info.get("default_interface", {})
    caps = {"tls", iface.get("type", "ethernet")}
    if iface.get("modem"):
        caps.add(f"cellular:{iface['modem'].lower()}")
    return frozenset(caps & set(known_caps()))


def private_virtual_caps() -> frozenset[str]:
    """A virtual board the test runner starts: the host's stack as Ethernet, TLS, an emulated modem per driver."""
    return parse_caps(["ethernet", "tls", *(f"cellular:{m}" for m in modem_models())], "virtual board")


# -- a port for one command ---------------------------------------------------------------

def resolve_port(port: str | None, board: str | None, name: str = vboard.DEFAULT_NAME,
                 with_package: bool = False) -> str:
    """The port to use: --port as given, else the virtual board `name` (started if needed).

    Without --port the choice is said on stderr; a board started for
    `with_package` commands (repl, run) gets netsocket in its ROM first."""
    if board is not None:
        load_board(board)  # an unknown name is an error even with --port
    if port == "auto":
        from .devices import auto_port

        port = auto_port(board if board != VIRTUAL else None)
    if port:
        check_port(port)
        return port
    if board not in (None, VIRTUAL):
        raise HarnessError(f"board {board} is a real board: give its serial port with --port")
    cfg = vboard.running(name)
    if cfg is not None:
        hint = "" if not with_package or _has_romfs(cfg) else " (netsocket is not in its ROM: netsocket deploy)"
        print(f"no --port: using virtual board {name!r} on {cfg.port}{hint}", file=sys.stderr)
        return cfg.port
    cfg = vboard.start(name)
    what = ""
    if with_package and not _has_romfs(cfg):
        from .flash import flash_virtual

        flash_virtual(cfg.port, None, Path(cfg.home) / "build", name, log=lambda _line: None)
        what = " with netsocket in its ROM"
    print(f"no --port: started virtual board {name!r} on {cfg.port}{what} "
          f"(stop it with: netsocket vboard stop {name})", file=sys.stderr)
    return cfg.port


def _has_romfs(cfg: vboard.BoardConfig) -> bool:
    with open(cfg.rom_path, "rb") as f:
        return f.read(3) == b"\xd2\xcd\x31"


def from_port(port: str, board: str | None) -> Target:
    """A board given by --port: its capabilities are its definition's, or a virtual board's."""
    check_port(port)
    bdef = load_board(board) if board else None
    caps = caps_of(bdef) if bdef else frozenset(("ethernet", "tls"))
    return Target(port, port, board, caps, "--port")


# -- inventory files ----------------------------------------------------------------------

_KEYS = {"port", "labgrid", "board", "caps"}


def load_inventory(path: Path) -> list[Target]:
    """The boards of an inventory file, checked: known keys, board definitions and capabilities."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as e:
        raise HarnessError(f"cannot read inventory {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise HarnessError(f"inventory {path} is not valid TOML: {e}") from None
    boards = data.get("boards")
    if not isinstance(boards, dict) or not boards:
        raise HarnessError(f"inventory {path} names no boards (add [boards.<name>] tables with port and board)")
    targets = []
    for name, entry in boards.items():
        where = f"inventory {path.name}, board {name!r}"
        if not isinstance(entry, dict):
            raise HarnessError(f"{where}: not a table")
        if extra := sorted(set(entry) - _KEYS):
            raise HarnessError(f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(_KEYS))})")
        if "board" not in entry:
            raise HarnessError(f"{where}: no board definition (board = \"ESP32_GENERIC\", see: netsocket boards)")
        try:
            bdef = load_board(str(entry["board"]))
        except HarnessError as e:
            raise HarnessError(f"{where}: {e}") from None
        caps = parse_caps(entry["caps"], where) if "caps" in entry else caps_of(bdef)
        if ("port" in entry) == ("labgrid" in entry):
            raise HarnessError(f"{where}: give either port or labgrid (a place name)")
        if "labgrid" in entry:
            port, origin = f"labgrid:{entry['labgrid']}", f"labgrid place {entry['labgrid']!r}"
        else:
            port, origin = str(entry["port"]), f"inventory {path.name}"
            try:
                check_port(port)
            except HarnessError as e:
                raise HarnessError(f"{where}: {e}") from None
        targets.append(Target(name, port, bdef.name, caps, origin))
    return targets


# -- claiming boards for a run ------------------------------------------------------------

@dataclass
class Claim:
    target: Target
    lock: PortLock

    def release(self) -> None:
        self.lock.release()


def _too_few(count: int, free: int, targets: list[Target], busy: list[str]) -> HarnessError:
    held = f"; in use by other runs: {', '.join(busy)}" if busy else ""
    return HarnessError(f"{count} boards wanted, only {free} of the inventory's {len(targets)} are free{held}")


def check_free(targets: list[Target], count: int) -> None:
    """A one-line error now if fewer than `count` of `targets` are free (nothing is taken)."""
    busy = [f"{t.name} (pid {holder(t.port or t.name)[:40]})" for t in targets
            if t.port and not t.port.startswith("labgrid:") and not is_free(t.port)]
    if len(targets) - len(busy) < count:
        raise _too_few(count, len(targets) - len(busy), targets, busy)


def claim(targets: list[Target], count: int, log=lambda msg: print(msg, file=sys.stderr)) -> list[Claim]:
    """Lock `count` of `targets` (a lock file per port), first free first; a one-line error if too few are free.

    A labgrid target is resolved here (the place acquired, its serial port found)."""
    claims: list[Claim] = []
    busy: list[str] = []
    try:
        for t in targets:
            if len(claims) == count:
                break
            if t.port and t.port.startswith("labgrid:"):
                from .labgrid_places import place_target

                t = place_target(t)
            lk = try_lock(t.port or t.name)
            if lk is None:
                busy.append(f"{t.name} (pid {holder(t.port or t.name)[:40]})")
                continue
            if lk.stale:
                log(f"netsocket: {t.name}: took over the lock of {lk.stale}")
            claims.append(Claim(t, lk))
    except BaseException:
        for c in claims:
            c.release()
        raise
    if len(claims) < count:
        for c in claims:
            c.release()
        raise _too_few(count, len(claims), targets, busy)
    return claims
