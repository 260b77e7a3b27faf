"""u-blox SARA-R4/R5: what differs from any other modem socket stack.

The modem numbers its sockets (0-6): ``AT+USOCR=6|17[,<local port>]`` ->
``+USOCR: <s>`` (kept as ``h.mid``; URCs are mapped back to our sockets), then
for TCP ``AT+USOCO=<s>,"<ip>",<port>,1`` (``OK``, the result later in
``+UUSOCO: <s>,<err>``). ``AT+USOWR=<s>,<n>`` / ``AT+USOST=<s>,"<ip>",<port>,<n>``
(UDP to any peer): ``@``, the raw bytes, ``+USOWR: <s>,<n>``. ``+UUSORD`` /
``+UUSORF: <s>,<n>`` when data waits; ``AT+USORD=<s>,<n>`` -> ``+USORD: <s>,<n>,"``
and the bytes on the same line (UDP: ``+USORF: <s>,"<ip>",<port>,<n>,"``);
``AT+USOCL``; ``+UUSOCL: <s>`` when the peer closes. DNS with ``AT+UDNSRN=0``.
The PDP context is 3GPP's: ``AT+CGDCONT``, ``AT+CGACT``, ``AT+CGPADDR``; its loss
``+CGEV: NW PDN DEACT`` (``AT+CGEREP=1``). u-blox modules print no ``RDY``: a
reboot shows as our next command echoed (echo is on again after a restart). The
rest is netsocket.cellular.atstack.

Read from u-blox's SARA-R4 AT commands manual (UBX-17003787: sockets 0-6, the
``@`` binary syntax, 1024 bytes per write and read, the data in quotes counted
by <length>, an empty read ``+USORD: <s>,""``); the emulator
(tools/netsocket_harness/modem/sara.py) does the same. Not confirmed: the
asynchronous USOCO flag on every SARA-R4 firmware, ``+USOWR: <s>,0`` for a full
buffer, SARA-R5 behaving the same (it reports a PDP loss as ``+UUPSDD`` too).
"""

from micropython import const
from time import ticks_ms
from ..address import SocketAddress
from .at import params
from .atstack import ATStack

_OK = const(0)
_NO_CONNECTION = const(-3004)
_DNS_FAILURE = const(-3009)
_DEVICE_ERROR = const(-3012)
_NEW = const(0)  # socket states, as in atstack.py
_OPENING = const(1)
_OPEN = const(2)
_N = const(7)  # the modem's sockets


class Stack(ATStack):
    """The SARA-R4/R5 socket stack; made by CellularInterface(modem="sara")."""

    MAX = 7
    SEND_MAX = 1024
    RECV_MAX = 1024
    _RD = b"+USORD:"
    _RD_STOP = b'"'  # the data follows on the header's line, in quotes
    _PROMPT = 64  # '@'
    open_timeout = 120000
    dns_timeout = 70000

    def __init__(self, iface):
        ATStack.__init__(self, iface)
        self._ids = [-1] * _N  # the modem's socket number -> ours
        at = self.at
        at.set_urc(b"+UUSORD:", lambda l: self._rx(self._our(l, 8)))
        at.set_urc(b"+UUSORF:", lambda l: self._rx(self._our(l, 8)))
        at.set_urc(b"+UUSOCL:", lambda l: self._hup(self._our(l, 8)))
        at.set_urc(b"+UUSOCO:", self._on_open)
        at.set_urc(b"+CGEV: NW PDN DEACT", lambda l: self._if._link_lost(1))
        at.set_urc(b"+CGEV: NW DEACT", lambda l: self._if._link_lost(1))
        at.set_urc(b"AT", lambda l: self._if._link_lost(2))  # our command echoed: it rebooted (no RDY here)

    def _our(self, line, start):
        m = params(line, start)[0]
        return self._ids[m] if isinstance(m, int) and 0 <= m < _N else -1

    def _on_open(self, line):
        p = params(line, 8)
        if len(p) > 1:
            self._opened_urc(self._our(line, 8), p[1])

    # -- link set-up (CellularInterface, handler held) -----------------------------------------

    def _init(self):
        self.at.cmd("AT+CGEREP=1")  # +CGEV reports: the PDP context's loss
        return self._close_all()

    def _close_all(self):
        """Close the modem's sockets (stale after a host reset, dead after a PDP loss)."""
        for m in range(_N):
            i = self._ids[m]
            s = self._socks[i] if i >= 0 else None
            if s is None or s.state not in (_OPENING, _OPEN):
                self.at.cmd("AT+USOCL=%d" % m, None, 10000)  # an error for a free number: fine
                self._ids[m] = -1
        return _OK

    def _activate(self, apn, user, pw):
        at = self.at
        if at.cmd('AT+CGDCONT=1,"IP","%s"' % apn)[1]:
            return None, _DEVICE_ERROR
        line, err = at.cmd("AT+CGACT?", b"+CGACT: 1,")
        if (line is None or line[-1:] != b"1") and at.cmd("AT+CGACT=1,1", None, 150000)[1]:
            return None, _NO_CONNECTION
        line, err = at.cmd("AT+CGPADDR=1", b"+CGPADDR:")
        ip = params(line, 9)[1] if line is not None else ""
        a = SocketAddress(ip)
        if not a or ip == "0.0.0.0":
            return None, _NO_CONNECTION
        self._ip = a
        return ip, _OK

    def _deactivate(self):
        self._close_open()
        self.at.cmd("AT+CGACT=0,1", None, 40000)
        self._ip = None

    # -- the socket commands ---------------------------------------------------------------------

    def _open(self, h, kind, ip, port):
        # USOCR gives the modem's number; UDP is then ready, TCP connects (result: +UUSOCO)
        if self._ip is None:
            return _NO_CONNECTION
        at = self.at
        with at:
            line, err = at.cmd("AT+USOCR=%d,%d" % (6 if kind == "TCP" else 17, h.lport), b"+USOCR:", 5000)
            if line is None:
                return _DEVICE_ERROR
            h.mid = params(line, 7)[0]
            self._ids[h.mid] = h.id
            if kind != "TCP":
                h.state = _OPEN
                h.res = 0
                return _OK
            h.state = _OPENING  # before the command: the result may come in right behind its OK
            h.res = None
            h.t0 = ticks_ms()
            if at.cmd('AT+USOCO=%d,"%s",%d,1' % (h.mid, ip, port), None, 5000)[1]:
                self._close_id(h.id)
                h.state = _NEW
                return _DEVICE_ERROR
        return _OK

    def _close_id(self, i):
        m = self._socks[i].mid
        self.at.cmd("AT+USOCL=%d" % m, None, 20000)
        if self._ids[m] == i:
            self._ids[m] = -1

    def _send_head(self, h, n, addr):
        if addr is None:
            return "AT+USOWR=%d,%d" % (h.mid, n)
        return 'AT+USOST=%d,"%s",%d,%d' % (h.mid, addr.get_ip_address(), addr._port, n)

    def _send_result(self, h, n):
        at = self.at
        line = at.resp(b"+USO", 30000)  # +USOWR: / +USOST: <s>,<n>
        if at.final(30000) or line is None:
            return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
        return params(line, 7)[1]  # 0: the buffer is full, try later

    def _read_cmd(self, h, n):
        # this read's header, which ATStack._read reads next: +USORF has the source's
        # quotes before the one that opens the data
        if h.proto:
            self._RD = b"+USORF:"
            self._RD_STOPS = 3
            return "AT+USORF=%d,%d" % (h.mid, n)
        self._RD = b"+USORD:"
        self._RD_STOPS = 1
        return "AT+USORD=%d,%d" % (h.mid, n)

    def _read_head(self, line, h):
        # +USORD: <s>,<n>,  or  +USORF: <s>,"<ip>",<port>,<n>,  (the quote that opens the data is gone)
        p = params(line, 7)
        if h.proto:
            return (p[3], -1, p[1], p[2]) if len(p) > 3 else (0, 0, None, 0)
        n = p[1] if len(p) > 1 else 0
        return n if isinstance(n, int) else 0, -1, None, 0  # an empty read: +USORD: <s>,""

    def _modem_lookup(self, host):
        line, err = self.at.cmd('AT+UDNSRN=0,"%s"' % host, b"+UDNSRN:", self.dns_timeout)
        p = params(line, 9) if line is not None else ()
        return p[0] if p and isinstance(p[0], str) and p[0] else _DNS_FAILURE
