"""`netsocket bench tls`: TLSSocket against raw `ssl` over raw `socket`, on one private virtual board.

- handshake: creation to finished handshake (TCP connect, CA load, ECDHE-ECDSA P-256);
- bulk: upload to the TLS sink peer (it answers once it holds the last byte, so the time is
  end to end, as in `bench sockets`), and a round trip of 1 KiB pieces through the TLS echo peer;
- memory: GC heap held by one open connection (both ways), and what mbedTLS holds
  outside the GC heap on the unix port (the board process's RSS growth over a
  few connections; estimated from mbedTLS's buffer sizes for boards).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mpremote.transport_serial import SerialTransport

from .. import vboard
from ..errors import HarnessError
from ..deploy import deploy
from ..mpr import connect
from ..peers.tls import SERVER_NAME, TLSPeers

_BOARD = """
import gc, socket, time
try:
    import tls
except ImportError:
    import ssl as tls
from netsocket import TLSSocket, SocketAddress, NetworkInterface
CA = %(ca)r
NAME = %(name)r
ECHO = (%(host)r, %(echo)d)
DISCARD = (%(host)r, %(discard)d)
ROUNDS = %(rounds)d
UP = %(up)d
ECHO_N = %(echo_n)d
net = NetworkInterface.get_default_instance()
net.connect()
ai = lambda p: socket.getaddrinfo(p[0], p[1])[0][-1]
buf = bytearray(1024)
for i in range(1024):
    buf[i] = 48 + i %% 43
rx = bytearray(1024)

def ns(p):
    s = TLSSocket()
    s.open(net)
    s.set_root_ca_cert(CA)
    s.set_hostname(NAME)
    e = s.connect(SocketAddress(p[0], p[1]))
    assert e == 0, e
    return s

def raw(p):
    c = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    c.verify_mode = tls.CERT_REQUIRED
    c.load_verify_locations(CA)
    s = socket.socket()
    s.connect(ai(p))
    return c.wrap_socket(s, server_hostname=NAME)

def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]

def hs(make):
    ts = []
    for _ in range(ROUNDS):
        t0 = time.ticks_us()
        s = make(ECHO)
        ts.append(time.ticks_diff(time.ticks_us(), t0))
        s.close()
    return median(ts)

def up_ns():
    s = ns(DISCARD)
    t0 = time.ticks_us()
    assert s.send(UP.to_bytes(4, "big")) == 4
    for _ in range(UP // 1024):
        assert s.send(buf) == 1024
    got = 0
    while got < 2:
        n = s.recv(rx, 2 - got)
        assert n > 0, n
        got += n
    dt = time.ticks_diff(time.ticks_us(), t0)
    s.close()
    return dt

def up_raw():
    s = raw(DISCARD)
    t0 = time.ticks_us()
    s.write(UP.to_bytes(4, "big"))
    for _ in range(UP // 1024):
        s.write(buf)
    assert s.read(2) == b"OK"
    dt = time.ticks_diff(time.ticks_us(), t0)
    s.close()
    return dt

def echo_ns():
    s = ns(ECHO)
    t0 = time.ticks_us()
    for _ in range(ECHO_N):
        s.send(buf)
        got = 0
        while got < 1024:
            n = s.recv(rx)
            assert n > 0, n
            got += n
    dt = time.ticks_diff(time.ticks_us(), t0)
    s.close()
    return dt

def echo_raw():
    s = raw(ECHO)
    t0 = time.ticks_us()
    for _ in range(ECHO_N):
        s.write(buf)
        s.readinto(rx)
    dt = time.ticks_diff(time.ticks_us(), t0)
    s.close()
    return dt

def heap(make):
    gc.collect()
    f0 = gc.mem_free()
    s = make(ECHO)
    gc.collect()
    used = f0 - gc.mem_free()
    s.close()
    return used

import netsocket.tls  # imported before the heap figures
"""

_MAIN = """
print("HS", hs(ns), hs(raw))
for k in range(3):
    print("UP", up_ns(), up_raw())
    print("ECHO", echo_ns(), echo_raw())
print("HEAP", heap(ns), heap(raw))
"""

_HOLD = """
socks = [ns(ECHO) for _ in range(%d)]
print("HELD")
"""


def _rss_kb(supervisor_pid: int) -> int:
    """VmRSS of the board's interpreter (the supervisor's child), in KiB; 0 if not found."""
    try:
        kids = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
        for line in Path(f"/proc/{kids[0]}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _exec(t: SerialTransport, code: str, timeout: float) -> str:
    out, err = t.exec_raw(code, timeout=timeout)
    if err:
        raise HarnessError(f"the TLS benchmark failed on the board:\n{err.decode(errors='replace')}")
    return out.decode(errors="replace")


def run(rounds: int = 15, upload: int = 256 * 1024, echo_pieces: int = 64, held: int = 4,
        plot: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="nsbench-tls-") as tmp:
        root = Path(tmp)
        cfg = vboard.start("bench-tls", root=root, owner_pid=os.getpid())
        try:
            with TLSPeers("127.0.0.1") as peers:
                _bench(cfg, root, peers, rounds, upload, echo_pieces, held, plot)
        finally:
            vboard.stop("bench-tls", root=root)


def _bench(cfg: vboard.BoardConfig, root: Path, peers: TLSPeers, rounds: int, upload: int,
           echo_pieces: int, held: int, plot: Path | None = None) -> None:
    deploy(cfg.port, "romfs", "VIRTUAL", root / "build", log=lambda *_a, **_k: None)
    host, echo = peers.addresses["tls_echo"]
    discard = peers.addresses["tls_sink"][1]
    code = _BOARD % {"ca": peers.pki.ca.cert_der, "name": SERVER_NAME, "host": host, "echo": echo,
                     "discard": discard, "rounds": rounds, "up": upload, "echo_n": echo_pieces}
    t = connect(cfg.port)
    try:
        out = _exec(t, code + _MAIN, 300)
        t.enter_raw_repl(soft_reset=True)  # a fresh interpreter process for the memory figure
        _exec(t, code + "gc.collect()\n", 60)
        rss0 = _rss_kb(cfg.pid)
        held_out = _exec(t, _HOLD % held, 120)
        rss1 = _rss_kb(cfg.pid)
    finally:
        t.close()
    rows: dict[str, list[list[int]]] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ("HS", "UP", "ECHO", "HEAP"):
            rows.setdefault(parts[0], []).append([int(x) for x in parts[1:]])

    def med(key: str, i: int) -> float:
        xs = sorted(r[i] for r in rows[key])
        return xs[len(xs) // 2]

    print(f"virtual board {cfg.port}, heap {cfg.heap // 1024}K, TLS 1.2 ECDHE-ECDSA P-256 to Python ssl peers on "
          f"loopback; handshake median of {rounds}, bulk median of 3")
    print(f"{'':40}{'TLSSocket':>12}{'raw ssl':>12}{'ratio':>8}")
    hs_ns, hs_raw = med("HS", 0), med("HS", 1)
    print(f"{'handshake (open..connected)':40}{hs_ns / 1000:9.1f} ms{hs_raw / 1000:9.1f} ms{hs_ns / hs_raw:8.2f}")
    bars: list[tuple[str, float, float]] = []
    for key, label, size in (("UP", f"upload {upload // 1024} KiB to a sink", upload),
                             ("ECHO", f"echo {echo_pieces} x 1 KiB round trips", echo_pieces * 1024)):
        a, b = med(key, 0), med(key, 1)
        ka, kb = size / 1024 / (a / 1e6), size / 1024 / (b / 1e6)
        print(f"{label:40}{ka:7.0f} KiB/s{kb:7.0f} KiB/s{b / a:8.2f}")
        bars.append((label.replace(" to", "\nto").replace(" round", "\nround"), ka, kb))
    if plot is not None:
        from .plots import tls

        print(f"plot: {tls(plot, [b[0] for b in bars], [b[1] for b in bars], [b[2] for b in bars], 'KiB/s')}")
    h_ns, h_raw = med("HEAP", 0), med("HEAP", 1)
    print(f"{'GC heap held by one open connection':40}{h_ns:9d} B {h_raw:9d} B {h_ns / h_raw:8.2f}")
    ok = "HELD" in held_out
    if rss0 and rss1 and ok:
        print(f"outside the GC heap (unix port: mbedTLS uses libc malloc): board process RSS grew "
              f"{rss1 - rss0} KiB for {held} open TLSSockets = ~{(rss1 - rss0) / held:.0f} KiB each")
    else:
        print("outside the GC heap: could not read the board process's RSS")
    print("estimate for a board (mbedTLS 3.6, MicroPython's config: IN_CONTENT_LEN 16384, OUT_CONTENT_LEN 4096):\n"
          "  record buffers ~16.7 KiB in + ~4.4 KiB out per connection, plus the parsed CA and peer\n"
          "  certificates (~1-2 KiB each) and handshake state (ECDHE, transcript hashes, freed after it).\n"
          "  On stm32/rp2 (bare-metal config) these come from the GC heap; on esp32 from ESP-IDF's heap.")
