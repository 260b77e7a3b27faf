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
