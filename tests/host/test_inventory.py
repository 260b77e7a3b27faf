"""An inventory of boards: one xdist worker per board, tests sent by capability, locks, the board in the report."""

from __future__ import annotations

import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netsocket_harness import vboard
from netsocket_harness.errors import HarnessError
from netsocket_harness.locks import lock, lock_path
from netsocket_harness.targets import load_inventory

from .conftest import run
from .test_cli_errors import _one_line_error

FARM_TESTS = '''\
from devtest import requires


def test_anywhere():
    pass


@requires("cellular")
def test_needs_cellular():
    pass


@requires("tls")
def test_needs_tls():
    import ssl


@requires("wifi")
def test_needs_wifi():
    pass
'''


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_inventory_errors(home, tmp_path):
    """Each mistake in the file is one line naming the board and what is wrong; nothing starts."""
    cases = [
        ('[boards.a]\nport = "/dev/null"\nboard = "NO_SUCH"\n', "board 'a'", "unknown board 'NO_SUCH'"),
        ('[boards.a]\nport = "rfc2217://h:1"\nboard = "VIRTUAL"\ncaps = ["lora"]\n', "unknown capability 'lora'",
         "cellular:bg96"),
        ('[boards.a]\nport = "rfc2217://h:1"\nboard = "VIRTUAL"\nspeed = 1\n', "unknown key 'speed'"),
        ('[boards.a]\nboard = "VIRTUAL"\n', "either port or labgrid"),
        ('[boards.a]\nport = "/dev/pts/9999"\nboard = "VIRTUAL"\n', "/dev/pts/9999 does not exist"),
        ('[boards.a\n', "not valid TOML"),
        ('title = "x"\n', "names no boards"),
    ]
    for text, *words in cases:
        inv = write(tmp_path / "inv.toml", text)
        _one_line_error(run("netsocket", "test", "--inventory", str(inv), check=False), *words)
    _one_line_error(run("netsocket", "test", "--inventory", str(tmp_path / "none.toml"), check=False),
                    "cannot read inventory")
    inv = write(tmp_path / "inv.toml", '[boards.a]\nport = "rfc2217://h:1"\nboard = "ESP32_GENERIC_S3"\n')
    assert load_inventory(inv)[0].caps == {"wifi", "tls"}  # from the board definition
    inv = write(tmp_path / "inv.toml", '[boards.a]\nport = "rfc2217://h:1"\nboard = "LILYGO_T_SIM7600"\n')
    assert load_inventory(inv)[0].caps == {"cellular", "cellular:sim7600", "tls"}
    _one_line_error(run("netsocket", "test", "--inventory", str(inv), "-n", "2", check=False), "has 1 boards")
    device = tmp_path / "device"
    device.mkdir()
    write(device / "test_lora.py", 'from devtest import requires\n\n@requires("lora")\ndef test_x():\n    pass\n')
    proc = run("netsocket", "test", str(device / "test_lora.py"), check=False)
    assert proc.returncode != 0 and "test_lora.py: requires unknown capability 'lora'" in proc.stdout


def test_locks(home, tmp_path):
    """A live holder refuses the board with one line; a dead one's lock is taken over, saying so."""
    holder = subprocess.Popen([sys.executable, "-c", "import sys,time\nfrom netsocket_harness.locks import lock\n"
                               "lock('rfc2217://h:7'); print('held', flush=True); time.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(HarnessError, match=rf"rfc2217://h:7 is in use by another run \(pid {holder.pid} "):
            lock("rfc2217://h:7")
        inv = write(tmp_path / "inv.toml", '[boards.a]\nport = "rfc2217://h:7"\nboard = "VIRTUAL"\n')
        _one_line_error(run("netsocket", "test", "--inventory", str(inv), check=False),
                        "only 0 of the inventory's 1 are free", f"a (pid {holder.pid}")
        holder.send_signal(signal.SIGKILL)  # a run that died holding the board
        holder.wait()
        taken = lock("rfc2217://h:7")
        assert taken.stale.startswith(f"pid {holder.pid} ") and taken.stale.endswith("that is gone")
        taken.release()
        assert lock_path("rfc2217://h:7").parent == Path(home) / "locks"
    finally:
        holder.kill()
        holder.wait()


def test_tests_go_to_the_boards_that_can_run_them(home, tmp_path):
    a = vboard.start("inv-a")
    b = vboard.start("inv-b")
    inv = write(tmp_path / "farm.toml", f'''\
[boards.plain-tls]
port = "{a.port}"
board = "VIRTUAL"
caps = ["ethernet", "tls"]

[boards.cell-only]
port = "{b.port}"
board = "VIRTUAL"
caps = ["cellular:bg96"]
''')
    device = tmp_path / "device"
    device.mkdir()
    write(device / "test_farm.py", FARM_TESTS)
    junit = tmp_path / "junit.xml"
    proc = run("netsocket", "test", "--inventory", str(inv), "--junitxml", str(junit), str(device / "test_farm.py"),
               timeout=240)
    assert "3 passed, 1 skipped" in proc.stdout
    ran = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        ran[case.get("name")] = (props.get("board"), case.find("skipped") is not None)
    assert ran["test_needs_cellular"] == ("cell-only", False)
    assert ran["test_needs_tls"] == ("plain-tls", False)
    assert ran["test_anywhere"][0] in ("plain-tls", "cell-only")
    assert ran["test_needs_wifi"][1]  # skipped, on whichever board
    skipped = ET.parse(junit).getroot().find(".//testcase[@name='test_needs_wifi']/skipped")
    assert "needs wifi: no board of this run has it" in skipped.get("message")
    assert "== netsocket boards ==" in proc.stdout.replace("=" * 3, "==")
    assert "cell-only: " in proc.stdout and "plain-tls: " in proc.stdout
