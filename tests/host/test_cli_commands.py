"""What a new user does in the first hour: every command leaves the board at its friendly prompt, says which
board it uses, refuses a board running another port, stops what Ctrl-C stops, passes pytest's and mpremote's
own options through."""

from __future__ import annotations

import time

import serial

from .conftest import run


def at_friendly_prompt(port: str, timeout: float = 10.0) -> bool:
    """True when Enter on `port` gives `>>> ` (a board left in the raw REPL swallows it)."""
    with serial.Serial(port, 115200, timeout=0.2) as s:
        s.write(b"\r")
        seen = b""
        deadline = time.monotonic() + timeout
        while b">>> " not in seen and time.monotonic() < deadline:
            seen += s.read(256)
        return b">>> " in seen


def test_deploy_and_flash_leave_the_friendly_prompt(board):
    run("netsocket", "deploy", "--port", board.port, "--mode", "mpy")
    assert at_friendly_prompt(board.port)
    run("netsocket", "flash", "--board", "VIRTUAL", "--name", board.name)
    assert at_friendly_prompt(board.port)


def test_without_port_the_virtual_board_is_named_and_has_netsocket(home, tmp_path):
    script = tmp_path / "where.py"
    script.write_text("import netsocket\nprint(netsocket.__file__)\n")
    proc = run("netsocket", "run", str(script))  # what a user types after the demo
    assert proc.stdout.strip() == "/rom/netsocket/__init__.mpy"
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("no --port: started virtual board 'vb0' on /dev/pts/")
    assert line.endswith(" with netsocket in its ROM (stop it with: netsocket vboard stop vb0)")
    proc = run("netsocket", "deploy", "--mode", "mpy")
    assert proc.stderr.strip().splitlines()[0].startswith("no --port: using virtual board 'vb0' on /dev/pts/")
    proc = run("netsocket", "deploy", "--port", "auto", check=False)
    assert proc.returncode == 1 and proc.stderr.startswith("netsocket: error: --port auto found no serial port")


def test_deploy_refuses_a_board_definition_of_another_port(board):
    proc = run("netsocket", "deploy", "--port", board.port, "--board", "LILYGO_T_SIM7600", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        f"netsocket: error: the board on {board.port} runs MicroPython's linux port, but LILYGO_T_SIM7600 is an "
        "esp32 board: name the board it is (see: netsocket boards), or leave out --board")
    assert at_friendly_prompt(board.port)


def test_ctrl_c_on_run_stops_the_script_on_the_board(board, tmp_path):
    import os
    import signal
    import subprocess

    from .conftest import BIN

    script = tmp_path / "loop.py"
    script.write_text("print('looping')\nwhile True:\n    pass\n")
    proc = subprocess.Popen([str(BIN / "netsocket"), "run", "--name", board.name, str(script)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert proc.stdout.readline().strip() == "looping"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        said = proc.stderr.read().strip().splitlines()
        assert said == [f"no --port: using virtual board 'hosttest' on {board.port} "
                        "(netsocket is not in its ROM: netsocket deploy)", "netsocket: interrupted"]
    finally:
        proc.kill()
        proc.wait()
    assert at_friendly_prompt(board.port)  # the loop no longer runs there


def test_test_passes_unknown_options_to_pytest(home):
    proc = run("netsocket", "test", "tests/device/test_address.py", "-x", "-v", "--", "--collect-only", "-q")
    assert "<DeviceItem test_" in proc.stdout and " tests collected in " in proc.stdout
    assert proc.stderr.startswith("no --port: the tests run on 1 virtual board of their own")
    proc = run("netsocket", "run", "-x", "file.py", check=False)  # other verbs still refuse them
    assert proc.returncode == 2 and proc.stderr.strip().endswith("netsocket: error: unrecognized arguments: -x")


def test_version_names_the_tools(home):
    from importlib.metadata import version

    out = run("netsocket", "--version").stdout.strip()
    assert out.startswith(f"netsocket {version('netsocket-harness')} (mpremote {version('mpremote')}, "
                          f"esptool {version('esptool')}, ")


def test_mpremote_verbs_pass_through(board, tmp_path):
    import json

    (tmp_path / "hi.txt").write_text("hi there\n")
    opts = ("--name", board.name)
    run("netsocket", "fs", *opts, "cp", str(tmp_path / "hi.txt"), ":hi.txt")
    assert run("netsocket", "fs", *opts, "cat", ":hi.txt").stdout == "hi there\n"
    assert run("netsocket", "fs", *opts, "ls").stdout.split()[-1] == "hi.txt"
    assert run("netsocket", "exec", *opts, "print(6 * 7)").stdout == "42\n"
    assert run("netsocket", "eval", *opts, "[1, 2][1]").stdout == "2\n"
    run("netsocket", "soft-reset", *opts)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "greet.py").write_text("HI = 'hi from mip'\n")
    (pkg / "package.json").write_text(json.dumps({"urls": [["greet.py", "greet.py"]], "version": "0.1"}))
    run("netsocket", "mip", *opts, "install", str(pkg / "package.json"))
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    (mnt / "local.py").write_text("import os\nprint('from the host, in', os.getcwd())\n")
    out = run("netsocket", "mount", *opts, str(mnt), "exec", "import local, greet; print(greet.HI)").stdout
    assert out.splitlines()[-2:] == ["from the host, in /remote", "hi from mip"]
    run("netsocket", "fs", *opts, "rm", ":hi.txt")
    proc = run("netsocket", "repl", *opts, check=False)  # stdin is no terminal here
    assert proc.returncode == 1 and proc.stderr == (
        "netsocket: error: netsocket repl needs a terminal (stdin is not one): use netsocket run FILE or exec CODE\n")


def test_esptool_verbs_on_a_board_in_download_mode(home):
    from netsocket_harness import vboard

    cfg = vboard.start("esp", download_mode=True)
    try:
        assert "MAC:                24:0a:c4:00:00:01" in run("netsocket", "read-mac", "--name", "esp").stdout
        assert "Detected flash size: 4MB" in run("netsocket", "chip-info", "--name", "esp").stdout
        assert "Flash memory erased successfully" in run("netsocket", "erase", "--name", "esp").stdout
        assert cfg.rom_path.read_bytes() == b"\xff" * cfg.rom_size  # the ROMFS partition is in that flash
        vboard.control(cfg, "reset")
        proc = run("netsocket", "read-mac", "--name", "esp", check=False)
        assert proc.returncode == 1 and proc.stderr == ("netsocket: error: virtual board 'esp' runs MicroPython, "
                                                        "not its ROM loader: netsocket vboard reset esp --bootloader first\n")
    finally:
        vboard.stop("esp")


def test_monitor_resets_then_is_a_terminal(board):
    from .conftest import Terminal

    term = Terminal("monitor", "--name", board.name, "--reset", "hard")
    try:
        term.expect(b"[virtual board] hard reset")
        term.write(b"\r")
        term.expect(b">>> ")
        term.write(b"print(6 * 7)\r")
        term.expect(b"\n42\r")  # (the terminal's own ONLCR adds a CR to the board's CRLF)
        term.write(b"\x1d")  # Ctrl-]
        assert term.proc.wait(timeout=10) == 0
    finally:
        term.close()
