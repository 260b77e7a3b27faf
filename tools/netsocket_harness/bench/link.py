"""`netsocket bench link`: netsocket against raw MicroPython sockets on a faulty link.

One private virtual board on its own link (`vboard start --netns`, root only;
faults made as vboard/link.py says, both ways). For each link condition, loss
0, 1, 5, 10 % (no delay) and delay 50, 200 ms one way each way (no loss), the
same board code as `bench sockets` (board_sockets.py) runs over netsocket and
over plain `socket`, alternating, `ROUNDS` times, against the same host peers
on the link; medians and the ratio netsocket/raw are printed:

- TCP bulk: `BULK` bytes to a sink that answers once it has them all, 1200-byte sends;
- 64-byte TCP echo: mean round trip over a run of echoes (fewer on a slow link).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
from pathlib import Path

from .. import vboard
from ..deploy import deploy
from ..errors import HarnessError
from ..mpr import connect
from ..peers import Peers
from .sockets import BOARD_CODE, _SinkServer, _Sink

BULK = 1024 * 1024
ROUNDS = 3
CONDITIONS = [({"loss": p}, f"loss {p:>2} %") for p in (0, 1, 5, 10)] + \
             [({"delay": d}, f"delay {d:>3} ms") for d in (50, 200)]


def _echoes(cond: dict[str, float]) -> int:
    """Echoes per measurement: about the same wall time whatever the delay."""
    return 20 if cond.get("delay", 0) >= 200 else 50 if cond.get("delay") else 300


def run(rounds: int = ROUNDS) -> None:
    with tempfile.TemporaryDirectory(prefix="nsbench-") as tmp:
        root = Path(tmp)
        cfg = vboard.start("bench-link", root=root, owner_pid=os.getpid(), netns=True)
        host = cfg.link["host_ip"]
        sink = _SinkServer((host, 0), _Sink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        try:
            with Peers(host) as peers:
                _bench(cfg, root, peers.addresses["echo"], sink.server_address, rounds)
        finally:
            sink.shutdown()
            sink.server_close()
            vboard.stop("bench-link", root=root)


def _bench(cfg: vboard.BoardConfig, root: Path, echo: tuple[str, int], sink: tuple[str, int], rounds: int) -> None:
    deploy(cfg.port, "romfs", "VIRTUAL", root / "build", log=lambda *_a: None)
    print(f"virtual board {cfg.port} on its own link ({cfg.link['board_ip']} <-> {cfg.link['host_ip']}), heap "
          f"{cfg.heap // 1024}K; faults both ways; {rounds} rounds each, alternating, medians")
    print(f"\n{'link':14} {'TCP bulk 1 MB, 1200-byte sends (MB/s)':>40}   {'64-byte TCP echo round trip (ms)':>38}")
    print(f"{'':14} {'netsocket':>12} {'raw':>10} {'ns/raw':>8}   {'netsocket':>12} {'raw':>10} {'ns/raw':>8}  echoes")
    board = connect(cfg.port)
    try:
        board.exec(BOARD_CODE.read_text())
        for faults, label in CONDITIONS:
            vboard.set_link("bench-link", root=root, **{"loss": 0, "delay": 0, **faults})
            n = _echoes(faults)
            bulk = _pair(board, f"ns_bulk({sink[0]!r},{sink[1]},{BULK},1200)",
                         f"raw_bulk({sink[0]!r},{sink[1]},{BULK},1200)", rounds)
            rtt = _pair(board, f"ns_echo({echo[0]!r},{echo[1]},{n})", f"raw_echo({echo[0]!r},{echo[1]},{n})", rounds)
            mb_ns, mb_raw = BULK / bulk[0], BULK / bulk[1]  # bytes per microsecond = MB/s
            ms_ns, ms_raw = rtt[0] / n / 1000, rtt[1] / n / 1000
            print(f"{label:14} {mb_ns:12.2f} {mb_raw:10.2f} {mb_ns / mb_raw:8.2f}   "
                  f"{ms_ns:12.2f} {ms_raw:10.2f} {ms_ns / ms_raw:8.2f}  {n:6d}", flush=True)
    finally:
        board.close()


def _pair(board, ns_call: str, raw_call: str, rounds: int) -> tuple[float, float]:
    ns, raw = [], []
    for _ in range(rounds):
        ns.append(_call(board, ns_call))
        raw.append(_call(board, raw_call))
    return statistics.median(ns), statistics.median(raw)


def _call(board, call: str) -> float:
    """The microseconds a board function returned (it may take long on a lossy link)."""
    out, err = board.exec_raw(f"print({call})", timeout=300)
    if err:
        raise HarnessError(f"the board failed in {call.split('(')[0]}: {err.decode(errors='replace').strip()[-300:]}")
    return float(out)
