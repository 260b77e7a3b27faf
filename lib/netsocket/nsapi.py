"""nsapi constants as in Mbed's nsapi_types.h, strerror(), NSAPIError and check().

The constants (``nsapi.NSAPI_ERROR_WOULD_BLOCK``, ``from netsocket.nsapi import
NSAPI_SOCKET``) are read from the table below on first use, and strerror,
NSAPIError and check load from _nsapi_errors.py on first use, so the names cost no heap
until a program uses them. ``from netsocket.nsapi import *`` gives them all (about 6 KB
of heap on a 32-bit board: the names, held by nsapi and the importer); importing the
few a program uses by name costs only those.
"""

# "PREFIX first step NAME NAME .../": the i-th NAME is PREFIX+NAME = first + i * step
_TABLE = (
    "NSAPI_ERROR_ 0 0 OK/"  # nsapi_error_t
    "NSAPI_ERROR_ -3001 -1 WOULD_BLOCK UNSUPPORTED PARAMETER NO_CONNECTION NO_SOCKET NO_ADDRESS "
    "NO_MEMORY NO_SSID DNS_FAILURE DHCP_FAILURE AUTH_FAILURE DEVICE_ERROR IN_PROGRESS ALREADY "
    "IS_CONNECTED CONNECTION_LOST CONNECTION_TIMEOUT ADDRESS_IN_USE TIMEOUT BUSY/"
    "NSAPI_STATUS_ 0 1 LOCAL_UP GLOBAL_UP DISCONNECTED CONNECTING/"  # nsapi_connection_status_t
    "NSAPI_STATUS_ -3002 0 ERROR_UNSUPPORTED/"
    "NSAPI_EVENT_ 0 0 CONNECTION_STATUS_CHANGE/"  # nsapi_event_t
    "NSAPI_ 0 1 UNSPEC IPv4 IPv6/"  # nsapi_version_t
    "NSAPI_ 0 1 TCP UDP ICMP/"  # nsapi_protocol_t
    "NSAPI_ 5000 2000 STACK SOCKET/"  # levels
    "NSAPI_ 7099 0 TLSSOCKET_LEVEL/"
    "NSAPI_ 0 1 REUSEADDR KEEPALIVE KEEPIDLE KEEPINTVL LINGER SNDBUF RCVBUF ADD_MEMBERSHIP "  # options
    "DROP_MEMBERSHIP BIND_TO_DEVICE LATENCY STAGGER IPTOS BROADCAST PKTINFO/"
    "NSAPI_SECURITY_ 0 1 NONE WEP WPA WPA2 WPA_WPA2 PAP CHAP EAP_TLS PEAP WPA2_ENT WPA3 WPA3_WPA2/"
    "NSAPI_SECURITY_ 255 0 UNKNOWN"
)


def _find(name, code):
    # -> (name, value) of the constant called ``name``, or of the error whose value is ``code``
    for group in _TABLE.split("/"):
        t = group.split()
        v = int(t[1])
        for n in t[3:]:
            n = t[0] + n
            if n == name or (v == code and t[0] == "NSAPI_ERROR_"):
                return n, v
            v += int(t[2])
    return None, None


def __getattr__(name):
    v = _find(name, None)[1]
    if v is None:  # strerror, NSAPIError, check or __all__ (_nsapi_errors.py), or AttributeError
        from ._nsapi_errors import more

        v = more(name)
    globals()[name] = v  # the next use is a plain lookup
    return v
