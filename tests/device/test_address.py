"""SocketAddress: Mbed's UNITTESTS list plus the ip_parsing literals."""

from netsocket import SocketAddress
from netsocket.nsapi import NSAPI_UNSPEC, NSAPI_IPv4, NSAPI_IPv6

V6 = "1234:5678:9abc:def0:1234:5678:9abc:def0"
V6B = bytes((0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0) * 2)


def test_constructor_default():
    a = SocketAddress()
    assert a.get_ip_version() == NSAPI_UNSPEC
    assert a.get_ip_address() is None
    assert a.get_port() == 0
    assert not a
    assert repr(a) == "SocketAddress()", repr(a)


def test_constructor_address_ip4():
    a = SocketAddress("127.0.0.1", 80)
    assert a.get_ip_version() == NSAPI_IPv4
    assert a.get_ip_address() == "127.0.0.1", a.get_ip_address()
    assert a.get_port() == 80
    assert a.get_ip_bytes() == b"\x7f\x00\x00\x01"
    assert repr(a) == "SocketAddress('127.0.0.1', 80)", repr(a)
    assert str(a) == "127.0.0.1:80", str(a)


def test_constructor_address_ip6():
    a = SocketAddress(V6, 80)
    assert a.get_ip_version() == NSAPI_IPv6
    assert a.get_ip_address() == V6, a.get_ip_address()
    assert a.get_ip_bytes() == V6B
    assert a.get_port() == 80
    assert str(a) == "[%s]:80" % V6, str(a)


def test_constructor_address_ip6_invalid():
    a = SocketAddress("zzzz:5678:9abc:def0:1234:5678:9abc:def0", 80)
    assert a.get_ip_version() == NSAPI_UNSPEC
    assert a.get_ip_address() is None
    assert a.get_port() == 80, "port kept"


def test_constructor_address_bytes_ip4():
    a = SocketAddress(b"\x0a\x00\x00\x01", NSAPI_IPv4, 80)
    assert a.get_ip_address() == "10.0.0.1"
    assert a.get_port() == 80
    assert a.get_ip_version() == NSAPI_IPv4


def test_constructor_address_bytes_ip6():
    a = SocketAddress(bytes(range(16)), NSAPI_IPv6, 80)
    assert a.get_ip_address() == "1:203:405:607:809:a0b:c0d:e0f", a.get_ip_address()
    assert a.get_ip_version() == NSAPI_IPv6
    assert a.get_port() == 80


def test_constructor_copy():
    a = SocketAddress(V6, 80)
    b = SocketAddress(a)
    assert a == b
    assert b.get_ip_address() == V6 and b.get_port() == 80
    c = SocketAddress(a, 81)
    assert c.get_port() == 81 and c != a


def test_assignment_and_equality_operator_ip4():
    a = SocketAddress("127.0.0.1", 80)
    b = SocketAddress()
    b.set_ip_address("127.0.0.1")
    b.set_port(80)
    assert a == b and not (a != b)
    b.set_port(81)
    assert a != b
    b.set_port(80)
    b.set_ip_address("127.0.0.2")
    assert a != b


def test_assignment_and_equality_operator_ip6():
    a = SocketAddress(V6, 80)
    b = SocketAddress()
    b.set_ip_bytes(V6B, NSAPI_IPv6)
    b.set_port(80)
    assert a == b, (a, b)


def test_equality_null_check():
    a = SocketAddress()
    b = SocketAddress(None, 80)
    assert a == b, "two null addresses are equal whatever the port"
    assert a != SocketAddress("127.0.0.1", 0)
    assert SocketAddress("0.0.0.0", 5) == SocketAddress("::", 6)


def test_equality_wrong_version():
    a = SocketAddress("127.0.0.1", 80)
    b = SocketAddress("::ffff:127.0.0.1", 80)
    assert b.get_ip_version() == NSAPI_IPv6
    assert a != b, "IPv4-mapped IPv6 is not the IPv4 address"
    assert a != "127.0.0.1:80"


def test_bool_operator_false():
    assert not SocketAddress()
    assert not SocketAddress("0.0.0.0", 80)


def test_bool_operator_ip4_true():
    assert SocketAddress("127.0.0.1", 80)


def test_bool_operator_ip6_true():
    assert SocketAddress(V6, 80)


def test_bool_operator_ip6_false():
    assert not SocketAddress("::", 80)
    assert not SocketAddress(bytes(16), NSAPI_IPv6)


def test_ip_parsing_literals():
    cases = (
        ("12.34.56.78", "12.34.56.78"),
        ("255.0.0.0", "255.0.0.0"),
        ("0.0.0.255", "0.0.0.255"),
        ("0.0.0.0", "0.0.0.0"),
        (V6, V6),
        ("1234:5678::", "1234:5678::"),
        ("::1234:5678", "::1234:5678"),
        ("1234:5678::9abc:def8", "1234:5678::9abc:def8"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("FE80::0001", "fe80::1"),
        ("1234:5678:9abc:def0:1234:5678::def0", "1234:5678:9abc:def0:1234:5678:0:def0"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ("::ffff:1.2.3.4", "::ffff:102:304"),
        ("0:0:0:0:0:0:0:0", "::"),
    )
    for text, out in cases:
        a = SocketAddress()
        assert a.set_ip_address(text), text
        assert a.get_ip_address() == out, (text, a.get_ip_address(), out)


def test_ip_parsing_invalid():
    bad = (
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "a.b.c.d", "1..2.3", " 1.2.3.4",
        "1.2.3.4 ", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "g::", "::1.2.3", "1.2.3.4::", "1:2:3:4:5:6:7:8::", "localhost", "example.com", "::ffff:1.2.3.4.5",
    )
    for text in bad:
        a = SocketAddress("10.0.0.1", 7)
        assert not a.set_ip_address(text), text
        assert a.get_ip_version() == NSAPI_UNSPEC, text
        assert a.get_port() == 7
    for obj in (None, 1234, b"1.2.3.4", ["1.2.3.4"]):
        a = SocketAddress()
        assert not a.set_ip_address(obj), repr(obj)


def test_set_ip_bytes_and_port():
    a = SocketAddress()
    assert a.set_ip_bytes(b"\x01\x02\x03\x04\x05", NSAPI_IPv4)
    assert a.get_ip_address() == "1.2.3.4"
    assert not a.set_ip_bytes(b"\x01\x02", NSAPI_IPv4)
    assert a.get_ip_version() == NSAPI_UNSPEC
    assert not a.set_ip_bytes(b"\x01\x02\x03\x04", 7)
    assert not a.set_ip_bytes(None, NSAPI_IPv4)
    assert a.set_port(65535) and a.get_port() == 65535
    for p in (-1, 65536, None, "80", 1.5):
        assert not a.set_port(p), repr(p)
        assert a.get_port() == 65535, a.get_port()
