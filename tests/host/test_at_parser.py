"""Fuzz of the device-side ATHandler (lib/netsocket/cellular/at.py) under CPython.

Generated response streams (info lines, URCs anywhere, length-delimited
binary payloads that contain OK/ERROR and CRLF, data prompts, garbage lines,
every final result) are cut into random pieces as a UART delivers them; the
handler must return exactly what was sent, in order, and dispatch every URC.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import types
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[2]


def _load_at():
    # at.py imports MicroPython's const and time.ticks_*: stand-ins while it loads
    now = lambda: int(time.monotonic() * 1000)  # noqa: E731
    ticks = types.SimpleNamespace(ticks_ms=now, ticks_diff=lambda a, b: a - b, ticks_add=lambda a, b: a + b,
                                  sleep_ms=lambda ms: time.sleep(ms / 1000))
    sys.modules.setdefault("micropython", types.SimpleNamespace(const=lambda x: x))
    spec = importlib.util.spec_from_file_location("ns_cellular_at", ROOT / "lib/netsocket/cellular/at.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["time"] = ticks
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules["time"] = time
    return mod


at_mod = _load_at()


class Stream:
    """A UART that delivers the given pieces one per readinto call, then nothing."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = list(pieces)
        self.pending = b""
        self.written = bytearray()

    def readinto(self, buf, n=None):
        if not self.pending:
            if not self.pieces:
                return None
            self.pending = self.pieces.pop(0)
        n = min(len(buf) if n is None else n, len(self.pending))
        buf[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    on_write = None

    def write(self, data) -> int:
        self.written += bytes(data)
        if self.on_write:
            self.on_write(bytes(self.written))
        return len(data)


TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,\" :.-", min_size=1, max_size=20).map(str.strip).filter(
    lambda t: t and t not in ("OK", "ERROR") and not t.startswith(("+URC", "+CME", "+CMS", "+INFO", "+QIRD")) and not t.startswith("@"))
URC = TEXT.map(lambda t: "+URC: " + t)
GARBAGE = st.binary(min_size=1, max_size=12).map(lambda b: bytes(c | 0x80 for c in b))
PAYLOAD = st.one_of(st.binary(max_size=80), st.sampled_from([b"\r\nOK\r\n", b"OK", b"\r\nERROR\r\n>", b"\n\n"]))
FINAL = st.sampled_from(["OK", "ERROR", "+CME ERROR: 16", "+CMS ERROR: 305", "+CME ERROR: 564"])


@st.composite
def exchange(draw):
    """One command's response: (kind, items, final) plus the bytes the modem sends."""
    kind = draw(st.sampled_from(["info", "qird", "ciprxget", "usord", "usorf", "prompt", "uprompt"]))
    out = bytearray()
    urcs: list[str] = []

    def maybe_noise():
        for _ in range(draw(st.integers(0, 2))):
            if draw(st.booleans()):
                u = draw(URC)
                urcs.append(u)
                out.extend(b"\r\n" + u.encode() + b"\r\n")
            else:
                out.extend(b"\r\n" + draw(GARBAGE) + b"\r\n")

    maybe_noise()
    items: list = []
    if kind == "info":
        lines = draw(st.lists(TEXT.map(lambda t: "+INFO: " + t), max_size=3))
        items = lines
        framed_once = draw(st.booleans())  # the BG96 frames a multi-line block once
        if framed_once and lines:
            out.extend(b"\r\n" + b"\r\n".join(ln.encode() for ln in lines) + b"\r\n")
        else:
            for ln in lines:
                out.extend(b"\r\n" + ln.encode() + b"\r\n")
                maybe_noise()
        final = draw(FINAL)
    elif kind == "qird":
        data = draw(PAYLOAD)
        items = [data]
        out.extend(b"\r\n+QIRD: %d\r\n" % len(data) + data + b"\r\n")
        maybe_noise()
        final = "OK"
    elif kind == "ciprxget":  # SIMCom: +CIPRXGET: 2,<link>,<len>,<rest>, then len raw bytes
        data = draw(PAYLOAD)
        items = [data]
        out.extend(b"\r\n+CIPRXGET: 2,%d,%d,%d\r\n" % (draw(st.integers(0, 9)), len(data), draw(st.integers(0, 9999)))
                   + data + b"\r\n")
        maybe_noise()
        final = "OK"
    elif kind == "usord":  # u-blox: +USORD: <socket>,<len>,"<len raw bytes>" on one line
        data = draw(PAYLOAD)
        items = [data]
        if not data and draw(st.booleans()):
            out.extend(b'\r\n+USORD: %d,""\r\n' % draw(st.integers(0, 6)))  # SARA-R4's empty read: no length
        else:
            out.extend(b'\r\n+USORD: %d,%d,"' % (draw(st.integers(0, 6)), len(data)) + data + b'"\r\n')
        maybe_noise()
        final = "OK"
    elif kind == "usorf":  # u-blox UDP: +USORF: <socket>,"<ip>",<port>,<len>,"<len raw bytes>"
        data = draw(PAYLOAD)
        items = [data]
        out.extend(b'\r\n+USORF: 0,"10.0.0.%d",%d,%d,"' % (draw(st.integers(0, 255)), draw(st.integers(1, 65535)), len(data))
                   + data + b'"\r\n')
        maybe_noise()
        final = "OK"
    elif kind == "uprompt":  # u-blox's @ prompt
        items = []
        out.extend(b"\r\n@")
        final = "OK"
    else:
        items = []
        out.extend(b"\r\n> ")
        final = draw(st.sampled_from(["SEND OK", "SEND FAIL"]))
    maybe_noise()
    out.extend(b"\r\n" + final.encode() + b"\r\n")
    return kind, items, final, urcs, bytes(out)


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:]) if b > a]


# 2,000 examples x 5 ways of cutting each = 10,000 streams; one way cuts at every byte boundary
@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(exchange(), min_size=1, max_size=4),
       st.lists(st.lists(st.integers(0, 10_000), max_size=40), min_size=4, max_size=4),
       st.sampled_from([64, 128, 512]))
def test_streams_parse_exactly(exchanges, cut_sets, bufsize):
    data = b"".join(e[-1] for e in exchanges)
    for pieces in [_cut(data, cuts) for cuts in cut_sets] + [[data[i:i + 1] for i in range(len(data))]]:
        _parse(exchanges, pieces, bufsize)


def _parse(exchanges, pieces, bufsize):
    stream = Stream(pieces)
    at = at_mod.ATHandler(stream, bufsize)
    seen: list[str] = []
    at.set_urc(b"+URC:", lambda line: seen.append(line.decode()))
    expected_urcs: list[str] = []
    for kind, items, final, urcs, _ in exchanges:
        expected_urcs += urcs
        at.cmd_start("AT")
        if kind == "info":
            got = []
            while (line := at.resp(b"+INFO:", 50)) is not None:
                got.append(line.decode())
            assert got == items
            assert not at.timed_out
            assert at.err == (0 if final == "OK" else -3012)
            if final.startswith("+C"):
                assert at.cme == int(final.split(":")[1])
        elif kind in ("usord", "usorf"):
            if kind == "usord":
                line = at.resp(b"+USORD:", 50, None, b'"')
                n = at_mod.params(line, 7)[1]
                n = n if isinstance(n, int) else 0
            else:
                line = at.resp(b"+USORF:", 50, None, b'"', 3)
                n = at_mod.params(line, 7)[3]
            buf = bytearray(max(n, 1))
            assert at.read_into(memoryview(buf), n, 50) == n
            assert bytes(buf[:n]) == items[0]
            assert at.final(50) == 0
        elif kind == "uprompt":
            assert at.prompt(50, 64)
            assert at.final(50) == 0
        elif kind in ("qird", "ciprxget"):
            line = at.resp(b"+QIRD:" if kind == "qird" else b"+CIPRXGET: 2,", 50)
            n = at_mod.params(line, 6)[0] if kind == "qird" else at_mod.params(line, 11)[2]
            buf = bytearray(max(n, 1))
            assert at.read_into(memoryview(buf), n, 50) == n
            assert bytes(buf[:n]) == items[0]
            assert at.final(50) == 0
        else:
            assert at.prompt(50)
            line = at.resp(b"SEND ", 50)
            assert line is not None and line.decode() == final
            at.end()
    while at.process(0):  # URCs after the last response
        pass
    assert seen == expected_urcs


def test_timeout_then_sync_recovers():
    # a lost reply: the command times out; its late answer arrives only after sync() has
    # started, and sync() must not take that OK for its own
    stream = Stream([])
    at = at_mod.ATHandler(stream, 64)
    _, err = at.cmd("AT+CSQ", b"+CSQ:", 20)
    assert err == -3012 and at.timed_out

    def reply(data: bytes) -> None:
        if data.endswith(b"AT+CMEE?\r"):
            stream.pieces += [b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n", b"\r\n+CMEE: 1\r\n", b"\r\nOK\r\n"]

    stream.on_write = reply
    assert at.sync(tries=1, timeout=50) == 0
    assert at.cmd("AT", None, 20)[1] == -3012  # nothing stale left to answer it


def test_overlong_garbage_is_dropped():
    stream = Stream([b"\xff" * 300, b"\r\nOK\r\n"])
    at = at_mod.ATHandler(stream, 64)
    assert at.cmd("AT", None, 50) == (None, 0)


def test_params():
    assert at_mod.params(b'+QIURC: "recv",3', 8) == ["recv", 3]
    assert at_mod.params(b'+QIRD: 5,"127.0.0.1",7', 6) == [5, "127.0.0.1", 7]
    assert at_mod.params(b'+CEREG: 2,1,"1A2B","01A2B3C4",8', 7) == [2, 1, "1A2B", "01A2B3C4", 8]
