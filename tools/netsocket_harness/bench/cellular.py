"""`netsocket bench cellular`: sockets over every emulated modem, on a private virtual board.

One table: for each modem and line rate (115200 and 921600 baud; with ``--plot DIR`` four
rates and a PNG), bulk upload (TCP to the discard peer) and bulk download (TCP from
chargen) as bytes/s and as a fraction of the line rate (bytes/s divided by baud/10), the round trip of a 64-byte TCP echo (median),
and the GC heap (``gc.mem_alloc()``) that netsocket.cellular takes once connected with
one open TCPSocket: everything the import, the interface, its AT handler, the modem's
stack and the socket hold, over what the core (TCPSocket, SocketAddress) already took.
All timing happens on the board; the host only prints.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path

from .. import modem, vboard
from ..deploy import deploy
from ..errors import HarnessError
from ..mpr import connect
from ..peers import Peers

RATES = (115200, 921600)
PLOT_RATES = (115200, 230400, 460800, 921600)  # with --plot: enough points for a curve

_DEVICE = """
import time, gc
from machine import UART
from netsocket import TCPSocket, SocketAddress
def sock(port):
    s = TCPSocket(); s.open(net); assert s.connect(SocketAddress("%(host)s", port)) == 0; return s
u = UART(1, baudrate=%(baud)d)
gc.collect(); heap = gc.mem_alloc()
from netsocket.cellular import CellularInterface
net = CellularInterface(u, "%(model)s")
net.set_credentials("internet")
assert net.connect() == 0
s = sock(%(discard)d)
gc.collect(); heap = gc.mem_alloc() - heap
buf = bytearray(1460)
t0 = time.ticks_us(); n = 0
while n < %(size)d:
    k = s.send(buf); assert k > 0, k; n += k
up = time.ticks_diff(time.ticks_us(), t0); s.close()
s = sock(%(chargen)d)
n = s.recv(buf)  # first bytes: the download is running
t0 = time.ticks_us(); n = 0
while n < %(size)d:
    k = s.recv(buf); assert k > 0, k; n += k
down = time.ticks_diff(time.ticks_us(), t0); s.close()
s = sock(%(echo)d)
rtts = []
for i in range(%(rounds)d):
    t0 = time.ticks_us(); assert s.send(buf, 64) == 64; got = 0
    while got < 64:
        k = s.recv(memoryview(buf)[got:], 64 - got); assert k > 0; got += k
    rtts.append(time.ticks_diff(time.ticks_us(), t0))
s.close(); rtts.sort()
print(repr((%(size)d, up, down, rtts[len(rtts) // 2], heap)))
"""


def _measure(model: str, baud: int, peers: dict[str, tuple[str, int]], root: Path) -> tuple[int, int, int, int, int]:
    m = modem.start(model, baud=baud)
    name = f"bench-cell-{model}-{baud}"
    try:
        cfg = vboard.start(name, root=root, owner_pid=os.getpid(), uarts={"1": m.pty})
        try:
            deploy(cfg.port, "romfs", "VIRTUAL", root / "build", log=lambda *_a, **_k: None)
            host = peers["echo"][0]
            size = 48 * 1024 if baud < 500000 else 256 * 1024
            code = _DEVICE % dict(model=model, baud=baud, host=host, discard=peers["discard"][1], chargen=peers["chargen"][1],
                                  echo=peers["echo"][1], size=size, rounds=30)
            t = connect(cfg.port)
            try:
                t.enter_raw_repl(soft_reset=True)
                out, err = t.exec_raw(code, timeout=600)
                if err:
                    raise HarnessError(f"cellular bench failed on the board: {err.decode().strip()}")
                out = out.decode()
            finally:
                t.close()
            return ast.literal_eval(out.strip().splitlines()[-1])
        finally:
            vboard.stop(name, root=root)
    finally:
        m.stop()


MODELS = {  # what one send / one read exchange carries
    "bg96": "QISEND 1460 / QIRD 1500",
    "sim7600": "CIPSEND 1500 / CIPRXGET=2 1500",
    "sim800": "CIPSEND 1460 / CIPRXGET=2 1460",
    "sara": "USOWR 1024 / USORD 1024",
}


def run(plot: Path | None = None) -> None:
    print("sockets over the emulated modems (bytes/s; ratio = of the line rate, baud/10 bytes/s;")
    print("echo = 64-byte TCP round trip, median of 30; heap = GC heap of netsocket.cellular,")
    print("connected, one TCPSocket open)")
    print(f"{'modem':8} {'baud':>7} {'KB':>4} {'upload':>8} {'ratio':>6} {'download':>8} {'ratio':>6} {'echo ms':>8} "
          f"{'heap B':>7}  exchange")
    rows: dict[str, list[tuple[int, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="nsbench-cell-") as tmp, Peers() as peers:
        for model, what in MODELS.items():
            for baud in PLOT_RATES if plot is not None else RATES:
                size, up, down, rtt, heap = _measure(model, baud, peers.addresses, Path(tmp))
                line = baud / 10
                up_bps, down_bps = size * 1e6 / up, size * 1e6 / down
                print(f"{model:8} {baud:7d} {size // 1024:4d} {up_bps:8.0f} {up_bps / line:6.3f} {down_bps:8.0f} "
                      f"{down_bps / line:6.3f} {rtt / 1000:8.2f} {heap:7d}  {what}", flush=True)
                rows.setdefault(model, []).append((baud, up_bps, down_bps))
    if plot is not None:
        from .plots import cellular

        print(f"plot: {cellular(plot, rows)}")
