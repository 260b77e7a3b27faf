"""The board's link under faults: loss, delay, an outage (run on a virtual board on its own link).

The runner starts that board with ``vboard start --netns`` (root only) and sets
the link's faults when a test asks (``host("link ...")``); every test starts on
a clean link. Loss is 5 % each way, delay one way each way (tools/netsocket_harness/vboard/link.py).
"""

import json
import time
from devtest import host, peer, timeout
from netsocket import TCPSocket, UDPSocket, TLSSocket, SocketAddress, dns
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_WOULD_BLOCK as WOULD_BLOCK,
    NSAPI_ERROR_DNS_FAILURE as DNS_FAILURE,
    NSAPI_ERROR_TIMEOUT as TIMEOUT,
    NSAPI_STATUS_GLOBAL_UP as GLOBAL_UP,
    NSAPI_STATUS_DISCONNECTED as DISCONNECTED,
)
from nsutil import SIZES, net, addr, fill, sockets, Flag

NETNS = True
BIG = 2 * 1024 * 1024
PERIOD = 1000  # the echoed stream repeats this many pattern bytes


def link(**faults):
    """Set the link's faults (the others cleared)."""
    answer = host("link " + json.dumps(faults))
    assert answer == "ok", answer


def stream_echo(s, total):
    """Send ``total`` pattern bytes on the non-blocking ``s`` while reading the echo; every byte checked."""
    flag = Flag()
    s.sigio(flag.set)
    tx = bytearray(2 * PERIOD)
    fill(tx, PERIOD, 7)
    tx[PERIOD:] = tx[:PERIOD]
    rx = bytearray(PERIOD)
    mtx, mrx = memoryview(tx), memoryview(rx)
    sent = got = 0
    while got < total:
        progress = False
        if sent < total:
            n = s.send(mtx[sent % PERIOD:], min(PERIOD, total - sent))
            assert n > 0 or n == WOULD_BLOCK, "send = %d after %d" % (n, sent)
            if n > 0:
                sent += n
                progress = True
        n = s.recv(mrx, min(PERIOD, total - got))
        assert n > 0 or n == WOULD_BLOCK, "recv = %d after %d of %d" % (n, got, total)
        if n > 0:
            o = got % PERIOD
            assert mrx[:n] == mtx[o:o + n], "wrong byte in %d..%d" % (got, got + n)
            got += n
            progress = True
        if not progress:
            assert flag.wait(10000), "no progress in 10 s (%d sent, %d received)" % (sent, got)
    s.sigio(None)


def tcp_echo_big():
    with TCPSocket() as s:
        assert s.open(net()) == OK
        assert s.connect(addr("echo")) == OK
        s.set_blocking(False)
        stream_echo(s, BIG)


@timeout(60)
def test_tcp_echo_2mb_loss():
    link(loss=5)
    tcp_echo_big()


@timeout(90)
def test_tcp_echo_2mb_delay():
    link(delay=200)
    tcp_echo_big()


@timeout(60)
def test_udp_echo_loss():
    """Mbed's UDPSOCKET_ECHOTEST at 5 % loss each way: up to 3 tries per size, loss at most 30 %."""
    link(loss=5)
    tx = bytearray(1200)
    rx = bytearray(1200)
    src = SocketAddress()
    sent = lost = 0
    with UDPSocket() as s:
        assert s.open(net()) == OK
        s.set_timeout(500)
        a = addr("echo")
        for size in SIZES:
            fill(tx, size, size)
            for _ in range(3):
                assert s.sendto(a, tx, size) == size
                sent += 1
                n = s.recvfrom(src, rx)
                while n > 0 and rx[:n] != tx[:size]:  # a late echo of an earlier try
                    n = s.recvfrom(src, rx)
                if n == size:
                    assert src == a, "echo from %s" % src
                    break
                assert n == WOULD_BLOCK, "recvfrom = %d" % n
                lost += 1
    assert lost * 100 <= sent * 30, "lost %d of %d" % (lost, sent)
    print("udp: lost %d of %d datagrams" % (lost, sent))


def dns_server():
    h, p = peer("dns")
    assert dns.set_servers([SocketAddress(h, p)]) == OK
    dns.response_wait = 300
    dns.reset()


@timeout(60)
def test_dns_through_loss():
    """30 % loss each way: every name resolves, by the resolver's retries (no cache: one name each)."""
    link(loss=30)
    n = net()
    dns_server()
    dns.total_attempts = 10
    a = SocketAddress()
    for i in range(1, 13):
        err = n.gethostbyname("h%d.dns.test" % i, a)
        assert err == OK, "h%d: %d" % (i, err)
        assert a.get_ip_address() == "10.53.0.%d" % i, a.get_ip_address()


@timeout(60)
def test_dns_unreachable():
    """The link down: the lookup gives up after its attempts with a clean code, not a hang or an exception."""
    n = net()
    dns_server()
    dns.total_attempts = 3
    link(down=True)
    err = n.gethostbyname("h1.dns.test", SocketAddress())
    assert err in (TIMEOUT, DNS_FAILURE), err
    link()


@timeout(60)
def test_tls_echo_loss():
    link(loss=5)
    with open("/tests/tls_ca.der", "rb") as f:
        ca = f.read()
    with TLSSocket() as s:
        assert s.open(net()) == OK
        assert s.set_root_ca_cert(ca) == OK
        assert s.set_hostname("tls.netsocket.test") == OK
        assert s.connect(addr("tls_echo")) == OK
        s.set_blocking(False)
        stream_echo(s, 128 * 1024)


@timeout(60)
def test_link_down_then_reconnect():
    """Down: recv errs by its timeout and the interface says DISCONNECTED (event); up: connect again, echo, no leak."""
    n = net()
    events = []
    n.attach(lambda ev, st: events.append(st))
    base = sockets()
    s = TCPSocket()
    assert s.open(n) == OK
    assert s.connect(addr("echo")) == OK
    s.set_timeout(2000)
    link(down=True)
    assert n.get_connection_status() == DISCONNECTED
    assert events == [DISCONNECTED], events
    assert s.send(b"lost?") == 5  # buffered by the stack, as on lwIP
    buf = bytearray(16)
    t0 = time.ticks_ms()
    err = s.recv(buf)
    assert err == WOULD_BLOCK, "recv = %d" % err
    print("recv gave up after %d ms (timeout 2000)" % time.ticks_diff(time.ticks_ms(), t0))
    s.close()
    link()
    assert n.connect() == OK
    assert n.get_connection_status() == GLOBAL_UP
    assert events == [DISCONNECTED, 3, GLOBAL_UP], events  # 3: CONNECTING
    # the stack's neighbour entry for the host failed while the link was down: like any application
    # that reconnects, try again (the first SYN may meet that entry before it is probed again)
    for tries in range(1, 6):
        s2 = TCPSocket()
        assert s2.open(n) == OK
        err = s2.connect(addr("echo"))
        if err == OK:
            break
        s2.close()
        time.sleep_ms(500)
    assert err == OK, "connect after up = %d (%d tries)" % (err, tries)
    print("connected again at try %d" % tries)
    with s2:
        assert s2.send(b"back") == 4
        s2.set_timeout(10000)
        got = s2.recv(buf)
        assert got == 4 and buf[:4] == b"back", (got, bytes(buf))
    n.attach(None)
    assert sockets() == base, "sockets leaked: %d open, %d before" % (sockets(), base)
