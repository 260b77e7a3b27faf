"""SIMCom's classic TCP/IP command set: SIM800/SIM800L/SIM900 (2G), SIM7000 (LTE-M/NB-IoT).

6 links (0-5) with ``AT+CIPMUX=1`` and manual receive (``AT+CIPRXGET=1``).
Bring-up: ``AT+CIPSHUT`` (``SHUT OK``: IP INITIAL), ``AT+CSTT`` (APN),
``AT+CIICR`` (bearer up), ``AT+CIFSR`` (the address alone, no ``OK``).
``AT+CIPSTART=<n>,"TCP"|"UDP",<ip>,<port>`` -> ``OK``, then ``<n>, CONNECT OK``
/ ``CONNECT FAIL`` / ``ALREADY CONNECT``; ``AT+CIPSEND=<n>,<len>`` -> ``>``, raw
bytes, ``<n>, SEND OK`` / ``SEND FAIL``; ``+CIPRXGET: 1,<n>`` when data waits,
``AT+CIPRXGET=2,<n>,<len>`` -> ``+CIPRXGET: 2,<n>,<len>,<rest>`` and the bytes;
``AT+CIPCLOSE=<n>`` -> ``<n>, CLOSE OK``; ``<n>, CLOSED`` when the peer closes,
``+PDP: DEACT`` when the bearer drops (then ``AT+CIPSHUT`` before a new
``AT+CSTT``); DNS with ``AT+CDNSGIP`` (``OK``, then the ``+CDNSGIP:`` URC);
a local port with ``AT+CLPORT`` before ``AT+CIPSTART``. The rest is
netsocket.cellular.atstack.

UDP links are connected (``CIPSTART "UDP"`` has one peer): a ``sendto`` to
another peer closes the link and opens it again (what was waiting from the old
peer is dropped), and a UDP socket receives nothing before its first
``sendto``. Read from SIMCom's SIM800 AT command manual (V1.09, chapter 8) and
TinyGSM's logs; the emulator (tools/netsocket_harness/modem/sim800.py) does the
same. Not confirmed: the empty read answering ``+CIPRXGET: 2,<n>,0,0`` (not
ERROR), a SEND FAIL meaning a full buffer (retried), SIM7000 printing the same
``<n>, `` prefixes, and ``AT+CCID`` printing the ICCID without a prefix.
"""

from micropython import const
from ..address import SocketAddress
from .at import params
from .atstack import ATStack

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_NO_CONNECTION = const(-3004)
_DNS_FAILURE = const(-3009)
_DEVICE_ERROR = const(-3012)
_NEW = const(0)  # socket states, as in atstack.py
_OPEN = const(2)


class Stack(ATStack):
    """The SIM800/SIM7000 socket stack; made by CellularInterface(modem="sim800")."""

    MAX = 6
    SEND_MAX = 1460
    RECV_MAX = 1460
    _RD = b"+CIPRXGET: 2,"
    ICCID = ("AT+CCID", None)  # the ICCID on a line of its own
    open_timeout = 75000  # the manual's longest CIPSTART response in multi-link mode
    dns_timeout = 30000

    def __init__(self, iface):
        ATStack.__init__(self, iface)
        at = self.at
        self._pre = tuple(("%d," % i).encode() for i in range(self.MAX))  # "<n>, SEND OK" etc. start so
        at.set_urc(self._pre, self._on_link)  # a tuple of prefixes: any of them
        at.set_urc(b"+CIPRXGET: 1,", lambda l: self._rx(params(l, 13)[0]))
        at.set_urc(b"+PDP: DEACT", lambda l: self._if._link_lost(1))

    def _on_link(self, line):
        # "<n>, <what>"
        c = line.find(b",")
        i, what = int(line[:c]), line[c + 1:].strip()
        if what == b"CONNECT OK":
            self._opened_urc(i, 0)
        elif what == b"CONNECT FAIL" or what == b"ALREADY CONNECT":
            self._opened_urc(i, 1)
        elif what == b"CLOSED":
            self._hup(i)

    def _result(self, i, word, timeout):
        # the "<i>, <word> ..." line that ends a CIPSEND or CIPCLOSE; None at ERROR or timeout
        at = self.at
        while True:
            line = at.resp(self._pre[i], timeout)
            if line is None or word in line:
                at.end()
                return line
            self._on_link(line)  # a URC for the same link (CLOSED) in between

    # -- link set-up (CellularInterface, handler held) -----------------------------------------

    def _init(self):
        return self._close_all()

    def _close_all(self):
        """``AT+CIPSHUT``: every link closed and the bearer down (stale links after a host reset,
        dead ones after a PDP loss), then multi-link mode and manual receive."""
        at = self.at
        at.cmd_start("AT+CIPSHUT")
        at.resp(b"SHUT OK", 65000)
        at.end()
        at.cmd("AT+CIPMUX=1")
        at.cmd("AT+CIPRXGET=1")
        return _OK

    def _activate(self, apn, user, pw):
        at = self.at
        cstt = 'AT+CSTT="%s","%s","%s"' % (apn, user, pw)
        if at.cmd(cstt)[1] and (self._close_all() or at.cmd(cstt)[1]):  # not IP INITIAL: shut first
            return None, _DEVICE_ERROR
        if at.cmd("AT+CIICR", None, 85000)[1]:
            return None, _NO_CONNECTION
        at.cmd_start("AT+CIFSR")
        line = at.text(5000)  # the address alone, no OK after it
        at.end()
        try:  # a garbled line is not an address
            ip = line.decode() if line is not None else ""
        except UnicodeError:
            ip = ""
        a = SocketAddress(ip)
        if not a:
            return None, _NO_CONNECTION
        self._ip = a
        return ip, _OK

    def _deactivate(self):
        self._close_open()
        self._close_all()
        self._ip = None

    # -- the socket commands ---------------------------------------------------------------------

    def _open_cmd(self, h, kind, ip, port):
        if kind == "UDP":
            ip, port = h.peer
        if h.lport:  # the local port of the next CIPSTART on this link
            self.at.cmd('AT+CLPORT=%d,"%s",%d' % (h.id, kind, h.lport))
        return 'AT+CIPSTART=%d,"%s","%s",%d' % (h.id, kind, ip, port)

    def _close_id(self, i):
        self.at.cmd_start("AT+CIPCLOSE=%d" % i)
        self._result(i, b"CLOSE OK", 20000)

    def _send_head(self, h, n, addr):
        return "AT+CIPSEND=%d,%d" % (h.id, n)

    def _send_result(self, h, n):
        at = self.at
        line = self._result(h.id, b"SEND ", 30000)
        if line is None:
            return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
        return n if line.endswith(b"SEND OK") else 0  # SEND FAIL: try again later

    def _read_cmd(self, h, n):
        return "AT+CIPRXGET=2,%d,%d" % (h.id, n)

    def _read_head(self, line, h):
        # +CIPRXGET: 2,<n>,<len>,<rest>; a UDP link's source is its one peer
        p = params(line, 11)
        peer = h.peer if h.proto == 1 else None
        return p[2], p[3], peer[0] if peer else None, peer[1] if peer else 0

    def _modem_lookup(self, host):
        at = self.at
        if at.cmd('AT+CDNSGIP="%s"' % host, None, 5000)[1]:
            return _DNS_FAILURE
        line = at.wait(b"+CDNSGIP:", self.dns_timeout)  # 1,"<host>","<ip>"[,"<ip2>"] or 0,<err>
        p = params(line, 9) if line is not None else ()
        return p[2] if len(p) > 2 and p[0] == 1 else _DNS_FAILURE

    # -- connected UDP -------------------------------------------------------------------------

    def socket_sendto(self, h, addr, data, size):
        from ._atstack_udp import socket_sendto  # (not "from . import": the package's __getattr__ answers)

        if self._valid(h) and h.proto == 1 and addr.get_ip_version() == 1:
            peer = (addr.get_ip_address(), addr._port)
            if h.peer != peer:
                if h.state == _OPEN:  # another peer: the link goes to it instead
                    with self.at:
                        self._close_id(h.id)
                    h.state = _NEW
                    h.rx = False
                h.peer = peer
        return socket_sendto(self, h, addr, data, size)

    def socket_recvfrom(self, h, addr, buf, size):
        from ._atstack_udp import socket_recvfrom

        if self._valid(h) and h.proto == 1 and h.state == _NEW:
            return _WOULD_BLOCK  # no peer yet: nothing can arrive
        return socket_recvfrom(self, h, addr, buf, size)
