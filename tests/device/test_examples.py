"""The examples, unchanged, against host peers (the runner copies examples/*.py to /examples)."""

import time
from devtest import peer, timeout
from netsocket import TCPSocket, SocketAddress
from nsutil import net, addr, read_line

HTTP_BODY = b"Hello from the netsocket test HTTP server.\n" * 4  # peers/app.py HTTP_BODY
PORT = 10223


def test_http_client():
    import http_client

    host, port = peer("http")
    total = http_client.main(host, port)
    assert total > len(HTTP_BODY), total  # status line and headers, then the body


def test_ntp_client():
    import ntp_client

    host, port = peer("ntp")
    t = ntp_client.main(host, port)
    assert t > 1600000000, t
    if time.gmtime(0)[0] == 1970:  # the board's clock counts from the Unix epoch: compare
        assert abs(t - time.time()) < 60, (t, time.time())


def test_nonblocking_client():
    import nonblocking_client

    host, port = peer("echo")
    msg = b"hello, non-blocking world"
    assert nonblocking_client.main(host, port, msg) == msg


def _control():
    ctl = TCPSocket()
    assert ctl.open(net()) == 0
    ctl.set_timeout(10000)
    assert ctl.connect(addr("clients")) == 0
    return ctl


@timeout(30)
def test_tcp_echo_server():
    import tcp_echo_server

    ctl = _control()

    def ready(a):  # the listener is up: let the host connect 3 clients in turn
        cmd = ("CONNECT %s %d 3 2000\n" % (a.get_ip_address(), a.get_port())).encode()
        assert ctl.send(cmd) == len(cmd)

    assert tcp_echo_server.main(PORT, 3, ready) == 3
    assert read_line(ctl) == "OK 3"
    ctl.close()


def test_demo():
    import demo

    assert demo.main(PORT + 1) == 0
