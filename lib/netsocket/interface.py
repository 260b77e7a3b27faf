"""NetworkInterface (abstract) and EthernetInterface, with status events as in Mbed.

What connecting and opening sockets needs is here; the rest (addresses, events,
asynchronous DNS, ...) is in _iface_addr_dns.py, which joins the classes on first use.
"""

import sys
from micropython import const

_OK = const(0)
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
        _port = __import__("netsocket.port_" + p, None, None, True)
    return _port


class NetworkInterface:
    """A network connection: connect/disconnect, status events, addresses, DNS."""

    _default = None
    _cb = None  # status callback cb(event, status)
    _status = _DISCONNECTED
    _blocking = True

    def __getattr__(self, name):
        # the rarely used methods (addresses, attach, async DNS, ...) are in _iface_addr_dns, loaded
        # and added to the classes on first use: importing this costs less heap
        from ._iface_addr_dns import more

        return more(self, name)

    def __repr__(self):
        return self._repr()

    @staticmethod
    def get_default_instance():
        """The board's default interface, made by the port glue."""
        if NetworkInterface._default is None:
            NetworkInterface._default = port().default_interface()
        return NetworkInterface._default

    def get_stack(self):
        """The board's one NativeStack (MicroPython's socket module)."""
        global _stack
        if _stack is None:
            from .native_stack import NativeStack

            _stack = NativeStack(port().MAX_SOCKETS)
        return _stack

    def get_connection_status(self):
        """NSAPI_STATUS_*; this abstract base answers NSAPI_STATUS_ERROR_UNSUPPORTED, as Mbed's."""
        return -3002

    def _set_status(self, state):
        if state != self._status:
            self._status = state
            cb = self._cb
            if cb is not None:
                cb(0, state)

class EthernetInterface(NetworkInterface):
    """Wired Ethernet: ``network.LAN`` on boards, the host's network on the unix port.

    ``nic`` is a network.LAN-like object; by default the port glue makes one
    at the first connect().
    """

    def __init__(self, nic=None):
        self._nic = nic

    def connect(self):
        if self.get_connection_status() == _GLOBAL_UP:
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
        s = self._status
        if s == _CONNECTING and port().up(self._nic, 0):
            self._set_status(_GLOBAL_UP)
        elif s == _GLOBAL_UP and self._nic is not None and not self._nic.isconnected():
            self._set_status(_DISCONNECTED)  # link lost (cable pulled): connect() again once it is back
        return self._status
