"""Bad input to the `netsocket` command: one clear line, non-zero exit, no traceback, no stray process."""

from __future__ import annotations

import os
import pty
import threading
import time
import tty

import pytest

from .conftest import Terminal, board_processes, run


def _one_line_error(proc, *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("netsocket: error: "), lines[0]
    for w in words:
        assert w in lines[0], lines[0]


def test_unknown_board(home):
    _one_line_error(run("netsocket", "build", "--board", "NO_SUCH_BOARD", check=False), "unknown board", "VIRTUAL")
    _one_line_error(run("netsocket", "test", "--board", "NO_SUCH_BOARD", check=False), "unknown board")
    _one_line_error(run("netsocket", "flash", "--board", "NO_SUCH_BOARD", check=False), "unknown board")


def test_port_that_does_not_exist(home, tmp_path):
    script = tmp_path / "x.py"
    script.write_text("print(1)\n")
    for verb in (["run", str(script)], ["deploy"], ["repl"], ["test"]):
        proc = run("netsocket", *verb, "--port", "/dev/pts/9999", check=False)
        _one_line_error(proc, "/dev/pts/9999", "does not exist")


class _FakeDevice:
    """A pty whose far end is not MicroPython: it sends garbage, or nothing."""

    def __init__(self, garbage: bool) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._talk, args=(garbage,), daemon=True)
        self.thread.start()

    def _talk(self, garbage: bool) -> None:
        os.set_blocking(self.master, False)
        while not self.stop.is_set():
            try:
                os.read(self.master, 1024)
                if garbage:
                    os.write(self.master, b"\xfe\x13garbage 0x55AA\r\n")
            except BlockingIOError:
                pass
            except OSError:
                return
            time.sleep(0.05)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        os.close(self.master)
        os.close(self.slave)


@pytest.mark.parametrize("garbage", [True, False], ids=["garbage", "silent"])
def test_port_without_micropython(home, garbage):
    dev = _FakeDevice(garbage)
    try:
        t0 = time.monotonic()
        proc = run("netsocket", "deploy", "--port", dev.port, check=False)
        _one_line_error(proc, "no MicroPython REPL answers on " + dev.port)
        assert time.monotonic() - t0 < 30
        assert ("garbage" in proc.stderr) == garbage
    finally:
        dev.close()


def test_second_start_with_same_name(home):
    run("netsocket", "vboard", "start", "--name", "twice")
    try:
        before = board_processes(home)
        proc = run("netsocket", "vboard", "start", "--name", "twice", check=False)
        _one_line_error(proc, "already running", "twice")
        assert board_processes(home) == before
    finally:
        run("netsocket", "vboard", "stop", "twice")


def test_stop_unknown_board_and_bad_values(home):
    _one_line_error(run("netsocket", "vboard", "stop", "nobody", check=False), "nobody")
    _one_line_error(run("netsocket", "vboard", "start", "--name", "../evil", check=False), "bad board name")
    _one_line_error(run("netsocket", "vboard", "start", "--heap", "4K", check=False), "too small")
    proc = run("netsocket", "vboard", "start", "--heap", "lots", check=False)
    assert proc.returncode == 2 and "not a size" in proc.stderr and "Traceback" not in proc.stderr


def test_flash_rejects_a_file_that_is_not_an_image(board, tmp_path):
    bad = tmp_path / "firmware.bin"
    bad.write_bytes(b"\x00" * 100)
    proc = run("netsocket", "flash", "--board", "VIRTUAL", "--name", board.name, "--firmware", str(bad), check=False)
    _one_line_error(proc, "not a ROMFS image")
    proc = run("netsocket", "flash", "--board", "VIRTUAL", "--name", board.name, "--firmware",
               str(tmp_path / "missing.img"), check=False)
    _one_line_error(proc, "cannot read")


def test_run_and_repl_on_a_virtual_board(board, tmp_path):
    """`netsocket run` prints what the board printed; `netsocket repl` is mpremote's, on a terminal."""
    script = tmp_path / "hello.py"
    script.write_text("print('from the board', 6 * 7)\n")
    out = run("netsocket", "run", "--board", "VIRTUAL", "--name", board.name, str(script)).stdout
    assert out.strip() == "from the board 42"

    term = Terminal("repl", "--name", board.name)
    try:
        term.expect(b"Connected to MicroPython")
        term.write(b"\r")
        term.expect(b">>> ")
        term.write(b"print(6 * 7)\r")
        term.expect(b"42\r\n")  # CRLF line ends, as a real board prints them
        term.write(b"\x1d")  # Ctrl-]: leave mpremote's REPL
        assert term.proc.wait(timeout=10) == 0
    finally:
        term.close()
