"""`netsocket test`: pytest over tests/device with the board options filled in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from ..board import load_board, resolve_port
from ..errors import HarnessError
from ..mpr import check_port
from ..project import DEVICE_TESTS, ROOT


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
    if args.port:
        for p in args.port.split(","):
            check_port(p)
        out += ["--ns-port", args.port]
    elif args.board not in (None, "VIRTUAL"):
        out += ["--ns-port", resolve_port(None, args.board)]  # raises: a real board needs --port
    if getattr(args, "personality", ""):
        out += ["--ns-personality", args.personality]
    if args.keyword:
        out += ["-k", args.keyword]
    if args.junitxml:
        out += ["--junitxml", args.junitxml]
    if args.workers:
        out += ["-n", str(args.workers)]
        if getattr(args, "personality", ""):
            out += ["--dist", "loadgroup"]  # a module's items on one board at a time (plugin)
    return out + list(getattr(args, "pytest_options", []))


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
