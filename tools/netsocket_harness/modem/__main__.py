"""`python -m netsocket_harness.modem` (and `netsocket modem start`): one emulated modem in the foreground.

Prints ``pty <path>`` and ``control <host>:<port>`` once ready, then serves
until SIGTERM/SIGINT (or, with --die-with-parent, until its parent exits).
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import sys

from ..errors import HarnessError
from . import MODELS, model_class

# Every knob of core.Faults: its unit and what it does (tests/host/test_cli_help.py checks none is missing).
FAULT_HELP = {
    "reg_delay": "ms from power-on until the modem registers on the network (default 0)",
    "reg_deny": "1: registration is denied (+CEREG stat 3)",
    "sim_pin": "the PIN the SIM asks for (default: none)",
    "split": "N: each response is written in pieces of 1..N bytes (1 = byte by byte)",
    "delay_max": "ms: a random delay of 0..delay_max before each response",
    "garbage": "probability 0..1 of a garbage line before a response",
    "inject": "probability 0..1 of a URC injected inside a multi-line response",
    "lose_open": "count: the next N socket-open result URCs (+QIOPEN, +CIPOPEN) are never sent",
    "send_fail": "count: the next N sends answer SEND FAIL (buffer full)",
    "lose_reply": "count: the next N command responses are never sent",
    "boot_ms": "ms from power-on or reboot to the RDY URC (default 50)",
}

EPILOG = """\
fault knobs (--faults k=v,..., e.g. reg_delay=5000,garbage=0.1):
{faults}

It prints two lines once ready:
  pty /dev/pts/N         the modem's serial line: wire a virtual board to it with
                         netsocket vboard start --uart1 /dev/pts/N (machine.UART(1) on the board)
  control 127.0.0.1:P    a TCP port taking one command per line while it runs, answered OK or ERROR:
                         set k=v ... (fault knobs), reset (knobs to defaults), baud N, pdpdeact (the
                         network drops the PDP context), reboot (RDY again), close ID (the peer closes
                         socket ID), urc TEXT, dns NAME IP, state, ping;
                         e.g. echo 'set reg_delay=5000' | nc 127.0.0.1 P

A modem started again gets a new pty: a board wired to the old one has its UART(1) unwired (netsocket
vboard list shows the fault); restart the board with --uart1 <the new pty>.""".format(
    faults="\n".join(f"  {k:<11} {v}" for k, v in FAULT_HELP.items()))


def baud_rate(text: str) -> int:
    """--baud: a line rate in bit/s, or 0 for unpaced."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a baud rate: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a baud rate: {text!r} (bit/s, or 0 for unpaced)")
    return value


def parse_faults(text: str):
    """--faults k=v,... -> core.Faults (the emulator loaded only here: the help needs none of it)."""
    from .core import Faults

    f = Faults()
    for kv in filter(None, text.split(",")):
        k, _, v = kv.partition("=")
        try:
            f.set(k.strip(), v.strip() or "1")
        except (KeyError, ValueError):
            raise HarnessError(f"bad fault {kv!r}; known: {', '.join(Faults.__dataclass_fields__)} "
                               "(netsocket modem start --help says what each means)") from None
    return f


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m netsocket_harness.modem", epilog=EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="bg96", choices=list(MODELS))
    ap.add_argument("--baud", type=baud_rate, default=115200)
    ap.add_argument("--faults", default="", help="k=v,... e.g. reg_delay=2000,split=1,garbage=0.1")
    ap.add_argument("--nonip-peer", help="host:port receiving non-IP datagrams")
    ap.add_argument("--die-with-parent", action="store_true")
    args = ap.parse_args(argv)
    if args.die_with_parent and sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    peer = None
    if args.nonip_peer:
        h, _, p = args.nonip_peer.rpartition(":")
        peer = (h, int(p))
    try:
        faults = parse_faults(args.faults)
    except HarnessError as e:
        raise SystemExit(f"netsocket modem: {e}") from None
    modem = model_class(args.model)(args.baud, faults, nonip_peer=peer)
    signal.signal(signal.SIGTERM, lambda *_: modem.stop())
    signal.signal(signal.SIGINT, lambda *_: modem.stop())
    print("pty", modem.pty, flush=True)
    print("control", "%s:%d" % modem.control, flush=True)
    try:
        modem.run()
    finally:
        modem.close()


if __name__ == "__main__":
    main()
