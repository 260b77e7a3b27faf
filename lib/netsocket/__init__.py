"""netsocket: the Mbed OS Socket API for MicroPython.

Names load on first use, so ``import netsocket`` costs almost nothing:
``from netsocket import TCPSocket, SocketAddress, NetworkInterface, nsapi``.
"""

__version__ = "0.1.0"

_NAMES = {
    "nsapi": "nsapi",
    "SocketAddress": "address",
    "Socket": "socket",
    "InternetSocket": "socket",
    "TCPSocket": "socket",
    "UDPSocket": "socket",
    "NetworkStack": "stack",
    "NativeStack": "stack",
    "NetworkInterface": "interface",
    "EthernetInterface": "interface",
    "WiFiInterface": "wifi",
    "WiFiAccessPoint": "wifi",
    "NSAPIError": "nsapi",
    "check": "nsapi",
    "strerror": "nsapi",
}


def __getattr__(name):
    mod = _NAMES.get(name)
    if mod is None:
        raise AttributeError(name)
    value = __import__(mod, None, None, True, 1)
    if mod != name:
        value = getattr(value, name)
    globals()[name] = value
    return value
