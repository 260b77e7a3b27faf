"""The TLS test peers and their run-time CA, checked from CPython's ssl (the client side a board plays)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509

from netsocket_harness.peers.tls import SERVER_NAME, TLSPeers


@pytest.fixture(scope="module")
def peers() -> Iterator[TLSPeers]:
    with TLSPeers("127.0.0.1") as p:
        yield p


def _client(peers: TLSPeers, client_cert: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=peers.pki.ca.cert_der)
    if client_cert:
        with tempfile.TemporaryDirectory() as d:
            cred = peers.pki.certs["client"]
            (Path(d) / "c.pem").write_bytes(cred.cert_pem + cred.key_pem)
            ctx.load_cert_chain(Path(d) / "c.pem")
    return ctx


def _talk(peers: TLSPeers, name: str, ctx: ssl.SSLContext, host: str = SERVER_NAME) -> bytes:
    with socket.create_connection(peers.addresses[name], timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            s.sendall(b"hello")
            return s.recv(100)


def test_board_files_are_der_and_pem(peers: TLSPeers) -> None:
    files = peers.pki.board_files()
    assert x509.load_der_x509_certificate(files["tls_ca.der"]) == x509.load_pem_x509_certificate(files["tls_ca.pem"])
    assert files["tls_client_key.pem"].startswith(b"-----BEGIN PRIVATE KEY-----")
    ca = x509.load_der_x509_certificate(files["tls_ca.der"])
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_good_server_echo_and_ip_name(peers: TLSPeers) -> None:
    assert _talk(peers, "tls_echo", _client(peers)) == b"hello"
    assert _talk(peers, "tls_echo", _client(peers), host="127.0.0.1") == b"hello"  # IP in the SAN too


def test_daytime_sends_close_notify(peers: TLSPeers) -> None:
    with socket.create_connection(peers.addresses["tls_daytime"], timeout=5) as raw:
        with _client(peers).wrap_socket(raw, server_hostname=SERVER_NAME) as s:
            data = b""
            while chunk := s.recv(100):
                data += chunk
            assert data.endswith(b"-UTC\r\n")
            s.unwrap()  # a clean TLS shutdown: the server sent close_notify


@pytest.mark.parametrize("name, reason", [
    ("tls_expired", "expired"), ("tls_wronghost", "mismatch"),
    ("tls_selfsigned", "self-signed"), ("tls_untrusted", "unable to get local issuer"),
])
def test_bad_certificates_are_refused(peers: TLSPeers, name: str, reason: str) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match=reason):
        _talk(peers, name, _client(peers))


def test_expired_is_only_expired(peers: TLSPeers) -> None:
    cert = peers.pki.certs["expired"].cert
    good = peers.pki.certs["server"].cert
    assert cert.not_valid_after_utc < dt.datetime.now(dt.timezone.utc)
    assert cert.issuer == good.issuer and cert.subject == good.subject


def test_client_certificate_required(peers: TLSPeers) -> None:
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _talk(peers, "tls_clientauth", _client(peers))
    assert _talk(peers, "tls_clientauth", _client(peers, client_cert=True)) == b"hello"


def test_dtls_peer_runs_and_stops() -> None:
    p = TLSPeers("127.0.0.1")
    p.start()
    try:
        assert p.dtls is not None and p.dtls.proc is not None
        proc = p.dtls.proc
        assert proc.poll() is None
        assert "dtls_echo" in p.addresses
    finally:
        p.stop()
    assert proc.poll() is not None
    assert not p.servers
