"""Cellular helpers for device tests (not a test module): the emulated modems on the board's UARTs.

The test runner wires an emulated BG96 to UART(1) (control peer "modem"), an
emulated SIM7600 to UART(2) ("modem2"), an emulated SIM800 to UART(3) ("modem3") and an
emulated u-blox SARA-R4 to UART(4) ("modem4"). ``use(model)``
resets that modem's fault knobs and makes a CellularInterface over it the
board's default interface, so the native TCP/UDP test functions run
unchanged over the modem; ``run(fn)`` does that for every modem wired to the
board in turn; ``ctl(cmd)`` sends one control command to the current modem's
emulator (fault knobs, network events) over the host's own socket.
"""

from devtest import PEERS, peer, skip

BAUD = 921600  # what the test runner starts the modems with
MODELS = (("bg96", 1, "modem"), ("sim7600", 2, "modem2"), ("sim800", 3, "modem3"), ("sara", 4, "modem4"))
# (driver, UART id, control peer)
_cur = MODELS[0]


def model(name):
    """Make ``name`` the modem that ctl() and iface() use."""
    global _cur
    for m in MODELS:
        if m[0] == name:
            _cur = m
            return
    raise ValueError(name)


def ctl(line):
    """One command to the current modem emulator's control socket; -> its reply (bytes)."""
    from netsocket.stack import socket  # the port's own module, also under compat.install()

    host, port = peer(_cur[2])
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
    """A fresh CellularInterface on the current modem's UART, the board's default; connected unless told otherwise."""
    peer(_cur[2])
    from machine import UART
    from netsocket import NetworkInterface
    from netsocket.cellular import CellularInterface

    try:
        u = UART(_cur[1], baudrate=BAUD)
    except (ValueError, AttributeError):
        skip("no UART(%d) wired to a modem" % _cur[1])
    net = CellularInterface(u, _cur[0], **kw)
    net.set_credentials("internet")
    NetworkInterface._default = net
    if connect:
        err = net.connect()
        assert err == 0, "cellular connect() = %d over %s" % (err, _cur[0])
    return net


def use(name=None):
    """Default interface = cellular over a modem (``name``, else the current one) with no faults."""
    if name is not None:
        model(name)
    peer(_cur[2])
    ctl("reset")
    return iface(connect=False)


def run(fn):
    """``fn`` once over every modem wired to the board (the failing one is named in the log)."""
    models = [m[0] for m in MODELS if m[2] in PEERS]
    if not models:
        skip("no emulated modem on this board")
    for name in models:
        print("-- over", name)
        use(name)
        fn()
        _forget(name)


def _forget(driver):
    # after one modem's run: its interfaces and driver module leave the heap, so each modem
    # runs as on a board that has only its own driver
    import gc
    import sys
    from netsocket import NetworkInterface

    NetworkInterface._default = None
    pkg = sys.modules.get("netsocket.cellular")
    if pkg is not None:
        pkg.__dict__.pop(driver, None)  # (not hasattr: the package's __getattr__ would import it again)
    sys.modules.pop("netsocket.cellular." + driver, None)
    gc.collect()


def each_modem(fn):
    """Decorator: the test runs over every modem wired to the board (``use()`` inside keeps the model)."""
    return lambda: run(fn)
