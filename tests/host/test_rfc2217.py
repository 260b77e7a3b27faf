"""Boards over RFC 2217: a virtual board exported by real ser2net, every --port command through its URL."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from netsocket_harness import vboard
from netsocket_harness.ser2net import Ser2net, listening
from netsocket_harness.serial_url import serial_url

from .conftest import BIN, Terminal, mpremote, run
from .test_cli_errors import _one_line_error

pytestmark = pytest.mark.skipif(not Path("/usr/sbin/ser2net").exists(), reason="ser2net is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ser2net_processes(config_dir: Path) -> list[int]:
    """ser2net processes whose configuration lives in `config_dir` (ours only)."""
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "ser2net" in line and str(config_dir) in line]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The package built once for the module (deploy --no-build and flash --firmware use it)."""
    from netsocket_harness.build import build

    out = tmp_path_factory.mktemp("rfc2217build")
    build("VIRTUAL", out)
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """`netsocket vboard start --rfc2217 PORT`: a virtual board behind ser2net, for the whole module."""
    home = tmp_path_factory.mktemp("rfc2217") / "nshome"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NETSOCKET_HOME", str(home))
        port = free_port()
        out = run("netsocket", "vboard", "start", "--name", "rf17", "--rfc2217", str(port)).stdout
        url = f"rfc2217://127.0.0.1:{port}"
        assert f"exported by ser2net as {url}" in out
        cfg = vboard.running("rf17")
        assert cfg is not None and listening(port)
        assert f"\t{url}\t" in run("netsocket", "vboard", "list").stdout
        try:
            yield cfg, url
        finally:
            for b in vboard.list_boards():
                vboard.stop(b.name)
        # ser2net goes with its board
        assert not listening(port) and not ser2net_processes(Path(cfg.home))


def test_the_url_gains_ign_set_control():
    assert serial_url("rfc2217://h:1") == "rfc2217://h:1?ign_set_control"
    assert serial_url("rfc2217://h:1?timeout=2") == "rfc2217://h:1?timeout=2&ign_set_control"
    assert serial_url("rfc2217://h:1?ign_set_control") == "rfc2217://h:1?ign_set_control"
    assert serial_url("socket://h:1") == "socket://h:1" and serial_url("/dev/ttyUSB0") == "/dev/ttyUSB0"


def test_plain_pyserial_needs_it(exported):
    """Why the harness adds it: ser2net never acknowledges the modem-control request for a pty."""
    _, url = exported
    proc = mpremote(f"{url}?timeout=1", "exec", "print(1)", check=False)
    assert proc.returncode != 0 and "failed to access" in proc.stdout + proc.stderr
    assert mpremote(serial_url(url), "exec", "print(6 * 7)").stdout.strip() == "42"


def test_run_repl_deploy_and_test_through_the_url(exported, built, tmp_path):
    cfg, url = exported
    script = tmp_path / "hello.py"
    script.write_text("import sys\nprint('remote', sys.platform, 6 * 7)\n")
    assert run("netsocket", "run", "--port", url, str(script)).stdout.strip() == "remote linux 42"

    term = Terminal("repl", "--port", url)
    try:
        term.expect(b"Connected to MicroPython")
        term.write(b"\r")
        term.expect(b">>> ")
        term.write(b"print(6 * 7)\r")
        term.expect(b"42\r\n")
        term.write(b"\x1d")
        assert term.proc.wait(timeout=10) == 0
    finally:
        term.close()

    out = run("netsocket", "deploy", "--port", url, "--out", str(built), "--no-build", timeout=120).stdout
    assert "wrote ROMFS image" in out and "import netsocket works" in out and "from /rom/netsocket/" in out
    out = run("netsocket", "deploy", "--port", url, "--mode", "mpy", "--out", str(built), "--no-build",
              timeout=120).stdout
    assert "files written" in out and f"in /lib on {url}" in out
    assert (Path(cfg.fs_dir) / "lib" / "netsocket" / "__init__.mpy").is_file()  # landed on the board's flash

    junit = tmp_path / "junit.xml"
    proc = run("netsocket", "test", "--port", url, "-k", "test_constructor_default or test_set_ip_bytes_and_port",
               "--junitxml", str(junit), "tests/device/test_address.py", timeout=180)
    assert "2 passed" in proc.stdout and f"{url}: 2 passed" in proc.stdout
    assert f'<property name="board" value="{url}" />' in junit.read_text()


def test_flash_through_the_url_in_download_mode(home, built):
    """esptool writes the ROMFS image through ser2net into the emulated ESP32 ROM loader; the board boots it."""
    port = free_port()
    cfg = vboard.start("rf17dl", download_mode=True, rfc2217=port)
    url = f"rfc2217://127.0.0.1:{port}"
    image_path = built / "VIRTUAL" / "romfs.img"
    out = run("netsocket", "flash", "--board", "VIRTUAL", "--port", url, "--no-progress",
              "--firmware", str(image_path), timeout=120).stdout
    assert "Hash of data verified." in out and "Soft resetting" in out
    assert "board boots" in out and "from /rom/netsocket/" in out
    assert vboard.control(cfg, "mode") == "app"
    image = image_path.read_bytes()
    assert cfg.rom_path.read_bytes()[: len(image)] == image
    # the board is in its application now: no ROM loader answers through the URL
    _one_line_error(run("netsocket", "flash", "--board", "VIRTUAL", "--port", url, "--no-progress",
                        "--firmware", str(image_path), check=False, timeout=120),
                    "bootloader answers", "--bootloader")


def test_unreachable_and_wrong_servers(home, tmp_path):
    script = tmp_path / "x.py"
    script.write_text("print(1)\n")
    closed = free_port()
    for verb in (["run", str(script)], ["deploy"]):  # (repl needs a terminal first; it opens ports as run does)
        _one_line_error(run("netsocket", *verb, "--port", f"rfc2217://127.0.0.1:{closed}", check=False),
                        f"cannot reach 127.0.0.1:{closed}", "Connection refused")
    proc = run("netsocket", "test", "--port", f"rfc2217://127.0.0.1:{closed}", "tests/device/test_address.py",
               check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    assert f"Interrupted: netsocket: cannot set up the board: cannot open rfc2217://127.0.0.1:{closed}" in proc.stdout
    assert "1 error" in proc.stdout  # the run stops at the first test
    _one_line_error(run("netsocket", "run", "--port", "rfc2217://nohost", str(script), check=False),
                    "give host and port")
    # a TCP server that is not RFC 2217 (a raw ser2net port, anything else)
    with socket.create_server(("127.0.0.1", 0)) as srv:
        url = f"rfc2217://127.0.0.1:{srv.getsockname()[1]}?timeout=1"
        _one_line_error(run("netsocket", "run", "--port", url, str(script), check=False),
                        "does not speak RFC 2217")


def test_the_port_drops_mid_run(exported, tmp_path):
    """ser2net goes away while a test runs: the run ends with one line naming it, and leaves nothing running."""
    board, _ = exported  # its package is deployed already; a second ser2net exports it, to be stopped
    exporter = Ser2net(board.port, free_port(), tmp_path).start()
    tests = tmp_path / "device"
    tests.mkdir()
    (tests / "test_slow.py").write_text(
        "import time\n\ndef test_a_slow_one():\n    open('/started', 'w').close()\n    time.sleep(60)\n\n"
        "def test_b():\n    pass\n\ndef test_never_reached():\n    pass\n")
    proc = subprocess.Popen([str(BIN / "netsocket"), "test", "--port", exporter.url,
                             "--timeout", "90", str(tests / "test_slow.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        started = Path(board.fs_dir) / "started"
        started.unlink(missing_ok=True)
        deadline = time.monotonic() + 120  # the board writes the file when the test runs
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started.exists(), proc.communicate()
        exporter.stop()
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        exporter.stop()
    assert proc.returncode != 0 and "Traceback" not in out + err
    stop = [ln for ln in out.splitlines() if "Interrupted: netsocket:" in ln]
    assert len(stop) == 1 and exporter.url in stop[0] and "cannot reach" in stop[0], out[-1500:]
    # the run stops at the test that finds the port gone: the slow one, or (if the port went while that one
    # was still being started) the next; never later
    assert ("1 error" in out or "2 errors" in out) and "passed" not in out
    assert "test_never_reached" not in out
    assert not ser2net_processes(tmp_path)
    vboard.control(board, "reset")  # the board still sleeps in the test: the reset button, for the next user
