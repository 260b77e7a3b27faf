"""An emulated u-blox SARA-R4/R5: the ``+USO*`` socket commands and their URCs over the
shared `core.ModemEmulator` (pty, pacing, 3GPP commands, host sockets, faults).

Reproduced from u-blox's SARA-R4/R5 AT commands manuals (sockets chapter): the modem
numbers its sockets (``AT+USOCR=6|17[,<local port>]`` -> ``+USOCR: <s>``, the lowest
free of 0-6), ``AT+USOCO=<s>,"<ip>",<port>,1`` (asynchronous connect: ``OK``, then
``+UUSOCO: <s>,<err>``), ``AT+USOWR``/``AT+USOST`` answering ``@`` before the raw bytes
and ``+USOWR: <s>,<n>`` / ``+USOST: <s>,<n>`` after them, ``+UUSORD: <s>,<n>`` /
``+UUSORF: <s>,<n>`` when data waits (n: all of it), ``AT+USORD=<s>,<n>`` ->
``+USORD: <s>,<n>,"<n raw bytes>"``, ``AT+USORF=<s>,<n>`` -> ``+USORF: <s>,"<ip>",<port>,
<n>,"<bytes>"`` (one datagram), ``AT+USOCL``, ``+UUSOCL: <s>`` when the peer closes,
``AT+UDNSRN=0,"<host>"`` -> ``+UDNSRN: "<ip>"``. The PDP context is 3GPP's
(``AT+CGDCONT``, ``AT+CGACT``, ``AT+CGPADDR``); its loss is ``+CGEV: NW PDN DEACT 1``.
Also from the SARA-R4 manual (UBX-17003787): 1024 bytes at most per write and read,
the data of a read in quotes right after the header (any byte, counted by <length>),
an empty read ``+USORD: <s>,""`` (no <length>). The emulator's own choices, not
confirmed: a full buffer answering ``+USOWR: <s>,0``, an empty UDP read ``+USORF: <s>,""``,
and the socket error numbers in ``+UUSOCO`` (0 ok, 111 connection refused, 98 address in use).
"""

from __future__ import annotations

from .core import Faults, ModemEmulator, Sock

__all__ = ["SARA", "Faults"]

DATA_MAX = 1024
_OPEN_ERRORS = {"create": 12, "bind": 98, "connect": 111}


class SARA(ModemEmulator):
    MODEL = "SARA-R410M-02B"
    MAKER = "u-blox"
    REVISION = "L0.0.00.00.05.12"
    BOOT_URCS = ("+CPIN: READY",)
    INJECT = (b"+CGEV: ME PDN ACT 1",)
    MAX_SOCKETS = 7
    PROMPT = b"\r\n@"

    def _power_on(self, first: bool = False) -> None:
        self.created: dict[int, tuple[str, int]] = {}  # socket -> (kind, local port) before USOCO
        super()._power_on(first)

    # -- URC texts (hooks of ModemEmulator) --------------------------------------------------

    def open_urc(self, cn: int, failure: str) -> str:
        s = self.socks.get(cn)
        if s is not None and s.kind != "TCP":
            return ""  # a UDP socket is ready at USOCR
        return f"+UUSOCO: {cn},{_OPEN_ERRORS.get(failure, 0)}"

    def data_urc(self, cn: int) -> str:
        s = self.socks[cn]
        return f"+UUSORD: {cn},{s.unread()}" if s.kind == "TCP" else f"+UUSORF: {cn},{s.unread()}"

    def closed_urc(self, cn: int) -> str:
        return f"+UUSOCL: {cn}"

    def pdp_lost_urcs(self, cid: int) -> list[str]:
        return [f"+CGEV: NW PDN DEACT {cid}"]

    def send_reply(self, s: Sock, n: int, accepted: int) -> None:
        cn = next((c for c, x in self.socks.items() if x is s), -1)
        if accepted < 0:
            return self.error(4)
        self.respond([f"+USOWR: {cn},{accepted}" if s.kind == "TCP" else f"+USOST: {cn},{accepted}"])

    # -- u-blox socket commands ------------------------------------------------------------------

    def _free(self) -> int:
        return next((i for i in range(self.MAX_SOCKETS) if i not in self.socks and i not in self.created), -1)

    def c_usocr(self, mode: str, a: list[str]) -> None:
        proto, lport = int(a[0]), int(a[1]) if len(a) > 1 and a[1] else 0
        cn = self._free()
        if proto not in (6, 17) or cn < 0 or not self.net_up():
            return self.error(4 if proto in (6, 17) else 50)
        if proto == 6:
            self.created[cn] = ("TCP", lport)
        else:
            self.open_socket(cn, 1, "UDP", "", 0, lport)  # any peer, chosen per USOST
            if cn not in self.socks:
                return self.error(98)
        self.respond([f"+USOCR: {cn}"])

    def c_usoco(self, mode: str, a: list[str]) -> None:
        cn, ip, port = int(a[0]), a[1], int(a[2])
        if cn not in self.created:
            return self.error(4)
        _kind, lport = self.created.pop(cn)
        self.respond([])
        self.open_socket(cn, 1, "TCP", ip, port, lport)

    def c_usowr(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.host is None or s.state != 2 or s.kind != "TCP" or len(a) < 2:
            return self.error(4)
        n = int(a[1])
        if not 1 <= n <= DATA_MAX:
            return self.error(4)
        self.start_send(s, n, None)

    def c_usost(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.host is None or s.kind == "TCP" or len(a) < 4:
            return self.error(4)
        n = int(a[3])
        if not 1 <= n <= DATA_MAX:
            return self.error(4)
        self.start_send(s, n, (a[1], int(a[2])))

    def c_usord(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.kind != "TCP" or s.state not in (2, 4):
            return self.error(4)
        want = int(a[1])
        if want == 0:
            return self.respond([f"+USORD: {cn},{s.unread()}"])
        if not 0 < want <= DATA_MAX:
            return self.error(4)
        data, _src = self.take(cn, s, want)
        if not s.unread():
            s.notified = False  # read empty: the next data brings a new +UUSORD
        if not data:
            return self.respond([f'+USORD: {cn},""'])  # SARA-R4: nothing to read, no <length>
        self.respond([f'+USORD: {cn},{len(data)},"'.encode() + data + b'"'])

    def c_usorf(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.kind == "TCP":
            return self.error(4)
        want = int(a[1])
        if want == 0:
            return self.respond([f"+USORF: {cn},{s.unread()}"])
        if not 0 < want <= DATA_MAX:
            return self.error(4)
        data, src = self.take(cn, s, want)
        if not s.unread():
            s.notified = False
        if not data:
            return self.respond([f'+USORF: {cn},""'])
        ip, port = src
        self.respond([f'+USORF: {cn},"{ip}",{port},{len(data)},"'.encode() + data + b'"'])

    def c_usocl(self, mode: str, a: list[str]) -> None:
        cn = int(a[0])
        if self.created.pop(cn, None) is not None:
            return self.respond([])
        s = self.socks.pop(cn, None)
        if s is None:
            return self.error(4)
        self._close_sock(s)
        self.respond([])

    def c_udnsrn(self, mode: str, a: list[str]) -> None:
        ip = self.resolve(a[1]) if len(a) > 1 and self.net_up() else None
        if ip is None:
            return self.error(8)  # not confirmed: u-blox lists DNS errors in its own table
        self.respond([f'+UDNSRN: "{ip}"'])
