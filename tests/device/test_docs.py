"""The complete programs of the documentation (docs/*.md, blocks starting ``# program: NAME.py``),
run unchanged against the host peers. The runner extracts them and copies them to /examples.

tests/host/test_docs.py checks that every program in the docs has a test here.
"""

import os
from devtest import peer, skip
from nsutil import addr

ECHO_LINE = b"hello, board\n"


def test_hello_echo():
    import hello_echo

    host, port = peer("echo")
    assert hello_echo.main(host, port) == ECHO_LINE


def test_porting_http():
    import porting_http

    host, port = peer("http")
    total = porting_http.main(host, port)
    body = b"Hello from the netsocket test HTTP server.\n" * 4  # peers/app.py HTTP_BODY
    assert total > len(body), total  # status line and headers, then the body


def test_porting_udp():
    import porting_udp

    host, port = peer("echo")
    data, sender = porting_udp.main(host, port)
    assert data == b"ping", data
    assert sender == addr("echo"), sender


def test_porting_tls():
    import porting_tls

    host, port = peer("tls_echo")
    reply = porting_tls.main(host, port, "/tests/tls_ca.der", "tls.netsocket.test")
    assert reply == b"hello over TLS\n", reply


def test_porting_dns():
    import porting_dns

    host, port = peer("dns")
    assert porting_dns.main("h3.dns.test", host, port) == "10.53.0.3"  # peers/dns.py ZONE


def test_cellular_echo():
    import cellular_echo
    from cellutil import use, BAUD

    use("bg96")  # the emulated BG96 on UART(1), no faults
    host, port = peer("echo")
    assert cellular_echo.main(host, port, 1, BAUD, "bg96") == b"hello from the modem\n"


def test_compat_mqtt():
    import compat_mqtt
    from cellutil import use, BAUD
    from compatutil import topic

    try:  # deployed by the runner (compiled) when it could fetch it; not imported here: the
        os.stat("/lib/umqtt/simple.mpy")  # program must import it after compat.install()
    except OSError:
        skip("no umqtt.simple on this board (third-party libraries not fetched)")
    use("bg96")
    host, port = peer("mqtt")
    t = topic("docs")
    assert compat_mqtt.main(host, port, t, 1, BAUD, "bg96") == (t, b"21.5")
