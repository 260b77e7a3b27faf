"""mpremote, used in-process: its transport and its own command handlers.

Nothing here speaks the raw REPL protocol itself; `connect()` gives
mpremote's `SerialTransport` with the errors turned into one-line
`HarnessError`s, and `mpremote()` runs mpremote verbs (`repl`, `run`,
`romfs deploy`, `fs cp` ...) exactly as the `mpremote` command would.
"""

from __future__ import annotations

import contextlib
import io
import os
import pty
import select
import signal
import sys
import threading
import tty
from collections.abc import Iterator

import serial
from mpremote import main as mpremote_main
from mpremote.commands import CommandError
from mpremote.transport import TransportError, TransportExecError
from mpremote.transport_serial import SerialTransport

from .errors import HarnessError
from .serial_url import check_port, is_url, serial_url, why_unopenable

__all__ = ["check_port", "connect", "mpremote", "netsocket_on_board", "open_port"]


def open_port(port: str) -> SerialTransport:
    check_port(port)
    try:
        # a read timeout, so that a silent port cannot block a read forever
        return SerialTransport(serial_url(port), baudrate=115200, timeout=1)
    except TransportError:
        raise HarnessError(f"cannot open {port}: {why_unopenable(port)}") from None


def connect(port: str, soft_reset: bool = True, timeout: float = 5.0) -> SerialTransport:
    """Open `port` and enter the raw REPL, or fail with one clear line."""
    transport = open_port(port)
    heard = io.StringIO()
    try:
        with contextlib.redirect_stdout(heard):  # mpremote prints what it got on failure
            transport.enter_raw_repl(soft_reset=soft_reset, timeout_overall=timeout)
    except (TransportError, OSError) as e:
        transport.close()
        got = heard.getvalue().strip()
        detail = f"; it sent {got[:60]}" if got and got != "b''" else "; it sent nothing"
        raise HarnessError(f"no MicroPython REPL answers on {port}{detail} ({e})") from None
    return transport


@contextlib.contextmanager
def local_pty(url: str) -> Iterator[str]:
    """A local pty relayed both ways to a network port (``rfc2217://``, ``socket://``).

    mpremote's REPL waits on its serial port's file descriptor (``console.py``
    ``waitchar``: ``select([stdin, serial.fd])``), which pyserial's URL ports
    do not have; through this pty it runs unchanged."""
    try:
        ser = serial.serial_for_url(serial_url(url), baudrate=115200, timeout=0.1)
    except (serial.SerialException, OSError, ValueError):
        raise HarnessError(f"cannot open {url}: {why_unopenable(url)}") from None
    master, slave = pty.openpty()
    tty.setraw(slave)
    stop = threading.Event()

    def board_to_pty() -> None:
        while not stop.is_set():
            try:
                data = ser.read(max(1, ser.in_waiting))
            except (serial.SerialException, OSError):
                return
            if data:
                os.write(master, data)

    def pty_to_board() -> None:
        while not stop.is_set():
            if select.select([master], [], [], 0.1)[0]:
                try:
                    ser.write(os.read(master, 4096))
                except (serial.SerialException, OSError):
                    return

    relays = [threading.Thread(target=f, daemon=True) for f in (board_to_pty, pty_to_board)]
    for t in relays:
        t.start()
    try:
        yield os.ttyname(slave)
    finally:
        stop.set()
        for t in relays:
            t.join()
        ser.close()
        os.close(master)
        os.close(slave)


def release(transport: SerialTransport) -> None:
    """Leave the raw REPL and close: the board is back at its friendly prompt, as mpremote leaves it."""
    with contextlib.suppress(Exception):
        transport.exit_raw_repl()
    with contextlib.suppress(Exception):
        transport.close()


def need_terminal(what: str) -> None:
    if not sys.stdin.isatty():
        raise HarnessError(f"{what} needs a terminal (stdin is not one): use netsocket run FILE or exec CODE")


def _on_sigint(seen: list):
    """Note Ctrl-C in `seen` (then raise KeyboardInterrupt as usual); the old handler, or None off the main thread."""

    def handler(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:
        return None


def interrupt(transport: SerialTransport, timeout: float = 5.0) -> None:
    """Ctrl-C to the board, then wait until what ran there has ended at the raw REPL's prompt."""
    with contextlib.suppress(Exception):
        transport.serial.write(b"\x03")
        transport.read_until(1, b"\x04>", timeout_overall=timeout)


@contextlib.contextmanager
def session(port: str, soft_reset: bool = True, timeout: float = 5.0):
    """`connect()` for a `with` block, released (friendly prompt) however the block ends."""
    transport = connect(port, soft_reset, timeout)
    try:
        yield transport
    finally:
        release(transport)


def mpremote(port: str, argv: list[str], transport: SerialTransport | None = None) -> int:
    """Run mpremote verbs (one chain, as on its command line) against `port`.

    With `transport` given, it is used and left open; otherwise one is opened
    (with a soft reset, except for ``repl``) and closed after."""
    if argv[:1] == ["repl"]:
        need_terminal("netsocket repl")
        if transport is None and is_url(port):
            with local_pty(port) as local:
                return mpremote(local, argv)
    state = mpremote_main.State()
    owned = transport is None
    if transport is None:
        # the REPL keeps the board's state; every other verb starts from a soft reset
        transport = open_port(port) if argv[:1] == ["repl"] else connect(port)
    state.transport = transport
    state._auto_soft_reset = False
    remaining = list(argv)
    ctrl_c = []  # mpremote turns Ctrl-C into sys.exit(1): remember that it was one
    old_handler = _on_sigint(ctrl_c)
    try:
        while remaining:
            cmd = remaining.pop(0)
            handler, make_parser = mpremote_main._COMMANDS[cmd]
            cmd_parser = make_parser()
            cmd_parser.add_argument("next_command", nargs="...")
            if cmd == "fs" and remaining[:1] in (["ls"], ["tree"]) and sum(not a.startswith("-") for a in remaining) == 1:
                remaining.append("")  # as mpremote's main: `fs ls` lists the current directory
            args = cmd_parser.parse_args(remaining)
            handler(state, args)
            remaining = args.next_command
        if argv[0] == "mount" and state.run_repl_on_completion():  # as mpremote's main: its REPL after a mount
            need_terminal("the REPL after mount")
            mpremote_main.do_repl(state, mpremote_main.argparse_repl().parse_args([]))
    except (KeyboardInterrupt, SystemExit) as e:
        if not ctrl_c and not isinstance(e, KeyboardInterrupt):
            raise
        interrupt(transport)  # Ctrl-C here stops the code on the board too (mpremote's own does not)
        raise KeyboardInterrupt from None
    except (CommandError, TransportExecError) as e:
        raise HarnessError(f"{argv[0]} on {port} failed: {e}") from None
    except TransportError as e:
        raise HarnessError(f"lost the board on {port}: {e}") from None
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGINT, old_handler)
        if owned:
            release(transport)
    return 0


def netsocket_on_board(port: str, after: str) -> tuple[str, str]:
    """(version, file) of `import netsocket` after a soft reset; `after` names the step for errors."""
    with session(port) as transport:  # the soft reset mounts /rom afresh
        try:
            version = transport.eval("__import__('netsocket').__version__")
            where = transport.eval("__import__('netsocket').__file__")
        except Exception as e:  # noqa: BLE001 - reported as one line
            raise HarnessError(f"{after}, but `import netsocket` fails on {port}: {str(e).strip()[-120:]}") from None
    return version, where
