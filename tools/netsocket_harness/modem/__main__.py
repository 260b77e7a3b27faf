"""`python -m netsocket_harness.modem`: one emulated modem in the foreground.

Prints ``pty <path>`` and ``control <host>:<port>`` once ready, then serves
until SIGTERM/SIGINT (or, with --die-with-parent, until its parent exits).
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import sys

from .core import Faults
from . import MODELS, model_class


def parse_faults(text: str) -> Faults:
    f = Faults()
    for kv in filter(None, text.split(",")):
        k, _, v = kv.partition("=")
        try:
            f.set(k.strip(), v.strip() or "1")
        except (KeyError, ValueError):
            raise SystemExit(f"netsocket modem: bad fault {kv!r}; known: {', '.join(Faults.__dataclass_fields__)}")
    return f


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m netsocket_harness.modem")
    ap.add_argument("--model", default="bg96", choices=list(MODELS))
    ap.add_argument("--baud", type=int, default=115200)
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
    modem = model_class(args.model)(args.baud, parse_faults(args.faults), nonip_peer=peer)
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
