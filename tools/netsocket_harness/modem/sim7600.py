"""An emulated SIMCom SIM7600: its TCP/IP command set (`cellular-at.md` §7) and URCs over
the shared `core.ModemEmulator` (pty, pacing, 3GPP commands, host sockets, faults).

Manual receive mode only (``AT+CIPRXGET=1``; push mode and hex reads are not
emulated). Result codes of ``+CIPOPEN``/``+CIPCLOSE`` follow SIMCom's TCP/IP
error table (0 ok, 1 network failure, 2 network not opened, 3 wrong parameter,
4 operation not supported, 5 create socket failed, 6 bind failed, ... 10
timeout); ``+IP ERROR: <text>`` lines its error-information table. The
emulator's own choices, not confirmed against the manual: a UDP read reports
its source as ``,<ip>:<port>`` after ``<rest_len>`` (SIM800's form), one read
returns at most one datagram, a full send buffer confirms 0 bytes, and a link
the peer closed keeps its unread data until ``AT+CIPCLOSE``.
"""

from __future__ import annotations

from .core import Faults, ModemEmulator, Sock

__all__ = ["SIM7600", "Faults"]

READ_MAX = 1500
SEND_MAX = 1500
_OPEN_ERRORS = {"create": 5, "bind": 6, "connect": 1}


class SIM7600(ModemEmulator):
    MODEL = "SIMCOM_SIM7600G-H"
    MAKER = "SIMCOM INCORPORATED"
    REVISION = "SIM7600M22_V2.0"
    BOOT_URCS = ("RDY", "+CPIN: READY", "SMS DONE", "PB DONE")
    INJECT = (b"+CGEV: NW MODIFY 1",)
    MAX_SOCKETS = 10

    # -- URC texts (hooks of ModemEmulator) --------------------------------------------------

    def open_urc(self, cn: int, failure: str) -> str:
        return f"+CIPOPEN: {cn},{_OPEN_ERRORS.get(failure, 0)}"

    def data_urc(self, cn: int) -> str:
        return f"+CIPRXGET: 1,{cn}"

    def closed_urc(self, cn: int) -> str:
        return f"+IPCLOSE: {cn},1"  # 1: closed by the remote side

    def pdp_lost_urcs(self, cid: int) -> list[str]:
        return ["+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY"]

    def send_reply(self, s: Sock, n: int, accepted: int) -> None:
        cn = next((c for c, x in self.socks.items() if x is s), -1)
        self.respond([])
        self.urc(f"+CIPSEND: {cn},{n},{accepted}")

    def ip_error(self, text: str) -> None:
        self.respond([f"+IP ERROR: {text}"], "ERROR")

    # -- SIMCom commands -------------------------------------------------------------------------

    def c_cgauth(self, mode: str, a: list[str]) -> None:
        self.respond([])

    def c_cipmode(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond(["+CIPMODE: 0"])
        if a[0] != "0":
            return self.error(4)  # transparent mode: not emulated
        self.respond([])

    c_cipccfg = c_ciptimeout = c_cipsendmode = c_cgauth

    def c_ciccid(self, mode: str, a: list[str]) -> None:
        self.respond([f"+ICCID: {self.ICCID}"])

    def c_netopen(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+NETOPEN: {int(self.net_up())}"])
        if self.net_up():
            return self.ip_error("Network is already opened")
        self.respond([])
        if self.reg_stat() not in (1, 5) or not self.attached:
            return self.urc("+NETOPEN: 1")
        self.contexts.setdefault(1, {"type": 1, "apn": self.cgdcont.get(1, ("", ""))[1]})["active"] = True
        self.send(b"\r\n+NETOPEN: 0\r\n", 0.01 + self._delay())  # opening takes a moment

    def c_netclose(self, mode: str, a: list[str]) -> None:
        if not self.contexts.get(1, {}).get("active"):
            return self.ip_error("Network is already closed")
        for cn, s in list(self.socks.items()):
            self._close_sock(s)
            del self.socks[cn]
        self.contexts[1]["active"] = False
        self.respond([])
        self.urc("+NETCLOSE: 0")

    def c_ipaddr(self, mode: str, a: list[str]) -> None:
        if not self.net_up():
            return self.ip_error("Network not opened")
        self.respond(["+IPADDR: 127.0.0.1"])

    def c_cdnsgip(self, mode: str, a: list[str]) -> None:
        ip = self.resolve(a[0]) if self.net_up() else None
        if ip is None:
            return self.respond(["+CDNSGIP: 0,10"], "ERROR")  # 10: DNS general error
        self.respond([f'+CDNSGIP: 1,"{a[0]}","{ip}"'])

    def c_cipopen(self, mode: str, a: list[str]) -> None:
        if mode != "set":
            return self.respond([])
        cn, kind = int(a[0]), a[1].upper()
        if not 0 <= cn < self.MAX_SOCKETS or kind not in ("TCP", "UDP"):
            return self.error(4)
        if kind == "TCP":
            ip, port, lport = a[2], int(a[3]), int(a[4]) if len(a) > 4 and a[4] else 0
        else:  # AT+CIPOPEN=<link>,"UDP",,,<localPort>: any peer, chosen per CIPSEND
            ip, port, lport = "", 0, int(a[4]) if len(a) > 4 and a[4] else 0
        self.respond([])
        if cn in self.socks:
            return self.urc(f"+CIPOPEN: {cn},4")
        if not self.net_up():
            return self.urc(f"+CIPOPEN: {cn},2")
        self.open_socket(cn, 1, kind, ip, port, lport)

    def c_cipsend(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.host is None or s.state != 2 or len(a) < 2:
            return self.respond([], "ERROR")
        n = int(a[1])
        dest = None
        if s.kind == "UDP":
            if len(a) < 4:
                return self.respond([], "ERROR")
            dest = (a[2], int(a[3]))
        if not 1 <= n <= SEND_MAX:
            return self.respond([], "ERROR")
        self.start_send(s, n, dest)

    def c_ciprxget(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond(["+CIPRXGET: 1"])
        op = int(a[0])
        if op == 1:
            return self.respond([])
        if op not in (2, 4):
            return self.error(4)  # push mode (0) and hex reads (3): not emulated
        cn, s = self._sock(a[1:])
        if s is None:
            return self.ip_error("Connection is not created")
        if op == 4:
            return self.respond([f"+CIPRXGET: 4,{cn},{s.unread()}"])
        want = int(a[2]) if len(a) > 2 else READ_MAX
        if not 0 < want <= READ_MAX:
            return self.error(4)
        data, src = self.take(cn, s, want)
        if not data:
            s.notified = False
            return self.ip_error("No data")
        rest = s.unread()
        if not rest:
            s.notified = False  # empty: the next data brings a new "+CIPRXGET: 1"
        head = f"+CIPRXGET: 2,{cn},{len(data)},{rest}" + (f",{src[0]}:{src[1]}" if src else "")
        self.respond([head.encode() + b"\r\n" + data])

    def c_cipclose(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond(["+CIPCLOSE: " + ",".join("1" if c in self.socks else "0"
                                                          for c in range(self.MAX_SOCKETS))])
        cn, s = self._sock(a)
        if s is None:
            return self.respond([], "ERROR")
        self._close_sock(s)
        del self.socks[cn]
        self.respond([])
        self.urc(f"+CIPCLOSE: {cn},0")
