"""A virtual board on its own link (`vboard start --netns`) and the faults of `vboard link`.

These need root (network namespaces, veth, nftables, tc): on a machine without
it they fail with the harness's own message, never skip silently. Timing is
only checked from below (a delayed or rate-limited link cannot be faster than
its limits; a loaded machine only makes it slower); duplication and total loss
are counted exactly.
"""

from __future__ import annotations

import socket
import subprocess
import threading

import pytest

from netsocket_harness import vboard
from netsocket_harness.vboard import link as vlink

from .conftest import mpremote, run


@pytest.fixture
def lboard(home):
    cfg = vboard.start("hosttest", netns=True)
    yield cfg
    vboard.stop(cfg.name)


@pytest.fixture
def echo(lboard):
    """TCP and UDP echo on the host's end of the board's link; -> its port."""
    host = lboard.link["host_ip"]
    tcp = socket.create_server((host, 0))
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((host, port))
    udp.settimeout(0.2)
    stop = threading.Event()

    def serve_tcp() -> None:
        tcp.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = tcp.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.2)
                while not stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    conn.sendall(data)

    def serve_udp() -> None:
        while not stop.is_set():
            try:
                data, peer = udp.recvfrom(2048)
            except OSError:
                continue
            udp.sendto(data, peer)

    threads = [threading.Thread(target=f, daemon=True) for f in (serve_tcp, serve_udp)]
    for t in threads:
        t.start()
    yield port
    stop.set()
    for t in threads:
        t.join(5)
    tcp.close()
    udp.close()


def board_run(cfg, code: str) -> str:
    return mpremote(cfg.port, "exec", code, timeout=120).stdout.strip()


def namespaces() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def test_board_on_its_own_link_and_removed_with_it(home):
    cfg = vboard.start("hosttest", netns=True)
    ln = vlink.Link.from_json(cfg.link)
    try:
        assert ln.netns in namespaces()
        assert ln.host_ip in subprocess.run(["ip", "-4", "addr", "show", ln.host_dev], capture_output=True,
                                            text=True).stdout
        out = board_run(cfg, "import network; n = network.LAN(); print(n.ifconfig()[0], n.isconnected())")
        assert out == f"{ln.board_ip} True"
        # the board cannot reach the host's loopback: it is on its own link
        out = board_run(cfg, "import socket\ns = socket.socket()\ntry:\n s.connect(socket.getaddrinfo("
                             "'127.0.0.1', 9)[0][-1]); print('reached')\nexcept OSError as e: print('refused', e.errno)")
        assert out.startswith("refused")
    finally:
        vboard.stop(cfg.name)
    assert ln.netns not in namespaces()
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert ln.host_dev not in links and ln.host_tap not in links
    assert ln.netns not in subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout


def test_link_faults_are_made_as_documented(lboard):
    ln = vlink.Link.from_json(lboard.link)
    out = run("netsocket", "vboard", "link", "hosttest", "--loss", "5%", "--rate", "1mbit", "--delay", "20ms").stdout
    assert out.strip() == f"hosttest: board {ln.board_ip} <-> host {ln.host_ip} ({ln.host_dev}): " \
                          "up, loss 5.0%, delay 20.0ms, rate 1mbit"
    nft = subprocess.run(["nft", "list", "table", "netdev", ln.netns], capture_output=True, text=True).stdout
    assert "numgen random mod 10000 < 500" in nft
    qdisc = subprocess.run(["tc", "qdisc", "show", "dev", ln.host_dev], capture_output=True, text=True).stdout
    assert "tbf" in qdisc and "rate 1Mbit" in qdisc
    flt = subprocess.run(["tc", "filter", "show", "dev", ln.host_dev, "ingress"], capture_output=True, text=True).stdout
    assert f"Egress Redirect to device {ln.host_tap}" in flt
    run("netsocket", "vboard", "link", "hosttest", "--clear")
    assert "numgen" not in subprocess.run(["nft", "list", "table", "netdev", ln.netns], capture_output=True,
                                          text=True).stdout
    assert "tbf" not in subprocess.run(["tc", "qdisc", "show", "dev", ln.host_dev], capture_output=True,
                                       text=True).stdout


def test_list_shows_the_link(lboard):
    line = run("netsocket", "vboard", "list").stdout.strip()
    assert f"\tlink {lboard.link['board_ip']} <-> {lboard.link['host_ip']}\t" in line


def test_down_and_up_reach_the_board(lboard):
    run("netsocket", "vboard", "link", "hosttest", "--down")
    assert board_run(lboard, "import network; print(network.LAN().isconnected())") == "False"
    run("netsocket", "vboard", "link", "hosttest", "--up")
    assert board_run(lboard, "import network; print(network.LAN().isconnected())") == "True"


UDP_COUNT = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a = socket.getaddrinfo({host!r}, {port})[0][-1]
for i in range(10):
    s.sendto(b'%03d' % i, a)
s.settimeout(1.5)
got = []
try:
    while True:
        got.append(s.recv(16))
except OSError:
    pass
print(len(got), len(set(got)))
"""


def test_duplicate_and_total_loss_counted(lboard, echo):
    code = UDP_COUNT.format(host=lboard.link["host_ip"], port=echo)
    vboard.set_link("hosttest", duplicate=100)
    # every frame doubled each way: 10 datagrams -> 20 at the host -> 20 echoes -> 40 at the board
    assert board_run(lboard, code) == "40 10"
    vboard.set_link("hosttest", duplicate=0, loss=100)
    assert board_run(lboard, code) == "0 0"


RTT = """
import socket, time
s = socket.socket()
s.connect(socket.getaddrinfo({host!r}, {port})[0][-1])
s.write(b'x')
s.read(1)
t = time.ticks_ms()
for i in range(3):
    s.write(b'y' * 64)
    n = 0
    while n < 64:
        n += len(s.read(64 - n))
rtt = time.ticks_diff(time.ticks_ms(), t) / 3
data = b'z' * 1000
t = time.ticks_ms()
sent = got = 0
s.setblocking(False)
while got < {bulk}:
    if sent < {bulk}:
        k = s.write(data)
        sent += k or 0
    r = s.read(4096)
    got += len(r) if r else 0
    if not r:
        time.sleep_ms(1)
print(rtt, time.ticks_diff(time.ticks_ms(), t))
"""


def test_delay_and_rate_are_lower_bounds(lboard, echo):
    vboard.set_link("hosttest", delay=100)
    rtt, _ = board_run(lboard, RTT.format(host=lboard.link["host_ip"], port=echo, bulk=1000)).split()
    assert float(rtt) >= 200  # 100 ms each way
    vboard.set_link("hosttest", delay=0, rate="1mbit")
    _, ms = board_run(lboard, RTT.format(host=lboard.link["host_ip"], port=echo, bulk=200_000)).split()
    # 200 kB each way through 1 Mbit/s, less the 16 kB bucket: at least 1.47 s
    assert int(ms) >= (200_000 - 16 * 1024) * 8 / 1e6 * 1000


@pytest.mark.parametrize("args, message", [
    (["--loss", "150%"], "loss, reorder and duplicate are percentages (0..100)"),
    (["--delay", "soon"], "delay 'soon': not a number"),
    (["--rate", "fast"], "rate 'fast': give it as tc does, e.g. 1mbit, 500kbit"),
    (["--down", "--up"], "give --down or --up, not both"),
])
def test_bad_link_arguments(lboard, args, message):
    proc = run("netsocket", "vboard", "link", "hosttest", *args, check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"netsocket: error: virtual board 'hosttest': {message}" \
        or proc.stderr.strip() == f"netsocket: error: {message}"
    assert "Traceback" not in proc.stderr


def test_link_of_a_board_without_one(board):
    proc = run("netsocket", "vboard", "link", "hosttest", "--loss", "5", check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip() == "netsocket: error: virtual board 'hosttest': this board has no link of its own " \
                                  "(start it with --netns)"
