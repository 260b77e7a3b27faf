"""nsapi constants, strerror(), check() and NSAPIError."""

from netsocket import nsapi, check, NSAPIError, strerror

NAMES = (
    "OK WOULD_BLOCK UNSUPPORTED PARAMETER NO_CONNECTION NO_SOCKET NO_ADDRESS NO_MEMORY NO_SSID "
    "DNS_FAILURE DHCP_FAILURE AUTH_FAILURE DEVICE_ERROR IN_PROGRESS ALREADY IS_CONNECTED "
    "CONNECTION_LOST CONNECTION_TIMEOUT ADDRESS_IN_USE TIMEOUT BUSY"
).split()


def test_error_codes():
    for i, name in enumerate(NAMES):
        v = getattr(nsapi, "NSAPI_ERROR_" + name)
        exp = 0 if i == 0 else -3000 - i
        assert v == exp, "%s = %d, expected %d" % (name, v, exp)


def test_strerror_names_every_code():
    for i, name in enumerate(NAMES):
        code = 0 if i == 0 else -3000 - i
        assert strerror(code) == "NSAPI_ERROR_" + name, (code, strerror(code))
    assert nsapi.strerror(-3001) == "NSAPI_ERROR_WOULD_BLOCK"
    assert strerror(12) == "12 bytes", strerror(12)
    assert "-42" in strerror(-42), strerror(-42)
    assert "None" in strerror(None), strerror(None)


def test_other_constants():
    n = nsapi
    assert (n.NSAPI_STATUS_LOCAL_UP, n.NSAPI_STATUS_GLOBAL_UP, n.NSAPI_STATUS_DISCONNECTED, n.NSAPI_STATUS_CONNECTING) == (0, 1, 2, 3)
    assert n.NSAPI_STATUS_ERROR_UNSUPPORTED == -3002
    assert (n.NSAPI_UNSPEC, n.NSAPI_IPv4, n.NSAPI_IPv6) == (0, 1, 2)
    assert (n.NSAPI_TCP, n.NSAPI_UDP, n.NSAPI_ICMP) == (0, 1, 2)
    assert (n.NSAPI_STACK, n.NSAPI_SOCKET, n.NSAPI_TLSSOCKET_LEVEL) == (5000, 7000, 7099)
    assert (n.NSAPI_REUSEADDR, n.NSAPI_KEEPALIVE, n.NSAPI_LINGER, n.NSAPI_SNDBUF, n.NSAPI_RCVBUF) == (0, 1, 4, 5, 6)
    assert (n.NSAPI_ADD_MEMBERSHIP, n.NSAPI_DROP_MEMBERSHIP, n.NSAPI_BROADCAST, n.NSAPI_PKTINFO) == (7, 8, 13, 14)
    assert (n.NSAPI_SECURITY_NONE, n.NSAPI_SECURITY_WPA2, n.NSAPI_SECURITY_WPA3_WPA2, n.NSAPI_SECURITY_UNKNOWN) == (0, 3, 11, 0xFF)


def test_check_raises_nsapierror():
    assert check(0) == 0
    assert check(5) == 5
    assert check(("v", 0)) == "v"
    for bad in (-3001, (None, -3005)):
        try:
            check(bad)
        except NSAPIError as e:
            code = bad if isinstance(bad, int) else bad[1]
            assert e.errno == code, (e.errno, code)
            assert str(e) == strerror(code), str(e)
            assert isinstance(e, OSError)
        else:
            assert False, "check(%r) did not raise" % (bad,)
