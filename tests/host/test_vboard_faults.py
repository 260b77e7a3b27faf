"""A virtual board never runs on the host's filesystem: `..` stops at its flash directory, a UART whose
pty is gone (or now is a console) is a fault the board reports and survives, and a failed boot leaves no
filesystem rather than the host's root."""

from __future__ import annotations

import os
import pty
import shutil
import tty
from pathlib import Path

from netsocket_harness import vboard
from netsocket_harness.vboard.supervisor import uart_faults

from .conftest import mpremote, run
from .test_cli_errors import _one_line_error


def test_dotdot_stops_at_the_flash_directory(board):
    code = ("import os\nprint(os.listdir('..'), os.listdir('/..'), os.listdir('/../../..'))\n"
            "os.chdir('..'); print(repr(os.getcwd()))\n"
            "try:\n open('/../config.json')\nexcept OSError as e:\n print(e.errno)\n"
            "os.mkdir('d'); os.chdir('d'); print(repr(os.getcwd()), os.listdir('../..'))")
    lines = mpremote(board.port, "exec", code).stdout.strip().splitlines()
    assert lines == ["[] [] []", "'/'", "2", "'/d' ['d']"]


def _pty() -> tuple[int, int, str]:
    master, slave = pty.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def test_uart_whose_pty_is_gone_is_a_reported_fault(home):
    master, slave, path = _pty()
    cfg = vboard.start("gone", uarts={"1": path})
    try:
        assert mpremote(cfg.port, "exec", "import machine; print(machine.UART(1))").stdout.strip() == \
            "UART(baudrate=115200)"
        os.close(slave)
        os.close(master)  # the modem stops: its pty goes away
        # the soft reset below opens the interpreter's new pty, which may well get the freed number
        code = ("import os, machine\nprint(os.listdir('/'))\n"
                "try:\n machine.UART(1)\nexcept OSError as e:\n print(e.errno, e)")
        out = mpremote(cfg.port, "exec", code)  # a soft reset first: the board boots without it
        assert "Traceback" not in out.stdout + out.stderr
        lines = out.stdout.strip().splitlines()
        assert lines[0] == "[]"  # the board's own flash, not the host's root
        assert lines[1].startswith(f"19 [Errno 19] ENODEV: UART(1) is not wired: {path} is gone")
        assert lines[1].endswith("start the modem, then restart the board with --uart1 <its new pty>")
        listed = run("netsocket", "vboard", "list").stdout
        assert f"FAULT: UART(1) is not wired: {path} is gone" in listed
    finally:
        vboard.stop("gone")


def test_a_uart_path_that_became_a_console_is_not_wired(board):
    own = os.stat(board.port).st_rdev
    assert "its number now is this board's own console" in uart_faults({"1": board.port}, {own})["1"]
    assert "its number now is the console of virtual board 'hosttest'" in uart_faults({"1": board.port}, set())["1"]


def test_uart1_must_be_a_serial_port_and_not_a_console(board, tmp_path):
    plain = tmp_path / "modem.txt"
    plain.write_text("")
    _one_line_error(run("netsocket", "vboard", "start", "--name", "u", "--uart1", str(plain), check=False),
                    "not a serial port")
    _one_line_error(run("netsocket", "vboard", "start", "--name", "u", "--uart1", "/dev/null", check=False),
                    "not a serial port")
    _one_line_error(run("netsocket", "vboard", "start", "--name", "u", "--uart1", board.port, check=False),
                    "console of virtual board 'hosttest'")
    assert [c.name for c in vboard.list_boards()] == ["hosttest"]


def test_unwired_uart_and_missing_rom_are_clear(board):
    Path(board.rom_path).unlink()
    out = mpremote(board.port, "exec", "import machine\ntry:\n machine.UART(1)\nexcept ValueError as e:\n print(e)")
    assert out.stdout.strip() == ("UART(1) doesn't exist: nothing is wired to it on this virtual board "
                                  "(netsocket vboard start --uart1 PTY)")
    assert "ROM partition" in run("netsocket", "vboard", "list").stdout


def test_failed_boot_leaves_no_host_filesystem(board):
    fs = Path(board.home) / "fs"
    shutil.rmtree(fs)
    fs.write_text("not a directory")  # the board's flash cannot be mounted
    try:
        code = "import os\nprint(os.listdir('/'))\ntry:\n open('/etc/hostname')\nexcept OSError as e:\n print('OSError', e.errno)"
        out = mpremote(board.port, "exec", code, check=False)
        assert out.stdout.strip().splitlines() == ["[]", "OSError 19"], out.stdout + out.stderr  # ENODEV: no fs
        listed = run("netsocket", "vboard", "list").stdout
        assert "FAULT: boot failed" in listed and "no filesystem is mounted" in listed
    finally:
        fs.unlink()
        fs.mkdir()
    vboard.control(board, "reset")
    assert mpremote(board.port, "exec", "import os; print(os.listdir('/'))").stdout.strip() == "[]"
    assert "FAULT" not in run("netsocket", "vboard", "list").stdout


def test_cellular_interface_without_uart1_names_it(board, tmp_path):
    from netsocket_harness.build import build

    shutil.copytree(build("VIRTUAL", tmp_path).mpy_dir, Path(board.home) / "fs" / "lib")
    code = ("from netsocket.cellular.interface import CellularInterface\n"
            "try:\n CellularInterface()\nexcept OSError as e:\n print(e.errno, e.args[1])")
    assert mpremote(board.port, "exec", code).stdout.strip() == (
        "19 CellularInterface: no modem UART(1) on this board: UART(1) doesn't exist: nothing is wired to it "
        "on this virtual board (netsocket vboard start --uart1 PTY)")
