"""`netsocket bench compat`: unmodified umqtt.simple and urequests over netsocket.compat.

On a private test board (the device-test set-up: a virtual board from ROMFS with the
third-party libraries in /lib, an emulated BG96 at 921600 baud on UART(1), the host peers
with a mosquitto broker):

- memory: heap the facade's import costs beyond the core's, what install() adds, and
  one facade socket beyond the TCPSocket it wraps;
- native stack: umqtt.simple QoS 0 publishes per second and urequests GETs per second,
  the same library imported again for each side in one run: over the port's own socket
  module, after install() (the port's sockets handed out, its getaddrinfo through the
  interface's DNS) and after install(native=False) (facade sockets, as over a modem);
  ratios to the first, best of interleaved rounds (a shared host disturbs single rounds);
- BG96 at 921600 baud: the same over the facade, and the bytes they move per second
  as a fraction of the line rate (baud / 10).

- interpreter instructions per umqtt publish (valgrind's callgrind on the unix port, N and
  2N publishes into a socket of the same process): raw, handed out, wrapper. Unlike the
  wall clock of this shared host, these counts repeat exactly; the kernel's share of a
  send is not counted, so their ratio is the wrapper's worst case.

All timing happens on the board; the host only prints.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import thirdparty
from ..build import build
from ..errors import HarnessError
from ..mpr import connect
from ..runner.boards import MODEM_BAUD, TestBoard
from ..vboard import DEFAULT_HEAP

ROUNDS = 7
TOPIC = b"netsocket/bench"
PAYLOAD = 64

_MEMORY = """
import gc
gc.collect(); m0 = gc.mem_alloc()
from netsocket import NetworkInterface, TCPSocket
net = NetworkInterface.get_default_instance()
gc.collect(); m1 = gc.mem_alloc()
from netsocket import compat
gc.collect(); m2 = gc.mem_alloc()
from netsocket.stack import NativeStack  # what any socket needs: the core's, loaded by the first socket
gc.collect(); m2b = gc.mem_alloc()
compat.install(net, None, False)  # facade sockets: what one costs
gc.collect(); m3 = gc.mem_alloc()
raw = []
for _ in range(8):
    t = TCPSocket(); t.open(net); raw.append(t)
gc.collect(); m4 = gc.mem_alloc()
fac = [compat.socket() for _ in range(8)]
gc.collect(); m5 = gc.mem_alloc()
print(repr((m1 - m0, m2 - m1, m3 - m2b, ((m5 - m4) - (m4 - m3)) // 8)))
"""

_WORK = """
import sys, time, gc
sys.path.append("/lib")
NET = %(net)r
MQTT = %(mqtt)r
HTTP = "http://%%s:%%d/" %% %(http)r
PUBS = %(pubs)d
GETS = %(gets)d
ROUNDS = %(rounds)d
from netsocket import NetworkInterface, compat
if NET == "bg96":
    from machine import UART
    from netsocket.cellular import CellularInterface
    net = CellularInterface(UART(1, baudrate=%(baud)d), "bg96")
    net.set_credentials("internet")
else:
    net = NetworkInterface.get_default_instance()
assert net.connect() == 0

def libs():
    for m in ("umqtt.simple", "umqtt", "urequests"):
        sys.modules.pop(m, None)
    import umqtt.simple, urequests
    return umqtt.simple, urequests

def mqtt(simple):
    c = simple.MQTTClient(b"bench-%%s" %% NET, MQTT[0], MQTT[1], keepalive=120)
    c.connect()
    msg = bytes(%(payload)d)
    t0 = time.ticks_us()
    for _ in range(PUBS):
        c.publish(%(topic)r, msg)
    c.ping()
    assert c.wait_msg() is None  # PINGRESP: the broker has read every publish before it
    t = time.ticks_diff(time.ticks_us(), t0)
    c.disconnect()
    return t

def gets(requests):
    n = 0
    t0 = time.ticks_us()
    for _ in range(GETS):
        r = requests.get(HTTP)
        assert r.status_code == 200
        n += len(r.content)
    return time.ticks_diff(time.ticks_us(), t0), n


out = {}
sides = ("facade",) if NET == "bg96" else ("raw", "facade", "wrapper")
res = {s: ([], []) for s in sides}
for _ in range(ROUNDS):
    for side in sides:
        if side == "raw":
            compat.uninstall()
        else:  # the default; wrapper: facade sockets on the native stack too
            compat.install(net, None, side == "facade")
        simple, requests = libs()
        res[side][0].append(mqtt(simple))
        t, n = gets(requests)
        res[side][1].append(t)
        out["body"] = n // GETS
        gc.collect()
for side in res:
    out[side] = (min(res[side][0]), min(res[side][1]))  # best of the rounds: least disturbed by the host
print(repr(out))
"""


def _exec(board: TestBoard, code: str) -> object:
    t = connect(board.port)
    try:
        t.enter_raw_repl(soft_reset=True)
        out, err = t.exec_raw(code, timeout=900)
    finally:
        t.close()
    if err:
        raise HarnessError(f"compat bench failed on the board: {err.decode(errors='replace').strip()}")
    return ast.literal_eval(out.decode().strip().splitlines()[-1])


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="nsbench-compat-") as tmp:
        board = TestBoard(None, None, "bench-compat", DEFAULT_HEAP, "127.0.0.1", Path(tmp) / "build")
        try:
            if "mqtt" not in board.addresses:
                raise HarnessError("no mosquitto: apt-get install mosquitto")
            core, facade, install, per_socket = _exec(board, _MEMORY)  # type: ignore[misc]
            print("memory (64-bit virtual board, package from ROMFS):")
            print(f"  core import (TCPSocket, NetworkInterface, default instance)  {core:6d} B")
            print(f"  facade import (netsocket.compat) beyond the core              {facade:6d} B   target <= 4096")
            print(f"  install() (ssl facade, module swap) beyond a first socket's     {install:6d} B")
            print(f"  one facade socket beyond its TCPSocket                         {per_socket:6d} B   target <= 160")
            _native(board)
            _bg96(board)
        finally:
            board.close()
        _instructions(Path(tmp))


def _params(board: TestBoard, net: str, pubs: int, gets: int) -> dict[str, object]:
    a = board.addresses
    return dict(net=net, mqtt=a["mqtt"], http=a["http"], pubs=pubs, gets=gets, rounds=ROUNDS,
                payload=PAYLOAD, topic=TOPIC, baud=MODEM_BAUD)


def _native(board: TestBoard) -> None:
    pubs, gets = 30000, 300
    r = _exec(board, _WORK % _params(board, "native", pubs, gets))
    assert isinstance(r, dict)
    print(f"native stack, best of {ROUNDS} interleaved rounds: the same library without install() (raw), "
          "after install() (facade: the port's own sockets handed out), and after install(native=False) "
          "(wrapper: facade sockets over TCPSocket, as over a modem):")
    for i, what in ((0, f"umqtt.simple QoS 0 publishes/s ({PAYLOAD} B)"), (1, f"urequests GETs/s ({r['body']} B body)")):
        n = pubs if i == 0 else gets
        raw, fac, wrap = (n * 1e6 / r[side][i] for side in ("raw", "facade", "wrapper"))
        print(f"  {what:38s} raw {raw:8.0f}  facade {fac:8.0f} ratio {fac / raw:4.2f} (target >= 0.9)  "
              f"wrapper {wrap:8.0f} ratio {wrap / raw:4.2f}")


def _bg96(board: TestBoard) -> None:
    pubs, gets = 200, 10
    r = _exec(board, _WORK % _params(board, "bg96", pubs, gets))
    assert isinstance(r, dict)
    line = MODEM_BAUD / 10
    pub_wire = 2 + 2 + len(TOPIC) + PAYLOAD  # one QoS 0 PUBLISH on the wire
    p = pubs * 1e6 / r["facade"][0]
    g = gets * 1e6 / r["facade"][1]
    get_wire = 80 + 180 + r["body"]  # request, response head (about), body
    print(f"emulated BG96 at {MODEM_BAUD} baud (line {line:.0f} B/s), over the facade, best of {ROUNDS} interleaved rounds:")
    print(f"  umqtt.simple QoS 0 publishes/s  {p:7.1f}   {p * pub_wire:7.0f} B/s of MQTT  "
          f"{p * pub_wire / line:5.3f} of line rate")
    print(f"  urequests GETs/s                {g:7.2f}   {g * get_wire:7.0f} B/s of HTTP  "
          f"{g * get_wire / line:5.3f} of line rate")


# umqtt.simple publishing into a socket of the same process, counted by callgrind (unix port)
CALLGRIND = """
import sys, socket
sys.path[:0] = {paths!r}
from netsocket import NetworkInterface, compat
MODE, N = {mode!r}, {n}
net = NetworkInterface.get_default_instance(); net.connect()
ls = socket.socket()
for port in range({base}, {base} + 100):
    try:
        ls.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1]); break
    except OSError:
        pass
ls.listen(1)
if MODE != "raw":
    compat.install(net, None, MODE == "facade")
import usocket
import umqtt.simple
c = umqtt.simple.MQTTClient(b"cg", "127.0.0.1", port)
c.sock = usocket.socket()
c.sock.connect(usocket.getaddrinfo("127.0.0.1", port)[0][-1])
srv, _ = ls.accept()
msg = bytes({payload})
sink = bytearray(4 + len({topic!r}) + {payload})
for i in range(N):
    c.publish({topic!r}, msg)
    srv.readinto(sink)
"""


def _instructions(root: Path, n: int = 2000) -> None:
    print("interpreter instructions per umqtt.simple QoS 0 publish (callgrind, unix port, N and 2N "
          "publishes; the reading side included in all):")
    if not shutil.which("valgrind"):
        print("  valgrind not installed: skipped (apt-get install valgrind)")
        return
    files = thirdparty.board_files()
    if not files:
        print("  third-party libraries not fetched: skipped")
        return
    lib = build("VIRTUAL", root / "cg-build").mpy_dir
    third = [str(src.parents[1]) for path, src in files if path == "umqtt/simple.py"]
    mp = Path(sys.executable).with_name("micropython")
    jobs = {}
    for slot, (mode, count) in enumerate((m, c) for m in ("raw", "facade", "wrapper") for c in (n, 2 * n)):
        script = root / f"cg_{mode}_{count}.py"
        script.write_text(CALLGRIND.format(paths=[str(lib), *third], mode=mode, n=count, base=21000 + slot * 100,
                                           payload=PAYLOAD, topic=TOPIC))
        out = root / f"cg_{mode}_{count}.out"
        jobs[(mode, count)] = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(mp), "-X", "heapsize=110K",
             str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONHASHSEED="0"))
        if sum(p.poll() is None for p in jobs.values()) >= 2:  # two at a time: the machine has 2 cores
            next(p for p in jobs.values() if p.poll() is None).wait()
    total = {}
    for key, proc in jobs.items():
        _, err = proc.communicate()
        m = re.search(rb"Collected : (\d+)", err)
        if proc.returncode or not m:
            print(f"  callgrind run {key} failed: {err.decode(errors='replace').strip()[-300:]}")
            return
        total[key] = int(m.group(1))
    per = {mode: (total[(mode, 2 * n)] - total[(mode, n)]) / n for mode in ("raw", "facade", "wrapper")}
    print(f"  raw {per['raw']:7.0f}   handed out {per['facade']:7.0f} (ratio {per['raw'] / per['facade']:4.2f})   "
          f"wrapper {per['wrapper']:7.0f} (ratio {per['raw'] / per['wrapper']:4.2f})")
