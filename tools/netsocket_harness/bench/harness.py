"""`netsocket bench harness`: what the harness itself costs, on a private virtual board.

- round trip of stock `mpremote connect P exec` (a whole process), and of
  one `exec` over an open in-process transport;
- `netsocket deploy` when everything changed (a blank board) and when
  nothing did, for the romfs and mpy modes;
- the runner's overhead per device test (empty tests; soft reset, import,
  verdict), from the JUnit report of a real `pytest` run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from .. import vboard
from ..deploy import deploy
from ..mpr import connect
from ..project import ROOT


def _median_time(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(rounds: int = 15) -> None:
    with tempfile.TemporaryDirectory(prefix="nsbench-") as tmp:
        root = Path(tmp)
        cfg = vboard.start("bench", root=root, owner_pid=os.getpid())
        try:
            _bench(cfg, root, rounds)
        finally:
            vboard.stop("bench", root=root)


def _bench(cfg: vboard.BoardConfig, root: Path, rounds: int) -> None:
    mpremote_cli = Path(sys.executable).with_name("mpremote")
    port = cfg.port
    print(f"virtual board {port}, heap {cfg.heap // 1024}K, {rounds} rounds each, medians")

    cli = _median_time(lambda: subprocess.run([str(mpremote_cli), "connect", port, "exec", "pass"],
                                              check=True, capture_output=True), rounds)
    t = connect(port)
    inproc = _median_time(lambda: t.exec("pass"), rounds * 20)
    reset = _median_time(lambda: t.enter_raw_repl(soft_reset=True), rounds)
    t.close()
    print(f"  mpremote exec round trip (new process, soft reset)   {cli * 1000:8.1f} ms")
    print(f"  exec over an open transport                         {inproc * 1000:8.2f} ms")
    print(f"  soft reset (interpreter restart)                    {reset * 1000:8.1f} ms")

    build_dir = root / "build"
    quiet = lambda *_a: None  # noqa: E731
    for mode in ("romfs", "mpy"):
        t0 = time.perf_counter()
        deploy(port, mode, "VIRTUAL", build_dir, log=quiet)
        first = time.perf_counter() - t0
        again = _median_time(lambda: deploy(port, mode, "VIRTUAL", build_dir, log=quiet), 5)
        print(f"  deploy --mode {mode:5}: everything changed {first:6.2f} s, nothing changed {again:6.2f} s"
              f"  (ratio {first / again:.1f}x)")

    tests = root / "device"
    tests.mkdir()
    n = 40
    (tests / "test_empty.py").write_text("".join(f"def test_{i}():\n    pass\n\n" for i in range(n)))
    xml = root / "report.xml"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider",
                    "--rootdir", str(ROOT), "-p", "netsocket_harness.runner.plugin",
                    "--ns-port", port, "--ns-device-dir", str(tests), "--ns-build-dir", str(build_dir),
                    "--junitxml", str(xml)], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    per = [float(c.get("time")) for c in ET.parse(xml).getroot().iter("testcase")]
    print(f"  runner, per device test (empty test)                {statistics.median(per) * 1000:8.1f} ms"
          f"   ({n} tests in {wall:.1f} s including pytest start and deploy)")
