"""Shared helpers for the netsocket device tests (not a test module)."""

import time
from devtest import peer
from netsocket import NetworkInterface, SocketAddress

_WOULD_BLOCK = -3001  # as literals: importing nsapi names costs heap in every test
SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200)


def net():
    """The default interface, connected."""
    n = NetworkInterface.get_default_instance()
    if n.get_connection_status() != 1:
        err = n.connect()
        assert err == 0, "connect() = %d" % err
    return n


def addr(name):
    """SocketAddress of a host peer (echo, discard, daytime, chargen)."""
    host, port = peer(name)
    a = SocketAddress(host, port)
    if not a:
        err = net().gethostbyname(host, a)
        assert err == 0, "gethostbyname(%r) = %d" % (host, err)
    return a


def sockets():
    """Sockets open on the default stack."""
    return net().get_stack().sockets


def fill(buf, n, seed):
    """Printable pseudo-random data as Mbed's tests (rand() % 43 + '0')."""
    x = seed * 2654435761 + 1
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        buf[i] = 48 + (x >> 16) % 43


def wait(cond, ms):
    """Poll cond() every ms until true or ms elapsed; -> cond()."""
    t0 = time.ticks_ms()
    while not cond():
        if time.ticks_diff(time.ticks_ms(), t0) >= ms:
            return cond()
        time.sleep_ms(1)
    return True


class Flag:
    """An event flag that a sigio callback sets (like Mbed's EventFlags)."""

    def __init__(self):
        self.n = 0

    def set(self):
        self.n += 1

    def wait(self, ms):
        ok = wait(lambda: self.n, ms)
        self.n = 0
        return ok


def chargen_check(data, n, pos):
    """Check n bytes of RFC 864 chargen stream at stream offset pos (74-byte lines, 95-line cycle)."""
    for i in range(n):
        p = pos + i
        line, col = divmod(p, 74)
        if col == 72:
            exp = 13
        elif col == 73:
            exp = 10
        else:
            exp = 32 + (line + col) % 95
        if data[i] != exp:
            return False
    return True


def recv_all(s, buf, size):
    """Receive exactly ``size`` bytes into ``buf`` (blocking socket); -> size."""
    got = 0
    mv = memoryview(buf)
    while got < size:
        n = s.recv(mv[got:], size - got)
        assert n > 0, "recv = %d after %d of %d" % (n, got, size)
        assert n <= size - got
        got += n
    return got


def nonblock_echo(s, flag, tx, rx, size):
    """Echo ``size`` bytes on a non-blocking socket: partial sends retried, waits only on sigio (``flag``)."""
    sent = got = 0
    mv_tx = memoryview(tx)
    mv_rx = memoryview(rx)
    while got < size:
        if sent < size:
            n = s.send(mv_tx[sent:], size - sent)
            assert n > 0 or n == _WOULD_BLOCK, "send = %d" % n
            if n > 0:
                sent += n
        n = s.recv(mv_rx[got:], size - got)
        assert n > 0 or n == _WOULD_BLOCK, "recv = %d" % n
        if n > 0:
            assert n <= size - got
            got += n
        elif got < size:
            assert flag.wait(5000), "no sigio in 5 s (%d/%d)" % (got, size)
    assert mv_rx[:size] == mv_tx[:size], "data mismatch at size %d" % size


def read_line(s):
    """One text line from a TCPSocket (e.g. a result of the host's clients peer), stripped."""
    line = b""
    buf = bytearray(64)
    while not line.endswith(b"\n"):
        n = s.recv(buf)
        assert n > 0, n
        line += buf[:n]
    return line.decode().strip()
