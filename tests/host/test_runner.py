"""`netsocket test` / the pytest plugin: one item per device test, verdicts, faults, recovery."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import run

SAMPLES = Path(__file__).parent / "device_samples"


def _pytest(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, ET.Element]]:
    xml = tmp_path / "report.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(SAMPLES), "-p", "no:cacheprovider", "--ns-device-dir", str(SAMPLES),
         "--ns-build-dir", str(tmp_path / "build"), "--junitxml", str(xml), *args],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2])
    cases = {c.get("name"): c for c in ET.parse(xml).getroot().iter("testcase")}
    return proc, cases


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One run of the sample device tests, shared by the tests below."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NETSOCKET_HOME", str(tmp_path_factory.mktemp("home")))
        return _pytest(tmp_path_factory.mktemp("run"))


def _kind(case: ET.Element) -> str:
    for kind in ("failure", "error", "skipped"):
        if case.find(kind) is not None:
            return kind
    return "passed"


def test_each_device_function_is_one_item_with_its_own_verdict(report):
    proc, cases = report
    assert {n: _kind(c) for n, c in cases.items()} == {
        "test_passes": "passed",
        "test_fails_with_traceback": "failure",
        "test_hangs": "error",
        "test_after_hang_passes": "passed",
        "test_skips": "skipped",
        "test_echo_peer_reachable": "passed",
        "test_board_dies": "error",
        "test_after_crash_passes": "passed",
    }, proc.stdout[-3000:]
    assert proc.returncode == 1


def test_failure_shows_device_traceback_and_serial_output(report):
    _, cases = report
    text = cases["test_fails_with_traceback"].find("failure").text
    assert "Traceback (most recent call last)" in text
    assert "AssertionError: [1, 2]" in text
    assert "before the failure" in ET.tostring(cases["test_fails_with_traceback"], encoding="unicode")


def test_hang_is_a_timeout_error_not_a_failure(report):
    _, cases = report
    text = cases["test_hangs"].find("error").text or cases["test_hangs"].find("error").get("message")
    assert "timed out after 3 s" in text
    assert "about to hang" in text


def test_crash_is_a_board_fault(report):
    _, cases = report
    err = cases["test_board_dies"].find("error")
    assert "reset itself" in (err.text or "") + (err.get("message") or "")


def test_skip_reason_is_reported(report):
    _, cases = report
    assert cases["test_skips"].find("skipped").get("message") == "not on this board"


def test_netsocket_test_with_k_and_two_boards(home, tmp_path):
    proc = run("netsocket", "test", "-n", "2", "-k", "test_passes or reachable", str(SAMPLES / "test_samples.py"),
               check=False, timeout=300)
    # -k and a path outside tests/device: the command passes the device dir along
    assert "2 passed" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.returncode == 0


def test_module_rerun_with_params_is_read_from_source(tmp_path):
    from netsocket_harness.runner.collect import read_module

    (tmp_path / "test_base.py").write_text(
        "from devtest import timeout\n\n@timeout(7)\ndef test_a():\n    pass\n\ndef test_b():\n    pass\n")
    (tmp_path / "test_again.py").write_text(
        'from test_base import *\n\nPARAMS = ("x", "y")\n\ndef setup(p):\n    pass\n\ndef test_c():\n    pass\n')
    module = read_module(tmp_path / "test_again.py")
    assert module.params == ("x", "y")
    assert [(t.name, t.limit, t.path.name) for t in module.tests] == [
        ("test_a", 7.0, "test_base.py"), ("test_b", None, "test_base.py"), ("test_c", None, "test_again.py")]
