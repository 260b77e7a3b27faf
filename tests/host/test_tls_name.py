"""The device's certificate name reader (lib/netsocket-tls/netsocket/_tls_name.py, cert_name) under
CPython: the names in certificates the cryptography package builds, then mutated DER, which
may raise (set_verify_chain_only treats that as no name) but must never hang or invent a name."""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netsocket_harness.peers.tls import TestPKI

_SRC = Path(__file__).resolve().parents[2] / "lib" / "netsocket-tls" / "netsocket" / "_tls_name.py"
_spec = importlib.util.spec_from_file_location("_tls_name", _SRC)
assert _spec is not None and _spec.loader is not None
mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mod)

_KEY = ec.generate_private_key(ec.SECP256R1())


def _cert(cn: str | None, sans: list[x509.GeneralName], critical: bool = False) -> bytes:
    now = dt.datetime.now(dt.timezone.utc)
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "org")]
    if cn is not None:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    name = x509.Name(attrs)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(_KEY.public_key())
         .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=critical)
    return b.sign(_KEY, hashes.SHA256()).public_bytes(Encoding.DER)


def test_names_of_the_test_pki() -> None:
    pki = TestPKI()
    got = {k: mod.cert_name(c.cert.public_bytes(Encoding.DER)) for k, c in pki.certs.items()}
    assert got == {"server": "tls.netsocket.test", "expired": "tls.netsocket.test",
                   "wronghost": "wrong.netsocket.test", "selfsigned": "tls.netsocket.test",
                   "untrusted": "tls.netsocket.test", "client": "netsocket board"}
    assert mod.cert_name(pki.ca.cert.public_bytes(Encoding.DER)) == "netsocket test CA"


def test_san_forms() -> None:
    ip = x509.IPAddress(ipaddress.ip_address("10.0.0.1"))
    assert mod.cert_name(_cert("cn.example", [x509.DNSName("a.example"), x509.DNSName("b.example")])) == "a.example"
    assert mod.cert_name(_cert("cn.example", [ip, x509.DNSName("b.example")])) == "b.example"
    assert mod.cert_name(_cert("cn.example", [x509.DNSName("c.example")], critical=True)) == "c.example"
    assert mod.cert_name(_cert("cn.example", [ip])) == "cn.example"  # no DNS name: the CN
    assert mod.cert_name(_cert(None, [ip])) is None


_BASE = _cert("cn.example", [x509.DNSName("a.example")])


@settings(max_examples=500, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(0, 255)), min_size=1, max_size=4),
       st.integers(1, len(_BASE)))
def test_mutated_der_never_hangs_or_invents(flips: list[tuple[int, int]], cut: int) -> None:
    d = bytearray(_BASE)
    for i, v in flips:
        d[i] = v
    d = bytes(d[:cut])
    try:
        name = mod.cert_name(d)
    except (IndexError, ValueError, UnicodeError):
        return
    assert name is None or name.encode() in d  # only text that is in the certificate
