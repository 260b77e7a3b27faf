"""`netsocket bench sockets`: netsocket against raw MicroPython sockets, side by side.

On one private virtual board (package in its ROM as a ROMFS image), against
the same host peers, each workload runs over netsocket and over plain
MicroPython `socket` code doing the same work, alternating, several rounds;
medians and the ratio netsocket/raw are printed:

- TCP bulk: 4 MB to a sink that answers once it has received them all (so the
  time is end to end, not the copy into the kernel's buffers), 1200-byte and
  16 KiB sends;
- 64-byte echo round trips (TCP echo peer);
- UDP datagrams per second (64-byte datagrams echoed by the UDP echo peer).

Wall time on a shared machine wobbles, so the bench also counts what does
not: interpreter instructions netsocket adds per `send` and per `recv` of
1200 bytes over the raw socket call, and per 64-byte UDP datagram sent and
received, with valgrind's callgrind on the unix port (N and 2N calls of each
kind, so start-up cancels out; the board's heap size, so garbage is collected
as often as there; `--callgrind-only` prints just these). And memory:
the heap cost of importing the core API and of a connected, used TCPSocket
beyond a raw socket doing the same, with a 32-bit estimate.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .. import vboard
from ..build import build
from ..deploy import deploy
from ..errors import HarnessError
from ..mpr import connect
from ..peers import Peers

BOARD_CODE = Path(__file__).with_name("board_sockets.py")
BULK = 4 * 1024 * 1024
ECHOES = 2000
DATAGRAMS = 2000

# Board side: heap cost of what a TCP client program imports, and of the stack it opens.
IMPORT_COST = """
import gc, sys
gc.collect(); a0 = gc.mem_alloc()
from netsocket import TCPSocket, SocketAddress, NetworkInterface, nsapi
net = NetworkInterface.get_default_instance()
gc.collect(); a1 = gc.mem_alloc()
mods1 = sorted(k[10:] for k in sys.modules if k.startswith('netsocket.'))
s = TCPSocket(); s.open(net); s.close()
gc.collect(); a2 = gc.mem_alloc()
mods2 = sorted(k[10:] for k in sys.modules if k.startswith('netsocket.'))
print(repr((a1 - a0, a2 - a0, mods1, mods2)))
"""

# Board side: N connected sockets that sent and received, netsocket and raw, same peer (a board listener).
PER_SOCKET = """
import gc, socket
from netsocket import TCPSocket, SocketAddress, NetworkInterface
net = NetworkInterface.get_default_instance(); net.connect()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
for port in range(10400, 10500):
    try:
        ls.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1]); break
    except OSError:
        pass
ls.listen(20)
N = 8
buf = bytearray(8)
def raw():
    out = []
    for i in range(N):
        s = socket.socket(); s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
        c, _ = ls.accept()
        s.write(b"hello"); c.readinto(buf, 5); c.write(b"world"); s.readinto(buf, 5)
        out.append((s, c))
    return out
def ns():
    out = []
    a = SocketAddress("127.0.0.1", port)
    for i in range(N):
        s = TCPSocket(); s.open(net); s.connect(a)
        c, _ = ls.accept()
        s.send(b"hello"); c.readinto(buf, 5); c.write(b"world"); s.recv(buf, 5)
        out.append((s, c))
    return out
for fn in (raw, ns):  # warm up: lazy imports, errno table, poll objects
    for s, c in fn():
        s.close(); c.close()
res = {raw: [], ns: []}
for fn in (raw, ns, raw, ns):
    gc.collect(); a0 = gc.mem_alloc()
    out = fn()
    gc.collect(); res[fn].append((gc.mem_alloc() - a0) / N)
    for s, c in out:
        s.close(); c.close()
    out = None
ls.close()
print(repr((min(res[raw]), min(res[ns]))))
"""

# Unix port under callgrind: N calls of one kind. TCP over a loopback connection to itself
# (1200 bytes written, then read); UDP against the bench's echo peer (a host thread, not
# counted), so every blocking receive waits: raw is sendto + a blocking recvfrom.
CALLGRIND = """
import sys, socket
sys.path.insert(0, {lib!r})
from netsocket import TCPSocket, UDPSocket, SocketAddress, NetworkInterface
MODE, OP, N, PORT = {mode!r}, {op!r}, {n}, {port}
net = NetworkInterface.get_default_instance(); net.connect()
if OP.startswith("udp"):
    out = bytearray(64)
    buf = bytearray(64)
    if MODE == "ns":
        u = UDPSocket(); u.open(net)
        a = SocketAddress("127.0.0.1", PORT); src = SocketAddress()
        if OP == "udp":
            for i in range(N):
                u.sendto(a, out)
                u.recvfrom(src, buf)
        else:
            for i in range(N):
                u.sendto(a, out, 64)
                u.recvfrom(src, buf, 64)
    else:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a = socket.getaddrinfo("127.0.0.1", PORT)[0][-1]
        for i in range(N):
            u.sendto(out, a)
            d, f = u.recvfrom(64)
    sys.exit()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
ls.listen(1)
if MODE == "ns":
    s = TCPSocket(); s.open(net); s.connect(SocketAddress("127.0.0.1", PORT))
else:
    s = socket.socket(); s.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
c, _ = ls.accept()
buf = bytearray(1200)
other = bytearray(1200)
if OP == "send" and MODE == "ns":
    for i in range(N):
        s.send(buf)
        c.readinto(other)
elif OP == "send":
    for i in range(N):
        s.write(buf)
        c.readinto(other)
elif MODE == "ns":
    for i in range(N):
        c.write(other)
        s.recv(buf)
else:
    for i in range(N):
        c.write(other)
        s.readinto(buf)
"""


def _median_pair(board, ns_call: str, raw_call: str, rounds: int) -> tuple[float, float]:
    ns, raw = [], []
    for _ in range(rounds):
        ns.append(_value(board.eval(ns_call)))
        raw.append(_value(board.eval(raw_call)))
    return statistics.median(ns), statistics.median(raw)


def _value(v: object) -> float:
    return float(v[0] if isinstance(v, tuple) else v)


class _Sink(socketserver.BaseRequestHandler):
    """Reads a 4-byte big-endian length, then that many bytes, then answers b"OK"."""

    def handle(self) -> None:
        head = b""
        while len(head) < 4:
            head += self.request.recv(4 - len(head))
        left = int.from_bytes(head, "big")
        while left > 0:
            data = self.request.recv(min(left, 1 << 16))
            if not data:
                return
            left -= len(data)
            quickack(self.request)
        self.request.sendall(b"OK")


def quickack(s: socket.socket) -> None:
    """ACK at once (Linux): else the sender's last small segment waits in Nagle for our delayed
    ACK (40 ms), and a bulk figure measures that stall rather than the sender."""
    if hasattr(socket, "TCP_QUICKACK"):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


class _SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True


def run(rounds: int = 9, plot: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="nsbench-") as tmp:
        root = Path(tmp)
        cfg = vboard.start("bench-sockets", root=root, owner_pid=os.getpid())
        sink = _SinkServer(("127.0.0.1", 0), _Sink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        try:
            with Peers() as peers:
                _bench(cfg, root, {**peers.addresses, "sink": sink.server_address}, rounds, plot)
        finally:
            sink.shutdown()
            sink.server_close()
            vboard.stop("bench-sockets", root=root)


def _bench(cfg: vboard.BoardConfig, root: Path, peers: dict[str, tuple[str, int]], rounds: int,
           plot: Path | None = None) -> None:
    build_dir = root / "build"
    deploy(cfg.port, "romfs", "VIRTUAL", build_dir, log=lambda *_a: None)
    print(f"virtual board {cfg.port}, heap {cfg.heap // 1024}K, package in ROMFS; "
          f"{rounds} rounds each, alternating, medians")

    board = connect(cfg.port)
    try:
        _throughput(board, peers, rounds)
        if plot is not None:
            _size_sweep(board, peers["sink"], plot)
        _memory(board)
    finally:
        board.close()
    _instructions(root, plot)


def _throughput(board, peers: dict[str, tuple[str, int]], rounds: int) -> None:
    board.exec(BOARD_CODE.read_text())
    print("\nthroughput                          netsocket          raw   netsocket/raw")
    sink, echo = peers["sink"], peers["echo"]
    for chunk in (1200, 16384):
        ns, raw = _median_pair(board, f"ns_bulk({sink[0]!r},{sink[1]},{BULK},{chunk})",
                               f"raw_bulk({sink[0]!r},{sink[1]},{BULK},{chunk})", rounds)
        mb = BULK / 1e6
        _row(f"TCP bulk 4 MB, {chunk:5}-byte sends", mb / (ns / 1e6), mb / (raw / 1e6), "MB/s")
    ns, raw = _median_pair(board, f"ns_echo({echo[0]!r},{echo[1]},{ECHOES})",
                           f"raw_echo({echo[0]!r},{echo[1]},{ECHOES})", rounds)
    _row("TCP 64-byte echo round trips", ECHOES / (ns / 1e6), ECHOES / (raw / 1e6), "/s")
    ns, raw = _median_pair(board, f"ns_udp({echo[0]!r},{echo[1]},{DATAGRAMS})",
                           f"raw_udp({echo[0]!r},{echo[1]},{DATAGRAMS})", rounds)
    _row("UDP 64-byte datagrams (echoed)", DATAGRAMS / (ns / 1e6), DATAGRAMS / (raw / 1e6), "/s")


SWEEP = (64, 256, 1024, 4096, 16384)  # bytes per send in the --plot sweep
SWEEP_BYTES = 1024 * 1024


def _size_sweep(board, sink: tuple[str, int], plot: Path) -> None:
    # TCP throughput against the send size, 1 MB per point, median of 3 alternating rounds
    print("\nTCP bulk 1 MB by send size (median of 3)  netsocket MB/s   raw MB/s")
    ns_rates, raw_rates = [], []
    for chunk in SWEEP:
        ns, raw = _median_pair(board, f"ns_bulk({sink[0]!r},{sink[1]},{SWEEP_BYTES},{chunk})",
                               f"raw_bulk({sink[0]!r},{sink[1]},{SWEEP_BYTES},{chunk})", 3)
        ns_rates.append(SWEEP_BYTES / ns)
        raw_rates.append(SWEEP_BYTES / raw)
        print(f"  {chunk:5d}-byte sends {ns_rates[-1]:28.1f} {raw_rates[-1]:10.1f}")
    from .plots import tcp_throughput

    print(f"  plot: {tcp_throughput(plot, list(SWEEP), ns_rates, raw_rates)}")


def _row(label: str, ns: float, raw: float, unit: str) -> None:
    print(f"  {label:32} {ns:10.1f} {unit:4} {raw:8.1f} {unit:4}  {ns / raw:6.2f}")


def _memory(board) -> None:
    board.enter_raw_repl(soft_reset=True)
    imp, opened, mods1, mods2 = _eval_print(board, IMPORT_COST)
    board.enter_raw_repl(soft_reset=True)
    raw, ns = _eval_print(board, PER_SOCKET)
    print("\nmemory (64-bit virtual board; 32-bit estimate = half: every object here is made of words)")
    print(f"  import TCPSocket, SocketAddress, NetworkInterface, nsapi ({', '.join(mods1)})")
    print(f"    {imp:6d} B   (32-bit estimate {imp // 2:6d} B)   target <= 10240 B")
    print(f"  + first socket opened (loads {', '.join(sorted(set(mods2) - set(mods1)))})")
    print(f"    {opened:6d} B   (32-bit estimate {opened // 2:6d} B)")
    print(f"  connected, used TCPSocket: {ns:.0f} B vs raw socket {raw:.0f} B: "
          f"+{ns - raw:.0f} B each (32-bit estimate +{(ns - raw) / 2:.0f} B)   target <= 256 B")


def _eval_print(board, code: str):
    # run code that prints one repr() last; -> that value
    return ast.literal_eval(board.exec(code).decode().strip().splitlines()[-1])


HEAP = 112640  # the virtual board's heap: garbage is collected as often as on the board


def instructions(plot: Path | None = None) -> None:
    """Only the callgrind counts (`netsocket bench sockets --callgrind-only`): no board, no peers."""
    with tempfile.TemporaryDirectory(prefix="nsbench-") as tmp:
        _instructions(Path(tmp), plot)


_LABELS = {"send": "send 1200 B (TCP)", "recv": "recv 1200 B (TCP)",
           "udp": "sendto+recvfrom 64 B (UDP)", "udpsize": "  the same with a size"}
_TARGETS = {"send": (1600, 1200), "recv": (1600, 1200), "udp": (3000, 3000), "udpsize": (3000, 3000)}


def _udp_echo() -> tuple[socket.socket, threading.Event]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                d, a = s.recvfrom(65536)
            except OSError:
                continue
            s.sendto(d, a)

    threading.Thread(target=serve, daemon=True).start()
    return s, stop


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def added_instructions(root: Path, n: int = 2000) -> dict[str, dict[str, float]] | None:
    """Instructions per call netsocket adds over raw: {build: {op: added}}, build "native"
    (the hot methods compiled for x64, as the virtual board's build does) and "bytecode"."""
    if not shutil.which("valgrind"):
        return None
    mp = Path(sys.executable).with_name("micropython")
    env = dict(os.environ, PYTHONHASHSEED="0")
    libs = {"native": build("VIRTUAL", root / "native").mpy_dir,
            "bytecode": build("VIRTUAL", root / "bytecode", None).mpy_dir}
    echo, stop = _udp_echo()
    jobs: dict[tuple[str, str, str, int], tuple[subprocess.Popen, Path]] = {}
    try:
        for kind, lib in libs.items():
            for op in _LABELS:
                for mode in ("ns", "raw"):
                    if mode == "raw" and kind == "bytecode":
                        continue  # raw code is the same in both builds
                    for count in (n, 2 * n):
                        port = echo.getsockname()[1] if op.startswith("udp") else _free_port()
                        name = f"cg_{kind}_{op}_{mode}_{count}"
                        script = root / f"{name}.py"
                        script.write_text(CALLGRIND.format(lib=str(lib), mode=mode, op=op, n=count, port=port))
                        out = root / f"{name}.out"
                        # only the interpreter's own run is counted (not the CPython wrapper's start-up)
                        jobs[(kind, op, mode, count)] = (subprocess.Popen(
                            ["valgrind", "--tool=callgrind", "--toggle-collect=micropython_unix_main",
                             f"--callgrind-out-file={out}", sys.executable, str(mp), "-X", f"heapsize={HEAP}",
                             str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env), out)
                        running = [p for p, _ in jobs.values() if p.poll() is None]
                        if len(running) >= 2:
                            running[0].wait()
        total = {}
        for key, (proc, out) in jobs.items():
            _, err = proc.communicate()
            m = re.search(rb"Collected : (\d+)", err)
            if proc.returncode or not m:
                raise HarnessError(f"callgrind run {key} failed: {err.decode(errors='replace').strip()[-200:]}")
            total[key] = int(m.group(1))
    finally:
        stop.set()
        echo.close()
    per = {key[:3]: (total[(*key[:3], 2 * n)] - total[(*key[:3], n)]) / n for key in total}
    return {kind: {op: per[(kind, op, "ns")] - per[("native", op, "raw")] for op in _LABELS} | {
        f"raw {op}": per[("native", op, "raw")] for op in _LABELS} for kind in libs}


def _instructions(root: Path, plot: Path | None = None) -> None:
    print("\ninterpreter instructions netsocket adds per call over raw MicroPython (callgrind, unix port, "
          "N and 2N calls; UDP against an echo peer, raw = sendto + blocking recvfrom)")
    added = added_instructions(root)
    if added is None:
        print("  valgrind not installed: skipped (apt-get install valgrind)")
        return
    print(f"  {'':28} {'raw':>7} {'bytecode':>9} {'native':>8}   targets (bytecode / native)")
    for op, label in _LABELS.items():
        t = _TARGETS[op]
        print(f"  {label:28} {added['native']['raw ' + op]:7.0f} {added['bytecode'][op]:+9.0f} "
              f"{added['native'][op]:+8.0f}   <= {t[0]} / {t[1]}")
    if plot is not None:
        from .plots import instructions as draw

        labels = ["TCP send\n1200 B", "TCP recv\n1200 B", "UDP 64 B\nsendto+recvfrom", "UDP with\na size"]
        path = draw(plot, labels, [added["bytecode"][op] for op in _LABELS], [added["native"][op] for op in _LABELS],
                    [_TARGETS[op][1] for op in _LABELS])
        print(f"  plot: {path}")
