"""Helpers of the cellular test modules (test_cellular*.py; not a test module): a TCP echo
over an interface, a modem reboot with fault knobs, waiting for GLOBAL_UP, status events."""

import time
from netsocket import TCPSocket
from cellutil import ctl
from nsutil import addr, fill

GLOBAL_UP = 1


def status_events(net):
    """The connection status changes (event 0) seen from now on; the cellular events (0x1000...) are left out."""
    seen = []
    net.attach(lambda ev, st: seen.append(st) if ev == 0 else None)
    return seen


def echo(net, sizes=(1, 10, 100, 500, 1000, 1460, 3000)):
    """Each size through the echo peer over one TCP socket, checked byte for byte."""
    tx = bytearray(max(sizes))
    rx = bytearray(max(sizes))
    mtx, mrx = memoryview(tx), memoryview(rx)  # slices of these copy nothing: no heap churn
    with TCPSocket() as s:
        assert s.open(net) == 0
        assert s.connect(addr("echo")) == 0
        s.set_timeout(10000)
        for size in sizes:
            fill(tx, size, size)
            assert s.send(tx, size) == size
            got = 0
            while got < size:
                n = s.recv(mrx[got:], size - got)
                assert n > 0, "recv = %d after %d/%d" % (n, got, size)
                got += n
            assert mrx[:size] == mtx[:size], "data mismatch at size %d" % size


def reboot_modem(faults=None):
    """Set the fault knobs (None: reset them) and reboot the current modem emulator."""
    ctl("set " + faults if faults else "reset")
    ctl("reboot")
    time.sleep_ms(150)  # RDY and the boot URCs


def wait_up(net, ms=10000):
    t0 = time.ticks_ms()
    while net.get_connection_status() != GLOBAL_UP:
        assert time.ticks_diff(time.ticks_ms(), t0) < ms, "not back up: %d" % net.get_connection_status()
        time.sleep_ms(20)
