"""DNS peers for the device tests: dnsmasq with test records, a silent server, a spoofing server.

- ``dns``: dnsmasq (Debian package dnsmasq-base) on a free port of the peer
  host, answering only the records in ``ZONE`` below (``--local`` makes every
  other name under ``test`` or ``test_invalid`` NXDOMAIN);
- ``dns-silent``: a bound UDP socket that never answers (failover, timeouts);
- ``dns-spoof``: answers names under ``spoof.test`` with forged replies (wrong
  id, wrong source port or address, another question, malformed messages)
  before or instead of the genuine one; see ``SpoofServer``.

dnsmasq runs with the parent's death signal set (``setpriv --pdeathsig``),
so it ends with the test process even when that is killed; ``stop()`` ends
it normally. tests/device/test_dns.py holds the same names and addresses.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import dns.rrset

# name -> (IPv4 addresses, IPv6 addresses, TTL s or None for the default 300)
ZONE: dict[str, tuple[tuple[str, ...], tuple[str, ...], int | None]] = {
    **{f"h{i}.dns.test": ((f"10.53.0.{i}",), (f"fd53::{i}",), None) for i in range(1, 13)},
    **{f"m{i}.dns.test": (tuple(f"10.53.{i}.{k}" for k in range(1, 4)), (f"fd53::{i}:1", f"fd53::{i}:2"), None)
       for i in range(1, 6)},
    "zero.dns.test": (("10.53.0.100",), (), 0),
    "short.dns.test": (("10.53.0.101",), (), 2),
    "victim.dns.test": (("10.53.0.102",), (), None),
}
CNAMES = {"c1.dns.test": "c2.dns.test", "c2.dns.test": "c3.dns.test", "c3.dns.test": "h1.dns.test"}
GENUINE = ("10.53.9.1", "fd53::9:1")  # the spoof server's true answer
BOGUS = ("10.66.6.6", "fd66::6")  # what its forged replies claim

DNSMASQ_HINT = "dnsmasq is not installed on the test host (Debian package dnsmasq-base; tools/dev.sh installs it)"


def find_dnsmasq() -> str | None:
    return shutil.which("dnsmasq") or next((p for p in ("/usr/sbin/dnsmasq", "/sbin/dnsmasq") if os.path.exists(p)),
                                           None)


def _free_port(host: str) -> int:
    """A port free for UDP and TCP on host (dnsmasq listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((host, 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind((host, port))
                except OSError:
                    continue
        return port
    raise OSError(f"no free port for dnsmasq on {host}")


class Dnsmasq:
    """A dnsmasq process serving ZONE and CNAMES on (host, port)."""

    def __init__(self, host: str, binary: str) -> None:
        self.host = host
        self.binary = binary
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="nsdns-")

    def _args(self, port: int) -> list[str]:
        d = Path(self._dir.name)
        hosts = d / "hosts"
        lines = []
        args = [self.binary, "--no-daemon", "--conf-file=/dev/null", f"--port={port}",
                f"--listen-address={self.host}", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--local=/test/", "--local=/test_invalid/", "--local-ttl=300", f"--addn-hosts={hosts}",
                f"--user={_user()}"]
        for name, (v4, v6, ttl) in ZONE.items():
            if ttl is not None:  # host-record carries a TTL (one address per family)
                args.append("--host-record=" + ",".join([name, *v4[:1], *v6[:1], str(ttl)]))
            else:
                lines += [f"{ip} {name}" for ip in (*v4, *v6)]
        hosts.write_text("\n".join(lines) + "\n")
        args += [f"--cname={a},{b}" for a, b in CNAMES.items()]
        return args

    def start(self, timeout: float = 5.0) -> int:
        prefix = []
        if shutil.which("setpriv") and threading.current_thread() is threading.main_thread():
            prefix = ["setpriv", "--pdeathsig", "TERM", "--"]
        log = Path(self._dir.name) / "dnsmasq.log"
        for _ in range(5):
            port = _free_port(self.host)
            with open(log, "wb") as out:
                self.proc = subprocess.Popen(prefix + self._args(port), stdin=subprocess.DEVNULL,
                                             stdout=out, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._answers(port):
                    self.port = port
                    return port
            self.stop()  # lost the port to someone else, or failed: try again
        raise OSError(f"dnsmasq did not start: {log.read_text(errors='replace')[-500:]}")

    def _answers(self, port: int) -> bool:
        try:
            r = dns.query.udp(dns.message.make_query("h1.dns.test", "A"), self.host, port=port, timeout=0.2)
        except (OSError, dns.exception.Timeout):
            return False
        return bool(r.answer)

    def stop(self) -> None:
        p = self.proc
        self.proc = None
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()


def _user() -> str:
    """Run dnsmasq as ourselves: no privilege change (it would also clear the death signal)."""
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


class SpoofServer:
    """A DNS server on (host, port) that forges replies; what it does depends on the name's first label.

    Every name under ``spoof.test`` finally gets GENUINE (TTL 0) from the
    right address, port and id, except ``only``. Before that it sends, with
    BOGUS addresses: ``wrongid`` a reply with another id; ``wrongport`` the
    right reply from another port; ``wrongip`` from 127.0.0.2 (same port);
    ``wrongname`` a reply to another question; ``malformed`` broken messages
    (truncated, pointer loop, forward pointer, bad lengths) with the right id;
    ``only`` forgeries (wrong id, wrong port) and never the genuine reply.
    ``inject`` adds a BOGUS record for victim.dns.test to the genuine reply.
    ``idport`` answers (TTL 0) with 4 bytes: the query's id and source port.
    """

    def __init__(self, host: str) -> None:
        self.host = host
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind((host, 0))
        self.alias: socket.socket | None = None
        if host == "127.0.0.1":  # the same port on another loopback address
            self.alias = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.alias.bind(("127.0.0.2", self.port))
        self._thread = threading.Thread(target=self._serve, daemon=True, name="peer-dns-spoof")
        self._stop = False

    def start(self) -> int:
        self._thread.start()
        return self.port

    def stop(self) -> None:
        self._stop = True
        for s in (self.sock, self.other, self.alias):
            if s is not None:
                s.close()
        self._thread.join(2)

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                self._answer(data, peer)
            except Exception:  # noqa: BLE001 - a hostile peer ignores what it can't parse
                continue

    def _reply(self, q: dns.message.Message, addr: str | tuple[str, str], ttl: int = 0,
               name: str | None = None) -> dns.message.Message:
        r = dns.message.make_response(q)
        qn = q.question[0]
        ip = addr if isinstance(addr, str) else addr[0 if qn.rdtype == dns.rdatatype.A else 1]
        if qn.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            r.answer.append(dns.rrset.from_text(name or qn.name, ttl, "IN", qn.rdtype, ip))
        return r

    def _answer(self, data: bytes, peer: tuple[str, int]) -> None:
        q = dns.message.from_wire(data)
        qn = q.question[0]
        label = qn.name.labels[0].decode().lower()
        send = self.sock.sendto
        genuine = self._reply(q, GENUINE)
        if label == "idport":
            ip = ".".join(str(b) for b in (q.id >> 8, q.id & 0xFF, peer[1] >> 8, peer[1] & 0xFF))
            r = self._reply(q, (ip, "::"))
            send(r.to_wire(), peer)
            return
        if label in ("wrongid", "only"):
            r = self._reply(q, BOGUS, 300)
            r.id = q.id ^ 0x5A5A
            send(r.to_wire(), peer)
        if label in ("wrongport", "only"):
            self.other.sendto(self._reply(q, BOGUS, 300).to_wire(), peer)
        if label == "wrongip" and self.alias is not None:
            self.alias.sendto(self._reply(q, BOGUS, 300).to_wire(), peer)
        if label == "wrongname":
            other = dns.message.make_query("h2.dns.test", qn.rdtype)
            other.id = q.id
            send(self._reply(other, BOGUS, 300).to_wire(), peer)
        if label == "malformed":
            for m in malformed(data, BOGUS[0] if qn.rdtype == dns.rdatatype.A else BOGUS[1]):
                send(m, peer)
        if label == "inject":
            genuine.answer.append(dns.rrset.from_text("victim.dns.test.", 300, "IN", "A", BOGUS[0]))
        if label != "only":
            send(genuine.to_wire(), peer)


def malformed(query: bytes, bogus: str) -> list[bytes]:
    """Broken replies to ``query`` (same id and question), each claiming ``bogus``."""
    qend = 12
    while query[qend]:
        qend += query[qend] + 1
    question = query[12:qend + 5]
    qtype = int.from_bytes(query[qend + 1:qend + 3], "big")
    rdata = socket.inet_pton(socket.AF_INET if ":" not in bogus else socket.AF_INET6, bogus)

    def msg(answers: bytes, an: int = 1, flags: int = 0x8180) -> bytes:
        return query[:2] + flags.to_bytes(2, "big") + b"\x00\x01" + an.to_bytes(2, "big") + b"\0\0\0\0" \
            + question + answers

    def rr(name: bytes, data: bytes = rdata, length: int | None = None, rtype: int = qtype) -> bytes:
        n = len(data) if length is None else length
        return name + rtype.to_bytes(2, "big") + b"\x00\x01" + (300).to_bytes(4, "big") + n.to_bytes(2, "big") + data

    good = rr(b"\xc0\x0c")
    full = msg(good)
    here = len(full) - len(good)  # offset of the answer's owner name
    return [
        full[:-1],  # cut in the address
        full[:11],  # cut in the header
        msg(good, an=2),  # a record announced but missing
        msg(rr((0xC000 | here).to_bytes(2, "big"))),  # points at itself: a loop
        msg(rr((0xC000 | (here + 2)).to_bytes(2, "big"))),  # points forward
        msg(rr(b"\xc0\x05")),  # points into the header
        msg(rr(b"\x40" + b"a" * 64 + b"\x00")),  # label length 64
        msg(rr(b"\xc0\x0c", length=len(rdata) + 1, data=rdata + b"\x00")),  # wrong address length
        msg(rr(b"\xc0\x0c", length=200)),  # rdata runs past the end
        msg(good, flags=0x0180),  # QR not set
        msg(good, flags=0x8980),  # opcode not QUERY
    ]


class DnsPeers:
    """dnsmasq (when installed), the silent server and the spoofing server on one host."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.dnsmasq: Dnsmasq | None = None
        self.silent: socket.socket | None = None
        self.spoof: SpoofServer | None = None
        self.missing = ""  # why there is no "dns" peer

    def start(self) -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        binary = find_dnsmasq()
        if binary is None:
            self.missing = DNSMASQ_HINT
        else:
            self.dnsmasq = Dnsmasq(self.host, binary)
            out["dns"] = (self.host, self.dnsmasq.start())
        self.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.silent.bind((self.host, 0))
        out["dns-silent"] = (self.host, self.silent.getsockname()[1])
        self.spoof = SpoofServer(self.host)
        out["dns-spoof"] = (self.host, self.spoof.start())
        return out

    def stop(self) -> None:
        if self.dnsmasq is not None:
            self.dnsmasq.close()
            self.dnsmasq = None
        if self.silent is not None:
            self.silent.close()
            self.silent = None
        if self.spoof is not None:
            self.spoof.stop()
            self.spoof = None
