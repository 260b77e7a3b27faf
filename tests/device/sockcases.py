"""The generic socket cases of Mbed's test plan, for any Socket class (not a test module).

Kept apart from nsutil, which every device test imports: only the socket suites load these.
"""

from nsutil import net, sockets

_PARAMETER = -3003
_NO_SOCKET = -3005
_NO_MEMORY = -3007


def open_destruct(cls):
    """OPEN_DESTRUCT: open and close (here: leave ``with``) 100 times; no socket leaks."""
    n0 = sockets()
    for i in range(100):
        with cls() as s:
            err = s.open(net())
            assert err == 0, "round %d: open = %d" % (i, err)
    assert sockets() == n0


def open_limit(cls, minimum):
    """OPEN_LIMIT: open until NO_MEMORY/NO_SOCKET, close all, twice: the same count both times."""
    counts = []
    for _ in range(2):
        socks = []
        while True:
            s = cls()
            err = s.open(net())
            if err in (_NO_MEMORY, _NO_SOCKET):
                break
            assert err == 0, "open = %d" % err
            socks.append(s)
        counts.append(len(socks))
        for s in socks:
            assert s.close() == 0
    assert counts[0] == counts[1], counts
    assert counts[0] >= minimum, counts


def open_twice(cls):
    """OPEN_TWICE: a second open of an open socket is PARAMETER."""
    with cls() as s:
        assert s.open(net()) == 0
        err = s.open(net())
        assert err == _PARAMETER, err


def open_close_repeat(cls):
    """OPEN_CLOSE_REPEAT: the same object opens again after close."""
    s = cls()
    for _ in range(2):
        assert s.open(net()) == 0
        assert s.close() == 0
