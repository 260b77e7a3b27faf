"""nsapi.strerror(), NSAPIError, check() and nsapi's __all__: loaded on first use through nsapi's __getattr__."""

from .nsapi import _find, _TABLE


def more(name):
    """nsapi.__getattr__ for the names defined here."""
    if name in ("strerror", "NSAPIError", "check"):
        return globals()[name]
    if name == "__all__":  # ``from netsocket.nsapi import *``: every constant and the three above
        out = ["strerror", "NSAPIError", "check"]
        for group in _TABLE.split("/"):
            t = group.split()
            for n in t[3:]:
                out.append(t[0] + n)
        return out
    raise AttributeError(name)


def strerror(code):
    """Name of an nsapi error code, e.g. 'NSAPI_ERROR_WOULD_BLOCK'.

    Counts (>= 0) are named 'NSAPI_ERROR_OK' for 0 and '<n> bytes' otherwise.
    """
    if isinstance(code, int) and code > 0:
        return "%d bytes" % code
    n = _find(None, code)[0] if isinstance(code, int) else None
    return n or "unknown error %r" % (code,)


class NSAPIError(OSError):
    """An nsapi error code raised by check(); ``e.errno`` is the code."""

    def __str__(self):
        return strerror(self.args[0])


def check(ret):
    """Raise NSAPIError for a negative code; return ``ret`` otherwise.

    Accepts the ``(value, err)`` tuples of accept() and getsockopt() too and
    then returns ``value``.
    """
    if isinstance(ret, tuple):
        if ret[1] < 0:
            raise NSAPIError(ret[1])
        return ret[0]
    if ret < 0:
        raise NSAPIError(ret)
    return ret
