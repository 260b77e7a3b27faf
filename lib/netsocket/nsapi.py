"""nsapi constants as in Mbed's nsapi_types.h, strerror(), NSAPIError and check()."""

from micropython import const

# nsapi_error_t
NSAPI_ERROR_OK = const(0)
NSAPI_ERROR_WOULD_BLOCK = const(-3001)
NSAPI_ERROR_UNSUPPORTED = const(-3002)
NSAPI_ERROR_PARAMETER = const(-3003)
NSAPI_ERROR_NO_CONNECTION = const(-3004)
NSAPI_ERROR_NO_SOCKET = const(-3005)
NSAPI_ERROR_NO_ADDRESS = const(-3006)
NSAPI_ERROR_NO_MEMORY = const(-3007)
NSAPI_ERROR_NO_SSID = const(-3008)
NSAPI_ERROR_DNS_FAILURE = const(-3009)
NSAPI_ERROR_DHCP_FAILURE = const(-3010)
NSAPI_ERROR_AUTH_FAILURE = const(-3011)
NSAPI_ERROR_DEVICE_ERROR = const(-3012)
NSAPI_ERROR_IN_PROGRESS = const(-3013)
NSAPI_ERROR_ALREADY = const(-3014)
NSAPI_ERROR_IS_CONNECTED = const(-3015)
NSAPI_ERROR_CONNECTION_LOST = const(-3016)
NSAPI_ERROR_CONNECTION_TIMEOUT = const(-3017)
NSAPI_ERROR_ADDRESS_IN_USE = const(-3018)
NSAPI_ERROR_TIMEOUT = const(-3019)
NSAPI_ERROR_BUSY = const(-3020)

# nsapi_connection_status_t
NSAPI_STATUS_LOCAL_UP = const(0)
NSAPI_STATUS_GLOBAL_UP = const(1)
NSAPI_STATUS_DISCONNECTED = const(2)
NSAPI_STATUS_CONNECTING = const(3)
NSAPI_STATUS_ERROR_UNSUPPORTED = const(-3002)

# nsapi_event_t
NSAPI_EVENT_CONNECTION_STATUS_CHANGE = const(0)

# nsapi_version_t
NSAPI_UNSPEC = const(0)
NSAPI_IPv4 = const(1)
NSAPI_IPv6 = const(2)

# nsapi_protocol_t
NSAPI_TCP = const(0)
NSAPI_UDP = const(1)
NSAPI_ICMP = const(2)

# levels
NSAPI_STACK = const(5000)
NSAPI_SOCKET = const(7000)
NSAPI_TLSSOCKET_LEVEL = const(7099)

# nsapi_socket_option_t
NSAPI_REUSEADDR = const(0)
NSAPI_KEEPALIVE = const(1)
NSAPI_KEEPIDLE = const(2)
NSAPI_KEEPINTVL = const(3)
NSAPI_LINGER = const(4)
NSAPI_SNDBUF = const(5)
NSAPI_RCVBUF = const(6)
NSAPI_ADD_MEMBERSHIP = const(7)
NSAPI_DROP_MEMBERSHIP = const(8)
NSAPI_BIND_TO_DEVICE = const(9)
NSAPI_LATENCY = const(10)
NSAPI_STAGGER = const(11)
NSAPI_IPTOS = const(12)
NSAPI_BROADCAST = const(13)
NSAPI_PKTINFO = const(14)

# nsapi_security_t
NSAPI_SECURITY_NONE = const(0)
NSAPI_SECURITY_WEP = const(1)
NSAPI_SECURITY_WPA = const(2)
NSAPI_SECURITY_WPA2 = const(3)
NSAPI_SECURITY_WPA_WPA2 = const(4)
NSAPI_SECURITY_PAP = const(5)
NSAPI_SECURITY_CHAP = const(6)
NSAPI_SECURITY_EAP_TLS = const(7)
NSAPI_SECURITY_PEAP = const(8)
NSAPI_SECURITY_WPA2_ENT = const(9)
NSAPI_SECURITY_WPA3 = const(10)
NSAPI_SECURITY_WPA3_WPA2 = const(11)
NSAPI_SECURITY_UNKNOWN = const(0xFF)


def strerror(code):
    """Name of an nsapi error code, e.g. 'NSAPI_ERROR_WOULD_BLOCK'.

    Counts (>= 0) are named 'NSAPI_ERROR_OK' for 0 and '<n> bytes' otherwise.
    """
    if isinstance(code, int) and code > 0:
        return "%d bytes" % code
    for k, v in globals().items():  # no table: the names are the module's own
        if v == code and k.startswith("NSAPI_ERROR_"):
            return k
    return "unknown error %r" % (code,)


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
