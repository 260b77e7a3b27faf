"""Socket facade helpers for device tests (not a test module): install it, the test CA, the libraries.

The runner deploys the unmodified third-party libraries (umqtt.simple, umqtt.robust,
urequests, fetched from PyPI at set-up) to the board's /lib; ``lib(name)`` imports one
after ``install()``, so its ``import usocket`` / ``import ussl`` get the facade.
"""

from devtest import skip
from nsutil import net


def ca():
    """The test CA (DER) the runner copied next to the tests."""
    try:
        with open("/tests/tls_ca.der", "rb") as f:
            return f.read()
    except OSError:
        skip("no test CA on this board (TLS peers not running)")


def install(tls=False, native=True):
    """compat.install() over the default interface, connected; with ``tls``, trusting the test CA;
    ``native=False``: facade sockets also on the board's own stack (where it hands out the port's)."""
    from netsocket import compat

    compat.install(net(), ca() if tls else None, native)
    return compat


def lib(name):
    """Import a third-party library (after install()); skips when the runner could not fetch it."""
    try:
        return __import__(name, None, None, ("x",))
    except ImportError:
        skip("no %s on this board (third-party libraries not fetched)" % name)


def topic(tag):
    """An MQTT topic no other board's test uses at the same time."""
    import random

    return b"netsocket/test/%s/%08x" % (tag, random.getrandbits(32))
