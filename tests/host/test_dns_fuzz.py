"""Fuzz the device's DNS message parser (lib/netsocket/dns_msg.py) under CPython with hypothesis.

Three kinds of input, 10,500 in all: replies that dnspython builds (CNAME
chains, several addresses, unrelated records, compression, odd TTLs and
case), checked against what dnspython itself reads from them; the same
replies mutated (flipped, cut, spliced, pointers aimed anywhere, loops);
and random bytes behind a matching header. The parser must never raise,
and must only report addresses that lie inside the message.
"""

from __future__ import annotations

import importlib.util
import ipaddress
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_SRC = Path(__file__).resolve().parents[2] / "lib" / "netsocket" / "dns_msg.py"
_spec = importlib.util.spec_from_file_location("dns_msg", _SRC)
assert _spec is not None and _spec.loader is not None
msg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(msg)

LIMIT = 10
SETTINGS = dict(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RUNS = {"valid": 0, "mutated": 0, "random": 0}

label = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=12)
names = st.lists(label, min_size=1, max_size=4).map(".".join)
ttls = st.one_of(st.integers(0, 100_000), st.integers(0, 2**32 - 1))


@st.composite
def replies(draw: st.DrawFn) -> tuple[bytes, str, int, int]:
    """(wire, question name, qtype, id) of a reply built by dnspython."""
    qname = draw(names)
    qtype = draw(st.sampled_from([msg.A, msg.AAAA]))
    qid = draw(st.integers(0, 0xFFFF))
    q = dns.message.make_query(qname, qtype, id=qid)
    r = dns.message.make_response(q)
    r.set_rcode(draw(st.sampled_from([0, 0, 0, 0, 2, 3, 5])))
    if draw(st.booleans()):
        r.flags |= dns.flags.TC
    owner = qname
    chain = draw(st.lists(names, max_size=3, unique=True))
    rrsets = []
    for target in chain:  # owner -> target, in random case
        rrsets.append(dns.rrset.from_text(_case(draw, owner), draw(ttls), "IN", "CNAME", target + "."))
        owner = target
    size = 4 if qtype == msg.A else 16
    addrs = draw(st.lists(st.binary(min_size=size, max_size=size), max_size=6, unique=True))
    if addrs:
        text = [str(ipaddress.ip_address(a)) for a in addrs]
        rrsets.append(dns.rrset.from_text(_case(draw, owner), draw(ttls), "IN", qtype, *text))
    for _ in range(draw(st.integers(0, 3))):  # noise: other owners, other types
        kind = draw(st.sampled_from(["A", "AAAA", "TXT", "MX"]))
        data = {"A": "10.66.6.6", "AAAA": "fd66::6", "TXT": '"x"', "MX": "10 mx.example."}[kind]
        rrsets.append(dns.rrset.from_text(draw(names) + ".", draw(ttls), "IN", kind, data))
    order = draw(st.permutations(range(len(rrsets))))
    r.answer.extend(rrsets[i] for i in order)
    return r.to_wire(), qname, qtype, qid


def _case(draw: st.DrawFn, name: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return "".join(c.swapcase() if f else c for c, f in zip(name, flips)) + "."


def expected(wire: bytes, qname: str, qtype: int) -> tuple[int, list[bytes], int]:
    """What dnspython reads: (count or FAILED, addresses, smallest TTL on the chain)."""
    m = dns.message.from_wire(wire, ignore_trailing=True, one_rr_per_rrset=True)
    if m.rcode() != 0:
        return msg.FAILED, [], 0
    cur = dns.name.from_text(qname)
    ttl = 2**31 - 1
    for _ in range(9):
        found = [rr for rr in m.answer if rr.name == cur and rr.rdclass == dns.rdataclass.IN]
        got = [rr for rr in found if rr.rdtype == qtype]
        if got:
            ips = sorted(rd.to_digestable() for rr in got for rd in rr)
            for rr in got:
                ttl = min(ttl, 0 if rr.ttl >= 2**31 else rr.ttl)
            return len(ips), ips, ttl
        cn = [rr for rr in found if rr.rdtype == dns.rdatatype.CNAME]
        if not cn:
            break
        ttl = min(ttl, 0 if cn[0].ttl >= 2**31 else cn[0].ttl)
        cur = cn[0][0].target
    return 0, [], 0


def run(wire: bytes, qname: str, qtype: int, qid: int) -> tuple[int, list[int], bytearray]:
    buf = bytearray(512)
    n = min(len(wire), 512)
    buf[:n] = wire[:n]
    out = [0] * (LIMIT + 1)
    r = msg.parse(buf, n, qid, qname.encode(), qtype, out)
    assert isinstance(r, int)
    assert r in (msg.IGNORE, msg.FAILED) or 0 <= r <= LIMIT
    size = 4 if qtype == msg.A else 16
    for off in out[1:r + 1] if r > 0 else ():
        assert 12 <= off and off + size <= n, (off, n)
    if r > 0:
        assert 0 <= out[0] < 2**31
    return r, out, buf


@settings(max_examples=3000, **SETTINGS)
@given(replies())
def _valid_replies(case: tuple[bytes, str, int, int]) -> None:
    RUNS["valid"] += 1
    wire, qname, qtype, qid = case
    if len(wire) > 512:
        return
    r, out, buf = run(wire, qname, qtype, qid)
    want, ips, ttl = expected(wire, qname, qtype)
    assert r == want, (r, want)
    if r > 0:
        size = 4 if qtype == msg.A else 16
        assert sorted(bytes(buf[o:o + size]) for o in out[1:r + 1]) == ips
        assert out[0] == ttl
    assert run(wire, qname, qtype, qid ^ 1)[0] == msg.IGNORE  # another id
    other = qname + "x"
    assert run(wire, other, qtype, qid)[0] == msg.IGNORE  # another question
    assert run(wire, qname, msg.A + msg.AAAA - qtype, qid)[0] == msg.IGNORE  # another type


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 600), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 600), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 600), st.integers(0, 255)),
    st.tuples(st.just("pointer"), st.integers(0, 600), st.integers(0, 0x3FFF)),
    st.tuples(st.just("count"), st.integers(4, 11), st.integers(0, 255)),
)


def _pool(n: int = 300) -> list[tuple[bytes, str, int, int]]:
    """Valid replies to mutate, built once with a fixed seed (cheaper than a strategy per example)."""
    import random

    rng = random.Random(4)
    word = lambda: "".join(rng.choice("abcXYZ019-") for _ in range(rng.randint(1, 8)))  # noqa: E731
    name = lambda: ".".join(word() for _ in range(rng.randint(1, 3)))  # noqa: E731
    out = []
    for i in range(n):
        qname, qtype = name(), rng.choice([msg.A, msg.AAAA])
        r = dns.message.make_response(dns.message.make_query(qname, qtype, id=i))
        owner = qname
        for _ in range(rng.randint(0, 3)):
            target = name()
            r.answer.append(dns.rrset.from_text(owner + ".", rng.randint(0, 999), "IN", "CNAME", target + "."))
            owner = target
        ips = {rng.randbytes(4 if qtype == msg.A else 16) for _ in range(rng.randint(0, 5))}
        if ips:
            r.answer.append(dns.rrset.from_text(owner + ".", 60, "IN", qtype, *(str(ipaddress.ip_address(a)) for a in ips)))
        if rng.random() < 0.3:
            r.answer.append(dns.rrset.from_text(name() + ".", 60, "IN", "MX", "10 " + owner + "."))
        out.append((r.to_wire(), qname, qtype, i))
    return out


POOL = _pool()


@settings(max_examples=5500, **SETTINGS)
@given(st.sampled_from(POOL), st.lists(mutation, min_size=1, max_size=4))
def _mutated_replies(case: tuple[bytes, str, int, int], muts: list[tuple[str, int, int]]) -> None:
    RUNS["mutated"] += 1
    wire, qname, qtype, qid = case
    b = bytearray(wire)
    for kind, at, val in muts:
        at %= max(len(b), 1)
        if kind == "flip" and b:
            b[at] ^= val
        elif kind == "cut":
            del b[at:]
        elif kind == "insert":
            b[at:at] = bytes([val])
        elif kind == "pointer" and len(b) >= 2:  # aim a compression pointer anywhere (itself too)
            at = min(at, len(b) - 2)
            b[at:at + 2] = (0xC000 | (val % (len(b) + 2))).to_bytes(2, "big")
        elif kind == "count" and len(b) > at:
            b[at] = val
    run(bytes(b), qname, qtype, qid)


@settings(max_examples=2000, **SETTINGS)
@given(st.integers(0, 0xFFFF), st.binary(max_size=500), names, st.sampled_from([msg.A, msg.AAAA]))
def _random_bytes(qid: int, body: bytes, qname: str, qtype: int) -> None:
    RUNS["random"] += 1
    head = qid.to_bytes(2, "big") + b"\x81\x80\x00\x01" + body[:2] + b"\x00\x00\x00\x00"
    run(head + body[2:], qname, qtype, qid)


def test_compression_loops_are_rejected() -> None:
    """A reply whose answer name points at itself, or two names pointing at each other."""
    buf = bytearray(512)
    n = msg.build(buf, 0x4242, b"loop.test", msg.A)
    assert n
    q = bytes(buf[:n])
    head = bytes([0x42, 0x42, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])
    rest = q[12:]
    here = len(head) + len(rest)
    for owner in ((0xC000 | here).to_bytes(2, "big"),  # itself
                  b"\x01a" + (0xC000 | here).to_bytes(2, "big"),  # a label, then back to its start
                  (0xC000 | (here + 2)).to_bytes(2, "big")):  # forward
        reply = head + rest + owner + b"\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00\x01"
        assert run(reply, "loop.test", msg.A, 0x4242)[0] == msg.IGNORE


def test_build_writes_what_dnspython_reads() -> None:
    buf = bytearray(512)
    n = msg.build(buf, 0xBEEF, b"Www.Example.test", msg.AAAA)
    m = dns.message.from_wire(bytes(buf[:n]))
    assert m.id == 0xBEEF and m.flags & dns.flags.RD and not m.flags & dns.flags.QR
    assert str(m.question[0].name) == "Www.Example.test." and m.question[0].rdtype == msg.AAAA
    for bad in (b"", b"a..b", b"." + b"a", b"a" * 64, b"a." * 127 + b"ab"):
        assert msg.build(buf, 1, bad, msg.A) == 0 and not msg.check_name(bad), bad
    assert msg.check_name(b"a" * 63 + b".b")


def _ran(name: str, fn, need: int) -> None:
    RUNS[name] = 0
    fn()
    assert RUNS[name] >= need, RUNS  # 10,500 inputs over the three


# dnspython reaches the random module while hypothesis draws (harmless: the ids are given)
@pytest.mark.filterwarnings("ignore:Do not use the `random` module")
def test_valid_replies_read_as_dnspython_reads_them() -> None:
    _ran("valid", _valid_replies, 3000)


def test_mutated_replies_never_raise() -> None:
    _ran("mutated", _mutated_replies, 5500)


def test_random_bytes_never_raise() -> None:
    _ran("random", _random_bytes, 2000)
