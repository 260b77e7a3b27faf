"""An emulated SIMCom SIM800 (and SIM7000 with the same classic TCP/IP commands): the
``CIP*`` command set in multi-link mode with manual receive, over the shared
`core.ModemEmulator` (pty, pacing, 3GPP commands, host sockets, faults).

Reproduced from SIMCom's SIM800 AT command manual (V1.09, chapter 8): the IP
states (``AT+CIPMUX``/``AT+CSTT`` only in IP INITIAL, ``AT+CIPSTART`` only in IP
STATUS), ``AT+CIPSHUT`` -> ``SHUT OK``, ``AT+CIFSR`` answering the address alone,
``<n>, CONNECT OK`` / ``CONNECT FAIL`` / ``ALREADY CONNECT`` after ``OK``,
``<n>, SEND OK`` / ``SEND FAIL``, ``<n>, CLOSE OK``, ``<n>, CLOSED``, ``+PDP:
DEACT``, ``+CIPRXGET: 1,<n>`` (once, until the buffer is read empty) and
``+CIPRXGET: 2,<n>,<len>,<rest>``, ``AT+CDNSGIP`` (``OK`` then ``+CDNSGIP:``),
``AT+CLPORT``. UDP links are connected to one peer. The emulator's own choices,
not confirmed: an empty read answers ``+CIPRXGET: 2,<n>,0,0``, ``AT+CCID`` prints
the ICCID alone, at most 1460 bytes per ``AT+CIPSEND`` and per read, and one read
returns at most one datagram.
"""

from __future__ import annotations

from .core import Faults, ModemEmulator, Sock

__all__ = ["SIM800", "Faults"]

LINK_MAX = 1460


class SIM800(ModemEmulator):
    MODEL = "SIMCOM_SIM800L"
    MAKER = "SIMCOM_Ltd"
    REVISION = "Revision:1418B05SIM800L24"
    BOOT_URCS = ("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready")
    INJECT = (b"Call Ready",)
    MAX_SOCKETS = 6

    def _power_on(self, first: bool = False) -> None:
        self.ipstate = "IP INITIAL"
        self.apn = ""
        self.mux = 0
        self.clport: dict[tuple[int, str], int] = {}
        super()._power_on(first)

    # -- URC texts (hooks of ModemEmulator) --------------------------------------------------

    def open_urc(self, cn: int, failure: str) -> str:
        return f"{cn}, CONNECT FAIL" if failure else f"{cn}, CONNECT OK"

    def data_urc(self, cn: int) -> str:
        return f"+CIPRXGET: 1,{cn}"

    def closed_urc(self, cn: int) -> str:
        return f"{cn}, CLOSED"

    def pdp_lost_urcs(self, cid: int) -> list[str]:
        self.ipstate = "PDP DEACT"
        return ["+PDP: DEACT"]

    def send_reply(self, s: Sock, n: int, accepted: int) -> None:
        cn = next((c for c, x in self.socks.items() if x is s), -1)
        if accepted < 0:
            return self.respond([], "ERROR")
        self.respond([], f"{cn}, SEND OK" if accepted else f"{cn}, SEND FAIL")

    # -- SIMCom classic commands -------------------------------------------------------------------

    def c_ccid(self, mode: str, a: list[str]) -> None:
        self.respond([self.ICCID])

    def c_cipshut(self, mode: str, a: list[str]) -> None:
        for cn, s in list(self.socks.items()):
            self._close_sock(s)
            del self.socks[cn]
        if 1 in self.contexts:
            self.contexts[1]["active"] = False
        self.ipstate = "IP INITIAL"
        self.respond([], "SHUT OK")

    def c_cipmux(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+CIPMUX: {self.mux}"])
        if self.ipstate != "IP INITIAL":
            return self.respond([], "ERROR")
        self.mux = int(a[0])
        self.respond([])

    def c_cstt(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f'+CSTT: "{self.apn}","",""'])
        if self.ipstate != "IP INITIAL":
            return self.respond([], "ERROR")
        self.apn = a[0] if a else ""
        self.ipstate = "IP START"
        self.respond([])

    def c_ciicr(self, mode: str, a: list[str]) -> None:
        if self.ipstate != "IP START" or self.reg_stat() not in (1, 5):
            return self.respond([], "ERROR")
        self.contexts[1] = {"type": 1, "apn": self.apn, "active": True}
        self.ipstate = "IP GPRSACT"
        self.send(b"\r\nOK\r\n", 0.01 + self._delay())  # bringing the bearer up takes a moment

    def c_cifsr(self, mode: str, a: list[str]) -> None:
        if self.ipstate not in ("IP GPRSACT", "IP STATUS", "IP PROCESSING") or not self.net_up():
            return self.respond([], "ERROR")
        self.ipstate = "IP STATUS"
        self.respond(["127.0.0.1"], None)  # the address alone: no OK

    def c_cipstatus(self, mode: str, a: list[str]) -> None:
        self.respond([], None)
        self.send(f"\r\nOK\r\n\r\nSTATE: {self.ipstate}\r\n".encode())

    def c_cdnsgip(self, mode: str, a: list[str]) -> None:
        if not self.net_up():
            return self.respond([], "ERROR")
        self.respond([])
        ip = self.resolve(a[0])
        self.at(0.005 + self._delay(), lambda: self.urc(f'+CDNSGIP: 1,"{a[0]}","{ip}"' if ip else "+CDNSGIP: 0,8"))

    def c_clport(self, mode: str, a: list[str]) -> None:
        self.clport[(int(a[0]), a[1].upper())] = int(a[2])
        self.respond([])

    def c_cipstart(self, mode: str, a: list[str]) -> None:
        cn, kind, ip, port = int(a[0]), a[1].upper(), a[2], int(a[3])
        if not self.mux or not 0 <= cn < self.MAX_SOCKETS or kind not in ("TCP", "UDP"):
            return self.respond([], "ERROR")
        if self.ipstate not in ("IP STATUS", "IP PROCESSING") or not self.net_up():
            return self.respond([], "ERROR")
        self.respond([])
        if cn in self.socks:
            return self.urc(f"{cn}, ALREADY CONNECT")
        self.ipstate = "IP PROCESSING"
        self.open_socket(cn, 1, kind, ip, port, self.clport.pop((cn, kind), 0))

    def c_cipsend(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.host is None or s.state != 2 or len(a) < 2:
            return self.respond([], "ERROR")
        n = int(a[1])
        if not 1 <= n <= LINK_MAX:
            return self.respond([], "ERROR")
        self.start_send(s, n, None)

    def c_ciprxget(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond(["+CIPRXGET: 1"])
        op = int(a[0])
        if op == 1:
            return self.respond([])
        if op not in (2, 4):
            return self.respond([], "ERROR")  # push mode (0) and hex reads (3): not emulated
        cn, s = self._sock(a[1:])
        if s is None:
            return self.respond([], "ERROR")
        if op == 4:
            return self.respond([f"+CIPRXGET: 4,{cn},{s.unread()}"])
        want = int(a[2]) if len(a) > 2 else LINK_MAX
        if not 0 < want <= LINK_MAX:
            return self.respond([], "ERROR")
        data, _src = self.take(cn, s, want)
        rest = s.unread()
        if not rest:
            s.notified = False  # read empty: the next data brings a new "+CIPRXGET: 1"
        self.respond([f"+CIPRXGET: 2,{cn},{len(data)},{rest}".encode() + b"\r\n" + data])

    def c_cipclose(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None:
            return self.respond([], "ERROR")
        self._close_sock(s)
        del self.socks[cn]
        self.respond([], f"{cn}, CLOSE OK")
