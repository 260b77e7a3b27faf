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


def mpremote(port: str, argv: list[str], transport: SerialTransport | None = None) -> int:
    """Run mpremote verbs (one chain, as on its command line) against `port`.

    With `transport` given, it is used and left open; otherwise one is opened
    (with a soft reset, except for ``repl``) and closed after."""
    if argv[:1] == ["repl"] and transport is None and is_url(port):
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
    try:
        while remaining:
            cmd = remaining.pop(0)
            handler, make_parser = mpremote_main._COMMANDS[cmd]
            cmd_parser = make_parser()
            cmd_parser.add_argument("next_command", nargs="...")
            args = cmd_parser.parse_args(remaining)
            handler(state, args)
            remaining = args.next_command
    except (CommandError, TransportExecError) as e:
        raise HarnessError(f"{argv[0]} on {port} failed: {e}") from None
    except TransportError as e:
        raise HarnessError(f"lost the board on {port}: {e}") from None
    finally:
        if owned:
            with contextlib.suppress(Exception):
                transport.exit_raw_repl()
            transport.close()
    return 0


def netsocket_on_board(port: str, after: str) -> tuple[str, str]:
    """(version, file) of `import netsocket` after a soft reset; `after` names the step for errors."""
    transport = connect(port)  # the soft reset mounts /rom afresh
    try:
        version = transport.eval("__import__('netsocket').__version__")
        where = transport.eval("__import__('netsocket').__file__")
    except Exception as e:  # noqa: BLE001 - reported as one line
        raise HarnessError(f"{after}, but `import netsocket` fails on {port}: {str(e).strip()[-120:]}") from None
    finally:
        transport.close()
    return version, where
