"""pytest plugin: every `test_*` function in tests/device/*.py is one item run on a board.

The board comes from ``--ns-port`` (comma-separated; xdist worker *i* takes
port *i*), or is a virtual board the process starts for itself. A test's
verdict is its own; a hang or a crash of the board is an *error* (reported
in set-up), after which the board is recovered and the run goes on.

Fixtures for host-side tests: ``device`` (the session's `TestBoard`:
``port``, ``addresses`` of the peers, ``run(module, function, timeout)``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..errors import HarnessError
from ..project import DEVICE_TESTS
from ..vboard import DEFAULT_HEAP
from ..vboard.personality import PERSONALITIES
from .boards import Outcome, TestBoard, default_build_dir
from .collect import DeviceTest, read_module

_BOARD = pytest.StashKey[TestBoard]()
_FAULT = "board fault (not a test verdict): "
_LINK_BOARD = pytest.StashKey["TestBoard | str"]()  # the board on its own link, or why there is none


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("netsocket", "netsocket device tests")
    g.addoption("--ns-port", default=os.environ.get("NETSOCKET_PORT"),
                help="serial port(s) of the board(s) under test, comma-separated (default: start a virtual board)")
    g.addoption("--ns-board", help="board definition the package is built for (default: from the board's port)")
    g.addoption("--ns-timeout", type=float, default=30.0, help="seconds each device test may take")
    g.addoption("--ns-heap", type=int, default=DEFAULT_HEAP, help="heap of self-started virtual boards")
    g.addoption("--ns-peer-host", default="127.0.0.1", help="address the host peers listen on")
    g.addoption("--ns-build-dir", help="where to build the package and tests (default build/test-<worker>)")
    g.addoption("--ns-device-dir", default=str(DEVICE_TESTS), help="directory of the device test modules")
    g.addoption("--ns-personality", default=os.environ.get("NETSOCKET_PERSONALITY", ""),
                help="run the device tests also on virtual boards that behave like these ports, comma-separated "
                     "(esp32, stm32, rp2; 'unix' is the plain virtual board): items test_x[esp32], ...")
    g.addoption("--ns-personality-modules", default=os.environ.get("NETSOCKET_PERSONALITY_MODULES", ""),
                help="device modules (stems, comma-separated) the personalities run; default all")


def _worker(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def device_board(config: pytest.Config) -> TestBoard:
    """The board of this pytest process, set up on first use."""
    board = config.stash.get(_BOARD, None)
    if board is None:
        worker = _worker(config)
        ports = [p for p in (config.getoption("ns_port") or "").split(",") if p]
        index = int(worker[2:]) if worker[2:].isdigit() else 0
        port = ports[index % len(ports)] if ports else None
        try:
            board = TestBoard(config.getoption("ns_board"), port, worker, config.getoption("ns_heap"),
                              config.getoption("ns_peer_host"),
                              Path(config.getoption("ns_build_dir") or default_build_dir(worker)),
                              Path(config.getoption("ns_device_dir")))
        except HarnessError as e:
            raise pytest.UsageError(f"netsocket: cannot set up the board: {e}") from None
        config.stash[_BOARD] = board
    return board


def link_board(config: pytest.Config) -> TestBoard:
    """The virtual board on its own link (NETNS modules), started on first use; fails the test if it cannot be."""
    board = config.stash.get(_LINK_BOARD, None)
    if board is None:
        worker = _worker(config)
        try:
            board = TestBoard(config.getoption("ns_board"), None, f"{worker}-link", config.getoption("ns_heap"),
                              "", default_build_dir(worker), Path(config.getoption("ns_device_dir")), netns=True)
        except HarnessError as e:
            board = f"this test needs a virtual board on its own link, which could not start: {e}"
        config.stash[_LINK_BOARD] = board
    if isinstance(board, str):
        pytest.fail(board, pytrace=False)
    return board


def pytest_unconfigure(config: pytest.Config) -> None:
    for key in (_BOARD, _LINK_BOARD):
        board = config.stash.get(key, None)
        if isinstance(board, TestBoard):
            board.close()


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Device modules are MicroPython: collect them by reading, never by importing."""
    device_dir = Path(parent.config.getoption("ns_device_dir")).resolve()
    if module_path.parent.resolve() == device_dir:
        return DeviceFile.from_parent(parent, path=module_path)
    return None


def personalities(config: pytest.Config, stem: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    """The board personalities a device module runs under: "" is the board as it is;
    `allowed`: the module's own PERSONALITIES."""
    names = [p.strip() for p in config.getoption("ns_personality").split(",") if p.strip()]
    if not names:
        return [""]
    bad = [p for p in names if p not in ("unix", *PERSONALITIES)]
    if bad:
        raise pytest.UsageError(f"--ns-personality {bad[0]}: choose from unix, {', '.join(PERSONALITIES)}")
    only = [m.strip() for m in config.getoption("ns_personality_modules").split(",") if m.strip()]
    return ["" if p == "unix" else p for p in names
            if p == "unix" or (not only or stem in only) and (allowed is None or p in allowed)]


class DeviceFile(pytest.File):
    def collect(self):
        module = read_module(self.path)
        # a module on its own link runs on that link's plain board only
        boards = [""] if module.netns else personalities(self.config, self.path.stem, module.personalities)
        for pers in boards:
            for test in module.tests:
                for param in module.params or (None,):
                    tags = [t for t in (pers, param) if t]
                    name = f"{test.name}[{'-'.join(tags)}]" if tags else test.name
                    item = DeviceItem.from_parent(self, name=name)
                    item.test, item.param, item.personality, item.netns = test, param, pers, module.netns
                    if len(boards) > 1:  # one module on one board at a time (fixed ports): --dist loadgroup
                        item.add_marker(pytest.mark.xdist_group(self.path.stem))
                    yield item


class DeviceItem(pytest.Item):
    test: DeviceTest
    param: str | None = None
    personality: str = ""  # run on the virtual board behaving like this port (vboard/personality)
    netns: bool = False
    outcome: Outcome | None = None

    def setup(self) -> None:
        """Runs the test on the board; a board fault raised here is reported as an error."""
        board = link_board(self.config) if self.netns else device_board(self.config)
        timeout = self.test.limit or self.config.getoption("ns_timeout")
        self.outcome = board.run(self.path.stem, self.test.name, timeout, self.param, self.personality)
        if self.outcome.verdict == "ERROR":
            pytest.fail(f"{_FAULT}{self.outcome.detail}\n"
                        f"--- serial output ---\n{self.outcome.output}", pytrace=False)

    def runtest(self) -> None:
        assert self.outcome is not None
        if self.outcome.verdict == "SKIP":
            raise pytest.skip.Exception(self.outcome.detail or "skipped on the board", _use_item_location=True)
        if self.outcome.verdict == "FAIL":
            out, detail = self.outcome.output, self.outcome.detail
            text = out if detail in out else f"{out}\n{detail}".strip()
            pytest.fail(f"device test failed on the board; its serial output:\n{text}", pytrace=False)

    def reportinfo(self):
        return self.test.path, self.test.line - 1, f"{self.path.name}::{self.name} [device]"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """One line per board fault of the run: what the board did and how it was brought back."""
    faults = [r for r in terminalreporter.stats.get("error", []) if _FAULT in str(getattr(r, "longrepr", ""))]
    if faults:
        terminalreporter.section("netsocket board faults")
        for r in faults:
            text = str(r.longrepr)
            terminalreporter.line(f"{r.nodeid}: {text[text.index(_FAULT) + len(_FAULT):].splitlines()[0]}")


@pytest.fixture(scope="session")
def device(request: pytest.FixtureRequest) -> TestBoard:
    """The board this process tests on, with its peers running."""
    return device_board(request.config)
