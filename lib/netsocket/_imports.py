"""What a package's __getattr__ answers for a name it does not define (loaded on such a miss).

MicroPython asks a package's ``__getattr__`` before it imports a submodule, and asks for
``__all__`` on ``from package import *``: so ``from netsocket import cellular`` and
``import *`` land here.
"""

# ``from netsocket import *``: the core names; not TLS, Wi-Fi, cellular or DNS, which load more
_ALL = ("nsapi", "SocketAddress", "Socket", "InternetSocket", "TCPSocket", "UDPSocket", "NetworkStack",
        "NetworkInterface", "EthernetInterface", "NSAPIError", "check", "strerror")


def other(pkg, name, names=_ALL):
    """-> ``pkg``'s ``__all__`` (``names``) or submodule ``name``; AttributeError when there is none."""
    if name == "__all__":
        return tuple(names)
    try:
        return __import__(pkg + "." + name, None, None, True)
    except ImportError as e:
        if pkg + "." + name not in str(e):  # it exists, but its own imports failed: say which
            raise
    raise AttributeError(name)
