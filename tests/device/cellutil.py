"""Cellular helpers for device tests (not a test module): the emulated BG96 on UART(1).

``use()`` resets the modem's fault knobs and makes a CellularInterface the
board's default interface, so the native TCP/UDP test functions run
unchanged over the modem; ``ctl(cmd)`` sends one control command to the
emulator (fault knobs, network events) over the host's own socket.
"""

from devtest import peer, skip

BAUD = 921600  # what the test runner starts the modem with


def ctl(line):
    """One command to the modem emulator's control socket; -> its reply (bytes)."""
    import socket

    host, port = peer("modem")
    s = socket.socket()
    try:
        s.connect(socket.getaddrinfo(host, port)[0][-1])
        s.write(line.encode() + b"\n")
        reply = s.readline()
    finally:
        s.close()
    assert reply.startswith(b"OK"), "modem %r: %r" % (line, reply)
    return reply


def iface(connect=True, **kw):
    """A fresh CellularInterface on UART(1), the board's default; connected unless told otherwise."""
    peer("modem")
    from machine import UART
    from netsocket import NetworkInterface
    from netsocket.cellular import CellularInterface

    try:
        u = UART(1, baudrate=BAUD)
    except (ValueError, AttributeError):
        skip("no UART(1) wired to a modem")
    net = CellularInterface(u, **kw)
    net.set_credentials("internet")
    NetworkInterface._default = net
    if connect:
        err = net.connect()
        assert err == 0, "cellular connect() = %d" % err
    return net


def use():
    """Default interface = cellular over a modem with no faults."""
    peer("modem")
    ctl("reset")
    return iface(connect=False)


def run(fn):
    use()
    fn()
