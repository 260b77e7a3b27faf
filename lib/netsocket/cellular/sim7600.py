"""SIMCom SIM7600 (and SIM7500/SIM7800): what differs from any other modem socket stack.

10 links (0-9) in manual receive mode: ``AT+NETOPEN`` (result in the
``+NETOPEN`` URC), ``AT+CIPOPEN`` (``+CIPOPEN: <link>,<err>``),
``AT+CIPSEND`` (``>``, raw bytes, ``OK``, then ``+CIPSEND: <link>,<req>,<cnf>``),
``AT+CIPRXGET=2`` after the ``+CIPRXGET: 1,<link>`` URC (its reply tells how
much is left, so no empty read is needed), ``AT+CIPCLOSE``; ``+IPCLOSE`` when
the peer closes, ``+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY`` when the PDP
context drops. DNS with ``AT+CDNSGIP``. The rest is netsocket.cellular.atstack.

Not confirmed against SIMCom's manual (emulated the same way): the UDP source
after ``<rest_len>`` as ``,<ip>:<port>`` (SIM800's form), local port 0 =
any, and ``<cnf> = 0`` for a full send buffer.
"""

from micropython import const
from ..address import SocketAddress
from .at import params
from .atstack import ATStack

_OK = const(0)
_NO_CONNECTION = const(-3004)
_DNS_FAILURE = const(-3009)
_DEVICE_ERROR = const(-3012)


def _p0(line, start):
    p = params(line, start)
    return p[0] if p else -1


class Stack(ATStack):
    """The SIM7600 socket stack; made by CellularInterface(modem="sim7600")."""

    MAX = 10
    SEND_MAX = 1500
    RECV_MAX = 1500
    _RD = b"+CIPRXGET: 2,"
    _EMPTY_ERR = True  # a read of an empty buffer answers "+IP ERROR: No data", ERROR
    ICCID = ("AT+CICCID", b"+ICCID:")  # the SIM's ICCID: command, reply prefix
    _BIND_FAILED = 6
    open_timeout = 75000
    dns_timeout = 30000

    def __init__(self, iface):
        ATStack.__init__(self, iface)
        at = self.at
        at.set_urc(b"+CIPRXGET: 1,", lambda l: self._rx(params(l, 13)[0]))
        at.set_urc(b"+CIPOPEN:", self._on_open)
        at.set_urc(b"+IPCLOSE:", lambda l: self._hup(_p0(l, 9)))
        at.set_urc(b"+CIPEVENT:", lambda l: self._if._link_lost(1))

    def _on_open(self, line):
        p = params(line, 9)
        if len(p) > 1:
            self._opened_urc(p[0], p[1])

    # -- link set-up (CellularInterface, handler held) -----------------------------------------

    def _init(self):
        at = self.at
        at.cmd("AT+CIPMODE=0")  # command mode (not transparent)
        at.cmd("AT+CIPRXGET=1")  # manual receive: data waits in the modem until read
        return self._close_all()

    def _close_all(self):
        """Close the modem's links we do not own (stale after a host reset, dead after PDP loss)."""
        line, err = self.at.cmd("AT+CIPCLOSE?", b"+CIPCLOSE:")
        ids = [i for i, st in enumerate(params(line, 10)) if st == 1] if line is not None else ()
        if ids:
            self._close_dead(ids)
        return _OK

    def _activate(self, apn, user, pw):
        at = self.at
        if at.cmd('AT+CGDCONT=1,"IP","%s"' % apn)[1]:
            return None, _DEVICE_ERROR
        if user:
            at.cmd('AT+CGAUTH=1,3,"%s","%s"' % (pw, user))  # SIMCom's order: password, then user
        for _ in range(2):
            line, err = at.cmd("AT+NETOPEN?", b"+NETOPEN:")
            if line is not None and _p0(line, 9) == 1:
                break
            if at.cmd("AT+NETOPEN", None, 5000)[1] == _OK:
                line = at.wait(b"+NETOPEN:", 75000)
                if line is not None and _p0(line, 9) == 0:
                    break
            self._netclose()
        else:
            return None, _NO_CONNECTION
        line, err = at.cmd("AT+IPADDR", b"+IPADDR:")
        if line is None:
            return None, _NO_CONNECTION
        ip = params(line, 8)[0]
        self._ip = SocketAddress(ip)
        return ip, _OK

    def _netclose(self):
        if self.at.cmd("AT+NETCLOSE", None, 5000)[1] == _OK:
            self.at.wait(b"+NETCLOSE:", 60000)

    def _deactivate(self):
        self._close_open()
        self._netclose()
        self._ip = None

    # -- the socket commands ---------------------------------------------------------------------

    def _open_cmd(self, h, kind, ip, port):
        if kind == "UDP":
            return 'AT+CIPOPEN=%d,"UDP",,,%d' % (h.id, h.lport)
        if h.lport:
            return 'AT+CIPOPEN=%d,"TCP","%s",%d,%d' % (h.id, ip, port, h.lport)
        return 'AT+CIPOPEN=%d,"TCP","%s",%d' % (h.id, ip, port)

    def _close_id(self, i):
        at = self.at
        if at.cmd("AT+CIPCLOSE=%d" % i, None, 5000)[1] == _OK:
            at.wait(b"+CIPCLOSE:", 15000)

    def _send_head(self, h, n, addr):
        if addr is None:
            return "AT+CIPSEND=%d,%d" % (h.id, n)
        return 'AT+CIPSEND=%d,%d,"%s",%d' % (h.id, n, addr.get_ip_address(), addr._port)

    def _send_result(self, h, n):
        at = self.at
        if at.final(30000):
            return _DEVICE_ERROR if at.timed_out else _NO_CONNECTION
        line = at.wait(b"+CIPSEND:", 30000)
        if line is None:
            return _DEVICE_ERROR
        p = params(line, 9)  # <link>,<requested>,<confirmed>; -1: the link is gone
        cnf = p[2] if len(p) > 2 and isinstance(p[2], int) else -1
        return _NO_CONNECTION if cnf < 0 else cnf

    def _read_cmd(self, h, n):
        return "AT+CIPRXGET=2,%d,%d" % (h.id, n)

    def _read_head(self, line, h):
        # +CIPRXGET: 2,<link>,<read_len>,<rest_len>[,<ip>:<port>]
        p = params(line, 11)
        ip, port = None, 0
        if len(p) > 4:
            ip, _, port = p[4].rpartition(":")
            port = int(port) if port.isdigit() else 0
        return p[2], p[3], ip, port

    def _modem_lookup(self, host):
        line, err = self.at.cmd('AT+CDNSGIP="%s"' % host, b"+CDNSGIP:", self.dns_timeout)
        p = params(line, 9) if line is not None else ()
        return p[2] if len(p) > 2 and p[0] == 1 else _DNS_FAILURE  # +CDNSGIP: 1,"<host>","<ip>"
