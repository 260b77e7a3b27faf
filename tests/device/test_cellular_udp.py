"""test_udp.py again over the emulated BG96: the same functions, with CellularInterface as the default."""
import test_udp as t
from cellutil import run
from devtest import timeout  # noqa: F401


def test_open_destruct():
    run(t.test_open_destruct)


def test_open_limit():
    run(t.test_open_limit)


def test_open_twice():
    run(t.test_open_twice)


def test_open_close_repeat():
    run(t.test_open_close_repeat)


def test_bind_port():
    run(t.test_bind_port)


def test_bind_port_fail():
    run(t.test_bind_port_fail)


def test_bind_address_invalid():
    run(t.test_bind_address_invalid)


def test_bind_wrong_type():
    run(t.test_bind_wrong_type)


def test_bind_address():
    run(t.test_bind_address)


def test_bind_unopened():
    run(t.test_bind_unopened)


def test_bind_sendto():
    run(t.test_bind_sendto)


def test_sendto_invalid():
    run(t.test_sendto_invalid)


def test_sendto_repeat():
    run(t.test_sendto_repeat)


def test_echotest():
    run(t.test_echotest)


def test_echotest_connect_send_recv():
    run(t.test_echotest_connect_send_recv)


def test_echotest_nonblock():
    run(t.test_echotest_nonblock)


def test_echotest_nonblock_connect_send_recv():
    run(t.test_echotest_nonblock_connect_send_recv)


def test_echotest_burst():
    run(t.test_echotest_burst)


def test_echotest_burst_nonblock():
    run(t.test_echotest_burst_nonblock)


def test_recv_timeout():
    run(t.test_recv_timeout)


def test_sendto_timeout():
    run(t.test_sendto_timeout)


def test_send_without_peer():
    run(t.test_send_without_peer)


def test_connected_filters_other_sources():
    run(t.test_connected_filters_other_sources)


def test_chargen_and_daytime():
    run(t.test_chargen_and_daytime)


def test_truncates_large_datagram():
    run(t.test_truncates_large_datagram)
