"""Host test peers, started per test process and handed to the board as ``devtest.PEERS``.

Here: echo (RFC 862), discard (863), daytime (867), chargen (864), and echo6
(echo on ::1, when the host has IPv6 loopback). Each
listens on TCP and UDP on one free port of the given address, so a device
test needs one number per service; they run in daemon threads of the process
that starts them and stop with `Peers.stop()` or when it exits. `Peers`
also starts the others: `app` (HTTP, NTP, clients that connect to the
board), `dns` (dnsmasq, silent and spoofing servers), `tls` (TLS/DTLS
servers and their run-time test CA), `mqtt` (a mosquitto broker).
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .app import AppPeers
    from .dns import DnsPeers
    from .mqtt import MosquittoPeer
    from .tls import TLSPeers

CHARGEN_LINE = 72


def chargen_pattern(length: int, offset: int = 0) -> bytes:
    """The RFC 864 stream: 72-character lines of rotating printable ASCII, CRLF-ended."""
    chars = bytes(range(32, 127))
    out = bytearray()
    line = offset // (CHARGEN_LINE + 2)
    while len(out) < offset % (CHARGEN_LINE + 2) + length:
        start = line % len(chars)
        out += (chars * 2)[start:start + CHARGEN_LINE] + b"\r\n"
        line += 1
    skip = offset % (CHARGEN_LINE + 2)
    return bytes(out[skip:skip + length])


def _tcp_echo(conn: socket.socket) -> None:
    while data := conn.recv(65536):
        conn.sendall(data)


def _tcp_discard(conn: socket.socket) -> None:
    while conn.recv(65536):
        pass


def _daytime() -> bytes:
    return time.strftime("%A, %B %d, %Y %H:%M:%S-UTC\r\n", time.gmtime()).encode()


def _tcp_daytime(conn: socket.socket) -> None:
    conn.sendall(_daytime())


def _tcp_chargen(conn: socket.socket) -> None:
    block = chargen_pattern((CHARGEN_LINE + 2) * 95)  # one full rotation: repeats exactly
    while True:
        conn.sendall(block)


def _udp_reply(service: str, data: bytes) -> bytes | None:
    if service == "echo":
        return data
    if service == "daytime":
        return _daytime()
    if service == "chargen":  # RFC 864 allows 0..512 bytes: six whole lines
        return chargen_pattern(6 * (CHARGEN_LINE + 2))
    return None


_TCP: dict[str, Callable[[socket.socket], None]] = {
    "echo": _tcp_echo, "discard": _tcp_discard, "daytime": _tcp_daytime, "chargen": _tcp_chargen,
}


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UDPServer(socketserver.UDPServer):
    allow_reuse_address = True


class _TCP6Server(_TCPServer):
    address_family = socket.AF_INET6


class _UDP6Server(_UDPServer):
    address_family = socket.AF_INET6


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _handlers(service: str) -> tuple[type, type]:
    class TCP(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            try:
                _TCP[service](self.request)
            except OSError:
                pass

    class UDP(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            reply = _udp_reply(service, data)
            if reply is not None:
                try:
                    sock.sendto(reply, self.client_address)
                except OSError:
                    pass

    return TCP, UDP


class Peers:
    """The four services on one host address; `addresses` maps name -> (host, port)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.servers: list[socketserver.BaseServer] = []
        self.addresses: dict[str, tuple[str, int]] = {}
        self.files: dict[str, bytes] = {}  # copied next to the device tests (the TLS test CA, ...)
        self.tls: TLSPeers | None = None
        self.dns: DnsPeers | None = None
        self.app: AppPeers | None = None
        self.mqtt: MosquittoPeer | None = None

    def _serve(self, name: str, service: str, host: str, v6: bool = False) -> None:
        tcp_cls, udp_cls = (_TCP6Server, _UDP6Server) if v6 else (_TCPServer, _UDPServer)
        tcp_handler, udp_handler = _handlers(service)
        for _ in range(20):  # find a port free for both protocols
            tcp = tcp_cls((host, 0), tcp_handler)
            port = tcp.server_address[1]
            try:
                udp = udp_cls((host, port), udp_handler)
                break
            except OSError:
                tcp.server_close()
        else:
            raise OSError(f"no free port for the {name} peer on {host}")
        for srv in (tcp, udp):
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             daemon=True, name=f"peer-{name}").start()
            self.servers.append(srv)
        self.addresses[name] = (host, port)

    def start(self) -> dict[str, tuple[str, int]]:
        for service in _TCP:
            self._serve(service, service, self.host)
        if _has_ipv6_loopback():  # echo6: echo on ::1 (TCP+UDP), for the IPv6 device tests
            self._serve("echo6", "echo", "::1", v6=True)
        from .app import AppPeers  # http, ntp, clients: for the examples and server sockets

        self.app = AppPeers(self.host)
        self.addresses.update(self.app.start())
        from .dns import DnsPeers  # dnsmasq (when installed), silent and spoofing DNS servers

        self.dns = DnsPeers(self.host)
        self.addresses.update(self.dns.start())
        try:  # TLS peers and their run-time test CA need `cryptography` (a test dependency)
            from .tls import TLSPeers
        except ImportError:
            TLSPeers = None  # noqa: N806
        if TLSPeers is not None:
            self.tls = TLSPeers(self.host)
            self.addresses.update(self.tls.start())
            self.files.update(self.tls.pki.board_files())
        from .mqtt import MosquittoPeer  # mqtt, mqtts: a real broker (when mosquitto is installed)

        if MosquittoPeer.available():
            self.mqtt = MosquittoPeer(self.host, self.tls.pki if self.tls else None)
            self.addresses.update(self.mqtt.start())
        return self.addresses

    def stop(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        self.servers.clear()
        if self.app is not None:
            self.app.stop()
            self.app = None
        if self.dns is not None:
            self.dns.stop()
            self.dns = None
        if self.tls is not None:
            self.tls.stop()
            self.tls = None
        if self.mqtt is not None:
            self.mqtt.stop()
            self.mqtt = None

    def __enter__(self) -> "Peers":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(host: str) -> None:
    """`netsocket servers`: run the peers and print where they listen until Ctrl-C."""
    with Peers(host) as peers:
        for name, (h, port) in peers.addresses.items():
            kind = "dtls" if name.startswith("dtls_") else "tls" if name.startswith("tls_") else "tcp+udp"
            print(f"{name}\t{h}:{port}\t{kind}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
