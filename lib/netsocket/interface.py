"""NetworkInterface (abstract) and EthernetInterface, with status events as in Mbed."""

import sys
from micropython import const
from .address import SocketAddress

_OK = const(0)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_ADDRESS = const(-3006)
_DHCP_FAILURE = const(-3010)
_IS_CONNECTED = const(-3015)
_GLOBAL_UP = const(1)
_DISCONNECTED = const(2)
_CONNECTING = const(3)

_port = None
_stack = None


def port():
    """The port glue module for this board (netsocket.port_<port>), chosen from sys.platform."""
    global _port
    if _port is None:
        p = sys.platform
        p = "unix" if p in ("linux", "darwin") else "stm32" if p == "pyboard" else p
        _port = getattr(__import__("netsocket.port_" + p), "port_" + p)
    return _port


def native_stack():
    """The board's one NativeStack (MicroPython's socket module)."""
    global _stack
    if _stack is None:
        from .stack import NativeStack

        _stack = NativeStack(port().MAX_SOCKETS)
    return _stack


def _dns():
    # netsocket.dns, loaded on the first DNS call
    from . import dns

    return dns


class NetworkInterface:
    """A network connection: connect/disconnect, status events, addresses, DNS."""

    _default = None
    _cb = None  # status callback cb(event, status)
    _status = _DISCONNECTED
    _blocking = True

    @staticmethod
    def get_default_instance():
        """The board's default interface, made by the port glue."""
        if NetworkInterface._default is None:
            NetworkInterface._default = port().default_interface()
        return NetworkInterface._default

    def set_as_default(self):
        NetworkInterface._default = self

    def __repr__(self):
        st = ("LOCAL_UP", "GLOBAL_UP", "DISCONNECTED", "CONNECTING")[self.get_connection_status()]
        ip = SocketAddress()
        self.get_ip_address(ip)
        return "<%s %s %s>" % (type(self).__name__, st, ip.get_ip_address())

    def get_stack(self):
        return native_stack()

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

    def get_connection_status(self):
        return self._status

    def _set_status(self, status):
        if status != self._status:
            self._status = status
            cb = self._cb
            if cb is not None:
                cb(0, status)

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


class EthernetInterface(NetworkInterface):
    """Wired Ethernet: ``network.LAN`` on boards, the host's network on the unix port.

    ``nic`` is a network.LAN-like object; by default the port glue makes one
    at the first connect().
    """

    def __init__(self, nic=None):
        self._nic = nic

    def _ifconfig(self):
        return port().ifconfig(self._nic)

    def connect(self):
        if self._status == _GLOBAL_UP:
            return _IS_CONNECTED
        self._set_status(_CONNECTING)
        try:
            if self._nic is None:
                self._nic = port().lan()
            ok = port().up(self._nic, 30000 if self._blocking else 0)
        except Exception:
            ok = False
        if ok or not self._blocking:
            self._set_status(_GLOBAL_UP if ok else _CONNECTING)
            return _OK
        self._set_status(_DISCONNECTED)
        return _DHCP_FAILURE

    def get_connection_status(self):
        if self._status == _CONNECTING and port().up(self._nic, 0):
            self._set_status(_GLOBAL_UP)
        return self._status

    def disconnect(self):
        if self._status == _DISCONNECTED:
            return _NO_CONNECTION
        try:
            port().down(self._nic)
        except Exception:
            pass
        self._set_status(_DISCONNECTED)
        return _OK
