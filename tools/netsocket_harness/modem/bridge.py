"""The sockets of an emulated modem, carried over real host sockets: opening (the result as
the model's URC), reading into the modem's buffers (data and peer-closed URCs), the ``>``
prompt and the sent bytes, reads, closes. A mixin of `core.ModemEmulator`, whose model
supplies the URC texts (`open_urc`, `data_urc`, `closed_urc`) and `send_reply`.
"""

from __future__ import annotations

import ipaddress
import selectors
import socket
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

RBUF_MAX = 64 * 1024  # bytes the modem buffers per socket before it stops reading the host socket
SENDQ_MAX = 16 * 1024  # unsent bytes per socket above which a send answers "buffer full"


@dataclass
class Sock:
    cid: int
    kind: str  # TCP, UDP (to ip:port only, unless ip is ""), UDP SERVICE (any peer)
    ip: str
    port: int
    lport: int
    state: int = 1  # 0 initial, 1 opening, 2 connected, 3 listening, 4 closing
    host: socket.socket | None = None
    rbuf: bytearray = field(default_factory=bytearray)
    dgrams: deque = field(default_factory=deque)  # UDP: (data, (ip, port))
    sendq: bytearray = field(default_factory=bytearray)
    notified: bool = False  # a "recv" URC was sent and the buffer not yet read empty
    total_rcvd: int = 0
    total_read: int = 0
    total_sent: int = 0
    lost_open: bool = False

    def unread(self) -> int:
        return len(self.rbuf) if self.kind == "TCP" else sum(len(d) for d, _ in self.dgrams)


def _loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


class SocketBridge:
    """Socket IDs of the modem over host sockets (uses the emulator's ``sel``, ``socks``,
    ``faults``, ``dns``, ``urc``, ``send``, ``at``, ``_delay``)."""

    PROMPT = b"\r\n> "  # what a send command answers before the raw bytes

    def open_socket(self, cn: int, cid: int, kind: str, ip: str, port: int, lport: int) -> None:
        """Create socket ``cn`` over a host socket; its result goes out as ``open_urc``."""
        s = Sock(cid, kind, ip, port, lport)
        self.socks[cn] = s
        if self.faults.lose_open > 0:
            self.faults.lose_open -= 1
            s.lost_open = True
        try:
            host = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "TCP" else socket.SOCK_DGRAM)
        except OSError:
            return self._open_result(cn, "create")
        host.setblocking(False)
        s.host = host
        try:
            host.bind(("127.0.0.1", lport))
        except OSError:
            return self._open_result(cn, "bind")
        s.lport = host.getsockname()[1]
        if kind != "TCP":
            return self._open_result(cn, "")
        if self.dns.get(ip.lower()):
            ip = s.ip = self.dns[ip.lower()]
        if not _loopback(ip) or not 0 < port < 65536:  # the emulated network reaches loopback only
            return self.at(0.02, lambda: self._open_result(cn, "connect"))
        try:
            host.connect((ip, port))
        except BlockingIOError:
            self.sel.register(host, selectors.EVENT_WRITE, lambda _m, cn=cn: self._connected(cn))
            return
        except OSError:
            return self.at(0.001, lambda: self._open_result(cn, "connect"))
        self._open_result(cn, "")

    def _connected(self, cn: int) -> None:
        s = self.socks.get(cn)
        if s is None or s.host is None:
            return
        self.sel.unregister(s.host)
        err = s.host.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self._open_result(cn, "connect" if err else "")

    def _open_result(self, cn: int, failure: str) -> None:
        # failure: "" (connected), "create", "bind" or "connect"
        s = self.socks.get(cn)
        if s is None:
            return
        if failure:
            self._drop(s)
            del self.socks[cn]
        else:
            s.state = 2
            self._watch(s.host, lambda _m, cn=cn: self._readable(cn))
        text = self.open_urc(cn, failure)
        if not s.lost_open and text:  # "": the model reports no open result
            self.urc(text)

    def _watch(self, sock: socket.socket, cb: Callable[[int], None]) -> None:
        try:
            self.sel.register(sock, selectors.EVENT_READ, cb)
        except (KeyError, ValueError):
            self.sel.modify(sock, selectors.EVENT_READ, cb)

    def _unwatch(self, sock: socket.socket) -> None:
        try:
            self.sel.unregister(sock)
        except (KeyError, ValueError):
            pass

    def _readable(self, cn: int) -> None:
        s = self.socks.get(cn)
        if s is None or s.host is None:
            return
        if s.kind == "TCP":
            if len(s.rbuf) >= RBUF_MAX:
                self._unwatch(s.host)  # back-pressure: the host peer waits
                return
            try:
                data = s.host.recv(RBUF_MAX - len(s.rbuf))
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._peer_closed(s, cn)
                return
            s.rbuf += data
        else:
            try:
                data, src = s.host.recvfrom(65536)
            except (BlockingIOError, OSError):
                return
            if s.kind == "UDP" and s.ip and src[:2] != (s.ip, s.port):
                return
            if len(s.dgrams) >= 64:
                return  # modem buffer full: the datagram is lost, as UDP allows
            s.dgrams.append((data, src[:2]))
        s.total_rcvd += len(data)
        if not s.notified:
            s.notified = True
            self.urc(self.data_urc(cn))

    def _peer_closed(self, s: Sock, cn: int) -> None:
        if s.host is not None:
            self._unwatch(s.host)
        if s.state == 2:
            s.state = 4
            self.urc(self.closed_urc(cn))

    def _sock(self, a: list[str]) -> tuple[int, Sock | None]:
        cn = int(a[0])
        return cn, self.socks.get(cn)

    def start_send(self, s: Sock, n: int, dest: tuple[str, int] | None) -> None:
        """The ``>`` prompt; the next ``n`` bytes from the board go to ``send_done``."""
        self.pending_send = (s, n, dest)
        self.send(self.PROMPT, self._delay())

    def _send_done(self, s: Sock, data: bytes, dest: tuple[str, int] | None) -> None:
        # the payload is in: -> send_reply(s, bytes accepted, 0 = buffer full, -1 = the socket is gone)
        if s.host is None or s.state != 2:
            return self.send_reply(s, len(data), -1)
        if self.faults.send_fail > 0:
            self.faults.send_fail -= 1
            return self.send_reply(s, len(data), 0)
        if s.kind == "TCP":
            if len(s.sendq) + len(data) > SENDQ_MAX:
                return self.send_reply(s, len(data), 0)
            s.sendq += data
            s.total_sent += len(data)
            self._flush(s)
        else:
            target = dest or (s.ip, s.port)
            if not _loopback(target[0]):
                s.total_sent += len(data)  # the datagram leaves and is lost: nothing outside loopback
            else:
                try:
                    s.host.sendto(data, target)
                    s.total_sent += len(data)
                except BlockingIOError:
                    return self.send_reply(s, len(data), 0)
                except OSError:
                    pass  # ICMP errors are not reported to the host on the modem
        self.send_reply(s, len(data), len(data))

    def _flush(self, s: Sock) -> None:
        if not s.sendq or s.host is None:
            return
        try:
            n = s.host.send(s.sendq)
        except BlockingIOError:
            n = 0
        except OSError:
            s.sendq.clear()
            return
        del s.sendq[:n]
        if s.sendq:
            self.at(0.002, lambda: self._flush(s))

    def take(self, cn: int, s: Sock, want: int) -> tuple[bytes, tuple[str, int] | None]:
        """Up to ``want`` buffered bytes (TCP) or one datagram cut to ``want`` (UDP) and its source.
        Reading the buffer empty re-arms the data URC."""
        if s.kind == "TCP":
            data = bytes(s.rbuf[:want])
            del s.rbuf[:want]
            if s.state == 2 and s.host is not None and len(s.rbuf) < RBUF_MAX:
                self._watch(s.host, lambda _m, cn=cn: self._readable(cn))
            src = None
        elif s.dgrams:
            d, src = s.dgrams.popleft()
            data = d[:want]
        else:
            data, src = b"", None
        s.total_read += len(data)
        return data, src

    def _close_sock(self, s: Sock) -> None:
        self._drop(s)
        s.state = 0

    def _drop(self, s: Sock) -> None:
        if s.host is not None:
            self._unwatch(s.host)
            try:
                s.host.close()
            except OSError:
                pass
            s.host = None

    def peer_close(self, cn: int) -> bool:
        s = self.socks.get(cn)
        if s is None or s.host is None:
            return False
        self._drop(s)
        s.state = 4
        self.urc(self.closed_urc(cn))
        return True

    def open_urc(self, cn: int, failure: str) -> str:
        raise NotImplementedError

    def data_urc(self, cn: int) -> str:
        raise NotImplementedError

    def closed_urc(self, cn: int) -> str:
        raise NotImplementedError

    def send_reply(self, s: Sock, n: int, accepted: int) -> None:
        raise NotImplementedError
