"""What a device test module holds, read from its source (it is MicroPython: never imported here).

- every top-level ``def test_*``, with its own ``@timeout(s)`` if it has one;
- the tests of sibling modules it re-exports with ``from test_x import *``
  (to run another module's tests again under other conditions);
- ``PARAMS = ("a", "b")``: run every test once per value, as items
  ``test_y[a]``, ``test_y[b]``; the module's ``setup(value)`` is called on the
  board before each;
- ``PERSONALITIES = ("esp32", ...)``: the virtual-board personalities the module
  runs under (default: all of them), for what a personality does not emulate;
- ``NETNS = True``: its tests run on a second virtual board on its own link
  (``vboard start --netns``, root only), whose faults they set through
  ``devtest.host("link ...")``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DeviceTest:
    name: str
    limit: float | None  # seconds, from @timeout(s)
    path: Path  # where it is defined
    line: int


@dataclass(frozen=True)
class DeviceModule:
    tests: list[DeviceTest]
    params: tuple[str, ...]
    netns: bool = False
    personalities: tuple[str, ...] | None = None  # None: every personality


def _limit(node: ast.FunctionDef) -> float | None:
    for dec in node.decorator_list:
        if (isinstance(dec, ast.Call) and getattr(dec.func, "id", "") == "timeout"
                and dec.args and isinstance(dec.args[0], ast.Constant)):
            return float(dec.args[0].value)
    return None


def read_module(path: Path, _seen: frozenset[Path] = frozenset()) -> DeviceModule:
    tree = ast.parse(path.read_text(), str(path))
    tests: dict[str, DeviceTest] = {}
    params: tuple[str, ...] = ()
    netns = False
    personalities: tuple[str, ...] | None = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            tests[node.name] = DeviceTest(node.name, _limit(node), path, node.lineno)
        elif (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              and any(a.name == "*" for a in node.names)):
            source = path.with_name(node.module + ".py")
            if source.is_file() and source not in _seen:
                for t in read_module(source, _seen | {path}).tests:
                    tests.setdefault(t.name, t)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and getattr(node.targets[0], "id", "") == "PARAMS"):
            params = tuple(str(v) for v in ast.literal_eval(node.value))
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and getattr(node.targets[0], "id", "") == "PERSONALITIES"):
            personalities = tuple(str(v) for v in ast.literal_eval(node.value))
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and getattr(node.targets[0], "id", "") == "NETNS"):
            netns = bool(ast.literal_eval(node.value))
    return DeviceModule(list(tests.values()), params, netns, personalities)
