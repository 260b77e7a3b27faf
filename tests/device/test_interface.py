"""NetworkInterface status cases, addresses, DNS, and WiFiInterface parameter checks."""

from netsocket import NetworkInterface, EthernetInterface, WiFiInterface, SocketAddress
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_PARAMETER as PARAMETER,
    NSAPI_ERROR_NO_CONNECTION as NO_CONNECTION,
    NSAPI_ERROR_NO_ADDRESS as NO_ADDRESS,
    NSAPI_ERROR_DNS_FAILURE as DNS_FAILURE,
    NSAPI_ERROR_IS_CONNECTED as IS_CONNECTED,
    NSAPI_STATUS_LOCAL_UP as LOCAL_UP,
    NSAPI_STATUS_GLOBAL_UP as GLOBAL_UP,
    NSAPI_STATUS_DISCONNECTED as DISCONNECTED,
    NSAPI_STATUS_CONNECTING as CONNECTING,
    NSAPI_EVENT_CONNECTION_STATUS_CHANGE,
    NSAPI_SECURITY_NONE,
    NSAPI_SECURITY_WPA2,
    NSAPI_IPv4,
    NSAPI_IPv6,
)
from nsutil import net, wait


def _iface():
    # a second interface of the default kind, so connect/disconnect leaves the default alone
    n = NetworkInterface.get_default_instance()
    return type(n)() if isinstance(n, EthernetInterface) else n


def _check_events(events):
    # CONNECTING, optionally LOCAL_UP, GLOBAL_UP, DISCONNECTED (repeats allowed)
    order = {CONNECTING: 0, LOCAL_UP: 1, GLOBAL_UP: 2, DISCONNECTED: 3}
    seq = [e for i, e in enumerate(events) if i == 0 or events[i - 1] != e]
    assert seq[0] == CONNECTING and seq[-1] == DISCONNECTED and GLOBAL_UP in seq, events
    assert all(order[a] < order[b] for a, b in zip(seq, seq[1:])), events


def test_default_instance():
    n = NetworkInterface.get_default_instance()
    assert n is NetworkInterface.get_default_instance()
    assert n.ethInterface() is n or n.wifiInterface() is n
    assert repr(n).startswith("<"), repr(n)


def test_conn_disc_repeat():
    n = _iface()
    for i in range(4):
        assert n.connect() == OK, i
        assert n.disconnect() == OK, i


def test_status():
    n = _iface()
    events = []
    n.attach(lambda ev, st: events.append(st) if ev == NSAPI_EVENT_CONNECTION_STATUS_CHANGE else None)
    for _ in range(4):
        del events[:]
        assert n.connect() == OK
        assert n.get_connection_status() == GLOBAL_UP
        assert n.disconnect() == OK
        _check_events(events)
    n.attach(None)


def test_status_nonblock():
    n = _iface()
    events = []
    n.attach(lambda ev, st: events.append(st))
    assert n.set_blocking(False) == OK
    for _ in range(4):
        del events[:]
        assert n.connect() == OK
        assert wait(lambda: n.get_connection_status() == GLOBAL_UP, 30000)
        assert n.disconnect() == OK
        assert wait(lambda: n.get_connection_status() == DISCONNECTED, 30000)
        _check_events(events)


def test_status_get():
    n = _iface()
    assert n.get_connection_status() == DISCONNECTED
    assert n.connect() == OK
    assert wait(lambda: n.get_connection_status() == GLOBAL_UP, 30000)
    assert n.connect() == IS_CONNECTED
    assert n.disconnect() == OK
    assert n.get_connection_status() == DISCONNECTED
    assert n.disconnect() == NO_CONNECTION


def test_addresses():
    n = net()
    ip, mask, gw = SocketAddress(), SocketAddress(), SocketAddress()
    assert n.get_ip_address(ip) == OK and ip.get_ip_version() == NSAPI_IPv4, ip
    assert n.get_netmask(mask) == OK and mask, mask
    err = n.get_gateway(gw)
    assert err in (OK, NO_ADDRESS), err
    mac = n.get_mac_address()
    assert mac is None or (len(mac) == 17 and mac.count(":") == 5), mac
    assert n.get_ip_address(None) == PARAMETER
    d = _iface()
    if d is not n:
        assert d.get_ip_address(ip) == NO_CONNECTION, "no address while disconnected (Mbed: NO_CONNECTION)"


def test_gethostbyname():
    n = net()
    a = SocketAddress(None, 80)
    assert n.gethostbyname("127.0.0.1", a) == OK and a == SocketAddress("127.0.0.1", 80), a
    assert n.gethostbyname("::1", a, NSAPI_IPv4) == DNS_FAILURE, "literal of the wrong version"
    assert n.gethostbyname("localhost", a) == OK and a.get_ip_version() == NSAPI_IPv4, a
    assert a.get_port() == 80, "port kept"
    assert n.gethostbyname("", a) == PARAMETER
    assert n.gethostbyname(None, a) == PARAMETER
    assert n.gethostbyname("localhost", None) == PARAMETER
    assert n.gethostbyname("nonexistent.invalid", a) == DNS_FAILURE


def test_wifi_set_credentials():
    w = WiFiInterface()
    assert w.wifiInterface() is w and w.ethInterface() is None
    assert w.set_credentials(None, "password") == PARAMETER
    assert w.set_credentials("", "password") == PARAMETER
    assert w.set_credentials("x" * 33, None) == PARAMETER
    assert w.set_credentials("ssid", None, NSAPI_SECURITY_WPA2) == PARAMETER
    assert w.set_credentials("ssid", "", NSAPI_SECURITY_WPA2) == PARAMETER
    assert w.set_credentials("ssid", "x" * 64, NSAPI_SECURITY_WPA2) == PARAMETER
    assert w.set_credentials("ssid", "x" * 7, NSAPI_SECURITY_WPA2) == PARAMETER
    assert w.set_credentials("ssid", "x" * 63, NSAPI_SECURITY_WPA2) == OK
    assert w.set_credentials("ssid", None, NSAPI_SECURITY_NONE) == OK
    assert w.set_credentials("ssid", "pw", 99) == PARAMETER


def test_wifi_set_channel_rssi():
    w = WiFiInterface()
    assert w.set_channel(0) == OK
    assert w.set_channel(1) == OK
    assert w.set_channel(15) == PARAMETER
    assert w.set_channel(-1) == PARAMETER
    assert w.get_rssi() == 0, "0 before connect"


def test_wifi_connect_nocredentials():
    w = WiFiInterface()
    err = w.connect()
    assert err == PARAMETER, err
    assert w.connect(None, "password", NSAPI_SECURITY_WPA2) == PARAMETER
