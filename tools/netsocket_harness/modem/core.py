"""What every emulated modem shares: a pty paced to a baud rate, the AT line
discipline (echo, boot URCs, framing), the 3GPP commands (`cellular-at.md`
§1-2, §8, §11), non-IP data and network events. Sockets carried over real host
sockets are `bridge.SocketBridge`, the fault knobs `faults.Faults`, the control
socket `control.ControlServer`. A model (`bg96.BG96`, `sim7600.SIM7600`,
`sim800.SIM800`, `sara.SARA`) adds its TCP/IP command set and the text of its
URCs through the hooks of `SocketBridge` and `pdp_lost_urcs`.

One single-threaded event loop (``selectors``) owns the pty master, the
control socket, the host sockets behind the modem's socket IDs and timers.
Every response is queued whole, so an asynchronous URC never lands inside
another response, except where a fault knob puts it there on purpose.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import os
import random
import re
import selectors
import socket
import termios
import time
import tty
from collections import deque
from typing import Callable

from .bridge import RBUF_MAX, Sock, SocketBridge, _loopback
from .control import ControlServer
from .faults import Faults

__all__ = ["Faults", "ModemEmulator", "Sock", "RBUF_MAX", "_loopback"]

GARBAGE = bytes(range(0x80, 0x100)) + b"\x00\x01\x07\x1b"


class Pacer:
    """A serial line at baud/10 bytes per second (0 = unpaced): a byte may go once the line is
    free. Idle time is not banked, so a burst after a pause is no faster than the line."""

    SLACK = 0.0005  # s: how far ahead of the wire a write may be (the loop's wake-up jitter)

    def __init__(self, baud: int) -> None:
        self.set(baud)

    def set(self, baud: int) -> None:
        self.rate = baud / 10 if baud else 0.0
        self.free_at = time.monotonic()  # when the line has sent everything handed to it

    def take(self, want: int) -> int:
        """How many of `want` bytes may go now; they are counted as sent."""
        if not self.rate:
            return want
        now = time.monotonic()
        if self.free_at < now:
            self.free_at = now
        n = min(want, int((now + self.SLACK - self.free_at) * self.rate))
        if n > 0:
            self.free_at += n / self.rate
        return max(n, 0)

    def give_back(self, n: int) -> None:
        """`n` bytes taken were not sent after all."""
        if self.rate and n > 0:
            self.free_at -= n / self.rate

    def ready(self) -> bool:
        return not self.rate or int((time.monotonic() + self.SLACK - self.free_at) * self.rate) >= 1

    def delay(self) -> float:
        """Seconds until the next byte may go."""
        if not self.rate:
            return 0.0
        return max(0.0002, self.free_at + 1 / self.rate - self.SLACK - time.monotonic())


_CMD = re.compile(rb"^AT([+&]?[A-Z0-9]*)(\?|=\?|=.*)?$", re.S)


def _args(text: str) -> list[str]:
    """Split AT parameters on commas outside quotes; strip the quotes."""
    out, cur, q = [], [], False
    for ch in text:
        if ch == '"':
            q = not q
        elif ch == "," and not q:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out


class ModemEmulator(SocketBridge, ControlServer):
    """A modem. ``run()`` serves until ``stop()``; thread-unsafe by design (one loop)."""

    MODEL = ""
    MAKER = ""
    REVISION = ""
    IMEI = "866425030000001"
    IMSI = "001010123456789"  # MCC 001 MNC 01: the 3GPP test network
    ICCID = "89882280666027599999"
    BOOT_URCS: tuple[str, ...] = ("RDY",)  # "+CPIN: READY" in it becomes "+CPIN: SIM PIN" when locked
    INJECT: tuple[bytes, ...] = ()  # URCs a fault may put inside a response
    MAX_SOCKETS = 12

    def __init__(self, baud: int = 115200, faults: Faults | None = None, control_host: str = "127.0.0.1",
                 dns: dict[str, str] | None = None, nonip_peer: tuple[str, int] | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.faults = faults or Faults()
        self.out_pacer = Pacer(baud)
        self.in_pacer = Pacer(baud)
        self.baud = self.start_baud = baud
        self.log = log or (lambda _m: None)
        self.rng = random.Random(1)
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        os.set_blocking(self.master, False)
        self.pty = os.ttyname(self.slave)
        self.sel = selectors.SelectSelector()  # select(2): microsecond timeouts, for pacing (epoll has ms)
        self.sel.register(self.master, selectors.EVENT_READ, self._on_pty)
        self.ctl = socket.create_server((control_host, 0))
        self.ctl.setblocking(False)
        self.control = self.ctl.getsockname()[:2]
        self.sel.register(self.ctl, selectors.EVENT_READ, self._on_ctl_accept)
        self.dns = {"localhost": "127.0.0.1", **(dns or {})}
        self.nonip_peer = nonip_peer
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.outq: deque[list] = deque()  # [not_before, bytes, offset]
        self._blocked = False  # the pty is full: wait until it is writable
        self.running = True
        self._power_on(first=True)

    # -- state -----------------------------------------------------------------

    def _power_on(self, first: bool = False) -> None:
        for s in list(getattr(self, "socks", {}).values()):
            self._drop(s)
        self.socks: dict[int, Sock] = {}
        self.echo = True
        self.cmee = 0
        self.booted = False
        self.cfun = 1
        self.pin_ok = not self.faults.sim_pin
        self.creg_n = {"CREG": 0, "CGREG": 0, "CEREG": 0}
        self.reg_at = float("inf")
        self.attached = True
        self.contexts: dict[int, dict] = {}  # cid -> {type, apn, user, pw, auth, active}
        self.cgdcont: dict[int, tuple[str, str]] = {}  # cid -> (pdp type, apn)
        self.dns_busy = False
        self.last_err = 0
        self.crtdcp = 0
        self.psm: tuple[int, str, str] = (0, "", "")  # AT+CPSMS mode, T3412 ext, T3324
        self.edrx: dict[int, str] = {}  # AT+CEDRXS AcT type -> eDRX value bits
        self.data_mode = False  # PPP data mode after ATD
        self.cmdbuf = bytearray()
        self.pending_send: tuple[Sock, int, tuple[str, int] | None] | None = None
        self.sendbuf = bytearray()
        self.skip_ctrlz = False
        if getattr(self, "nonip", None) is not None:
            self._unwatch(self.nonip)
            self.nonip.close()
        self.nonip: socket.socket | None = None
        self.at(self.faults.boot_ms / 1000, self._boot_done)

    def _boot_done(self) -> None:
        self.booted = True
        self.reg_at = time.monotonic() + self.faults.reg_delay / 1000
        self.at(self.faults.reg_delay / 1000 + 0.0001, self._reg_changed)
        for u in self.BOOT_URCS:
            self.urc("+CPIN: SIM PIN" if u == "+CPIN: READY" and not self.pin_ok else u)

    def reg_stat(self) -> int:
        if not self.booted or self.cfun != 1:
            return 0
        if self.faults.reg_deny:
            return 3
        if not self.pin_ok:
            return 0
        return 1 if time.monotonic() >= self.reg_at else 2

    def _reg_changed(self) -> None:
        stat = self.reg_stat()
        for name, n in self.creg_n.items():
            if n == 1:
                self.urc(f"+{name}: {stat}")
            elif n >= 2:
                self.urc(f'+{name}: {stat},"1A2B","01A2B3C4",8' if stat in (1, 5) else f"+{name}: {stat}")

    # -- timers and output -------------------------------------------------------

    def at(self, delay: float, fn: Callable[[], None]) -> None:
        heapq.heappush(self.timers, (time.monotonic() + delay, next(self._seq), fn))

    def send(self, data: bytes, delay: float = 0.0) -> None:
        """Queue bytes for the board; `delay` holds them (and all after them) back."""
        if data:
            self.outq.append([time.monotonic() + delay, data, 0])

    def _garbage(self) -> bytes:
        if self.faults.garbage and self.rng.random() < self.faults.garbage:
            n = self.rng.randint(1, 12)
            return b"\r\n" + bytes(self.rng.choice(GARBAGE) for _ in range(n)) + b"\r\n"
        return b""

    def _delay(self) -> float:
        return self.rng.uniform(0, self.faults.delay_max / 1000) if self.faults.delay_max else 0.0

    def respond(self, lines: list[bytes | str], final: str | None = "OK") -> None:
        """One response: info lines then the final result, framed as the hardware frames them."""
        if self.faults.lose_reply > 0:  # the reply is lost on the line
            self.faults.lose_reply -= 1
            return
        parts = [self._garbage()]
        body = [ln.encode() if isinstance(ln, str) else ln for ln in lines]
        if body:
            parts.append(b"\r\n" + b"\r\n".join(body) + b"\r\n")
        if body and final and self.faults.inject and self.rng.random() < self.faults.inject:
            parts.append(b"\r\n" + self._inject_urc() + b"\r\n")
        if final:
            parts.append(b"\r\n" + final.encode() + b"\r\n")
        self.send(b"".join(parts), self._delay())

    def _inject_urc(self) -> bytes:
        choices = list(self.INJECT)
        if self.creg_n["CEREG"]:
            choices.append(b'+CEREG: 1,"1A2B","01A2B3C4",8' if self.creg_n["CEREG"] >= 2 else b"+CEREG: 1")
        return self.rng.choice(choices)

    def error(self, code: int | None = None) -> None:
        if code is not None:
            self.last_err = code
        if self.cmee and code is not None:
            self.respond([], f"+CME ERROR: {code}")
        else:
            self.respond([], "ERROR")

    def urc(self, text: str | bytes) -> None:
        data = text.encode() if isinstance(text, str) else text
        self.send(self._garbage() + b"\r\n" + data + b"\r\n")

    def _pump(self) -> None:
        now = time.monotonic()
        while self.outq:
            item = self.outq[0]
            if item[0] > now:
                return
            data, off = item[1], item[2]
            want = len(data) - off
            if self.faults.split:
                want = min(want, self.rng.randint(1, self.faults.split))
            n = self.out_pacer.take(want)
            if n <= 0:
                return
            try:
                w = os.write(self.master, data[off:off + n])
            except BlockingIOError:
                self.out_pacer.give_back(n)
                self._blocked = True
                return
            except OSError:
                return
            if w < n:
                self.out_pacer.give_back(n - w)
            item[2] += w
            if item[2] >= len(data):
                self.outq.popleft()
            if self.faults.split:
                return  # one piece per loop turn, so the board sees it on its own

    # -- the board side ------------------------------------------------------------

    def _on_pty(self, ev: int) -> None:
        if ev & selectors.EVENT_WRITE:
            self._blocked = False
        if not ev & selectors.EVENT_READ:
            return
        n = self.in_pacer.take(4096)
        if n <= 0:
            return
        try:
            data = os.read(self.master, n)
        except (BlockingIOError, OSError):
            self.in_pacer.give_back(n)
            return
        self.in_pacer.give_back(n - len(data))
        self.feed(data)

    def feed(self, data: bytes) -> None:
        i = 0
        while i < len(data):
            if self.pending_send is not None:
                s, want, dest = self.pending_send
                take = min(want - len(self.sendbuf), len(data) - i)
                self.sendbuf += data[i:i + take]
                i += take
                if len(self.sendbuf) >= want:
                    self.pending_send = None
                    self._send_done(s, bytes(self.sendbuf), dest)
                    self.sendbuf = bytearray()
                    self.skip_ctrlz = True
                continue
            if self.data_mode:
                rest = data[i:]
                if b"+++" in rest:
                    self.data_mode = False
                    i += rest.index(b"+++") + 3
                    self.respond([])
                    continue
                return  # PPP frames: no peer behind them, dropped
            b = data[i]
            i += 1
            if self.skip_ctrlz:
                self.skip_ctrlz = False
                if b == 0x1A:
                    continue
            if not self.booted:
                continue  # before RDY the modem does not answer
            if self.echo:
                self.send(bytes([b]))
            if b == 13:
                line = bytes(self.cmdbuf).strip()
                self.cmdbuf.clear()
                if line:
                    self.command(line)
            elif b == 10:
                continue
            elif b in (8, 127):
                del self.cmdbuf[-1:]
            elif len(self.cmdbuf) < 4096:
                self.cmdbuf.append(b)

    def command(self, line: bytes) -> None:
        up = line.upper()
        if up.startswith(b"ATD"):
            return self.c_dial(line[3:].decode(errors="replace"))
        m = _CMD.match(up)
        if not m:
            if up.startswith(b"AT") and up[2:] in (b"E0", b"E1", b"I", b"H", b"H0", b"O", b"Z"):
                return self.basic(up[2:].decode())
            return self.respond([], "ERROR")
        name = m.group(1).decode()
        if name in ("E0", "E1", "I", "H", "H0", "Z"):
            return self.basic(name)
        suffix = line[m.start(2):].decode(errors="replace") if m.group(2) else ""
        handler = getattr(self, "c_" + name.lstrip("+&").lower(), None) if name else None
        if name == "":
            return self.respond([])
        if handler is None:
            return self.respond([], "ERROR")
        if suffix == "=?":
            return self.respond([])
        mode = "read" if suffix == "?" else "set" if suffix.startswith("=") else "exec"
        args = _args(suffix[1:]) if mode == "set" else []
        try:
            handler(mode, args)
        except (ValueError, IndexError):
            self.error(self.param_error(name))

    def basic(self, name: str) -> None:
        if name == "E0":
            self.echo = False
        elif name == "E1":
            self.echo = True
        elif name == "I":
            return self.respond([self.MAKER, self.MODEL, "Revision: " + self.REVISION])
        elif name in ("H", "H0"):
            self.data_mode = False
        elif name == "Z":
            self.echo = True
        self.respond([])

    # -- 3GPP commands ---------------------------------------------------------------

    def c_cmee(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+CMEE: {self.cmee}"])
        self.cmee = int(a[0])
        self.respond([])

    def c_cgmm(self, mode: str, a: list[str]) -> None:
        self.respond([self.MODEL])

    def c_cgmi(self, mode: str, a: list[str]) -> None:
        self.respond([self.MAKER])

    def c_cgmr(self, mode: str, a: list[str]) -> None:
        self.respond([self.REVISION])

    def c_cgsn(self, mode: str, a: list[str]) -> None:
        self.respond([self.IMEI])

    def c_cfun(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+CFUN: {self.cfun}"])
        fun = int(a[0])
        if len(a) > 1 and int(a[1]) == 1:
            self.respond([])
            self.at(0.01, self._power_on)
            return
        self.cfun = fun
        if fun != 1:
            self._pdp_lost(silent=True)
        self.respond([])
        self._reg_changed()

    def c_cpin(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond(["+CPIN: READY" if self.pin_ok else "+CPIN: SIM PIN"])
        if self.pin_ok:
            return self.error(3)
        if a[0] != self.faults.sim_pin:
            return self.error(16)
        self.pin_ok = True
        self.respond([])
        self.urc("+CPIN: READY")
        self.reg_at = time.monotonic() + self.faults.reg_delay / 1000
        self.at(self.faults.reg_delay / 1000 + 0.0001, self._reg_changed)

    def c_csq(self, mode: str, a: list[str]) -> None:
        self.respond([f"+CSQ: {self.faults.rssi},99" if self.reg_stat() in (1, 2, 5) else "+CSQ: 99,99"])

    def c_cesq(self, mode: str, a: list[str]) -> None:
        # <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>: an LTE cell (no GSM/UMTS values), RSRP -96 dBm
        self.respond(["+CESQ: 99,99,255,255,20,45" if self.reg_stat() in (1, 2, 5) else "+CESQ: 99,99,255,255,255,255"])

    def c_cimi(self, mode: str, a: list[str]) -> None:
        if not self.pin_ok:
            return self.error(11)
        self.respond([self.IMSI])

    def c_ccid(self, mode: str, a: list[str]) -> None:
        self.respond([f"+CCID: {self.ICCID}"])

    def c_cpsms(self, mode: str, a: list[str]) -> None:
        # PSM: <mode>[,,,"<T3412 ext>","<T3324>"] (8-bit timer strings, 3GPP TS 24.008)
        if mode == "read":
            m, tau, act = self.psm
            return self.respond([f'+CPSMS: {m},,,"{tau}","{act}"'])
        m = int(a[0])
        timers = a[3:5] if len(a) >= 5 else ["", ""]
        if m not in (0, 1, 2) or any(t and (len(t) != 8 or set(t) - {"0", "1"}) for t in timers):
            return self.error(50)
        self.psm = (m, timers[0], timers[1]) if m == 1 else (m, "", "")
        self.respond([])

    def c_cedrxs(self, mode: str, a: list[str]) -> None:
        # eDRX: <mode>,<AcT-type>,"<4-bit value>"
        if mode == "read":
            return self.respond([f'+CEDRXS: {act},"{v}"' for act, v in sorted(self.edrx.items())] or ["+CEDRXS: 0"])
        m, act = int(a[0]), int(a[1]) if len(a) > 1 else 4
        v = a[2] if len(a) > 2 else "0000"
        if m not in (0, 1, 2, 3) or not 1 <= act <= 5 or len(v) != 4 or set(v) - {"0", "1"}:
            return self.error(50)
        if m in (0, 3):
            self.edrx.pop(act, None)
        else:
            self.edrx[act] = v
        self.respond([])

    def _creg(self, name: str, mode: str, a: list[str]) -> None:
        if mode == "set":
            self.creg_n[name] = int(a[0])
            return self.respond([])
        stat = self.reg_stat()
        n = self.creg_n[name]
        if n >= 2 and stat in (1, 5):
            return self.respond([f'+{name}: {n},{stat},"1A2B","01A2B3C4",8'])
        self.respond([f"+{name}: {n},{stat}"])

    def c_creg(self, mode: str, a: list[str]) -> None:
        self._creg("CREG", mode, a)

    def c_cgreg(self, mode: str, a: list[str]) -> None:
        self._creg("CGREG", mode, a)

    def c_cereg(self, mode: str, a: list[str]) -> None:
        self._creg("CEREG", mode, a)

    def c_cops(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            if self.reg_stat() in (1, 5):
                return self.respond(['+COPS: 0,0,"netsocket test",8'])
            return self.respond(["+COPS: 0"])
        self.respond([])

    def c_cgatt(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+CGATT: {int(self.attached and self.reg_stat() in (1, 5))}"])
        if self.reg_stat() not in (1, 5):
            return self.error(30)
        self.attached = a[0] == "1"
        self.respond([])

    def c_cgerep(self, mode: str, a: list[str]) -> None:
        self.respond([])

    def c_cgdcont(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f'+CGDCONT: {c},"{t}","{apn}","0.0.0.0",0,0'
                                 for c, (t, apn) in sorted(self.cgdcont.items())])
        cid = int(a[0])
        if len(a) == 1:
            self.cgdcont.pop(cid, None)
        else:
            pdp = a[1].upper()
            if pdp not in ("IP", "IPV6", "IPV4V6", "NON-IP"):
                return self.error(4)
            self.cgdcont[cid] = ("Non-IP" if pdp == "NON-IP" else a[1], a[2] if len(a) > 2 else "")
        self.respond([])

    def c_cgact(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+CGACT: {c},{int(bool(ctx.get('active')))}" for c, ctx in
                                 sorted(self.contexts.items())])
        state, cid = int(a[0]), int(a[1]) if len(a) > 1 else 1
        if state and self.reg_stat() not in (1, 5):
            return self.error(30)
        ctx = self.contexts.setdefault(cid, {"type": 1, "apn": self.cgdcont.get(cid, ("", ""))[1]})
        ctx["active"] = bool(state)
        if state and self.cgdcont.get(cid, ("",))[0] == "Non-IP":
            self._nonip_open()
        self.respond([])

    def c_cgpaddr(self, mode: str, a: list[str]) -> None:
        cid = int(a[0]) if a else 1
        ctx = self.contexts.get(cid)
        self.respond([f'+CGPADDR: {cid},"{"127.0.0.1" if ctx and ctx.get("active") else "0.0.0.0"}"'])

    # -- PPP dial -------------------------------------------------------------------

    def c_dial(self, rest: str) -> None:
        target = rest.strip().rstrip(";")
        if not re.fullmatch(r"\*99(\*\*\*\d+)?#", target):
            return self.respond([], "NO CARRIER")
        if self.reg_stat() not in (1, 5):
            return self.respond([], "NO CARRIER")
        self.data_mode = True
        self.respond([], "CONNECT 150000000")

    # -- what the model's socket commands use (the rest: bridge.SocketBridge) -----------------------

    def param_error(self, name: str) -> int:
        """The +CME ERROR number for a command with bad parameters."""
        return 4

    def net_up(self, cid: int = 1) -> bool:
        ctx = self.contexts.get(cid)
        return bool(ctx and ctx.get("active")) and self.reg_stat() in (1, 5)

    def resolve(self, host: str) -> str | None:
        ip = self.dns.get(host.lower())
        if ip is None:
            try:
                ipaddress.ip_address(host)
                ip = host
            except ValueError:
                pass
        return ip

    def pdp_lost_urcs(self, cid: int) -> list[str]:
        raise NotImplementedError

    # -- non-IP (NIDD) -------------------------------------------------------------------

    def _nonip_open(self) -> None:
        if self.nonip is None:
            self.nonip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.nonip.bind(("127.0.0.1", 0))
            self.nonip.setblocking(False)
            self._watch(self.nonip, self._nonip_readable)

    def _nonip_readable(self, _mask: int) -> None:
        try:
            data, _src = self.nonip.recvfrom(65536)
        except (BlockingIOError, OSError):
            return
        cid = next((c for c, (t, _) in self.cgdcont.items() if t == "Non-IP"
                    and self.contexts.get(c, {}).get("active")), None)
        if cid is not None and self.crtdcp:
            self.urc(f'+CRTDCP: {cid},{len(data)},"{data.hex().upper()}"')

    def c_crtdcp(self, mode: str, a: list[str]) -> None:
        if mode == "read":
            return self.respond([f"+CRTDCP: {self.crtdcp}"])
        self.crtdcp = int(a[0])
        self.respond([])

    def c_csodcp(self, mode: str, a: list[str]) -> None:
        cid, n, hexdata = int(a[0]), int(a[1]), a[2]
        if self.cgdcont.get(cid, ("",))[0] != "Non-IP" or not self.contexts.get(cid, {}).get("active"):
            return self.error(3)
        data = bytes.fromhex(hexdata)
        if len(data) != n or n > 1358:
            return self.error(50)
        self.respond([])
        if self.nonip_peer and self.nonip is not None:
            try:
                self.nonip.sendto(data, self.nonip_peer)
            except OSError:
                pass

    # -- network-side events (faults) ------------------------------------------------------

    def _pdp_lost(self, silent: bool = False) -> None:
        for cid, ctx in self.contexts.items():
            if ctx.get("active"):
                ctx["active"] = False
                for s in self.socks.values():
                    if s.cid == cid:
                        self._drop(s)
                        s.state = 4
                if not silent:
                    for u in self.pdp_lost_urcs(cid):
                        self.urc(u)

    def reboot(self) -> None:
        self._power_on()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        mask = selectors.EVENT_READ
        while self.running:
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, fn = heapq.heappop(self.timers)
                fn()
            self._pump()
            timeout = 0.2
            if self.timers:
                timeout = min(timeout, max(0.0, self.timers[0][0] - time.monotonic()))
            want = 0
            if self.in_pacer.ready():
                want |= selectors.EVENT_READ
            else:
                timeout = min(timeout, self.in_pacer.delay())
            if self.outq:
                if self._blocked:
                    want |= selectors.EVENT_WRITE
                else:
                    head = self.outq[0][0] - time.monotonic()
                    split_now = self.faults.split and self.out_pacer.ready()
                    timeout = min(timeout, max(head, 0.0 if split_now else
                                               self.out_pacer.delay() if head <= 0 else 0.0))
            if want != mask:
                if mask and want:
                    self.sel.modify(self.master, want, self._on_pty)
                elif want:
                    self.sel.register(self.master, want, self._on_pty)
                else:
                    self.sel.unregister(self.master)
                mask = want
            for key, ev in self.sel.select(timeout):
                key.data(ev)

    def stop(self) -> None:
        self.running = False

    def close(self) -> None:
        for s in self.socks.values():
            self._drop(s)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self.ctl.close()
        if self.nonip is not None:
            self.nonip.close()
        self.sel.close()
