"""test_tcp.py again over the emulated BG96: the same functions, with CellularInterface as the default."""
import test_tcp as t
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


def test_bind_address_null():
    run(t.test_bind_address_null)


def test_bind_unopened():
    run(t.test_bind_unopened)


def test_connect_invalid():
    run(t.test_connect_invalid)


def test_send_repeat():
    run(t.test_send_repeat)


def test_echotest():
    run(t.test_echotest)


def test_echotest_nonblock():
    run(t.test_echotest_nonblock)


def test_echotest_burst():
    run(t.test_echotest_burst)


def test_echotest_burst_nonblock():
    run(t.test_echotest_burst_nonblock)


def test_recv_100k():
    run(t.test_recv_100k)


def test_recv_100k_nonblock():
    run(t.test_recv_100k_nonblock)


def test_recv_timeout():
    run(t.test_recv_timeout)


def test_send_timeout():
    run(t.test_send_timeout)


def test_endpoint_close():
    run(t.test_endpoint_close)


def test_nonblocking_connect():
    run(t.test_nonblocking_connect)


def test_connect_refused():
    run(t.test_connect_refused)


def test_setsockopt_keepalive_valid():
    run(t.test_setsockopt_keepalive_valid)


def test_thread_per_socket_safety():
    run(t.test_thread_per_socket_safety)


def test_repr():
    run(t.test_repr)
