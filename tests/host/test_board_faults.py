"""The runner under board faults: a board whose port disappears, that reboots by itself, prints
garbage or floods its output. Each is an error on that test only (a board fault, not a verdict),
the board is recovered or restarted, the next test passes, the summary lists what happened, and
nothing waits for the test's whole time limit."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FAULTS = Path(__file__).parent / "device_faults"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    xml = tmp_path_factory.mktemp("run") / "report.xml"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NETSOCKET_HOME", str(tmp_path_factory.mktemp("home")))
        t0 = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", str(FAULTS), "-p", "no:cacheprovider", "--ns-device-dir", str(FAULTS),
             "--ns-build-dir", str(xml.parent / "build"), "--junitxml", str(xml), "-rA"],
            capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2])
        took = time.monotonic() - t0
    cases = {c.get("name"): c for c in ET.parse(xml).getroot().iter("testcase")}
    return proc, cases, took


def _error(case: ET.Element) -> str:
    err = case.find("error")
    assert err is not None, ET.tostring(case, encoding="unicode")[:2000]
    return (err.get("message") or "") + (err.text or "")


def test_each_fault_errs_its_test_and_the_next_passes(report):
    proc, cases, _ = report
    kinds = {n: ("error" if c.find("error") is not None else "failure" if c.find("failure") is not None
                 else "passed") for n, c in cases.items()}
    assert kinds == {
        "test_port_gone": "error", "test_after_port_gone_passes": "passed",
        "test_reboots_by_itself": "error", "test_after_reboot_passes": "passed",
        "test_prints_garbage": "error", "test_after_garbage_passes": "passed",
        "test_floods_output": "error", "test_after_flood_passes": "passed",
    }, proc.stdout[-4000:]


def test_what_happened_is_reported(report):
    proc, cases, _ = report
    gone = _error(cases["test_port_gone"])
    assert "lost the serial port" in gone and "the board was gone: started it again" in gone
    assert "killing my own supervisor" in gone
    assert "the board rebooted by itself during the test" in _error(cases["test_reboots_by_itself"])
    assert "the board sent bytes that are not text (first at byte 0: b'\\x80" in _error(cases["test_prints_garbage"])
    flood = _error(cases["test_floods_output"])
    assert "the board flooded the serial line (over 1 MB)" in flood and "interrupted with Ctrl-C" in flood
    assert "characters left out" in flood  # the report keeps the flood's head and tail only
    summary = proc.stdout[proc.stdout.index("netsocket board faults"):]
    for name in ("test_port_gone", "test_reboots_by_itself", "test_prints_garbage", "test_floods_output"):
        assert name in summary, summary


def test_nothing_waits_for_the_time_limit(report):
    # the flood test may take 60 s, the killed board sleeps 10 s: detection is by what the board does
    _, cases, took = report
    assert float(cases["test_floods_output"].get("time")) < 60
    assert float(cases["test_port_gone"].get("time")) < 10 + 30  # a restart and a redeploy, not a timeout
    assert float(cases["test_reboots_by_itself"].get("time")) < 30
