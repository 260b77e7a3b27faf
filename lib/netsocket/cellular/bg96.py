"""Quectel BG96 (and BG95/BG77/EC2x): what differs from any other modem socket stack.

12 sockets (connect IDs 0-11) in buffer access mode: ``AT+QIOPEN`` then the
``+QIOPEN`` URC, ``AT+QISEND`` (``>``, raw bytes, ``SEND OK`` / ``SEND
FAIL``), ``AT+QIRD`` after the edge-triggered ``"recv"`` URC (read until
``+QIRD: 0``), ``AT+QICLOSE``; UDP sockets are ``UDP SERVICE`` sockets so
that ``sendto`` reaches any peer and ``recvfrom`` reports the source. PDP
context with ``AT+QICSGP``/``AT+QIACT``; DNS with ``AT+QIDNSGIP``. The rest
is netsocket.cellular.atstack.
"""

from micropython import const
from time import ticks_ms, ticks_diff
from ..address import SocketAddress
from .at import params
from .atstack import ATStack

_OK = const(0)
_NO_CONNECTION = const(-3004)
_DNS_FAILURE = const(-3009)
_DEVICE_ERROR = const(-3012)


def _id(line):
    # the connect ID of '+QIURC: "<what>",<id>[,...]'
    p = params(line, 8)
    return p[1] if len(p) > 1 else -1


class Stack(ATStack):
    """The BG96 socket stack; made by CellularInterface(modem="bg96")."""

    MAX = 12
    SEND_MAX = 1460
    RECV_MAX = 1500
    _RD = b"+QIRD:"
    ICCID = ("AT+QCCID", b"+QCCID:")  # the SIM's ICCID: command, reply prefix
    _BIND_FAILED = 556
    cid = 1  # PDP context

    def __init__(self, iface):
        ATStack.__init__(self, iface)
        self._dns = None  # [err, count, ip text] while a lookup runs
        at = self.at
        at.set_urc(b'+QIURC: "recv"', lambda l: self._rx(_id(l)))
        at.set_urc(b'+QIURC: "closed"', lambda l: self._hup(_id(l)))
        at.set_urc(b'+QIURC: "pdpdeact"', lambda l: self._if._link_lost(1))
        at.set_urc(b'+QIURC: "dnsgip"', self._on_dns)
        at.set_urc(b"+QIOPEN:", self._on_open)

    def _on_open(self, line):
        p = params(line, 8)
        if len(p) > 1:
            self._opened_urc(p[0], p[1])

    def _on_dns(self, line):
        d = self._dns
        p = params(line, 8)
        if d is None or len(p) < 2:
            return
        if isinstance(p[1], str):  # an address line
            if d[2] is None and ":" not in p[1]:
                d[2] = p[1]
            d[1] -= 1
        else:  # the header: err[,count,ttl]
            d[0] = p[1]
            d[1] = p[2] if p[1] == 0 and len(p) > 2 else 0

    # -- link set-up (CellularInterface, handler held) -----------------------------------------

    def _init(self):
        self.at.cmd('AT+QURCCFG="urcport","uart1"')
        return self._close_all()

    def _close_all(self):
        """Close the modem's sockets we do not own (stale after a host reset, dead after PDP loss)."""
        at = self.at
        ids = []
        at.cmd_start("AT+QISTATE?")
        while True:
            line = at.resp(b"+QISTATE:")
            if line is None:
                break
            ids.append(params(line, 9)[0])
        if ids:
            self._close_dead(ids)
        return _OK

    def _activate(self, apn, user, pw):
        at = self.at
        if at.cmd('AT+QICSGP=%d,1,"%s","%s","%s",%d' % (self.cid, apn, user, pw, 3 if user else 0))[1]:
            return None, _DEVICE_ERROR
        ip = self._active_ip()
        for _ in range(3):
            if ip is not None:
                break
            if at.cmd("AT+QIACT=%d" % self.cid, None, 150000)[1]:
                at.cmd("AT+QIDEACT=%d" % self.cid, None, 40000)
            else:
                ip = self._active_ip()
        if ip is None:
            return None, _NO_CONNECTION
        self._ip = SocketAddress(ip)
        return ip, _OK

    def _active_ip(self):
        at = self.at
        ip = None
        at.cmd_start("AT+QIACT?")
        while True:
            line = at.resp(b"+QIACT:")
            if line is None:
                return ip
            p = params(line, 7)
            if len(p) > 3 and p[0] == self.cid and p[1] == 1:
                ip = p[3]

    def _deactivate(self):
        self._close_open()
        self.at.cmd("AT+QIDEACT=%d" % self.cid, None, 40000)
        self._ip = None

    # -- the socket commands ---------------------------------------------------------------------

    def _open_cmd(self, h, kind, ip, port):
        return 'AT+QIOPEN=%d,%d,"%s","%s",%d,%d,0' % (
            self.cid, h.id, "UDP SERVICE" if kind == "UDP" else kind, ip, port, h.lport)

    def _close_id(self, i):
        self.at.cmd("AT+QICLOSE=%d" % i, None, 20000)

    def _send_head(self, h, n, addr):
        if addr is None:
            return "AT+QISEND=%d,%d" % (h.id, n)
        return 'AT+QISEND=%d,%d,"%s",%d' % (h.id, n, addr.get_ip_address(), addr._port)

    def _send_result(self, h, n):
        at = self.at
        line = at.resp(b"SEND ", 30000)
        if line is None:
            return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
        at.end()
        return n if line == b"SEND OK" else 0  # SEND FAIL: the buffer is full

    def _read_cmd(self, h, n):
        return "AT+QIRD=%d,%d" % (h.id, n)

    def _read_head(self, line, h):
        # +QIRD: <n>[,"<ip>",<port>]; the rest is not told (edge-triggered "recv")
        p = params(line, 6)
        return p[0], -1, p[1] if len(p) > 2 else None, p[2] if len(p) > 2 else 0

    def _modem_lookup(self, host):
        at = self.at
        d = self._dns = [-1, 1, None]
        try:
            for _ in range(50):
                err = at.cmd('AT+QIDNSGIP=%d,"%s"' % (self.cid, host), None, 5000)[1]
                if not err or at.cme != 564:  # 564: another lookup is running
                    break
                at.process(100)
            if err:
                return _DNS_FAILURE
            t0 = ticks_ms()
            while d[0] < 0 or d[0] == 0 and d[1] > 0:
                if ticks_diff(ticks_ms(), t0) > self.dns_timeout:
                    return _DNS_FAILURE
                at.process(100)
        finally:
            self._dns = None
        return d[2] if d[0] == 0 and d[2] is not None else _DNS_FAILURE
