"""DNS resolver: the 16 DNS cases of Mbed's test plan against a local dnsmasq, and the resolver's own rules.

Names and addresses are those of tools/netsocket_harness/peers/dns.py
(hN.dns.test -> 10.53.0.N and fd53::N; mN.dns.test -> 10.53.N.1-3 and
fd53::N:1-2; c1 -> c2 -> c3 -> h1). Cache hits are proved without timing:
after the first lookup the only server left is one that never answers.
"""

import time
import micropython
from devtest import PEERS, skip, timeout
from netsocket import SocketAddress, dns
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_PARAMETER as PARAMETER,
    NSAPI_ERROR_NO_ADDRESS as NO_ADDRESS,
    NSAPI_ERROR_NO_MEMORY as NO_MEMORY,
    NSAPI_ERROR_DNS_FAILURE as DNS_FAILURE,
    NSAPI_ERROR_TIMEOUT as TIMEOUT,
    NSAPI_ERROR_UNSUPPORTED as UNSUPPORTED,
    NSAPI_IPv4,
    NSAPI_IPv6,
)
from nsutil import net, wait

HOSTS = tuple("h%d.dns.test" % i for i in range(1, 7))
HOSTS2 = tuple("h%d.dns.test" % i for i in range(7, 13))
MULTI = tuple("m%d.dns.test" % i for i in range(1, 6))
GENUINE = "10.53.9.1"


def ip4(host):
    """The address dnsmasq gives for hN.dns.test."""
    return "10.53.0.%d" % int(host.split(".")[0][1:])


def server(name):
    if name not in PEERS:
        skip("no %s peer: dnsmasq is not installed on the test host (Debian package dnsmasq-base)" % name)
    h, p = PEERS[name]
    return SocketAddress(h, p)


def setup(*names, wait_ms=300, attempts=4):
    """The connected interface; the resolver asks only the named peers, with short timeouts."""
    n = net()
    srv = [server(x) for x in names]
    assert dns.set_servers(srv) == OK
    dns.response_wait = wait_ms
    dns.total_attempts = attempts
    dns.reset()
    return n


class Results:
    """Collects async callbacks: (result, address or list)."""

    def __init__(self):
        self.got = {}

    def cb(self, key):
        def f(res, addr):
            assert key not in self.got, "callback twice for %r" % (key,)
            self.got[key] = (res, addr)

        return f

    def wait(self, n, ms=5000):
        return wait(lambda: len(self.got) >= n, ms)


def submit_all(fn, items):
    """Run ``fn(item)`` for every item as one scheduled function: no reply is handled in between,
    as when an Mbed test thread submits while the DNS event queue waits. -> list of results."""
    out = []
    micropython.schedule(lambda _: out.extend(fn(x) for x in items), None)
    assert wait(lambda: out, 1000)
    return out


# -- Mbed test plan: DNS (16 cases) -----------------------------------------------------


def test_asynchronous_dns():
    n = setup("dns")
    r = Results()
    i = n.gethostbyname_async(HOSTS[0], r.cb(0))
    assert i > 0, i
    assert r.wait(1)
    res, a = r.got[0]
    assert res == 1 and a == SocketAddress(ip4(HOSTS[0]), 0), r.got


def test_asynchronous_dns_simultaneous():
    n = setup("dns")
    r = Results()
    ids = submit_all(lambda h: n.gethostbyname_async(h, r.cb(h)), HOSTS)
    assert [x > 0 for x in ids] == [True] * 5 + [False], ids
    assert ids[5] == NO_MEMORY, ids
    assert r.wait(5)
    for h in HOSTS[:5]:
        assert r.got[h] == (1, SocketAddress(ip4(h), 0)), (h, r.got[h])


def test_asynchronous_dns_simultaneous_cache():
    n = setup("dns")
    for h in HOSTS[:3]:  # what SIMULTANEOUS leaves in the cache (3 entries)
        assert n.gethostbyname(h, SocketAddress()) == OK
    r = Results()
    ids = submit_all(lambda h: n.gethostbyname_async(h, r.cb(h)), HOSTS)
    assert ids[:3] == [0, 0, 0] and all(x > 0 for x in ids[3:]), ids
    assert r.wait(6)
    for h in HOSTS:
        assert r.got[h] == (1, SocketAddress(ip4(h), 0)), (h, r.got[h])


@timeout(60)
def test_asynchronous_dns_simultaneous_repeat():
    n = setup("dns")
    for rnd in range(10):
        r = Results()
        ids = [n.gethostbyname_async(h, r.cb(h)) for h in HOSTS]
        assert all(x >= 0 or x == NO_MEMORY for x in ids), ids
        assert ids.count(NO_MEMORY) <= 1, (rnd, ids)
        want = 6 - ids.count(NO_MEMORY)
        assert r.wait(want), (rnd, ids, r.got)
        ok = [h for h in r.got if r.got[h][0] == 1]
        assert len(ok) == want and want >= 5, (rnd, ids, r.got)


def test_asynchronous_dns_cache():
    n = setup("dns")
    r = Results()
    assert n.gethostbyname_async(HOSTS[0], r.cb(0)) > 0
    assert r.wait(1) and r.got[0][0] == 1
    for i in range(1, 5):  # hits: the callback runs before the call returns 0
        assert n.gethostbyname_async(HOSTS[0], r.cb(i)) == OK
        assert r.got[i] == (1, SocketAddress(ip4(HOSTS[0]), 0)), r.got


def test_synchronous_dns_cache():
    n = setup("dns")
    a = SocketAddress()
    assert n.gethostbyname(HOSTS[0], a) == OK and a == SocketAddress(ip4(HOSTS[0]), 0)
    dns.set_servers([server("dns-silent")])  # from now on no server answers
    dns.response_wait = 100
    dns.total_attempts = 1
    for _ in range(4):
        a = SocketAddress()
        assert n.gethostbyname(HOSTS[0], a) == OK and a == SocketAddress(ip4(HOSTS[0]), 0), a
    assert n.gethostbyname(HOSTS[1], a) == DNS_FAILURE  # not cached: the silent server is asked


def test_asynchronous_dns_non_async_and_async():
    n = setup("dns")
    r = Results()
    assert n.gethostbyname_async(HOSTS[0], r.cb(0)) > 0
    for h in HOSTS2:
        a = SocketAddress()
        assert n.gethostbyname(h, a) == OK and a == SocketAddress(ip4(h), 0), (h, a)
    assert r.wait(1) and r.got[0] == (1, SocketAddress(ip4(HOSTS[0]), 0)), r.got


def test_asynchronous_dns_cancel():
    n = setup("dns")
    r = Results()
    ids = []
    errs = []

    def go(_):  # submit and cancel before any reply is handled
        ids.extend(n.gethostbyname_async(h, r.cb(h)) for h in HOSTS)
        errs.extend(n.gethostbyname_async_cancel(i) for i in ids if i > 0)

    micropython.schedule(go, None)
    assert wait(lambda: ids, 1000)
    assert ids.count(NO_MEMORY) == 1 and errs == [OK] * 5, (ids, errs)
    for i in ids:
        if i > 0:
            assert n.gethostbyname_async_cancel(i) == PARAMETER, i  # already cancelled
    time.sleep_ms(300)
    assert not r.got, r.got
    # cancelled late: a query that already called back can't be cancelled
    assert n.gethostbyname_async(HOSTS[0], r.cb(0)) > 0
    assert r.wait(1)
    assert r.got[0][0] == 1


def test_asynchronous_dns_external_event_queue():
    n = setup("dns")
    queue = []  # the app's own event queue: (due ms, fn)
    calls = []

    def call_in(ms, fn):
        calls.append(ms)
        queue.append((time.ticks_add(time.ticks_ms(), ms), fn))
        return OK

    def run_queue():
        for e in queue[:]:
            if time.ticks_diff(time.ticks_ms(), e[0]) >= 0:
                queue.remove(e)
                e[1]()
        return len(r.got) >= 5

    assert dns.call_in_set(call_in) == OK
    try:
        r = Results()
        ids = submit_all(lambda h: n.gethostbyname_async(h, r.cb(h)), HOSTS)
        assert ids.count(NO_MEMORY) == 1 and sum(1 for x in ids if x > 0) == 5, ids
        assert wait(run_queue, 5000), r.got
        assert all(r.got[h][0] == 1 for h in HOSTS[:5]), r.got
        assert calls and calls[0] == 100, calls  # the resolver's tick went through the app's queue
    finally:
        assert dns.call_in_set(None) == OK


def test_asynchronous_dns_timeouts():
    n = setup("dns-silent", wait_ms=500, attempts=10)
    queue = []
    assert dns.call_in_set(lambda ms, fn: queue.append(fn) or OK) == OK  # ignores the delay
    try:
        r = Results()
        ids = submit_all(lambda h: n.gethostbyname_async(h, r.cb(h)), HOSTS)
        assert ids.count(NO_MEMORY) == 1, ids

        def run_queue():
            while queue:
                queue.pop(0)()
            return len(r.got) >= 5

        assert wait(run_queue, 5000), r.got
        assert [r.got[h][0] for h in HOSTS[:5]].count(TIMEOUT) >= 1, r.got
    finally:
        dns.call_in_set(None)
    setup("dns")
    r = Results()
    assert n.gethostbyname_async(HOSTS[0], r.cb(0)) > 0
    assert r.wait(1) and r.got[0][0] == 1, r.got


def test_asynchronous_dns_invalid_host():
    n = setup("dns")
    names = [h + "_invalid" if i % 2 == 0 else h for i, h in enumerate(HOSTS)]
    r = Results()
    ids = submit_all(lambda h: n.gethostbyname_async(h, r.cb(h)), names)
    assert ids[5] == NO_MEMORY and all(x > 0 for x in ids[:5]), ids
    assert r.wait(5)
    for i in range(5):
        res = r.got[names[i]][0]
        assert res == (DNS_FAILURE if i % 2 == 0 else 1), (names[i], res)


def test_synchronous_dns():
    n = setup("dns")
    a = SocketAddress()
    assert n.gethostbyname(HOSTS[0], a) == OK
    assert a and a == SocketAddress(ip4(HOSTS[0]), 0), a


def test_synchronous_dns_multiple():
    n = setup("dns")
    for h in HOSTS:
        a = SocketAddress()
        assert n.gethostbyname(h, a) == OK and a == SocketAddress(ip4(h), 0), (h, a)


def test_synchronous_dns_invalid():
    n = setup("dns")
    got = []
    for i, h in enumerate(HOSTS):
        if i % 2 == 0:
            h += "_invalid"
        got.append(n.gethostbyname(h, SocketAddress()))
    assert got == [DNS_FAILURE, OK] * 3, got


def _multi(h):
    i = int(h.split(".")[0][1:])
    return sorted("10.53.%d.%d" % (i, k) for k in (1, 2, 3))


def test_synchronous_dns_multi_ip():
    n = setup("dns")
    for h in MULTI:
        count, addrs = n.getaddrinfo(h, SocketAddress(None, 80))
        assert count == 3 and len(addrs) == 3, (h, count, addrs)
        assert sorted(a.get_ip_address() for a in addrs) == _multi(h), addrs
        assert all(a.get_port() == 80 for a in addrs), addrs


def test_asynchronous_dns_multi_ip():
    n = setup("dns")
    r = Results()
    ids = [n.getaddrinfo_async(h, SocketAddress(None, 80), r.cb(h)) for h in MULTI]
    assert all(x > 0 for x in ids), ids
    assert r.wait(5)
    for h in MULTI:
        count, addrs = r.got[h]
        assert count == 3 and sorted(a.get_ip_address() for a in addrs) == _multi(h), (h, r.got[h])
    assert n.getaddrinfo_async(MULTI[4], SocketAddress(None, 80), r.cb("hit")) == 3  # a cache hit: the count
    assert r.got["hit"][0] == 3


# -- the resolver's own rules ---------------------------------------------------------------


def test_literals_need_no_server():
    n = setup()  # no server at all
    a = SocketAddress(None, 7)
    assert n.gethostbyname("10.1.2.3", a) == OK and a == SocketAddress("10.1.2.3", 7), a
    assert n.gethostbyname("fd00::1", a) == OK and a.get_ip_version() == NSAPI_IPv6, a
    assert n.gethostbyname("10.1.2.3", a, NSAPI_IPv6) == DNS_FAILURE
    r = Results()
    assert n.gethostbyname_async("10.1.2.3", r.cb(0)) == OK and r.got[0] == (1, SocketAddress("10.1.2.3", 0))
    assert n.getaddrinfo("::1", SocketAddress(None, 80)) == (1, [SocketAddress("::1", 80)])
    assert n.gethostbyname_async("::1", r.cb(1), NSAPI_IPv4) == DNS_FAILURE and 1 not in r.got


def test_bad_parameters():
    n = setup("dns")
    r = Results()
    a = SocketAddress()
    for host in (None, "", "x" * 256, 5):
        assert n.gethostbyname_async(host, r.cb(host)) == PARAMETER, host
    assert n.gethostbyname_async(HOSTS[0], None) == PARAMETER
    assert n.gethostbyname_async(HOSTS[0], r.cb(1), 7) == PARAMETER
    assert n.getaddrinfo(HOSTS[0], "hints") == (PARAMETER, [])
    assert n.gethostbyname_async_cancel(12345) == PARAMETER
    assert n.add_dns_server(None) == PARAMETER and n.add_dns_server(SocketAddress()) == PARAMETER
    assert n.get_dns_server(-1, a) == PARAMETER and n.get_dns_server(0, None) == PARAMETER
    for host in ("a..dns.test", "x" * 64 + ".dns.test", "."):  # no query can carry these
        assert n.gethostbyname(host, a) == DNS_FAILURE, host
    assert not r.got


def test_add_and_get_dns_server():
    n = net()
    a = SocketAddress()
    assert n.get_dns_server(0, a) == OK and a == SocketAddress("8.8.8.8", 53), a  # Mbed's built-in list
    assert n.get_dns_server(4, a) == OK and a == SocketAddress("2001:1608:10:25::1c04:b12f", 53), a
    assert n.get_dns_server(5, a) == NO_ADDRESS
    d = server("dns")
    assert n.add_dns_server(d) == OK and n.add_dns_server(d) == OK  # the duplicate is ignored
    assert n.get_dns_server(0, a) == OK and a == d, a
    assert n.get_dns_server(1, a) == OK and a == SocketAddress("8.8.8.8", 53), a
    assert n.get_dns_server(4, a) == OK and a == SocketAddress("84.200.69.80", 53), a  # the last one dropped
    assert n.get_dns_server(5, a) == NO_ADDRESS
    assert n.gethostbyname(HOSTS[0], a) == OK and a.get_ip_address() == ip4(HOSTS[0])


def test_ipv6_aaaa():
    n = setup("dns")
    a = SocketAddress()
    assert n.gethostbyname(HOSTS[1], a, NSAPI_IPv6) == OK and a == SocketAddress("fd53::2", 0), a
    count, addrs = n.getaddrinfo(MULTI[0], SocketAddress("::", 443))
    assert count == 2 and sorted(x.get_ip_address() for x in addrs) == ["fd53::1:1", "fd53::1:2"], addrs
    assert n.gethostbyname("zero.dns.test", a, NSAPI_IPv6) == DNS_FAILURE  # no AAAA record: empty answer


def test_cname_chain():
    n = setup("dns")
    a = SocketAddress()
    assert n.gethostbyname("c1.dns.test", a) == OK and a.get_ip_address() == "10.53.0.1", a
    assert n.gethostbyname("c2.dns.test", a, NSAPI_IPv6) == OK and a.get_ip_address() == "fd53::1", a


def test_nxdomain():
    n = setup("dns")
    r = Results()
    assert n.gethostbyname("nope.dns.test", SocketAddress()) == DNS_FAILURE
    assert n.gethostbyname_async("nope.dns.test", r.cb(0)) > 0
    assert r.wait(1) and r.got[0] == (DNS_FAILURE, None), r.got


def test_failover_to_the_next_server():
    n = setup("dns-silent", "dns", wait_ms=150)
    a = SocketAddress()
    assert n.gethostbyname(HOSTS[0], a) == OK and a.get_ip_address() == ip4(HOSTS[0]), a
    r = Results()
    assert n.gethostbyname_async(HOSTS[1], r.cb(0)) > 0
    assert r.wait(1, 3000) and r.got[0] == (1, SocketAddress(ip4(HOSTS[1]), 0)), r.got


def test_no_answer_times_out():
    n = setup("dns-silent", wait_ms=100, attempts=3)
    assert n.gethostbyname(HOSTS[0], SocketAddress()) == DNS_FAILURE
    r = Results()
    assert n.gethostbyname_async(HOSTS[0], r.cb(0)) > 0
    assert r.wait(1, 3000) and r.got[0] == (TIMEOUT, None), r.got


def test_ttl_zero_is_not_cached():
    n = setup("dns")
    a = SocketAddress()
    assert n.gethostbyname("zero.dns.test", a) == OK and a.get_ip_address() == "10.53.0.100", a
    assert n.gethostbyname(HOSTS[0], a) == OK
    dns.set_servers([server("dns-silent")])
    dns.response_wait = 100
    dns.total_attempts = 1
    assert n.gethostbyname(HOSTS[0], a) == OK  # cached
    assert n.gethostbyname("zero.dns.test", a) == DNS_FAILURE  # TTL 0: asked again


@timeout(30)
def test_ttl_expires():
    n = setup("dns")
    a = SocketAddress()
    assert n.gethostbyname("short.dns.test", a) == OK and a.get_ip_address() == "10.53.0.101", a
    dns.set_servers([server("dns-silent")])
    dns.response_wait = 100
    dns.total_attempts = 1
    assert n.gethostbyname("short.dns.test", a) == OK  # within its 2 s
    time.sleep_ms(2100)
    assert n.gethostbyname("short.dns.test", a) == DNS_FAILURE  # expired


def test_cache_replaces_least_recently_used():
    n = setup("dns")
    a = SocketAddress()
    for h in HOSTS[:3]:
        assert n.gethostbyname(h, a) == OK
    assert n.gethostbyname(HOSTS[0], a) == OK  # HOSTS[1] is now the least recently used
    assert n.gethostbyname(HOSTS[3], a) == OK  # replaces it
    dns.set_servers([server("dns-silent")])
    dns.response_wait = 100
    dns.total_attempts = 1
    got = [n.gethostbyname(h, SocketAddress()) for h in HOSTS[:4]]
    assert got == [OK, DNS_FAILURE, OK, OK], got


def test_callback_may_submit_again():
    n = setup("dns")
    r = Results()

    def first(res, addr):
        r.got["first"] = (res, addr)
        r.got["id"] = (n.gethostbyname_async(HOSTS[1], r.cb("second")), None)

    assert n.gethostbyname_async(HOSTS[0], first) > 0
    assert r.wait(3), r.got
    assert r.got["first"][0] == 1 and r.got["id"][0] > 0 and r.got["second"][0] == 1, r.got


def test_cancel_in_flight_then_next_runs():
    n = setup("dns-silent", "dns", wait_ms=300)
    r = Results()
    i = n.gethostbyname_async(HOSTS[0], r.cb(0))  # sent to the silent server, waiting
    j = n.gethostbyname_async(HOSTS[1], r.cb(1))
    assert i > 0 and j > 0 and i != j
    assert n.gethostbyname_async_cancel(i) == OK
    assert r.wait(1, 5000), r.got
    assert 0 not in r.got and r.got[1][0] == 1, r.got


def test_poll_drives_queries_without_a_timer():
    n = setup("dns-silent", wait_ms=100, attempts=1)
    assert dns.call_in_set(lambda ms, fn: UNSUPPORTED) == OK  # no timer: the app must call poll()
    try:
        r = Results()
        assert n.gethostbyname_async(HOSTS[0], r.cb(0)) > 0
        time.sleep_ms(800)
        assert not r.got  # nobody ran the resolver's clock
        assert wait(lambda: dns.poll() or r.got, 2000)
        assert r.got[0] == (TIMEOUT, None), r.got
    finally:
        dns.call_in_set(None)


# -- hostile network -------------------------------------------------------------------


SPOOFS = ("wrongid", "wrongport", "wrongip", "wrongname", "malformed", "inject")


def test_spoofed_replies_are_ignored_sync():
    n = setup("dns-spoof", wait_ms=1000, attempts=1)
    for label in SPOOFS:
        a = SocketAddress()
        assert n.gethostbyname(label + ".spoof.test", a) == OK, label
        assert a.get_ip_address() == GENUINE, (label, a)
        count, addrs = n.getaddrinfo(label + ".spoof.test", SocketAddress("::", 0))
        assert count == 1 and addrs[0].get_ip_address() == "fd53::9:1", (label, addrs)


def test_spoofed_replies_are_ignored_async():
    n = setup("dns-spoof", wait_ms=1000, attempts=1)
    r = Results()
    for label in SPOOFS[:5]:
        assert n.gethostbyname_async(label + ".spoof.test", r.cb(label)) > 0, label
    assert r.wait(5, 5000), r.got
    for label in SPOOFS[:5]:
        assert r.got[label] == (1, SocketAddress(GENUINE, 0)), (label, r.got[label])


def test_only_forged_replies_fail():
    n = setup("dns-spoof", wait_ms=200, attempts=2)
    assert n.gethostbyname("only.spoof.test", SocketAddress()) == DNS_FAILURE
    r = Results()
    assert n.gethostbyname_async("only.spoof.test", r.cb(0)) > 0
    assert r.wait(1, 3000) and r.got[0] == (TIMEOUT, None), r.got


def test_injected_record_is_not_cached():
    n = setup("dns-spoof", wait_ms=500, attempts=1)
    a = SocketAddress()
    assert n.gethostbyname("inject.spoof.test", a) == OK and a.get_ip_address() == GENUINE, a
    assert n.gethostbyname("victim.dns.test", a) == OK  # asked, not taken from the cache:
    assert a.get_ip_address() == GENUINE, a  # the injected record said 10.66.6.6


def test_query_ids_and_ports_are_random():
    n = setup("dns-spoof", wait_ms=1000, attempts=1)
    ids = []
    ports = []
    for _ in range(8):
        a = SocketAddress()
        assert n.gethostbyname("idport.spoof.test", a) == OK  # TTL 0: asked every time
        b = a.get_ip_bytes()
        ids.append(b[0] << 8 | b[1])
        ports.append(b[2] << 8 | b[3])
    assert len(set(ids)) >= 7 and len(set(ports)) >= 7, (ids, ports)  # 16 random bits each
    steps = set(ports[i + 1] - ports[i] for i in range(7))
    assert len(steps) > 1, ports  # not a sequence
