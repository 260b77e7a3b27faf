"""The rarely used NetworkInterface / EthernetInterface methods, added to the classes on first use.

interface.py keeps what connecting and opening sockets needs; these join the classes
when a program first asks for one of them (NetworkInterface.__getattr__), so importing
netsocket costs less heap. They behave as if defined in the classes.
"""

from micropython import const
from .address import SocketAddress
from .interface import NetworkInterface, EthernetInterface, port

_OK = const(0)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_ADDRESS = const(-3006)
_GLOBAL_UP = const(1)
_DISCONNECTED = const(2)

_added = False


def more(net, name):
    """NetworkInterface.__getattr__: add these methods to the classes; -> net.<name>."""
    global _added
    if not _added:
        _added = True
        for n in _NI:
            setattr(NetworkInterface, n, globals()[n])
        EthernetInterface._ifconfig = eth_ifconfig
        EthernetInterface.disconnect = eth_disconnect
    if name in _NI:
        return getattr(net, name)
    raise AttributeError(name)


def _repr(self):
    st = ("LOCAL_UP", "GLOBAL_UP", "DISCONNECTED", "CONNECTING")[self.get_connection_status()]
    ip = SocketAddress()
    self.get_ip_address(ip)
    return "<%s %s %s>" % (type(self).__name__, st, ip.get_ip_address())


def set_as_default(self):
    NetworkInterface._default = self


def connect(self):
    return _UNSUPPORTED


def disconnect(self):
    return _UNSUPPORTED


def set_blocking(self, blocking):
    """False makes connect/disconnect return at once; status events follow."""
    self._blocking = bool(blocking)
    return _OK


def attach(self, cb):
    """Status callback ``cb(event, status)``; NSAPI_EVENT_CONNECTION_STATUS_CHANGE = 0. None removes it."""
    self._cb = cb


def _ifconfig(self):
    # (ip, netmask, gateway, mac) as text, or None when not known
    return None


def _get(self, i, addr):
    if not isinstance(addr, SocketAddress):
        return _PARAMETER
    c = self._ifconfig() if self._status in (0, _GLOBAL_UP) else None
    if c is None or not c[i] or not addr.set_ip_address(c[i]):
        return _NO_ADDRESS
    return _OK


def get_ip_address(self, addr):
    """Fill the SocketAddress ``addr`` with the interface's IP; NO_ADDRESS if none."""
    return self._get(0, addr)


def get_netmask(self, addr):
    return self._get(1, addr)


def get_gateway(self, addr):
    return self._get(2, addr)


def get_mac_address(self):
    """MAC address as 'aa:bb:cc:dd:ee:ff', or None."""
    c = self._ifconfig()
    return c[3] if c else None


def set_dhcp(self, dhcp):
    return _OK if dhcp else _UNSUPPORTED


def set_network(self, ip, netmask, gateway):
    return _UNSUPPORTED


def gethostbyname(self, host, addr, version=0):
    """Resolve ``host`` into the SocketAddress ``addr`` (port kept). -> nsapi code."""
    return self.get_stack().gethostbyname(host, addr, version)


# DNS (netsocket.dns, loaded on first use)
def _dns():
    from . import dns

    return dns


def gethostbyname_async(self, host, cb, version=0):
    """0 = done (``cb(result, addr)`` already ran), > 0 = id for cancel, < 0 = error."""
    return _dns().gethostbyname_async(self.get_stack(), host, cb, version)


def gethostbyname_async_cancel(self, id):
    return _dns().cancel(id)


def getaddrinfo(self, host, hints=None):
    """-> (count, [SocketAddress]) or (error, []); version and port from ``hints``."""
    return _dns().getaddrinfo(self.get_stack(), host, hints)


def getaddrinfo_async(self, host, hints, cb):
    return _dns().getaddrinfo_async(self.get_stack(), host, hints, cb)


def add_dns_server(self, addr, ifname=None):
    return _dns().add_server(addr)


def get_dns_server(self, index, addr, ifname=None):
    return _dns().get_server(self.get_stack(), index, addr)


def ethInterface(self):
    return self if isinstance(self, EthernetInterface) else None


def wifiInterface(self):
    return None


# EthernetInterface's own
def eth_ifconfig(self):
    return port().ifconfig(self._nic)


def eth_disconnect(self):
    if self._status == _DISCONNECTED:
        return _NO_CONNECTION
    try:
        port().down(self._nic)
    except Exception:
        pass
    self._set_status(_DISCONNECTED)
    return _OK


_NI = (
    "_repr", "set_as_default", "connect", "disconnect", "set_blocking", "attach", "_ifconfig", "_get",
    "get_ip_address", "get_netmask", "get_gateway", "get_mac_address", "set_dhcp", "set_network",
    "gethostbyname", "gethostbyname_async", "gethostbyname_async_cancel", "getaddrinfo", "getaddrinfo_async",
    "add_dns_server", "get_dns_server", "ethInterface", "wifiInterface",
)
