"""Boards from labgrid: the targets of a labgrid environment (or a place by name) as netsocket `Target`s.

A farm that runs labgrid exports each board's serial port from an exporter
(``RawSerialPort`` or ``USBSerialPort``, served by ser2net as RFC 2217) and
groups it into a place; a test run acquires the place (``labgrid-client -p
PLACE acquire``, or ``reserve``) and names it in an environment file::

    targets:
      main:
        resources:
          RemotePlace: {name: rack1-esp32}
        options:
          netsocket_board: ESP32_GENERIC     # the board definition (required)
          netsocket_caps: [wifi, tls]        # default: from the board definition

``netsocket test --lg-env env.yaml`` (or ``pytest --lg-env`` with labgrid's
own pytest plugin, which loads the file) then runs one worker per target,
each on its place's serial port, exactly as an inventory entry; an
inventory may also name a place (``labgrid = "rack1-esp32"``). The
coordinator comes from ``LG_COORDINATOR`` or the file's ``coordinator_address``
option, as for every labgrid tool.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from pathlib import Path

from .board import load_board
from .errors import HarnessError
from .targets import Target, caps_of, parse_caps


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:200]


def _url(target) -> str:
    """The serial URL of a labgrid target's port: rfc2217:// (or socket://) for a remote one, the path for a local one."""
    from labgrid.resource import NetworkSerialPort, RawSerialPort

    try:
        res = target.get_resource(NetworkSerialPort, wait_avail=False)
    except Exception:  # noqa: BLE001 - labgrid's NoResourceFoundError and friends: look for a local port
        res = None
    if res is not None:
        scheme = "socket" if getattr(res, "protocol", "rfc2217") == "raw" else "rfc2217"
        return f"{scheme}://{res.host}:{res.port}"
    try:
        return target.get_resource(RawSerialPort, wait_avail=False).port
    except Exception as e:  # noqa: BLE001
        raise HarnessError(f"labgrid target {target.name!r} has no serial port ({_first_line(e)})") from None


def _option(env, target: str, name: str):
    try:
        return env.config.get_target_option(target, name)
    except KeyError:  # labgrid raises for a missing option, default or not
        return None


def env_targets(env) -> list[Target]:
    """Every target of a labgrid `Environment` as a netsocket Target."""
    found = []
    for name in env.config.get_targets():
        where = f"labgrid target {name!r}"
        board = _option(env, name, "netsocket_board")
        if not board:
            raise HarnessError(f"{where}: no netsocket_board option (its board definition, see: netsocket boards)")
        try:
            bdef = load_board(str(board))
        except HarnessError as e:
            raise HarnessError(f"{where}: {e}") from None
        caps_opt = _option(env, name, "netsocket_caps")
        caps = parse_caps(caps_opt, where) if caps_opt is not None else caps_of(bdef)
        before = logging.root.manager.disable
        logging.disable(logging.CRITICAL)  # labgrid logs its failures too: ours is the one line
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                target = env.get_target(name)
        except Exception as e:  # noqa: BLE001 - coordinator down, place not acquired ...: one line
            raise HarnessError(f"{where}: labgrid cannot get it: {_first_line(e)}") from None
        finally:
            logging.disable(before)
        places = target.resources if target is not None else []
        place = next((r.name for r in places if type(r).__name__ == "RemotePlace"), name)
        found.append(Target(place, _url(target), bdef.name, caps, f"labgrid place {place!r}"))
    return found


def load_env(path: Path):
    from labgrid import Environment

    try:
        return Environment(config_file=str(path))
    except Exception as e:  # noqa: BLE001
        raise HarnessError(f"labgrid environment {path}: {_first_line(e)}") from None


def place_target(t: Target) -> Target:
    """An inventory entry ``labgrid = "PLACE"``: its serial URL from the (acquired) place."""
    place = (t.port or "").removeprefix("labgrid:")
    with tempfile.TemporaryDirectory(prefix="nslg-") as tmp:
        env_file = Path(tmp) / "env.yaml"
        env_file.write_text(f"targets:\n  main:\n    resources:\n      RemotePlace:\n        name: {place}\n"
                            f"    options:\n      netsocket_board: {t.board}\n")
        env = load_env(env_file)
        try:
            (found,) = env_targets(env)
        finally:
            with contextlib.suppress(Exception):
                env.cleanup()
    return Target(t.name, found.port, t.board, t.caps, f"labgrid place {place!r}")
