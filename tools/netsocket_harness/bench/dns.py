"""`netsocket bench dns`: a cache hit against a miss of netsocket's resolver, on a private virtual board.

Both through ``NetworkInterface.gethostbyname`` against a local dnsmasq: a
miss empties the cache first (so it opens a UDP socket, binds a random port,
asks dnsmasq and reads its reply), a hit finds the name in the cache. Also
the resolver alone (``dns.lookup``, without the interface's front end) and
an asynchronous miss (submission to callback). Medians over many rounds.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .. import vboard
from ..deploy import deploy
from ..peers.dns import DnsPeers
from ..errors import HarnessError
from ..mpr import connect

_BOARD = """
import time, gc
from netsocket import NetworkInterface, SocketAddress, UDPSocket
net = NetworkInterface.get_default_instance()
net.connect()
gc.collect()
i0 = gc.mem_free()
from netsocket import dns
gc.collect()
imp = i0 - gc.mem_free()
dns.set_servers([SocketAddress(%(host)r, %(port)d)])
st = net.get_stack()
a = SocketAddress()
NAME = "h1.dns.test"

def median(f, n):
    ts = []
    for _ in range(n):
        t0 = time.ticks_us()
        f()
        ts.append(time.ticks_diff(time.ticks_us(), t0))
    ts.sort()
    return ts[n // 2]

def miss():
    dns.reset()
    assert net.gethostbyname(NAME, a) == 0

def hit():
    assert net.gethostbyname(NAME, a) == 0

def miss_lookup():
    dns.reset()
    dns.lookup(st, NAME)

got = []
def amiss():
    dns.reset()
    del got[:]
    assert net.gethostbyname_async(NAME, lambda r, x: got.append(r)) > 0
    while not got:
        time.sleep_us(20) if hasattr(time, "sleep_us") else time.sleep_ms(0)

miss(); hit()
m = median(miss, %(rounds)d)
h = median(hit, %(rounds)d * 10)
ml = median(miss_lookup, %(rounds)d)
hl = median(lambda: dns.lookup(st, NAME), %(rounds)d * 10)
am = median(amiss, %(rounds)d)
gc.collect()
f0 = gc.mem_free()
for _ in range(100):
    hit()
gc.collect()
print("RESULT", m, h, ml, hl, am, f0 - gc.mem_free(), imp)
"""


def run(rounds: int = 201) -> None:
    with tempfile.TemporaryDirectory(prefix="nsbench-dns-") as tmp:
        root = Path(tmp)
        peers = DnsPeers()
        cfg = vboard.start("bench-dns", root=root, owner_pid=os.getpid())
        try:
            addrs = peers.start()
            if "dns" not in addrs:
                raise HarnessError(peers.missing)
            _bench(cfg, root, addrs["dns"], rounds)
        finally:
            peers.stop()
            vboard.stop("bench-dns", root=root)


def _bench(cfg: vboard.BoardConfig, root: Path, server: tuple[str, int], rounds: int) -> None:
    deploy(cfg.port, "romfs", "VIRTUAL", root / "build", log=lambda *_a, **_k: None)
    t = connect(cfg.port)
    try:
        out, err = t.exec_raw(_BOARD % {"host": server[0], "port": server[1], "rounds": rounds}, timeout=300)
    finally:
        t.close()
    if err:
        raise HarnessError(f"the board failed: {err.decode(errors='replace').strip()}")
    line = next(x for x in out.decode().splitlines() if x.startswith("RESULT"))
    m, h, ml, hl, am, heap, imp = (int(x) for x in line.split()[1:])
    print(f"virtual board {cfg.port}, heap {cfg.heap // 1024}K, dnsmasq on {server[0]}:{server[1]}, medians")
    print(f"  gethostbyname, miss (asks dnsmasq)         {m:8d} us")
    print(f"  gethostbyname, cache hit                   {h:8d} us   hit is {m / max(h, 1):.0f}x faster"
          f" (target >= 100x)")
    print(f"  resolver alone (dns.lookup): miss {ml} us, hit {hl} us   ratio {ml / max(hl, 1):.0f}x")
    print(f"  gethostbyname_async, miss to callback      {am:8d} us")
    print(f"  heap kept after 100 cache hits             {heap:8d} bytes")
    print(f"  heap taken by importing netsocket.dns      {imp:8d} bytes (from ROMFS, sockets already loaded)")
