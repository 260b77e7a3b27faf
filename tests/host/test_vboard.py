"""The virtual board behaves like a board on a serial line, for stock mpremote."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from mpremote.transport_serial import SerialTransport
from netsocket_harness import vboard

from .conftest import board_processes, mpremote, run


def test_port_is_real_pts_path(board):
    assert board.port.startswith("/dev/pts/")
    assert not Path(board.port).is_symlink()


def test_exec_soft_resets_between_calls(board):
    assert mpremote(board.port, "exec", "X = 41; print(X + 1)").stdout.strip() == "42"
    # every plain exec starts from a soft reset: X is gone
    assert mpremote(board.port, "exec", "print('X' in globals())").stdout.strip() == "False"
    # resume keeps the state
    out = mpremote(board.port, "exec", "Y = 7", "resume", "exec", "print(Y)").stdout.strip()
    assert out == "7"


def test_sys_path_and_flash_root(board):
    out = mpremote(board.port, "exec", "import sys, os; print(sys.path); print(os.listdir('/'))").stdout
    lines = out.strip().splitlines()
    assert lines[0] == "['', '.frozen', '/rom', '/rom/lib', '/lib']"
    assert lines[1] == "[]"  # the board's flash starts empty, not the host's /


def test_fs_cp_round_trip_100k_binary(board, tmp_path):
    data = os.urandom(100 * 1024) + bytes(range(256))
    src, back = tmp_path / "blob.bin", tmp_path / "back.bin"
    src.write_bytes(data)
    mpremote(board.port, "fs", "cp", str(src), ":blob.bin")
    mpremote(board.port, "fs", "cp", ":blob.bin", str(back))
    assert back.read_bytes() == data
    assert (Path(board.home) / "fs" / "blob.bin").read_bytes() == data


def test_run_script(board, tmp_path):
    script = tmp_path / "hello.py"
    script.write_text("import sys\nprint('hello from', sys.platform, 6 * 7)\n")
    assert mpremote(board.port, "run", str(script)).stdout.strip() == "hello from linux 42"


def test_mip_install_local_package_json(board, tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "greet").mkdir(parents=True)
    (pkg / "greet" / "__init__.py").write_text("def hi():\n    return 'hi from mip'\n")
    (pkg / "package.json").write_text(json.dumps(
        {"urls": [["greet/__init__.py", "greet/__init__.py"]], "version": "0.1"}))
    out = mpremote(board.port, "mip", "install", str(pkg / "package.json"))
    assert "Done" in out.stdout
    assert (Path(board.home) / "fs" / "lib" / "greet" / "__init__.mpy").exists() or \
        (Path(board.home) / "fs" / "lib" / "greet" / "__init__.py").exists()
    assert mpremote(board.port, "exec", "import greet; print(greet.hi())").stdout.strip() == "hi from mip"


def test_romfs_query_deploy_then_import_from_rom(board, tmp_path):
    src = tmp_path / "romsrc"
    src.mkdir()
    (src / "romlib.py").write_text("def where():\n    return __file__\n")
    assert "Not a valid ROMFS" in mpremote(board.port, "romfs", "query").stdout
    mpremote(board.port, "romfs", "deploy", str(src))
    out = mpremote(board.port, "exec", "import romlib; print(romlib.where())").stdout.strip()
    assert out == "/rom/romlib.mpy"
    assert "ROMFS image size" in mpremote(board.port, "romfs", "query").stdout


def _transport(port: str) -> SerialTransport:
    t = SerialTransport(port, baudrate=115200, timeout=1)
    t.enter_raw_repl(soft_reset=True)
    return t


def test_ctrl_c_interrupts_busy_loop(board):
    t = _transport(board.port)
    try:
        t.exec_raw_no_follow("while True: pass")
        time.sleep(0.3)
        t.serial.write(b"\x03")
        out, err = t.follow(timeout=5)
        assert b"KeyboardInterrupt" in err
        assert t.eval("1 + 1") == 2  # the same session goes on
    finally:
        t.close()


def test_ctrl_c_interrupts_main_py_at_boot(board):
    (Path(board.home) / "fs" / "main.py").write_text("print('main starts')\nwhile True:\n    pass\n")
    vboard.control(board, "reset")  # boots friendly: main.py runs and never ends
    time.sleep(0.5)
    # stock mpremote interrupts it with Ctrl-C and gets its raw REPL
    assert mpremote(board.port, "exec", "print('got in')").stdout.strip() == "got in"


def test_boot_py_then_main_py_like_a_real_port(board):
    fs = Path(board.home) / "fs"
    (fs / "boot.py").write_text("print('BOOT ran')\n")
    (fs / "main.py").write_text("print('MAIN ran')\n")
    t = SerialTransport(board.port, baudrate=115200, timeout=1)
    try:
        t.serial.write(b"\r\x03\x02\x04")  # friendly REPL, then Ctrl-D: soft reset
        text = t.read_until(1, b"MAIN ran", timeout_overall=5).decode()
        assert "soft reboot" in text
        assert text.index("BOOT ran") < text.index("MAIN ran")
        # in the raw REPL a soft reset runs boot.py but not main.py, as on real ports
        t.enter_raw_repl(soft_reset=False)
        t.serial.write(b"\x04")
        text = t.read_until(1, b"raw REPL; CTRL-B to exit\r\n", timeout_overall=5).decode()
        assert "BOOT ran" in text and "MAIN ran" not in text
    finally:
        t.close()


def test_twenty_reconnects_in_a_row(board):
    for i in range(20):
        assert mpremote(board.port, "exec", f"print({i} * 2)").stdout.strip() == str(i * 2)


def test_files_and_rom_survive_restart(board, tmp_path):
    mpremote(board.port, "exec", "open('keep.txt', 'w').write('kept')")
    src = tmp_path / "romsrc"
    src.mkdir()
    (src / "romkeep.py").write_text("VALUE = 5\n")
    mpremote(board.port, "romfs", "deploy", str(src))
    vboard.stop(board.name)
    again = vboard.start(board.name)
    out = mpremote(again.port, "exec", "import romkeep; print(open('keep.txt').read(), romkeep.VALUE)")
    assert out.stdout.strip() == "kept 5"


def test_crashed_interpreter_is_restarted(board):
    pid = int(vboard.control(board, "ping").split()[2])  # "ok <port> <interpreter pid>"
    os.kill(pid, signal.SIGSEGV)
    time.sleep(0.3)
    assert mpremote(board.port, "exec", "print('alive')").stdout.strip() == "alive"


def test_machine_reset_is_a_hard_reset(board):
    (Path(board.home) / "fs" / "main.py").write_text("print('main after reset')\n")
    t = _transport(board.port)
    try:
        t.exec_raw_no_follow("import machine; machine.reset()")
        text = t.read_until(1, b">>> ", timeout_overall=5).decode()
        assert "hard reset: machine.reset()" in text
        assert "main after reset" in text
    finally:
        t.close()


@pytest.mark.parametrize("heap_k,size,fits", [(64, 90_000, False), (110, 90_000, True)])
def test_heap_limit_is_enforced(home, heap_k, size, fits):
    cfg = vboard.start("heap", heap=heap_k * 1024)
    try:
        code = f"try:\n b = bytearray({size})\n print('ok')\nexcept MemoryError:\n print('MemoryError')"
        out = mpremote(cfg.port, "exec", code).stdout.strip()
        assert out == ("ok" if fits else "MemoryError")
        free = int(mpremote(cfg.port, "exec", "import gc; gc.collect(); print(gc.mem_free())").stdout)
        assert abs(free - heap_k * 1024) < 4096, free  # --heap is what the application gets
    finally:
        vboard.stop("heap")


def test_start_prints_port_last_and_stop_leaves_nothing(home):
    before = board_processes(home)
    out = run("netsocket", "vboard", "start", "--name", "cli").stdout.strip().splitlines()
    assert out[-1].startswith("/dev/pts/")
    assert run("netsocket", "vboard", "list").stdout.split()[:2] == ["cli", out[-1]]
    assert len(board_processes(home)) == 2  # the supervisor and its interpreter
    run("netsocket", "vboard", "stop", "cli")
    time.sleep(0.2)
    assert board_processes(home) == before


def test_board_with_an_owner_stops_when_the_owner_dies(home):
    import subprocess

    owner = subprocess.Popen(["sleep", "60"])
    cfg = vboard.start("owned", owner_pid=owner.pid)
    assert len(board_processes(home)) == 2
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 5
    while board_processes(home) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert board_processes(home) == set()
    assert vboard.running(cfg.name) is None


def test_uart1_is_wired_to_a_pty(home):
    import pty
    import tty

    master, slave = pty.openpty()
    tty.setraw(slave)
    cfg = vboard.start("uart", uarts={"1": os.ttyname(slave)})
    try:
        t = _transport(cfg.port)
        t.exec("import machine, select\nu = machine.UART(1, 115200, timeout=2000)\n"
               "p = select.poll()\np.register(u, select.POLLIN)")
        assert t.eval("p.poll(0)") == []
        assert t.eval("u.read(5)") is None  # nothing arrives within the timeout
        t.exec("u.write(b'AT\\r\\n')")
        assert os.read(master, 64) == b"AT\r\n"
        os.write(master, b"\r\nOK\r\n")
        assert t.eval("len(p.poll(1000))") == 1
        assert t.eval("u.read(64)") == b"\r\nOK\r\n"
        assert "doesn't exist" in t.exec_raw("machine.UART(3)")[1].decode()
        t.close()
    finally:
        vboard.stop("uart")
        os.close(master)
        os.close(slave)


def test_machine_bootloader_enters_download_mode(board):
    t = _transport(board.port)
    try:
        t.exec_raw_no_follow("import machine; machine.bootloader()")
        assert b"waiting for download" in t.read_until(1, b"waiting for download\r\n", timeout_overall=5)
    finally:
        t.close()
    assert vboard.control(board, "mode") == "loader"
    vboard.control(board, "reset")  # the reset button boots the application again
    assert vboard.control(board, "mode") == "app"
    assert mpremote(board.port, "exec", "print('back')").stdout.strip() == "back"
