"""The rest of the API Mbed programs use, with the expectations of Mbed OS's own unit tests
(connectivity/netsocket/tests/UNITTESTS/netsocket: test_NetworkInterface.cpp,
test_EthernetInterface.cpp, test_InternetSocket.cpp, test_WiFiAccessPoint.cpp, and
NetworkStack.cpp's defaults), translated into cases on a real stack: interface defaults and
getters, event listeners, static addressing, multicast, stack calls, imports and wrong types.
Closing from another thread and sigio on close are in test_close.py."""

import sys
from devtest import skip
from netsocket import NetworkInterface, EthernetInterface, SocketAddress, TCPSocket, UDPSocket
from netsocket.nsapi import (
    NSAPI_ERROR_OK as OK,
    NSAPI_ERROR_UNSUPPORTED as UNSUPPORTED,
    NSAPI_ERROR_PARAMETER as PARAMETER,
    NSAPI_ERROR_NO_CONNECTION as NO_CONNECTION,
    NSAPI_ERROR_NO_SOCKET as NO_SOCKET,
    NSAPI_ERROR_NO_ADDRESS as NO_ADDRESS,
    NSAPI_ERROR_WOULD_BLOCK as WOULD_BLOCK,
    NSAPI_STATUS_ERROR_UNSUPPORTED as STATUS_UNSUPPORTED,
    NSAPI_STATUS_DISCONNECTED as DISCONNECTED,
    NSAPI_STATUS_CONNECTING as CONNECTING,
    NSAPI_STATUS_GLOBAL_UP as GLOBAL_UP,
    NSAPI_EVENT_CONNECTION_STATUS_CHANGE as STATUS_CHANGE,
    NSAPI_SECURITY_NONE,
    NSAPI_SOCKET,
    NSAPI_STACK,
)
from nsutil import net
from casetable import check


class _Stub(NetworkInterface):
    """An interface of the program's own, as Mbed's stubNetworkInterface: only the base class answers."""

    def event(self, ev, st):
        self._set_status(st)


def _port_can(name):
    # the port glue offers ``name`` (the unix port cannot change the host's network)
    from netsocket.interface import port

    p = port()
    if hasattr(p, name):
        return True
    more = getattr(p, "MORE", None)
    return more is not None and hasattr(__import__("netsocket." + more, None, None, True), name)


def test_base_interface_defaults():
    # test_NetworkInterface.cpp: what the abstract base answers when a subclass does not override
    n = _Stub()
    a = SocketAddress("4.3.2.1")
    check([
        ("get_mac_address", n.get_mac_address, (), None),
        ("get_ip_address", n.get_ip_address, (a,), UNSUPPORTED),
        ("get_netmask", n.get_netmask, (a,), UNSUPPORTED),
        ("get_gateway", n.get_gateway, (a,), UNSUPPORTED),
        ("get_interface_name", n.get_interface_name, (), None),
        ("set_network", n.set_network, ("127.0.0.1", "255.255.0.0", "127.0.0.1"), UNSUPPORTED),
        ("set_dhcp(True)", n.set_dhcp, (True,), OK),
        ("set_dhcp(False)", n.set_dhcp, (False,), UNSUPPORTED),
        ("get_connection_status", n.get_connection_status, (), STATUS_UNSUPPORTED),
        ("set_blocking", n.set_blocking, (True,), UNSUPPORTED),
        ("get_ipv6_link_local_address", n.get_ipv6_link_local_address, (a,), UNSUPPORTED),
        ("set_mac_address", n.set_mac_address, (b"\x02\x00\x00\x00\x00\x01",), UNSUPPORTED),
        ("get_hostname", n.get_hostname, (), (None, UNSUPPORTED)),
        ("set_hostname", n.set_hostname, ("board",), UNSUPPORTED),
        ("gethostbyname(literal)", n.gethostbyname, ("127.0.0.1", a), OK),
        ("ethInterface", n.ethInterface, (), None),
        ("wifiInterface", n.wifiInterface, (), None),
    ])
    assert a.get_ip_address() == "127.0.0.1", a
    assert repr(n) == "<_Stub UNSUPPORTED None>", repr(n)


def test_event_listeners():
    # test_NetworkInterface.cpp add_event_listener / remove_event_listener / per interface
    n, n2 = _Stub(), _Stub()
    seen = []
    one = lambda ev, st: seen.append((1, ev, st))  # noqa: E731
    two = lambda ev, st: seen.append((2, ev, st))  # noqa: E731
    assert n.add_event_listener(one) == OK
    assert n.add_event_listener(two) == OK
    assert n2.add_event_listener(two) == OK
    n.event(0, CONNECTING)
    assert seen == [(1, STATUS_CHANGE, CONNECTING), (2, STATUS_CHANGE, CONNECTING)], seen
    del seen[:]
    n2.event(0, CONNECTING)
    assert seen == [(2, STATUS_CHANGE, CONNECTING)], "only n2's listener: %r" % seen
    del seen[:]
    n.remove_event_listener(two)
    n.event(0, GLOBAL_UP)
    assert seen == [(1, STATUS_CHANGE, GLOBAL_UP)], seen
    del seen[:]
    n.remove_event_listener(one)
    n.remove_event_listener(one)  # not there any more: nothing happens
    n.event(0, DISCONNECTED)
    assert seen == [], seen


def test_event_listeners_see_a_real_connect():
    e = EthernetInterface()
    if not isinstance(NetworkInterface.get_default_instance(), EthernetInterface):
        skip("the default interface is not Ethernet")
    seen = []
    e.add_event_listener(lambda ev, st: seen.append(st))
    e.add_event_listener(lambda ev, st: seen.append(-st))
    assert e.connect() == OK
    assert e.disconnect() == OK
    assert seen == [CONNECTING, -CONNECTING, GLOBAL_UP, -GLOBAL_UP, DISCONNECTED, -DISCONNECTED], seen


def test_ethernet_before_connect():
    # test_EthernetInterface.cpp: before connect the getters say NO_CONNECTION, the MAC is NULL
    e = EthernetInterface()
    a = SocketAddress("4.3.2.1")
    check([
        ("get_mac_address", e.get_mac_address, (), None),
        ("get_ip_address", e.get_ip_address, (a,), NO_CONNECTION),
        ("get_netmask", e.get_netmask, (a,), NO_CONNECTION),
        ("get_gateway", e.get_gateway, (a,), NO_CONNECTION),
        ("get_interface_name", e.get_interface_name, (), None),
        ("get_connection_status", e.get_connection_status, (), DISCONNECTED),
        ("disconnect", e.disconnect, (), NO_CONNECTION),
        ("set_blocking(False)", e.set_blocking, (False,), OK),
        ("set_blocking(True)", e.set_blocking, (True,), OK),
        ("get_ip_address(None)", e.get_ip_address, (None,), PARAMETER),
        ("ethInterface", e.ethInterface, (), e),
        ("wifiInterface", e.wifiInterface, (), None),
    ])
    err = e.get_ipv6_link_local_address(a)
    assert err == (NO_CONNECTION if _port_can("link_local") else UNSUPPORTED), err
    assert a.get_ip_address() == "4.3.2.1", "left alone: %r" % a


def test_ethernet_connected_getters():
    if not isinstance(NetworkInterface.get_default_instance(), EthernetInterface):
        skip("the default interface is not Ethernet")
    e = net()
    ip, mask, ll = SocketAddress(), SocketAddress(), SocketAddress()
    assert e.get_ip_address(ip) == OK and ip, ip
    assert e.get_netmask(mask) == OK and mask, mask
    mac = e.get_mac_address()
    assert mac is None or (len(mac) == 17 and mac.count(":") == 5), mac
    name = e.get_interface_name()
    if _port_can("ifname"):
        assert isinstance(name, str) and name, name
        err = e.get_ipv6_link_local_address(ll)
        assert err in (OK, NO_ADDRESS), err  # NO_ADDRESS: the host's interface has no IPv6
        if err == OK:
            b = ll.get_ip_bytes()
            assert ll.get_ip_version() == 2 and b[0] == 0xFE and b[1] & 0xC0 == 0x80, ll
        assert e.get_ipv6_link_local_address(None) == PARAMETER
    else:
        assert name is None, name
    host, err = e.get_hostname()
    if _port_can("hostname"):
        assert err == OK and isinstance(host, str) and host, (host, err)
    else:
        assert (host, err) == (None, UNSUPPORTED), (host, err)


def test_static_addressing_and_mac():
    # set_network / set_dhcp / set_mac_address / set_hostname: the NIC's ifconfig and config on
    # boards; the unix port cannot change the host's network and says UNSUPPORTED (documented)
    e = EthernetInterface()
    ip, mask, gw = SocketAddress("192.0.2.10"), SocketAddress("255.255.255.0"), SocketAddress("192.0.2.1")
    if not _port_can("set_ifconfig"):
        check([
            ("set_network", e.set_network, (ip, mask, gw), UNSUPPORTED),
            ("set_dhcp(False)", e.set_dhcp, (False,), UNSUPPORTED),
            ("set_dhcp(True)", e.set_dhcp, (True,), OK),
            ("set_mac_address", e.set_mac_address, (b"\x02\x00\x00\x00\x00\x01",), UNSUPPORTED),
            ("set_hostname", e.set_hostname, ("board",), UNSUPPORTED),
        ])
        return
    check([
        ("set_network(bad ip)", e.set_network, ("x", mask, gw), PARAMETER),
        ("set_network(v6)", e.set_network, (SocketAddress("::1"), mask, gw), PARAMETER),
        ("set_network", e.set_network, (ip, mask, gw), OK),
        ("set_dhcp(True)", e.set_dhcp, (True,), OK),
        ("set_mac_address(5 bytes)", e.set_mac_address, (b"\x02\x00\x00\x00\x01",), PARAMETER),
        ("set_hostname('')", e.set_hostname, ("",), PARAMETER),
        ("set_hostname(33 chars)", e.set_hostname, ("x" * 33,), PARAMETER),
    ])


def test_wifi_access_point_default():
    # test_WiFiAccessPoint.cpp getters_default, and the six-value form
    from netsocket import WiFiAccessPoint

    ap = WiFiAccessPoint()
    assert (ap.get_channel(), ap.get_rssi(), ap.get_security()) == (0, 0, NSAPI_SECURITY_NONE)
    assert ap.get_ssid() == "" and ap.get_bssid() == bytes(6)
    ap = WiFiAccessPoint("mySSID", b"\xd8\xc7\xc8\xcc\x43\x24", 3, -60, 2)
    assert (ap.get_ssid(), ap.get_bssid(), ap.get_security(), ap.get_rssi(), ap.get_channel()) == (
        "mySSID", b"\xd8\xc7\xc8\xcc\x43\x24", 3, -60, 2)


def test_socket_multicast_and_estimates():
    # test_InternetSocket.cpp modify_multicast_group / network_property, on the real stack
    n = net()
    u, t = UDPSocket(), TCPSocket()
    g = SocketAddress("239.255.11.11", 0)
    v6 = SocketAddress("fd00:db8::ff", 1024)
    check([
        ("udp.join unopened", u.join_multicast_group, (g,), NO_SOCKET),
        ("tcp.join unopened", t.join_multicast_group, (g,), UNSUPPORTED),
    ])
    assert u.open(n) == OK and t.open(n) == OK
    check([
        ("udp.join", u.join_multicast_group, (g,), OK),
        ("udp.leave", u.leave_multicast_group, (g,), OK),
        ("udp.join('x')", u.join_multicast_group, ("x",), PARAMETER),
        ("udp.join(v6 group)", u.join_multicast_group, (SocketAddress("ff02::1"),), UNSUPPORTED),
        ("tcp.join", t.join_multicast_group, (g,), UNSUPPORTED),
        ("tcp.leave", t.leave_multicast_group, (g,), UNSUPPORTED),
        ("rtt", u.get_rtt_estimate_to_address, (v6,), (None, UNSUPPORTED)),
        ("rtt(None)", u.get_rtt_estimate_to_address, (None,), (None, PARAMETER)),
        ("stagger", u.get_stagger_estimate_to_address, (v6, 1), (None, UNSUPPORTED)),
        ("tcp rtt", t.get_rtt_estimate_to_address, (v6,), (None, UNSUPPORTED)),
    ])
    assert u.close() == OK and t.close() == OK


def test_multicast_datagram_arrives():
    n = net()
    r, s = UDPSocket(), UDPSocket()
    assert r.open(n) == OK and s.open(n) == OK
    try:
        assert r.setsockopt(NSAPI_SOCKET, 0, 1) == OK  # NSAPI_REUSEADDR
        assert r.bind(45611) == OK
        g = SocketAddress("239.255.11.12", 45611)
        assert r.join_multicast_group(g) == OK
        sent = s.sendto(g, b"group")
        if sent < 0:
            skip("no multicast route on this board's network (sendto = %d)" % sent)
        assert sent == 5
        r.set_timeout(3000)
        buf = bytearray(16)
        assert r.recv(buf) == 5 and buf[:5] == b"group", buf
        assert r.leave_multicast_group(g) == OK
        assert s.sendto(g, b"again") == 5
        r.set_timeout(200)
        assert r.recv(buf) == WOULD_BLOCK, "left the group: nothing arrives"
    finally:
        r.close()
        s.close()


def test_stack_calls():
    # NetworkStack.cpp: setstackopt/getstackopt UNSUPPORTED; async DNS on the stack itself
    import test_dns as td

    st = net().get_stack()
    check([
        ("setstackopt", st.setstackopt, (NSAPI_STACK, 0, 1500), UNSUPPORTED),
        ("getstackopt", st.getstackopt, (NSAPI_STACK, 0), (None, UNSUPPORTED)),
        ("cancel(unknown)", st.gethostbyname_async_cancel, (12345,), PARAMETER),
    ])
    got = []
    assert st.gethostbyname_async("10.1.2.3", lambda r, a: got.append((r, a))) == 0
    assert got == [(1, SocketAddress("10.1.2.3"))], got  # a literal: called before returning
    td.setup("dns")
    r = td.Results()
    i = st.gethostbyname_async(td.HOSTS[0], r.cb(0))
    assert i > 0, i
    assert r.wait(1)
    assert r.got[0] == (1, SocketAddress(td.ip4(td.HOSTS[0]))), r.got
    i = st.gethostbyname_async(td.HOSTS[1], r.cb(1))
    assert i > 0 and st.gethostbyname_async_cancel(i) == OK
    assert st.gethostbyname_async_cancel(i) == PARAMETER, "cancelled already"
    c, addrs = st.getaddrinfo(td.HOSTS[2], SocketAddress(None, 80))
    assert c == 1 and addrs == [SocketAddress(td.ip4(td.HOSTS[2]), 80)], (c, addrs)


def test_imports_every_spelling():
    # a package __getattr__ must not stop MicroPython importing the submodules
    cases = (
        "from netsocket import cellular",
        "from netsocket import dns_msg",
        "from netsocket import dns",
        "from netsocket import nsapi",
        "from netsocket.cellular import at",
        "from netsocket.cellular import ATHandler",
        "import netsocket.cellular.at",
        "import netsocket.dns_msg",
        "from netsocket import cellular as c; c.at",
        "import netsocket; netsocket.cellular",
    )
    bad = []
    for code in cases:
        try:
            exec(code, {})
        except Exception as e:
            bad.append("%s: %r" % (code, e))
    for code in ("from netsocket import nosuch", "from netsocket.cellular import nosuch"):
        try:
            exec(code, {})
            bad.append(code + ": no error")
        except AttributeError:
            pass
    import netsocket

    assert not hasattr(netsocket, "nosuch")
    assert not bad, "\n  ".join(bad)


def test_import_star_is_cheap():
    g = {}
    exec("from netsocket import *", g)
    for name in ("TCPSocket", "UDPSocket", "SocketAddress", "NetworkInterface", "EthernetInterface", "nsapi", "check"):
        assert name in g, name
    loaded = [m for m in ("netsocket.tls", "netsocket.wifi", "netsocket.cellular", "netsocket.dns") if m in sys.modules]
    assert not loaded, "import * loaded %r" % loaded
    g = {}
    exec("from netsocket.nsapi import *", g)
    assert g["NSAPI_ERROR_WOULD_BLOCK"] == -3001 and g["NSAPI_ERROR_BUSY"] == -3020
    assert g["NSAPI_SECURITY_UNKNOWN"] == 0xFF and g["strerror"](-3005) == "NSAPI_ERROR_NO_SOCKET"
    assert not [k for k in g if k.startswith("_") and k != "__builtins__"], "private names exported"


def test_wrong_types():
    n = net()
    s = TCPSocket()
    assert s.open(n) == OK
    check([
        ("set_timeout('1s')", s.set_timeout, ("1s",), PARAMETER),
        ("set_timeout(1.5)", s.set_timeout, (1.5,), PARAMETER),
        ("set_timeout(True)", s.set_timeout, (True,), PARAMETER),
        ("set_timeout(None)", s.set_timeout, (None,), PARAMETER),
        ("set_timeout(0)", s.set_timeout, (0,), OK),
        ("set_timeout(1.5) after 0", s.set_timeout, (1.5,), PARAMETER),
        ("timeout unchanged", lambda: s._timeout, (), 0),
        ("setsockopt(1, 2, 3)", s.setsockopt, (1, 2, 3), UNSUPPORTED),
        ("setsockopt('a', 0, 1)", s.setsockopt, ("a", 0, 1), PARAMETER),
        ("setsockopt(NSAPI_SOCKET, '0', 1)", s.setsockopt, (NSAPI_SOCKET, "0", 1), PARAMETER),
        ("getsockopt(1, 2)", s.getsockopt, (1, 2), (None, UNSUPPORTED)),
        ("getsockopt(None, 2)", s.getsockopt, (None, 2), (None, PARAMETER)),
    ])
    assert s.close() == OK
    assert SocketAddress(("10.0.0.1", 80)) == SocketAddress("10.0.0.1", 80), "MicroPython's (ip, port)"
    for args, exc in (
        (("1.2.3.4", 99999), ValueError),
        (("1.2.3.4", -1), ValueError),
        (("1.2.3.4", "80"), TypeError),
        (("1.2.3.4", 1.5), TypeError),
        ((("1.2.3.4", 70000),), ValueError),
        ((123,), TypeError),
        ((b"\x01\x02\x03\x04", 1, 65536), ValueError),
    ):
        try:
            SocketAddress(*args)
        except exc as e:
            assert str(e) in ("port", "addr"), "names the parameter: %s" % e
            continue
        raise AssertionError("SocketAddress%r: no %s" % (args, exc.__name__))
    a = SocketAddress("not an address", 80)  # Mbed: unspecified, the port kept
    assert not a and a.get_port() == 80, a


def test_wifi_before_connect():
    # a WiFiInterface (here: no network.WLAN on the virtual board) answers as Mbed's EMAC Wi-Fi
    from netsocket import WiFiInterface

    w = WiFiInterface()
    a = SocketAddress()
    check([
        ("get_ip_address", w.get_ip_address, (a,), NO_CONNECTION),
        ("get_mac_address", w.get_mac_address, (), None),
        ("get_interface_name", w.get_interface_name, (), None),
        ("set_blocking", w.set_blocking, (False,), OK),
        ("set_dhcp(True)", w.set_dhcp, (True,), OK),
    ])
    if not _port_can("set_ifconfig"):
        err = w.set_network("192.0.2.10", "255.255.255.0", "192.0.2.1")
        assert err == UNSUPPORTED, err


def test_tls_wrapper_without_transport():
    # test_TLSSocketWrapper.cpp no_socket, setsockopt, getsockopt
    try:
        from netsocket import TLSSocketWrapper, TLSSocket
    except ImportError:
        skip("no TLS package on this board")
    w = TLSSocketWrapper(None)
    a = SocketAddress("127.0.0.1", 1024)
    check([
        ("connect", w.connect, (a,), NO_SOCKET),
        ("bind", w.bind, (a,), NO_SOCKET),
        ("setsockopt", w.setsockopt, (0, 0, 0), NO_SOCKET),
        ("getsockopt", w.getsockopt, (0, 0), (None, NO_SOCKET)),
        ("send", w.send, (b"data",), NO_SOCKET),
        ("recv", w.recv, (bytearray(4),), NO_SOCKET),
        ("close", w.close, (), NO_SOCKET),
    ])
    s = TLSSocket()
    assert s.open(net()) == OK
    check([
        ("setsockopt(0, 0, 0)", s.setsockopt, (0, 0, 0), UNSUPPORTED),
        ("getsockopt(0, 0)", s.getsockopt, (0, 0), (None, UNSUPPORTED)),
        ("recvfrom unconnected", s.recvfrom, (a, bytearray(4)), NO_CONNECTION),
        ("listen", s.listen, (1,), UNSUPPORTED),
        ("accept", s.accept, (), (None, UNSUPPORTED)),
    ])
    assert s.close() == OK


def test_tls_wrong_types():
    try:
        from netsocket import TLSSocket
    except ImportError:
        skip("no TLS package on this board")
    s = TLSSocket()
    assert s.open(net()) == OK
    assert s.set_timeout("1s") == PARAMETER
    assert s.set_timeout(1.5) == PARAMETER
    assert s.set_timeout(100) == OK
    assert s.close() == OK
