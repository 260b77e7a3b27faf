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
_BUSY = const(-3020)
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
        NetworkInterface._down = _NO_ADDRESS
        NetworkInterface._ls = None  # add_event_listener's callbacks
        NetworkInterface._dhcp = None  # False after set_network / set_dhcp(False)
        NetworkInterface._static = None  # set_network's addresses
        EthernetInterface._down = _NO_CONNECTION
        EthernetInterface._ifconfig = eth_ifconfig
        EthernetInterface.disconnect = eth_disconnect
    if name in _NI:
        return getattr(net, name)
    raise AttributeError(name)


def _repr(self):
    st = self.get_connection_status()
    st = ("LOCAL_UP", "GLOBAL_UP", "DISCONNECTED", "CONNECTING")[st] if 0 <= st <= 3 else "UNSUPPORTED"
    ip = SocketAddress()
    self.get_ip_address(ip)
    return "<%s %s %s>" % (type(self).__name__, st, ip.get_ip_address())


def set_as_default(self):
    NetworkInterface._default = self


def connect(self):
    return _UNSUPPORTED


def disconnect(self):
    return _UNSUPPORTED


def _abstract(self):
    # True for a NetworkInterface that is none of netsocket's (no _ifconfig of its own): Mbed's
    # base-class defaults apply (UNSUPPORTED, None), as NetworkInterface.cpp has them
    return type(self)._ifconfig is _ifconfig


def set_blocking(self, blocking):
    """False makes connect/disconnect return at once; status events follow."""
    if self._abstract():
        return _UNSUPPORTED
    self._blocking = bool(blocking)
    return _OK


def attach(self, cb):
    """Status callback ``cb(event, status)``; NSAPI_EVENT_CONNECTION_STATUS_CHANGE = 0. None removes it.

    One callback; for several, use add_event_listener (which uses attach: do not mix them).
    """
    self._cb = cb


def add_event_listener(self, cb):
    """Add ``cb(event, status)`` to this interface's status listeners (Mbed 6). -> OK"""
    ls = self._ls
    if ls is None:
        ls = self._ls = []
    ls.append(cb)
    self.attach(self._events)
    return _OK


def remove_event_listener(self, cb):
    """Remove a listener added with add_event_listener."""
    ls = self._ls
    if ls and cb in ls:
        ls.remove(cb)


def _events(self, ev, st):
    for cb in tuple(self._ls):
        cb(ev, st)


def _ifconfig(self):
    # (ip, netmask, gateway, mac) as text, or None when not known
    return None


def _addrs(self):
    # (ip, netmask, gateway, mac) while connected, else None
    return self._ifconfig() if self.get_connection_status() in (0, _GLOBAL_UP) else None


def _get(self, i, addr):
    if self._abstract():
        return _UNSUPPORTED
    if not isinstance(addr, SocketAddress):
        return _PARAMETER
    c = self._addrs()
    if c is None:
        return self._down  # EthernetInterface: NO_CONNECTION, as Mbed's EMACInterface
    if not c[i] or not addr.set_ip_address(c[i]):
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
    """MAC address as 'aa:bb:cc:dd:ee:ff', or None (always before connect, as Mbed)."""
    c = self._addrs()
    return c[3] if c else None


def set_mac_address(self, mac, size=None):
    """Set the MAC (6 bytes) before connect: OK, PARAMETER, BUSY when connected, UNSUPPORTED
    where the port cannot (the unix port: the host's MAC)."""
    nic = self._glue("set_mac")
    if isinstance(nic, int):
        return nic
    try:
        mac = bytes(mac if size is None else memoryview(mac)[:size])
    except Exception:
        return _PARAMETER
    if len(mac) != 6:
        return _PARAMETER
    if self.get_connection_status() != _DISCONNECTED:
        return _BUSY
    return _call(_fn("set_mac"), nic, mac)


def get_interface_name(self):
    """The interface's name (e.g. 'eth0'), or None where the port has none, or before connect."""
    f = _fn("ifname")
    return f(self._nicobj()) if f and self._addrs() else None


def get_ipv6_link_local_address(self, addr):
    """Fill ``addr`` with the interface's fe80:: address: OK, PARAMETER, NO_CONNECTION before
    connect, NO_ADDRESS, UNSUPPORTED where the port cannot answer."""
    f = _fn("link_local")
    if self._abstract() or f is None:
        return _UNSUPPORTED
    if not isinstance(addr, SocketAddress):
        return _PARAMETER
    if self._addrs() is None:
        return _NO_CONNECTION
    ip = f(self._nicobj())
    if ip is None or not addr.set_ip_address(ip):
        return _NO_ADDRESS
    return _OK


def get_hostname(self):
    """-> (host name, OK), or (None, UNSUPPORTED) where the port cannot answer."""
    f = None if self._abstract() else _fn("hostname")
    if f is None:
        return None, _UNSUPPORTED
    try:
        return f(), _OK
    except Exception:
        return None, _UNSUPPORTED


def set_hostname(self, name):
    """Host name for DHCP (1..32 characters; before connect): OK, PARAMETER, BUSY, UNSUPPORTED."""
    f = _fn("set_hostname")
    if self._abstract() or f is None:
        return _UNSUPPORTED
    if not isinstance(name, str) or not 0 < len(name) <= 32:
        return _PARAMETER
    if self.get_connection_status() != _DISCONNECTED:
        return _BUSY
    return _call(f, name)


def set_dhcp(self, dhcp):
    """True: DHCP (the default), OK. False: the addresses of set_network; UNSUPPORTED where the
    port cannot set addresses (the unix port: the host's network is as it is)."""
    if dhcp:
        if self._dhcp is False:
            nic = self._glue("set_ifconfig")
            if isinstance(nic, int):
                return nic
            err = _call(_fn("set_ifconfig"), nic, "dhcp")
            if err:
                return err
            self._dhcp = True
        return _OK
    if self._static is None:  # nothing set yet: DHCP off without addresses
        nic = self._glue("set_ifconfig")
        return nic if isinstance(nic, int) else _OK
    return self.set_network(*self._static)


def set_network(self, ip, netmask, gateway):
    """Static addresses (SocketAddresses or text), DHCP off: OK, PARAMETER, UNSUPPORTED where
    the port cannot set addresses (the unix port)."""
    nic = self._glue("set_ifconfig")
    if isinstance(nic, int):
        return nic
    a = []
    for x in (ip, netmask, gateway):
        if isinstance(x, str):
            x = SocketAddress(x)
        if not isinstance(x, SocketAddress) or x.get_ip_version() != 1:
            return _PARAMETER
        a.append(x.get_ip_address())
    err = _call(_fn("set_ifconfig"), nic, (a[0], a[1], a[2], a[2]))
    if not err:
        self._static = (ip, netmask, gateway)
        self._dhcp = False
    return err


def _nicobj(self):
    # the port's NIC object (network.LAN / WLAN) of a netsocket interface, made if needed; None on unix
    n = self._nic
    if callable(n):  # WiFiInterface._nic() makes it
        return n()
    if n is None and isinstance(self, EthernetInterface):
        n = self._nic = port().lan()
    return n


def _glue(self, name):
    # the NIC for port().<name>, or UNSUPPORTED when the interface is abstract or the port lacks it
    if self._abstract() or _fn(name) is None or not hasattr(self, "_nic"):
        return _UNSUPPORTED
    try:
        return self._nicobj()
    except Exception:
        return _UNSUPPORTED


def _fn(name):
    # the port glue's function ``name``, or None where the port has none (port_unix keeps some
    # in the module named by its MORE)
    p = port()
    f = getattr(p, name, None)
    if f is None and hasattr(p, "MORE"):
        f = getattr(__import__("netsocket." + p.MORE, None, None, True), name, None)
    return f


def _call(f, *a):
    try:
        f(*a)
    except Exception:
        return _UNSUPPORTED
    return _OK


def gethostbyname(self, host, addr, version=0):
    """Resolve ``host`` into the SocketAddress ``addr`` (port kept). -> nsapi code."""
    return self.get_stack().gethostbyname(host, addr, version)


# DNS: the stack's calls (netsocket.dns, loaded on first use), as Mbed's NetworkInterface
def gethostbyname_async(self, host, cb, version=0):
    """0 = done (``cb(result, addr)`` already ran), > 0 = id for cancel, < 0 = error."""
    return self.get_stack().gethostbyname_async(host, cb, version)


def gethostbyname_async_cancel(self, id):
    return self.get_stack().gethostbyname_async_cancel(id)


def getaddrinfo(self, host, hints=None):
    """-> (count, [SocketAddress]) or (error, []); version and port from ``hints``."""
    return self.get_stack().getaddrinfo(host, hints)


def getaddrinfo_async(self, host, hints, cb):
    return self.get_stack().getaddrinfo_async(host, hints, cb)


def add_dns_server(self, addr, ifname=None):
    return self.get_stack().add_dns_server(addr)


def get_dns_server(self, index, addr, ifname=None):
    """Fill ``addr`` with the index-th DNS server asked (the stack's own first); NO_ADDRESS past the end."""
    from .dns import get_server

    return get_server(self.get_stack(), index, addr)


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
    "_abstract", "add_event_listener", "remove_event_listener", "_events", "_addrs", "set_mac_address",
    "get_interface_name", "get_ipv6_link_local_address", "get_hostname", "set_hostname", "_nicobj", "_glue",
    "get_ip_address", "get_netmask", "get_gateway", "get_mac_address", "set_dhcp", "set_network",
    "gethostbyname", "gethostbyname_async", "gethostbyname_async_cancel", "getaddrinfo", "getaddrinfo_async",
    "add_dns_server", "get_dns_server", "ethInterface", "wifiInterface",
)
