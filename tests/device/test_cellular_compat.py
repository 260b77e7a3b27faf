"""The socket facade over each emulated modem: test_compat_libs.py again (umqtt, urequests), umqtt.robust
across a PDP context drop, and asyncio streams; with a CellularInterface as the default interface.
"""

import time
from test_compat_libs import *  # noqa: F401,F403 - the libraries' tests, rerun here
from cellutil import use as setup, ctl  # noqa: F401 - the runner calls setup(model) before each test
from compatutil import install, lib, topic
from devtest import peer, timeout
from nsutil import sockets

PARAMS = ("bg96", "sim7600")


@timeout(90)
def test_umqtt_robust_reconnects_after_pdp_drop():
    install()
    robust = lib("umqtt.robust")
    host, port = peer("mqtt")
    got = []
    c = robust.MQTTClient(b"ns-robust-%d" % id(got), host, port, keepalive=60)
    c.DELAY = 0.2  # seconds between its reconnect attempts (the library's knob)
    c.set_callback(lambda t, m: got.append((t, m)))
    c.connect(clean_session=False)  # the broker keeps the subscription across the reconnect
    t = topic("robust")
    c.subscribe(t, 1)
    c.publish(t, b"before", qos=1)
    while not got:
        c.wait_msg()
    ctl("pdpdeact")  # the network drops the PDP context: the socket under the client dies
    time.sleep_ms(100)
    c.publish(t, b"after", qos=1)  # fails on the dead socket, reconnects (link back up), publishes
    while len(got) < 2:
        c.wait_msg()
    assert got == [(t, b"before"), (t, b"after")], got
    c.disconnect()


@timeout(90)
def test_asyncio_four_clients():
    import asyncio

    install()
    host, port = peer("echo")
    before = sockets()
    done = []

    async def client(i):
        r, w = await asyncio.open_connection(host, port)
        data = bytes((i * 31 + k) & 255 for k in range(300 + i * 200))
        w.write(data)
        await w.drain()
        got = await r.readexactly(len(data))
        assert got == data, "client %d: echo differs" % i
        w.close()
        await w.wait_closed()
        done.append(i)

    async def main():
        await asyncio.gather(*[client(i) for i in range(4)])  # BG96: 4 of its sockets at once

    asyncio.run(main())
    assert sorted(done) == [0, 1, 2, 3], done
    assert sockets() == before, (sockets(), before)


def test_what_a_modem_lacks():
    # the modems' AT socket stacks have no listening sockets or socket options: EOPNOTSUPP, said so
    compat = install()
    s = compat.socket()
    for f in (lambda: s.listen(1), lambda: s.setsockopt(compat.SOL_SOCKET, compat.SO_REUSEADDR, 1)):
        try:
            f()
            raise AssertionError("no error")
        except OSError as e:
            assert e.args == (95, "not supported by this network stack"), e.args
    s.close()
