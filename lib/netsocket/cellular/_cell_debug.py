"""CellularInterface's debug lines (``net.debug = print``): loaded only when debug is set."""

_TEXTS = (
    "connecting",
    "connect failed: %d in step %d",
    "up: %s",
    "waiting for AT",
    "waiting for the SIM",
    "waiting for registration: stat %d, %d of %d ms",
)


def say(d, n, a):
    (print if d is True else d)("[cellular] " + _TEXTS[n] % a)
