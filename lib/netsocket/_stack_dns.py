"""Mbed's NetworkStack DNS calls for applications, added to NetworkStack on first use.

They run netsocket's resolver (dns.py) over this stack, as the NetworkInterface calls
of the same names do (those go through ``get_stack()``).
"""

from .stack import NetworkStack, _APP


def more(st, name):
    """NetworkStack.__getattr__ for a name in stack._APP: add these methods to the class; -> st.<name>."""
    g = globals()
    for n in _APP.split():
        setattr(NetworkStack, n, g[n])
    return getattr(st, name)


def _dns():
    from . import dns

    return dns


def gethostbyname_async(self, host, cb, version=0):
    """0 = done (``cb(result, addr)`` already ran), > 0 = id for cancel, < 0 = error."""
    return _dns().gethostbyname_async(self, host, cb, version)


def gethostbyname_async_cancel(self, id):
    """OK if cancelled (the callback never runs), PARAMETER for an unknown id."""
    return _dns().cancel(id)


def getaddrinfo(self, host, hints=None):
    """-> (count, [SocketAddress]) or (error, []); version and port from ``hints``."""
    return _dns().getaddrinfo(self, host, hints)


def getaddrinfo_async(self, host, hints, cb):
    return _dns().getaddrinfo_async(self, host, hints, cb)


def add_dns_server(self, addr, ifname=None):
    return _dns().add_server(addr)

