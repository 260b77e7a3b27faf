"""`netsocket bench cellular`: sockets over the emulated BG96 and SIM7600, on a private virtual board.

For each modem and line rate (115200 and 921600 baud): bulk upload (TCP to the discard
peer) and bulk download (TCP from chargen) as bytes/s and as a fraction of
the line rate (bytes/s divided by baud/10), and the round trip of a 64-byte
TCP echo (median). All timing happens on the board; the host only prints.
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
import time
from machine import UART
from netsocket import TCPSocket, SocketAddress
from netsocket.cellular import CellularInterface
net = CellularInterface(UART(1, baudrate=%(baud)d), "%(model)s")
net.set_credentials("internet")
assert net.connect() == 0
def sock(port):
    s = TCPSocket(); s.open(net); assert s.connect(SocketAddress("%(host)s", port)) == 0; return s
buf = bytearray(1460)
s = sock(%(discard)d)
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
print(repr((%(size)d, up, down, rtts[len(rtts) // 2])))
"""


def _measure(model: str, baud: int, peers: dict[str, tuple[str, int]], root: Path) -> tuple[int, int, int, int]:
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


MODELS = {
    "bg96": "the emulated BG96 (buffer access mode: QISEND 1460 / QIRD 1500 bytes per exchange)",
    "sim7600": "the emulated SIM7600 (manual receive: CIPSEND 1500 / CIPRXGET=2 1500 bytes per exchange)",
}


def run(plot: Path | None = None) -> None:
    rows: dict[str, list[tuple[int, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="nsbench-cell-") as tmp, Peers() as peers:
        for model, what in MODELS.items():
            print("sockets over", what)
            for baud in PLOT_RATES if plot is not None else RATES:
                size, up, down, rtt = _measure(model, baud, peers.addresses, Path(tmp))
                _report(baud, size, up, down, rtt)
                rows.setdefault(model, []).append((baud, size / (up / 1e6), size / (down / 1e6)))
    if plot is not None:
        from .plots import cellular

        print(f"plot: {cellular(plot, rows)}")


def _report(baud: int, size: int, up: int, down: int, rtt: int) -> None:
    line = baud / 10
    up_bps, down_bps = size * 1e6 / up, size * 1e6 / down
    print(f"  {baud:7d} baud (line {line:8.0f} B/s), {size // 1024} KB each way:")
    print(f"    upload   {up_bps:9.0f} B/s   {up_bps / line:5.3f} of line rate")
    print(f"    download {down_bps:9.0f} B/s   {down_bps / line:5.3f} of line rate")
    print(f"    64-byte echo round trip (median of 30)  {rtt / 1000:7.2f} ms")
