"""Host peers for the examples and the server-socket tests.

- ``http``: answers every GET with ``HTTP_BODY`` and every POST with its body (HTTP/1.0, then closes);
- ``ntp``: an NTP server on UDP answering mode-3 requests with the host's time;
- ``clients``: drives a board's listening socket. The board connects to it and
  sends ``CONNECT <ip> <port> <n> <nbytes>\\n``; the peer connects ``n``
  clients in turn to ``ip:port``, each sends ``nbytes`` bytes, reads them back
  and closes; then it answers ``OK <n>\\n``, or ``FAIL <what>\\n`` at the
  first client that went wrong. Any number of commands per connection.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import struct
import threading
import time

HTTP_BODY = b"Hello from the netsocket test HTTP server.\n" * 4
NTP_TO_UNIX = 2208988800


class _HTTPHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(HTTP_BODY)))
        self.end_headers()
        self.wfile.write(HTTP_BODY)

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)  # the request's body, back

    def log_message(self, *args: object) -> None:
        pass


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _NTPHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        if len(data) < 48 or data[0] & 7 != 3:  # only client requests
            return
        now = time.time() + NTP_TO_UNIX
        secs, frac = int(now), int((now % 1) * 2**32)
        # LI 0, version 4, mode 4 (server), stratum 1; originate = the client's transmit time
        reply = struct.pack("!BBbb11I", 0x24, 1, 0, -20, 0, 0, 0x4C4F434C, secs, frac,
                            *struct.unpack_from("!II", data, 40), secs, frac, secs, frac)
        sock.sendto(reply, self.client_address)


def _pattern(n: int, seed: int) -> bytes:
    return bytes((seed * 7 + i * 13) & 0xFF for i in range(n))


def _one_client(ip: str, port: int, nbytes: int, seed: int) -> str | None:
    """Connect (retrying while the board is not listening yet), send, check the echo; None if fine."""
    deadline = time.monotonic() + 5
    while True:
        try:
            c = socket.create_connection((ip, port), timeout=5)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                return "connection refused"
            time.sleep(0.05)
        except OSError as e:
            return f"connect: {e}"
    with c:
        data = _pattern(nbytes, seed)
        try:
            c.sendall(data)
            got = b""
            while len(got) < nbytes:
                chunk = c.recv(65536)
                if not chunk:
                    return f"board closed after {len(got)} of {nbytes} bytes"
                got += chunk
        except OSError as e:
            return f"{e}"
        return None if got == data else "echo differs"


class _ClientsHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        for line in self.rfile:
            words = line.decode(errors="replace").split()
            if len(words) != 5 or words[0] != "CONNECT":
                self.wfile.write(b"FAIL bad command\n")
                continue
            ip, port, n, nbytes = words[1], int(words[2]), int(words[3]), int(words[4])
            for i in range(n):
                problem = _one_client(ip, port, nbytes, i)
                if problem:
                    self.wfile.write(f"FAIL client {i}: {problem}\n".encode())
                    break
            else:
                self.wfile.write(f"OK {n}\n".encode())


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class AppPeers:
    """The http, ntp and clients peers on one host address; `start()` -> name -> (host, port)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.servers: list[socketserver.BaseServer] = []

    def start(self) -> dict[str, tuple[str, int]]:
        servers = {
            "http": _HTTPServer((self.host, 0), _HTTPHandler),
            "ntp": socketserver.UDPServer((self.host, 0), _NTPHandler),
            "clients": _TCPServer((self.host, 0), _ClientsHandler),
        }
        for name, srv in servers.items():
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             daemon=True, name=f"peer-{name}").start()
            self.servers.append(srv)
        return {name: (self.host, srv.server_address[1]) for name, srv in servers.items()}

    def stop(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        self.servers.clear()
