"""The complete programs of the documentation (docs/*.md, blocks starting ``# program: NAME.py``),
run unchanged against the host peers. The runner extracts them and copies them to /examples.

tests/host/test_docs.py checks that every program in the docs has a test here.
"""

from devtest import peer
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
