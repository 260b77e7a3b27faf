"""netsocket: the Mbed OS Socket API for MicroPython.

Names load on first use, so ``import netsocket`` costs almost nothing:
``from netsocket import TCPSocket, SocketAddress, NetworkInterface, nsapi``.
"""

__version__ = "0.1.0"

# Public name -> the module defining it, one "name module" line each. A string, not a
# dict: only the names a program uses reach the heap (as globals of this package).
_NAMES = """
nsapi nsapi
SocketAddress address
Socket socket
InternetSocket socket
TCPSocket socket
UDPSocket udp
NetworkStack stack
NativeStack stack
NetworkInterface interface
EthernetInterface interface
WiFiInterface wifi
WiFiAccessPoint wifi
CellularInterface cellular.interface
TLSSocketWrapper tls
TLSSocket tls
DTLSSocketWrapper tls
DTLSSocket tls
dns dns
compat compat
NSAPIError nsapi
check nsapi
strerror nsapi
"""


def __getattr__(name):
    i = _NAMES.find("\n" + name + " ")
    if i < 0:  # __all__, a submodule, or AttributeError
        from ._imports import other

        return other("netsocket", name)
    i += len(name) + 2
    mod = _NAMES[i : _NAMES.find("\n", i)]
    value = __import__(mod, None, None, True, 1)
    if mod != name:
        value = getattr(value, name)
    globals()[name] = value
    return value

