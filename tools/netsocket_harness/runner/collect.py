"""What a device test module holds, read from its source (it is MicroPython: never imported here).

- every top-level ``def test_*``, with its own ``@timeout(s)`` if it has one;
- the tests of sibling modules it re-exports with ``from test_x import *``
  (to run another module's tests again under other conditions);
- ``PARAMS = ("a", "b")``: run every test once per value, as items
  ``test_y[a]``, ``test_y[b]``; the module's ``setup(value)`` is called on the
  board before each;
- a test of several boards at once: functions ``test_x_instance0``,
  ``test_x_instance1`` make one item ``test_x``, run on two boards together
  (``devtest.barrier/share/wait`` between them, through the runner);
- what a test needs of the board: ``@requires("cellular")`` (or
  ``@devtest.requires``) on a function, ``REQUIRES = ("tls",)`` for every test
  the module runs; the runner gives such tests only to boards that have it.
- ``NETNS = True``: its tests run on a second virtual board on its own link
  (``vboard start --netns``, root only), whose faults they set through
  ``devtest.host("link ...")``.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DeviceTest:
    name: str
    limit: float | None  # seconds, from @timeout(s)
    path: Path  # where it is defined
    line: int
    requires: tuple[str, ...] = ()  # from @requires(...)
    instances: int = 1  # boards it runs on at once (test_x_instance0, test_x_instance1 ...)


@dataclass(frozen=True)
class DeviceModule:
    tests: list[DeviceTest]
    params: tuple[str, ...]
    requires: tuple[str, ...] = ()  # REQUIRES = (...): for every test of the module
    netns: bool = False

    def needs(self, test: DeviceTest) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.requires + test.requires))


def _limit(node: ast.FunctionDef) -> float | None:
    for dec in node.decorator_list:
        if (isinstance(dec, ast.Call) and getattr(dec.func, "id", "") == "timeout"
                and dec.args and isinstance(dec.args[0], ast.Constant)):
            return float(dec.args[0].value)
    return None


_INSTANCE = re.compile(r"(test_\w+?)_instance(\d)")


def _requires(node: ast.FunctionDef) -> tuple[str, ...]:
    for dec in node.decorator_list:
        func = dec.func if isinstance(dec, ast.Call) else None
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        if name == "requires":
            return tuple(str(a.value) for a in dec.args if isinstance(a, ast.Constant))  # type: ignore[union-attr]
    return ()


def read_module(path: Path, _seen: frozenset[Path] = frozenset()) -> DeviceModule:
    tree = ast.parse(path.read_text(), str(path))
    tests: dict[str, DeviceTest] = {}
    params: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    netns = False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and (m := _INSTANCE.fullmatch(node.name)):
            first = tests.get(m[1])
            if first is None or m[2] == "0":
                tests[m[1]] = DeviceTest(m[1], _limit(node), path, node.lineno, _requires(node),
                                         max(int(m[2]) + 1, first.instances if first else 1))
            else:
                needs = tuple(dict.fromkeys(first.requires + _requires(node)))
                tests[m[1]] = DeviceTest(first.name, first.limit, first.path, first.line, needs,
                                         max(int(m[2]) + 1, first.instances))
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            tests[node.name] = DeviceTest(node.name, _limit(node), path, node.lineno, _requires(node))
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
              and getattr(node.targets[0], "id", "") == "REQUIRES"):
            requires = tuple(str(v) for v in ast.literal_eval(node.value))
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and getattr(node.targets[0], "id", "") == "NETNS"):
            netns = bool(ast.literal_eval(node.value))
    return DeviceModule(list(tests.values()), params, requires, netns)


@functools.lru_cache(maxsize=None)
def _cached(path: Path, mtime_ns: int) -> DeviceModule:
    return read_module(path)


def needs_of(path: Path, name: str, strict: bool = False) -> tuple[str, ...] | None:
    """What the item `name` (``test_y`` or ``test_y[param]``) of the module at `path` needs of a board.

    With `strict`, None when the module has no such test."""
    try:
        module = _cached(path, path.stat().st_mtime_ns)
    except (OSError, SyntaxError, ValueError):
        return None if strict else ()
    base = name.split("[", 1)[0]
    test = next((t for t in module.tests if t.name == base), None)
    if test is None:
        return None if strict else module.requires
    return module.needs(test)
