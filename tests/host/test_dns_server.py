"""The DNS peers of the device tests: dnsmasq's records, the spoofing server, and no stray dnsmasq."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

from netsocket_harness.peers.dns import BOGUS, GENUINE, DnsPeers, find_dnsmasq

pytestmark = pytest.mark.skipif(find_dnsmasq() is None, reason="dnsmasq is not installed (Debian package dnsmasq-base)")


@pytest.fixture(scope="module")
def peers():
    p = DnsPeers()
    addrs = p.start()
    yield addrs
    p.stop()


def ask(addr: tuple[str, int], name: str, rdtype: str = "A") -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(name, rdtype), addr[0], port=addr[1], timeout=2)


def answers(m: dns.message.Message) -> list[str]:
    return sorted(rd.to_text() for rr in m.answer for rd in rr if rr.rdtype in (1, 28))


def test_records(peers) -> None:
    d = peers["dns"]
    assert answers(ask(d, "h3.dns.test")) == ["10.53.0.3"]
    assert answers(ask(d, "h3.dns.test", "AAAA")) == ["fd53::3"]
    assert answers(ask(d, "m2.dns.test")) == ["10.53.2.1", "10.53.2.2", "10.53.2.3"]
    chain = ask(d, "c1.dns.test")
    assert [rr.rdtype for rr in chain.answer] == [5, 5, 5, 1] and answers(chain) == ["10.53.0.1"]
    assert [rr.ttl for rr in ask(d, "zero.dns.test").answer] == [0]
    assert [rr.ttl for rr in ask(d, "short.dns.test").answer] == [2]
    assert ask(d, "nope.dns.test").rcode() == dns.rcode.NXDOMAIN
    assert ask(d, "h1.dns.test_invalid").rcode() == dns.rcode.NXDOMAIN


def test_silent_server_never_answers(peers) -> None:
    with pytest.raises(dns.exception.Timeout):
        host, port = peers["dns-silent"]
        dns.query.udp(dns.message.make_query("h1.dns.test", "A"), host, port=port, timeout=0.3)


def _all_replies(addr: tuple[str, int], name: str) -> list[tuple[tuple[str, int], bytes]]:
    q = dns.message.make_query(name, "A")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.sendto(q.to_wire(), addr)
        got = []
        try:
            while True:
                data, src = s.recvfrom(2048)
                got.append((src, data))
        except TimeoutError:
            return got


def test_spoofer_forges_then_answers(peers) -> None:
    addr = peers["dns-spoof"]
    got = _all_replies(addr, "wrongport.spoof.test")
    assert len(got) == 2 and got[0][0] != addr and got[1][0] == addr
    assert answers(dns.message.from_wire(got[1][1])) == [GENUINE[0]]
    got = _all_replies(addr, "only.spoof.test")
    assert len(got) == 2 and all(BOGUS[0] in dns.message.from_wire(d).to_text() for _, d in got)
    got = _all_replies(addr, "malformed.spoof.test")
    assert len(got) == 12 and got[-1][0] == addr  # 11 broken messages, then the genuine reply


def test_dnsmasq_ends_with_a_killed_test_process(tmp_path) -> None:
    """Even a SIGKILLed owner leaves no dnsmasq behind (parent death signal)."""
    code = ("import sys; from netsocket_harness.peers.dns import DnsPeers\n"
            "p = DnsPeers(); p.start(); print(p.dnsmasq.proc.pid, flush=True); sys.stdin.read()\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    pid = int(child.stdout.readline())
    assert os.path.exists(f"/proc/{pid}")
    child.send_signal(signal.SIGKILL)
    child.wait()
    for _ in range(50):
        if not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGTERM)
        pytest.fail("dnsmasq outlived its killed owner")
