"""`netsocket test`: pytest over tests/device with the board options filled in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from ..board import load_board
from ..errors import HarnessError
from ..project import DEVICE_TESTS, ROOT
from ..serial_url import check_port
from ..targets import check_free, load_inventory, resolve_port


def pytest_args(args: argparse.Namespace) -> list[str]:
    if args.board:
        load_board(args.board)
    paths = [Path(p).resolve() for p in args.paths] or [DEVICE_TESTS]
    dirs = {p if p.is_dir() else p.parent for p in paths}
    if len(dirs) != 1:
        raise HarnessError("give test files from one directory at a time")
    out = [*map(str, paths), "--rootdir", str(ROOT), "--ns-timeout", str(args.timeout),
           "--ns-device-dir", str(dirs.pop()), "-p", "netsocket_harness.runner.plugin"]
    if args.board:
        out += ["--ns-board", args.board]
    workers = args.workers
    if getattr(args, "inventory", None):
        if args.port:
            raise HarnessError("give --port or --inventory, not both")
        inventory = load_inventory(Path(args.inventory))  # its errors now, as one line
        if not workers and len(inventory) > 1:
            workers = len(inventory)  # one worker per board
        if workers > len(inventory):
            raise HarnessError(f"-n {workers}: the inventory {args.inventory} has {len(inventory)} boards")
        check_free(inventory, max(1, workers))  # busy boards: one line now (the run locks them itself)
        out += ["--ns-inventory", str(Path(args.inventory).resolve())]
    elif getattr(args, "lg_env", None):  # labgrid's own pytest plugin loads it; our plugin takes its targets
        if args.port:
            raise HarnessError("give --port or --lg-env, not both")
        count = lg_env_targets(Path(args.lg_env))
        if not workers and count > 1:
            workers = count
        out += ["--lg-env", str(Path(args.lg_env).resolve())]
    elif args.port:
        for p in args.port.split(","):
            check_port(p)
        out += ["--ns-port", args.port]
    elif args.board not in (None, "VIRTUAL"):
        out += ["--ns-port", resolve_port(None, args.board)]  # raises: a real board needs --port
    if args.keyword:
        out += ["-k", args.keyword]
    if args.junitxml:
        out += ["--junitxml", args.junitxml]
    if workers:
        out += ["-n", str(workers)]
    return out + list(getattr(args, "pytest_options", []))


def lg_env_targets(path: Path) -> int:
    """How many targets a labgrid environment file names (read here: labgrid itself loads in pytest)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except OSError as e:
        raise HarnessError(f"cannot read labgrid environment {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise HarnessError(f"labgrid environment {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    found = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(found, dict) or not found:
        raise HarnessError(f"labgrid environment {path} names no targets")
    return len(found)


def run_tests(args: argparse.Namespace) -> int:
    if args.workers and args.port and len(args.port.split(",")) < args.workers:
        raise HarnessError(f"-n {args.workers} needs {args.workers} ports in --port (comma-separated)")
    argv = pytest_args(args)
    if not args.port and args.board in (None, "VIRTUAL"):
        n = args.workers or 1
        print(f"no --port: the tests run on {n} virtual board{'s' if n > 1 else ''} of their own, "
              "started and stopped with the run", file=sys.stderr)
    code = pytest.main(argv)
    return int(code)
