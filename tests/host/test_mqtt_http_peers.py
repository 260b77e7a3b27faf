"""The socket facade's peers, checked from CPython: mosquitto (plain and TLS, stopped with its
owner), the https peer and POST on the http peer; the third-party libraries' pins."""

import socket
import ssl
import urllib.request

import pytest

from netsocket_harness import thirdparty
from netsocket_harness.peers.mqtt import MosquittoPeer
from netsocket_harness.peers.tls import TestPKI

CONNECT = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"  # MQTT 3.1.1 CONNECT, empty client id
CONNACK = b"\x20\x02\x00\x00"

pytestmark = pytest.mark.skipif(not MosquittoPeer.available(), reason="mosquitto not installed")


def test_mosquitto_plain_and_tls_then_stopped() -> None:
    pki = TestPKI()
    peer = MosquittoPeer("127.0.0.1", pki)
    addrs = peer.start()
    try:
        with socket.create_connection(addrs["mqtt"], timeout=5) as s:
            s.sendall(CONNECT)
            assert s.recv(4) == CONNACK
        ctx = ssl.create_default_context(cadata=pki.ca.cert_pem.decode())
        with ctx.wrap_socket(socket.create_connection(addrs["mqtts"], timeout=5), server_hostname="127.0.0.1") as t:
            t.sendall(CONNECT)
            assert t.recv(4) == CONNACK
        proc = peer.proc
        assert proc is not None and proc.poll() is None
    finally:
        peer.stop()
    assert proc.poll() is not None  # the broker is gone with its owner's stop()
    with pytest.raises(OSError):
        socket.create_connection(addrs["mqtt"], timeout=1).close()


def test_https_and_post() -> None:
    from netsocket_harness.peers import Peers
    from netsocket_harness.peers.app import HTTP_BODY

    with Peers() as peers:
        assert peers.tls is not None
        host, port = peers.addresses["http"]
        body = bytes(range(256))
        assert urllib.request.urlopen(f"http://{host}:{port}/x", data=body, timeout=5).read() == body
        ctx = ssl.create_default_context(cadata=peers.tls.pki.ca.cert_pem.decode())
        host, port = peers.addresses["https"]
        assert urllib.request.urlopen(f"https://{host}:{port}/", context=ctx, timeout=5).read() == HTTP_BODY


def test_third_party_pins() -> None:
    names = {dist: version for dist, version, _ in thirdparty.PACKAGES}
    assert names["micropython-umqtt.simple"] == "1.3.4" and names["micropython-urequests"] == "0.9.1"
    assert all(f.endswith(".py") for _, _, files in thirdparty.PACKAGES for f in files)
