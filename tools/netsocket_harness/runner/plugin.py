"""pytest plugin: every `test_*` function in tests/device/*.py is one item run on a board.

The board comes from ``--ns-port`` (comma-separated; xdist worker *i* takes
port *i*), from ``--ns-inventory`` (boards with capabilities; the controller
locks one per worker and gives each test to a worker whose board has what the
test ``requires``), or is a virtual board the process starts for itself. Every
board is a `targets.Target`; the report names it for each test (a ``board``
property in JUnit, beside the verdict in ``-v`` output). A test's
verdict is its own; a hang or a crash of the board is an *error* (reported
in set-up), after which the board is recovered and the run goes on.

Fixtures for host-side tests: ``device`` (the session's `TestBoard`:
``port``, ``addresses`` of the peers, ``run(module, function, timeout)``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .. import targets
from ..errors import HarnessError
from ..locks import lock
from ..project import DEVICE_TESTS
from ..vboard import DEFAULT_HEAP
from .boards import Outcome, TestBoard, default_build_dir
from .collect import DeviceTest, needs_of, read_module

_BOARD = pytest.StashKey[TestBoard]()
_TARGET = pytest.StashKey[targets.Target]()
_CLAIMS = pytest.StashKey[list]()  # the controller's claimed inventory boards (targets.Claim)
_PARTNERS = pytest.StashKey[list]()  # more boards for tests of several boards at once
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
    g.addoption("--ns-inventory", help="TOML file of boards (port, board, caps): one xdist worker per board")


def _worker(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


# -- which board: a Target per process -------------------------------------------------

def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _labgrid_env(config: pytest.Config):
    """The environment labgrid's own pytest plugin loaded (``--lg-env`` / ``LG_ENV``), if any."""
    try:
        from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY
    except ImportError:
        return None
    env = config.stash.get(LABGRID_ENV_KEY, None)
    path = getattr(config.option, "lg_env", None) or os.environ.get("LG_ENV")
    if env is None and path:  # labgrid's pytest_configure has not run yet: load it as it would
        from ..labgrid_places import load_env

        env = load_env(Path(path))
        coordinator = getattr(config.option, "lg_coordinator", None)
        if coordinator:
            env.config.set_option("coordinator_address", coordinator)
    return env


@pytest.hookimpl(trylast=True)  # after labgrid's plugin has loaded its environment
def pytest_configure(config: pytest.Config) -> None:
    """With an inventory or a labgrid environment, the controller (or the only process) locks the boards."""
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:serial.rfc2217")  # pyserial 3.5's thread API
    if _is_worker(config):
        return
    path = config.getoption("ns_inventory", None)
    env = None if path else _labgrid_env(config)
    if not path and env is None:
        return
    try:
        if path:
            boards = targets.load_inventory(Path(path))
        else:
            from ..labgrid_places import env_targets

            boards = env_targets(env)
        count = max(1, config.getoption("numprocesses", 0) or 0)
        config.stash[_CLAIMS] = targets.claim(boards, count)
    except HarnessError as e:
        raise pytest.UsageError(f"netsocket: {e}") from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: worker gwI drives the I-th claimed board."""
    claims = node.config.stash.get(_CLAIMS, None)
    if claims:
        index = int(node.gateway.id[2:])
        node.workerinput["ns_target"] = json.dumps(claims[index % len(claims)].target.to_json())


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # before xdist's own, which picks by --dist
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    claims = config.stash.get(_CLAIMS, None)
    if not claims:
        return None
    from .schedule import BoardScheduling

    caps = {f"gw{i}": c.target.caps for i, c in enumerate(claims)}
    root = config.rootpath
    modules = sorted(Path(config.getoption("ns_device_dir")).glob("test_*.py"))

    def needs(nodeid: str) -> tuple[str, ...]:
        file, _, name = nodeid.partition("::")
        if file:
            return needs_of(root / file, name)
        # a test file outside the rootdir has no path in its node id: find the test by name
        return next((n for m in modules if (n := needs_of(m, name, strict=True)) is not None), ())

    return BoardScheduling(config, log, lambda gw: caps.get(gw, frozenset()), needs)


def device_target(config: pytest.Config) -> targets.Target:
    """The board this process tests on, as a target (no board is touched yet)."""
    target = config.stash.get(_TARGET, None)
    if target is not None:
        return target
    worker = _worker(config)
    claims = config.stash.get(_CLAIMS, None)
    if _is_worker(config) and "ns_target" in config.workerinput:  # type: ignore[attr-defined]
        target = targets.Target.from_json(json.loads(config.workerinput["ns_target"]))  # type: ignore[attr-defined]
    elif claims:
        target = claims[0].target
    else:
        ports = [p for p in (config.getoption("ns_port") or "").split(",") if p]
        index = int(worker[2:]) if worker[2:].isdigit() else 0
        if ports:
            port = ports[index % len(ports)]
            try:
                target = targets.from_port(port, config.getoption("ns_board"))
                config.stash[_CLAIMS] = [targets.Claim(target, lock(port))]  # released at the end
            except HarnessError as e:
                raise pytest.UsageError(f"netsocket: {e}") from None
        else:
            target = targets.Target(f"virtual-{worker}", None, config.getoption("ns_board"),
                                    targets.private_virtual_caps(), "private virtual board")
    config.stash[_TARGET] = target
    return target


def device_board(config: pytest.Config) -> TestBoard:
    """The board of this pytest process, set up on first use."""
    board = config.stash.get(_BOARD, None)
    if board is None:
        worker = _worker(config)
        target = device_target(config)
        port = target.port
        try:
            board = TestBoard(target.board, port, worker, config.getoption("ns_heap"),
                              config.getoption("ns_peer_host"),
                              Path(config.getoption("ns_build_dir") or default_build_dir(worker)),
                              Path(config.getoption("ns_device_dir")))
        except HarnessError as e:
            raise pytest.UsageError(f"netsocket: cannot set up the board: {e}") from None
        config.stash[_BOARD] = board
    return board


def partner_boards(config: pytest.Config, count: int) -> list[TestBoard]:
    """`count` more boards for a test of several boards, set up on first use: private virtual boards, or,
    in a --port run, the ports beyond one per worker (worker i of N takes ports N+i, 2N+i ...)."""
    ports: list[str | None] = [None] * count
    if device_target(config).port is not None:
        given = [p for p in (config.getoption("ns_port") or "").split(",") if p]
        workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
        worker_index = int(_worker(config)[2:] or 0)
        spare = given[workers:][worker_index::workers] if config.getoption("ns_port") else []
        if len(spare) < count:
            pytest.skip(f"needs {count + 1} boards at once: give one more port per worker in --port "
                        "(with --inventory or labgrid each worker has one board)")
        ports = list(spare[:count])
    partners = config.stash.setdefault(_PARTNERS, [])
    worker = _worker(config)
    while len(partners) < count:
        port = ports[len(partners)]
        try:
            if port is not None:
                config.stash.setdefault(_CLAIMS, []).append(targets.Claim(targets.from_port(port, None), lock(port)))
            partners.append(TestBoard(config.getoption("ns_board"), port, f"{worker}-{len(partners) + 1}",
                                      config.getoption("ns_heap"), config.getoption("ns_peer_host"),
                                      Path(config.getoption("ns_build_dir") or default_build_dir(worker)),
                                      Path(config.getoption("ns_device_dir"))))
        except HarnessError as e:
            raise pytest.UsageError(f"netsocket: cannot set up a second board: {e}") from None
    return partners[:count]


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
    for partner in config.stash.get(_PARTNERS, None) or []:
        partner.close()
    for key in (_BOARD, _LINK_BOARD):
        board = config.stash.get(key, None)
        if isinstance(board, TestBoard):
            board.close()
    for claim in config.stash.get(_CLAIMS, None) or []:
        claim.release()


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Device modules are MicroPython: collect them by reading, never by importing."""
    device_dir = Path(parent.config.getoption("ns_device_dir")).resolve()
    if module_path.parent.resolve() == device_dir:
        return DeviceFile.from_parent(parent, path=module_path)
    return None


class DeviceFile(pytest.File):
    def collect(self):
        module = read_module(self.path)
        known = targets.known_caps()
        for need in module.requires + tuple(n for t in module.tests for n in t.requires):
            if need not in known:
                raise self.CollectError(f"{self.path.name}: requires unknown capability {need!r} "
                                        f"(known: {', '.join(known)})")
        for test in module.tests:
            for param in module.params or (None,):
                name = test.name if param is None else f"{test.name}[{param}]"
                item = DeviceItem.from_parent(self, name=name)
                item.test, item.param, item.needs, item.netns = test, param, module.needs(test), module.netns
                yield item


class DeviceItem(pytest.Item):
    test: DeviceTest
    param: str | None = None
    needs: tuple[str, ...] = ()
    netns: bool = False
    outcome: Outcome | None = None
    fixturenames: tuple[str, ...] = ()  # none; labgrid's pytest plugin (installed beside) looks at every item's

    def setup(self) -> None:
        """Runs the test on the board; a board fault raised here is reported as an error.

        A board that cannot be set up or reached again (port gone, server down) ends the run:
        the rest would fail the same way."""
        try:
            target = device_target(self.config)
            self.user_properties.append(("board", target.name))
            if lacking := target.lacks(self.needs):
                raise pytest.skip.Exception(f"needs {', '.join(lacking)}: no board of this run has it "
                                            f"(this one: {target.describe()})", _use_item_location=True)
            board = link_board(self.config) if self.netns else device_board(self.config)
            timeout = self.test.limit or self.config.getoption("ns_timeout")
            if self.test.instances > 1:
                from .multi import run_instances

                boards = [board, *partner_boards(self.config, self.test.instances - 1)]
                self.user_properties.append(("boards", ", ".join(b.port for b in boards)))
                self.outcome = run_instances(boards, self.path.stem, self.test.name, timeout)
            else:
                self.outcome = board.run(self.path.stem, self.test.name, timeout, self.param)
            if board.lost:  # its fault is this test's error; the rest would fail the same way
                self.session.shouldstop = f"netsocket: {board.lost}"
        except (HarnessError, pytest.UsageError) as e:
            msg = str(e) if str(e).startswith("netsocket: ") else f"netsocket: {e}"
            self.session.shouldstop = msg
            pytest.fail(msg, pytrace=False)
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


# -- the board in the report -------------------------------------------------------------

def _board_of(report) -> str | None:
    return next((v for k, v in getattr(report, "user_properties", ()) if k == "board"), None)


@pytest.hookimpl(wrapper=True)
def pytest_report_teststatus(report, config: pytest.Config):
    """``-v``: the board beside each device test's verdict (``PASSED on rack1-esp32``)."""
    result = yield
    board = _board_of(report)
    if board and result and (report.when == "call" or report.skipped):
        category, letter, word = result
        if isinstance(word, tuple):
            word = (f"{word[0]} on {board}", word[1])
        elif word:
            word = f"{word} on {board}"
        return category, letter, word
    return result


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Which board ran how many device tests, and with what result; one line per board fault of the run."""
    _board_summary(terminalreporter)
    faults = [r for r in terminalreporter.stats.get("error", []) if _FAULT in str(getattr(r, "longrepr", ""))]
    if faults:
        terminalreporter.section("netsocket board faults")
        for r in faults:
            text = str(r.longrepr)
            terminalreporter.line(f"{r.nodeid}: {text[text.index(_FAULT) + len(_FAULT):].splitlines()[0]}")


def _board_summary(terminalreporter) -> None:
    per_board: dict[str, dict[str, int]] = {}
    for category, reports in terminalreporter.stats.items():
        for r in reports:
            board = _board_of(r)
            if board and getattr(r, "when", "") in ("call", "setup") and not (r.when == "setup" and r.passed):
                per_board.setdefault(board, {}).setdefault(category, 0)
                per_board[board][category] += 1
    if per_board:
        terminalreporter.section("netsocket boards")
        for board, counts in sorted(per_board.items()):
            terminalreporter.line(f"{board}: " + ", ".join(f"{n} {c}" for c, n in sorted(counts.items())))


@pytest.fixture(scope="session")
def device(request: pytest.FixtureRequest) -> TestBoard:
    """The board this process tests on, with its peers running."""
    return device_board(request.config)
