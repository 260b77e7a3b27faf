"""labgrid: a coordinator and an exporter on loopback export a virtual board (NetworkSerialPort over ser2net);
the place is acquired and `netsocket test --lg-env` runs device tests through it."""

from __future__ import annotations

import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netsocket_harness import targets, vboard
from netsocket_harness.ser2net import listening
from netsocket_harness.serial_url import serial_url

from .conftest import BIN, run
from .test_rfc2217 import free_port, ser2net_processes

pytest.importorskip("labgrid")
pytestmark = pytest.mark.skipif(not Path("/usr/sbin/ser2net").exists(), reason="ser2net is not installed")

PLACE = "ns17-place"


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _wait(cond, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, f"{what} within {limit:g} s"
        time.sleep(0.2)


def test_device_tests_through_a_labgrid_place(home, tmp_path, monkeypatch):
    board = vboard.start("lg17")
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("LG_COORDINATOR", address)
    (tmp_path / "exporter.yaml").write_text(f'vb:\n  RawSerialPort:\n    port: "{board.port}"\n    speed: 115200\n')
    (tmp_path / "env.yaml").write_text(f"targets:\n  main:\n    resources:\n      RemotePlace:\n        name: {PLACE}\n"
                                       "    options:\n      netsocket_board: VIRTUAL\n"
                                       "      netsocket_caps: [ethernet, tls]\n")
    log = open(tmp_path / "labgrid.log", "wb")
    procs: list[subprocess.Popen[bytes]] = []
    try:  # the coordinator keeps its places in its working directory
        procs.append(subprocess.Popen([str(BIN / "labgrid-coordinator"), "-l", address], cwd=tmp_path,
                                      stdout=log, stderr=subprocess.STDOUT))
        _wait(lambda: listening(int(address.rsplit(":", 1)[1])), "the coordinator listens")
        procs.append(subprocess.Popen([str(BIN / "labgrid-exporter"), "-c", address, "-n", "ns17", "--hostname",
                                       "127.0.0.1", "exporter.yaml"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT))
        _wait(lambda: "ns17/vb/NetworkSerialPort" in run("labgrid-client", "resources", check=False).stdout,
              "the exporter publishes the board")
        run("labgrid-client", "-p", PLACE, "create")
        run("labgrid-client", "-p", PLACE, "add-match", "ns17/vb/NetworkSerialPort")
        run("labgrid-client", "-p", PLACE, "acquire")

        junit = tmp_path / "junit.xml"
        proc = run("netsocket", "test", "--lg-env", str(tmp_path / "env.yaml"), "--junitxml", str(junit),
                   "-k", "test_constructor_default or test_set_ip_bytes_and_port", "tests/device/test_address.py",
                   timeout=240)
        assert f"{PLACE}: 2 passed" in proc.stdout, proc.stdout[-2000:]
        boards = {p.get("value") for p in ET.parse(junit).getroot().iter("property") if p.get("name") == "board"}
        assert boards == {PLACE}

        # an inventory entry naming the place: the same serial URL, locked for the claim
        inv = targets.load_inventory(_write(tmp_path / "inv.toml", f'[boards.lg]\nlabgrid = "{PLACE}"\n'
                                                                   'board = "VIRTUAL"\ncaps = ["tls"]\n'))
        (claim,) = targets.claim(inv, 1)
        try:
            assert claim.target.port.startswith("rfc2217://127.0.0.1:") and claim.target.caps == {"tls"}
            assert claim.target.origin == f"labgrid place {PLACE!r}"
            assert run("mpremote", "connect", serial_url(claim.target.port), "exec", "print(6 * 7)").stdout.strip() == "42"
        finally:
            claim.release()
    finally:
        for p in reversed(procs):  # the exporter stops its ser2net as it goes
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()
    stray = ser2net_processes(Path(board.port))
    assert not stray, f"ser2net left running: {stray}"
