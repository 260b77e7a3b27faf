"""An emulated Quectel BG96: its TCP/IP command set (`cellular-at.md` §3, §9) and URCs
over the shared `core.ModemEmulator` (pty, pacing, 3GPP commands, host sockets, faults).
"""

from __future__ import annotations

from .core import Faults, ModemEmulator, Sock

__all__ = ["BG96", "Faults"]

QIRD_MAX = 1500
QISEND_MAX = 1460
_OPEN_ERRORS = {"create": 554, "bind": 556, "connect": 566}


class BG96(ModemEmulator):
    MODEL = "BG96"
    MAKER = "Quectel"
    REVISION = "BG96MAR02A07M1G"
    BOOT_URCS = ("RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE")
    INJECT = (b'+QIND: "csq",20,99',)
    MAX_SOCKETS = 12

    # -- URC texts (hooks of ModemEmulator) --------------------------------------------------

    def param_error(self, name: str) -> int:
        return 552 if name.startswith("+QI") else 4

    def open_urc(self, cn: int, failure: str) -> str:
        return f"+QIOPEN: {cn},{_OPEN_ERRORS.get(failure, 0)}"

    def data_urc(self, cn: int) -> str:
        return f'+QIURC: "recv",{cn}'

    def closed_urc(self, cn: int) -> str:
        return f'+QIURC: "closed",{cn}'

    def pdp_lost_urcs(self, cid: int) -> list[str]:
        return [f'+QIURC: "pdpdeact",{cid}']

    def send_reply(self, s: Sock, n: int, accepted: int) -> None:
        self.respond([], "SEND OK" if accepted > 0 else "SEND FAIL")

    # -- Quectel commands ------------------------------------------------------------------------

    def c_qurccfg(self, mode: str, a: list[str]) -> None:
        if mode == "set" and len(a) == 1:
            return self.respond(['+QURCCFG: "urcport","uart1"'])
        self.respond([])

    def c_qccid(self, mode: str, a: list[str]) -> None:
        self.respond([f"+QCCID: {self.ICCID}"])

    def c_qpowd(self, mode: str, a: list[str]) -> None:
        self.respond([])
        self.urc("POWERED DOWN")
        self.at(0.05, self._power_on)

    def c_qicsgp(self, mode: str, a: list[str]) -> None:
        cid = int(a[0])
        if not 1 <= cid <= 16:
            return self.error(552)
        ctx = self.contexts.setdefault(cid, {})
        if len(a) == 1:
            return self.respond([f'+QICSGP: {ctx.get("type", 1)},"{ctx.get("apn", "")}","{ctx.get("user", "")}",'
                                 f'"{ctx.get("pw", "")}",{ctx.get("auth", 0)}'])
        ctx.update(type=int(a[1]), apn=a[2] if len(a) > 2 else "", user=a[3] if len(a) > 3 else "",
                   pw=a[4] if len(a) > 4 else "", auth=int(a[5]) if len(a) > 5 else 0)
        self.respond([])

    def c_qiact(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f'+QIACT: {c},1,{ctx.get("type", 1)},"127.0.0.1"'
                                 for c, ctx in sorted(self.contexts.items()) if ctx.get("active")])
        cid = int(a[0])
        ctx = self.contexts.get(cid)
        if ctx is None or not 1 <= cid <= 16:
            return self.error(573)
        if ctx.get("active"):
            return self.error(561)  # already active: the real modem says ERROR
        if self.reg_stat() not in (1, 5) or not self.attached:
            return self.error(561)
        ctx["active"] = True
        self.respond([], None)
        self.send(b"\r\nOK\r\n", 0.01 + self._delay())  # activation takes a moment

    def c_qideact(self, mode: str, a: list[str]) -> None:
        cid = int(a[0])
        for s in list(self.socks.values()):
            if s.cid == cid:
                self._close_sock(s)
        ctx = self.contexts.get(cid)
        if ctx:
            ctx["active"] = False
        self.respond([])

    def c_qidnscfg(self, mode: str, a: list[str]) -> None:
        cid = int(a[0])
        if not self.net_up(cid):
            return self.error(561)
        if len(a) == 1:
            return self.respond([f'+QIDNSCFG: {cid},"127.0.0.1","0.0.0.0"'])
        self.respond([])

    def c_qidnsgip(self, mode: str, a: list[str]) -> None:
        cid, host = int(a[0]), a[1]
        if not self.net_up(cid):
            return self.error(561)
        if self.dns_busy:
            return self.error(564)
        self.dns_busy = True
        self.respond([])

        def done() -> None:
            self.dns_busy = False
            ip = self.resolve(host)
            if ip is None:
                self.urc('+QIURC: "dnsgip",565')
            else:
                self.urc('+QIURC: "dnsgip",0,1,600')
                self.urc(f'+QIURC: "dnsgip","{ip}"')

        self.at(0.005 + self._delay(), done)

    def c_qigeterror(self, mode: str, a: list[str]) -> None:
        self.respond([f"+QIGETERROR: {self.last_err},error {self.last_err}"])

    def c_qicfg(self, mode: str, a: list[str]) -> None:
        self.respond([])

    def c_qiopen(self, mode: str, a: list[str]) -> None:
        cid, cn, kind, ip, port = int(a[0]), int(a[1]), a[2].upper(), a[3], int(a[4])
        lport = int(a[5]) if len(a) > 5 and a[5] else 0
        access = int(a[6]) if len(a) > 6 and a[6] else 0
        if not 0 <= cn < self.MAX_SOCKETS or kind not in ("TCP", "UDP", "UDP SERVICE") or access != 0:
            return self.error(552)
        if not 1 <= cid <= 16:
            return self.error(552)
        self.respond([])
        if cn in self.socks:
            return self.urc(f"+QIOPEN: {cn},563")
        if not self.net_up(cid):
            return self.urc(f"+QIOPEN: {cn},561" if self.contexts.get(cid) else f"+QIOPEN: {cn},573")
        self.open_socket(cn, cid, kind, ip, port, lport)

    def c_qisend(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.host is None or s.state not in (2,):
            return self.error(567 if s else 552)
        if len(a) == 2 and int(a[1]) == 0:
            return self.respond([f"+QISEND: {s.total_sent},{s.total_sent - len(s.sendq)},{len(s.sendq)}"])
        if len(a) < 2:
            return self.error(552)  # Ctrl-Z terminated form: not emulated
        n = int(a[1])
        dest = None
        if s.kind == "UDP SERVICE":
            if len(a) < 4:
                return self.error(552)
            dest = (a[2], int(a[3]))
        elif len(a) != 2:
            return self.error(552)
        if not 1 <= n <= QISEND_MAX:
            return self.error(552)
        self.start_send(s, n, dest)

    def c_qird(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is None or s.state not in (2, 4):
            return self.error(552)
        want = int(a[1]) if len(a) > 1 else QIRD_MAX
        if want == 0:
            return self.respond([f"+QIRD: {s.total_rcvd},{s.total_read},{s.unread()}"])
        if not 0 < want <= QIRD_MAX:
            return self.error(552)
        data, src = self.take(cn, s, want)
        if not data:
            s.notified = False  # edge-triggered: the next data brings a new "recv"
            return self.respond(["+QIRD: 0"])
        head = f'+QIRD: {len(data)},"{src[0]}",{src[1]}' if s.kind == "UDP SERVICE" and src else f"+QIRD: {len(data)}"
        self.respond([head.encode() + b"\r\n" + data])

    def c_qiclose(self, mode: str, a: list[str]) -> None:
        cn, s = self._sock(a)
        if s is not None:
            self._close_sock(s)
            del self.socks[cn]
        self.respond([])

    def c_qistate(self, mode: str, a: list[str]) -> None:
        socks = sorted(self.socks.items())
        if mode == "set":
            if int(a[0]) == 1:
                socks = [(c, s) for c, s in socks if c == int(a[1])]
            else:
                socks = [(c, s) for c, s in socks if s.cid == int(a[1])]
        self.respond([f'+QISTATE: {c},"{s.kind}","{s.ip}",{s.port},{s.lport},{s.state},{s.cid},0,0,"uart1"'
                      for c, s in socks])


