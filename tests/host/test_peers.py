"""The host test peers speak their RFCs (checked from CPython)."""

import socket

from netsocket_harness.peers import Peers, chargen_pattern


def test_chargen_pattern_lines():
    data = chargen_pattern(74 * 96)
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) == 72 for line in lines)
    assert lines[0][:3] == b" !\"" and lines[1][:3] == b"!\"#"
    assert lines[95] == lines[0]  # 95 printable characters: the pattern repeats
    assert chargen_pattern(100, offset=74 * 3 + 5) == data[74 * 3 + 5: 74 * 3 + 105]


def test_tcp_and_udp_on_one_port():
    with Peers() as peers:
        host, port = peers.addresses["echo"]
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(b"hello")
            assert s.recv(5) == b"hello"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(5)
            u.sendto(b"dgram", (host, port))
            assert u.recvfrom(100)[0] == b"dgram"
        with socket.create_connection(peers.addresses["chargen"], timeout=5) as s:
            got = b""
            while len(got) < 10000:
                got += s.recv(4096)
            assert got[:10000] == chargen_pattern(10000)
        with socket.create_connection(peers.addresses["daytime"], timeout=5) as s:
            assert s.recv(100).endswith(b"\r\n")
