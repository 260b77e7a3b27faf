"""Unmodified third-party libraries over netsocket.compat: umqtt.simple against a real mosquitto
broker, urequests against the HTTP peers. Over the default interface here; test_cellular_compat.py
runs them again over each emulated modem.
"""

from devtest import peer, timeout
from compatutil import install, lib, topic


def _mqtt(name="mqtt", **kw):
    host, port = peer(name)
    simple = lib("umqtt.simple")
    got = []
    c = simple.MQTTClient(b"ns-%d" % id(got), host, port, keepalive=60, **kw)
    c.set_callback(lambda t, m: got.append((t, m)))
    assert c.connect() == 0  # a clean session
    return c, got


@timeout(60)
def test_umqtt_simple_publish_subscribe():
    install()
    c, got = _mqtt()
    t = topic("simple")
    c.subscribe(t, 1)
    c.publish(t, b"qos0 hello")
    c.wait_msg()  # our own message, back from the broker
    assert got == [(t, b"qos0 hello")], got
    payload = bytes(range(256)) * 4
    c.publish(t, payload, qos=1)  # returns at PUBACK; the message may have come first
    while len(got) < 2:
        c.wait_msg()
    assert got[1] == (t, payload), got[1][1][:20]
    c.disconnect()


@timeout(60)
def test_urequests_get_post():
    install()
    requests = lib("urequests")
    host, port = peer("http")
    r = requests.get("http://%s:%d/index.txt" % (host, port))
    assert r.status_code == 200, r.status_code
    assert r.text == "Hello from the netsocket test HTTP server.\n" * 4, r.text
    body = bytes(range(256)) * 3
    r = requests.post("http://%s:%d/echo" % (host, port), data=body)
    assert r.status_code == 200 and r.headers["Content-Length"] == "768", r.headers
    assert r.content == body


@timeout(60)
def test_urequests_https_with_test_ca():
    install(tls=True)
    requests = lib("urequests")
    host, port = peer("https")
    r = requests.get("https://%s:%d/" % (host, port))
    assert r.status_code == 200, r.status_code
    assert r.content == b"Hello from the netsocket test HTTP server.\n" * 4, r.content
