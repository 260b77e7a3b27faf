"""test_close.py's close-from-another-thread and sigio-on-close cases again over each emulated modem
(the AT stack's socket_wait must end when another thread closes the socket)."""

import test_close as tc
from cellutil import use as setup  # noqa: F401 - the runner calls setup(model) before each test

PARAMS = ("bg96", "sim7600")


def test_close_wakes_udp_recv():
    tc.test_close_wakes_udp_recv()


def test_close_wakes_tcp_recv():
    tc.test_close_wakes_tcp_recv()


def test_close_calls_sigio():
    tc.test_close_calls_sigio()
