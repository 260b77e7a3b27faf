"""netsocket.compat on the board's own stack. It hands out the port's own sockets there; with
install(native=False) it makes facade sockets, tested here as they run over a modem: the socket
module's behaviour and errno values against the port's socket in the same run, polling, asyncio
streams, TLS (umqtt over mosquitto's TLS listener), install()/uninstall(), and its memory targets.
"""

import sys
from devtest import peer, timeout
from compatutil import install, lib, topic, ca
from nsutil import sockets


def _errno(f):
    # -> ("OSError", errno) or (exception name, None) or ("ok", None)
    try:
        f()
    except OSError as e:
        return ("OSError", e.errno)
    except Exception as e:
        return (type(e).__name__, None)
    return ("ok", None)


def test_install_uninstall():
    import netsocket.stack

    compat = install()
    import socket
    import usocket
    import ssl
    import ussl

    assert socket is compat and usocket is compat, socket
    assert ssl is ussl and ssl.__name__ == "netsocket.compat_ssl", ssl
    assert netsocket.stack.socket is not compat  # netsocket's own modules keep the port's
    compat.uninstall()
    import socket as again

    assert again is not compat and hasattr(again, "sockaddr") == hasattr(netsocket.stack.socket, "sockaddr")
    assert "ssl" not in sys.modules


def test_native_stack_hands_out_the_port_socket():
    import socket as port

    compat = install()
    host, p = peer("echo")
    ai = compat.getaddrinfo(host, p)[0][-1]
    assert ai == port.getaddrinfo(host, p)[0][-1], ai  # the port's own address form
    s = compat.socket()
    n = port.socket()
    assert type(s) is type(n) and not isinstance(s, compat.socket), s
    n.close()
    s.connect(ai)
    s.write(b"own socket")
    assert s.read(10) == b"own socket"
    s.close()


def test_stream_calls_echo():
    compat = install(native=False)
    host, port = peer("echo")
    ai = compat.getaddrinfo(host, port, 0, compat.SOCK_STREAM)
    assert ai == [(compat.AF_INET, compat.SOCK_STREAM, compat.IPPROTO_TCP, "", (host, port))], ai
    before = sockets()
    with compat.socket(ai[0][0], ai[0][1], ai[0][2]) as s:
        s.connect(ai[0][-1])
        assert sockets() == before + 1
        assert s.write(b"line one\nline two\n") == 18
        assert s.readline() == b"line one\n"
        assert s.read(4) == b"line"  # from readline's read-ahead, then the socket
        assert s.read(5) == b" two\n"
        payload = bytes(range(256)) * 8
        s.sendall(payload)
        buf = bytearray(len(payload))
        assert s.readinto(buf) == len(buf) and buf == payload  # blocking: until full, as the port's
        assert s.send(b"xyz") == 3
        got = b""
        while len(got) < 3:
            got += s.recv(3 - len(got))
        assert got == b"xyz"
        assert s.makefile("rwb") is s
    assert sockets() == before


def test_udp_sendto_recvfrom():
    compat = install(native=False)
    host, port = peer("echo")
    s = compat.socket(compat.AF_INET, compat.SOCK_DGRAM)
    s.settimeout(5)
    assert s.sendto(b"datagram", (host, port)) == 8
    data, frm = s.recvfrom(100)
    assert data == b"datagram" and frm == (host, port), (data, frm)
    s.close()


def test_errno_as_the_port_socket():
    import socket as port  # the port's own module (before install)

    compat = install(native=False)
    host, pnum = peer("echo")
    cases = []

    def both(name, f):
        n = f(port, port.getaddrinfo(host, pnum)[0][-1])
        c = f(compat, (host, pnum))
        cases.append((name, n, c))

    def closed_send(m, a):
        s = m.socket()
        s.connect(a)
        s.close()
        return _errno(lambda: s.send(b"x"))

    def nonblocking_recv(m, a):
        s = m.socket()
        s.connect(a)
        s.setblocking(False)
        r = _errno(lambda: s.recv(10)), s.read(10), s.readinto(bytearray(4)), s.write(b"")
        s.close()
        return r

    def timeouts(m, a):
        s = m.socket()
        s.connect(a)
        s.settimeout(0.1)
        r = _errno(lambda: s.recv(10)), _errno(lambda: s.read(10)), _errno(lambda: s.readinto(bytearray(4)))
        s.close()
        return r

    def refused(m, a):
        s = m.socket()
        r = _errno(lambda: s.connect(("127.0.0.1", 1) if m is compat else m.getaddrinfo("127.0.0.1", 1)[0][-1]))
        s.close()
        return r

    def not_connected(m, a):
        s = m.socket()
        r = _errno(lambda: s.recv(1))
        s.close()
        return r

    def in_progress(m, a):
        s = m.socket()
        s.setblocking(False)
        r = _errno(lambda: s.connect(a))
        s.close()
        return r

    def bad_types(m, a):
        s = m.socket()
        s.connect(a)
        r = (_errno(lambda: s.send(5)), _errno(lambda: s.write(None)), _errno(lambda: s.recv("x")),
             _errno(lambda: s.settimeout("x")), _errno(lambda: m.getaddrinfo(5, 80)))
        s.close()
        return r

    def bad_family(m, a):
        return _errno(lambda: m.socket(99))

    for name, f in (("closed send", closed_send), ("non-blocking", nonblocking_recv), ("timeouts", timeouts),
                    ("refused", refused), ("not connected", not_connected), ("in progress", in_progress),
                    ("bad types", bad_types), ("bad family", bad_family)):
        both(name, f)
    bad = [(n, a, b) for n, a, b in cases if a != b]
    assert not bad, "port socket vs facade: %r" % bad
    e = _errno(lambda: compat.getaddrinfo("nonexistent.invalid", 80))
    assert e[0] == "OSError", e


def test_pollable():
    import select

    compat = install(native=False)
    host, port = peer("echo")
    s = compat.socket()
    s.connect((host, port))
    s.setblocking(False)
    assert s.ioctl(10, 0) == -1  # MP_STREAM_GET_FILENO: none, or the unix poller watches stdin
    p = select.poll()
    p.register(s, select.POLLIN)
    assert p.poll(0) == [], "readable with nothing sent"
    s.write(b"ping")
    ev = p.poll(5000)
    assert len(ev) == 1 and ev[0][0] is s and ev[0][1] & select.POLLIN, ev
    assert s.read(4) == b"ping"
    p.modify(s, select.POLLOUT)
    assert p.poll(1000)[0][1] & select.POLLOUT
    p.unregister(s)
    s.close()
    assert s.ioctl(3, 1) == 32  # POLLNVAL once closed


@timeout(60)
def test_asyncio_server_and_ten_clients():
    # 10 concurrent clients of the host's echo peer, while a start_server on the board echoes
    # for the host's clients peer (4 clients in turn, 3000 bytes each): 13 sockets of 16 at most
    import asyncio
    import random

    compat = install(native=False)
    host, echo_port = peer("echo")
    before = sockets()
    served = []

    async def echo(r, w):
        while True:
            data = await r.read(1024)
            if not data:
                break
            w.write(data)
            await w.drain()
        served.append(w.get_extra_info("peername"))
        w.close()
        await w.wait_closed()

    async def client(i):
        r, w = await asyncio.open_connection(host, echo_port)
        lines = [b"client %d line %d %s\n" % (i, k, b"x" * (k * 37 % 300)) for k in range(5)]
        for line in lines:
            w.write(line)
            await w.drain()
            assert await r.readline() == line, "client %d" % i
        w.close()
        await w.wait_closed()
        return i

    async def main():
        for _ in range(20):  # a free port: other boards' tests run on this host too
            port = 20000 + random.getrandbits(12)
            try:
                srv = await asyncio.start_server(echo, host, port)
                break
            except OSError:
                pass
        r, w = await asyncio.open_connection(*peer("clients"))
        w.write(b"CONNECT %s %d 4 3000\n" % (host, port))
        await w.drain()
        got = await asyncio.gather(*[client(i) for i in range(10)])
        assert sorted(got) == list(range(10)), got
        assert await r.readline() == b"OK 4\n"
        w.close()
        await w.wait_closed()
        srv.close()
        await srv.wait_closed()

    asyncio.run(main())
    assert len(served) == 4 and all(p[0] == host for p in served), served
    assert sockets() == before, (sockets(), before)


@timeout(60)
def test_umqtt_over_tls():
    compat = install(tls=True, native=False)
    host, port = peer("mqtts")
    simple = lib("umqtt.simple")
    got = []
    c = simple.MQTTClient(b"ns-tls", host, port, keepalive=60, ssl=True,
                          ssl_params={"server_hostname": host, "cadata": ca()})
    c.set_callback(lambda t, m: got.append((t, m)))
    c.connect()
    t = topic("tls")
    c.subscribe(t)
    c.publish(t, b"over TLS")
    c.wait_msg()
    assert got == [(t, b"over TLS")], got
    c.disconnect()
    ssl = __import__("ssl")
    s = compat.socket()
    s.connect((host, port))
    e = _errno(lambda: ssl.wrap_socket(s, server_hostname="wrong.example"))  # the name is checked
    assert e == ("OSError", -9984), e
    compat.install(compat._net, native=False)  # no CA given: verification is still on, so nothing is trusted
    s = compat.socket()
    s.connect((host, port))
    e = _errno(lambda: ssl.wrap_socket(s, server_hostname=host))
    assert e == ("OSError", -9984), e
    s = compat.socket()
    s.connect((host, port))
    t = ssl.wrap_socket(s, server_hostname=host, cert_reqs=ssl.CERT_NONE)  # unless asked not to
    t.write(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")  # MQTT CONNECT -> CONNACK
    assert t.read(4) == b"\x20\x02\x00\x00"
    t.close()


def test_bad_input():
    compat = install(native=False)
    host, port = peer("echo")
    assert _errno(lambda: compat.socket(compat.AF_INET, 3)) == ("OSError", 95)  # SOCK_RAW: EOPNOTSUPP
    s = compat.socket()
    assert _errno(lambda: s.connect(("127.0.0.1", "x"))) == ("TypeError", None)
    assert _errno(lambda: s.connect(5)) == ("TypeError", None)
    assert _errno(lambda: s.connect(("no.such.host.invalid", port)))[0] == "OSError"
    s.connect((host, port))
    s.close()
    s.close()  # twice: no error, as the port's socket
    for f in (lambda: s.write(b"x"), lambda: s.read(1), lambda: s.readinto(bytearray(1)), lambda: s.readline(),
              lambda: s.recv(1), lambda: s.connect((host, port))):
        assert _errno(f) == ("OSError", 9), _errno(f)  # EBADF


def _import_compat():
    from netsocket import compat  # noqa: F401 - its import is what test_memory measures


def test_memory():
    import gc
    from netsocket import TCPSocket
    from nsutil import net

    net()  # the core: interface, stack, TCPSocket
    TCPSocket().open(net())
    gc.collect()
    m0 = gc.mem_alloc()
    _import_compat()  # in its own frame: stale references in this one would keep the import's garbage
    gc.collect()
    cost = gc.mem_alloc() - m0
    # not asserted: a new qstr pool (about 3.8 KB here) is charged to whichever import fills the last
    # one, which depends on what the test modules interned first; `netsocket bench compat` measures
    # the import on a fresh board, core first, where the figure is repeatable
    print("facade import: %d B beyond the core and the test modules" % cost)
    compat = install(native=False)
    host, port = peer("echo")
    st = compat._stack()
    n = 4
    gc.collect()
    m0 = gc.mem_alloc()
    raw = []
    for _ in range(n):
        t = TCPSocket()
        assert t.open(st) == 0
        raw.append(t)
    gc.collect()
    m1 = gc.mem_alloc()
    fac = [compat.socket() for _ in range(n)]
    gc.collect()
    m2 = gc.mem_alloc()
    per = ((m2 - m1) - (m1 - m0)) // n
    print("facade socket: %d B beyond its TCPSocket" % per)
    assert per <= 160, per
    for x in raw + fac:
        x.close()
    # the hot path allocates nothing: writes to the discard peer, reads from chargen (always data)
    buf = bytearray(64)
    w = compat.socket()
    w.connect(peer("discard"))
    r = compat.socket()
    r.connect(peer("chargen"))
    r.read(4096)
    w.write(buf)
    r.readinto(buf)
    # gc.mem_alloc() also counts what other threads allocate meanwhile (the unix port's sigio
    # poller, a DNS timer): an allocation per call shows in every round of 100, a stray one in one
    rounds = []
    for _ in range(3):
        gc.collect()
        a0 = gc.mem_alloc()
        for _ in range(100):
            w.write(buf)
            r.readinto(buf)
        rounds.append(gc.mem_alloc() - a0)
        if not rounds[-1]:
            break
    print("100 write+readinto: %s B allocated" % rounds)
    assert min(rounds) == 0, rounds
    w.close()
    r.close()
