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


# sockets an application can open, (TCP, UDP), per port: unix: netsocket's own 16 (port_unix);
# esp32: LWIP_MAX_SOCKETS 10 of any kind; stm32 and rp2: modlwip's 5 TCP and 3 UDP PCBs (port_stm32)
LIMITS = {"unix": (16, 16), "esp32": (10, 10), "stm32": (5, 3), "rp2": (5, 3)}


def board():
    """The port this board runs: unix, esp32, stm32 or rp2 (from sys.platform)."""
    import sys

    p = sys.platform
    return "unix" if p in ("linux", "darwin") else "stm32" if p == "pyboard" else p


def modem():
    """Whether the default stack is a cellular modem's AT socket stack."""
    return getattr(net().get_stack(), "MAX", None) is not None


def limit(udp):
    """The default stack's socket limit for TCP or UDP: a modem's connect IDs (its AT stack's
    MAX), else this board's (LIMITS)."""
    if modem():
        return net().get_stack().MAX
    return LIMITS[board()][udp]


def open_limit(cls, expected, exact=True):
    """OPEN_LIMIT: open until NO_MEMORY/NO_SOCKET, close all, twice: ``expected`` sockets both
    times (at least that many with ``exact`` False: where the heap is the limit)."""
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
    assert counts[0] == expected if exact else counts[0] >= expected, counts


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
