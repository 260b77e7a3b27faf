"""CellularInterface: a modem on a UART, brought up with 3GPP AT commands.

connect(): power-on check (``AT`` until it answers), echo off, numeric errors,
SIM and PIN, registration (``+CEREG``/``+CGREG`` stat 1 or 5), packet attach,
then the modem driver activates the PDP context with the APN. Sockets go
through the driver's NetworkStack (the modem's own TCP/IP stack), or, in PPP
mode, through ``network.PPP`` and the native stack where the port has it.

A modem reboot (``RDY``) or a network PDP deactivation drops the link: status
goes to DISCONNECTED, open sockets fail with NO_CONNECTION, and the next use
of the interface or its stack brings it back to GLOBAL_UP by itself.
"""

from micropython import const
from time import ticks_ms, ticks_diff, ticks_add, sleep_ms
from ..interface import NetworkInterface
from .at import ATHandler, params

_OK = const(0)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_AUTH_FAILURE = const(-3011)
_DEVICE_ERROR = const(-3012)
_IS_CONNECTED = const(-3015)
_CONNECTION_TIMEOUT = const(-3017)
_GLOBAL_UP = const(1)
_DISCONNECTED = const(2)
_CONNECTING = const(3)

_LOST_PDP = const(1)
_LOST_MODEM = const(2)


class CellularInterface(NetworkInterface):
    """Mbed's CellularInterface over a modem on ``uart`` (default ``machine.UART(1, baud)``).

    ``modem`` names the driver module in netsocket.cellular (``"bg96"``,
    ``"sim7600"``); ``ppp=True`` dials and hands the UART to ``network.PPP``
    instead. ``power`` (optional) switches the modem on (a PWRKEY pulse): it
    is called when the modem does not answer ``AT``.
    """

    reg_timeout = 180000  # ms to wait for registration
    power_timeout = 10000  # ms of AT retries before the modem counts as absent

    @staticmethod
    def get_default_instance():
        """The board's cellular interface (from its board definition), or None if it has none."""
        d = NetworkInterface._default
        if isinstance(d, CellularInterface):
            return d
        from . import default_instance  # never calls back here: no recursion

        return default_instance()

    def __init__(self, uart=None, modem="bg96", baud=115200, ppp=False, power=None):
        if uart is None:
            try:
                from machine import UART

                uart = UART(1, baudrate=baud)
            except (ImportError, ValueError, OSError) as e:  # ENODEV, naming the UART the modem needs
                raise OSError(19, "CellularInterface: no modem UART(1) on this board: %s" % e)
        self._uart = uart
        self._power = power
        self.at = ATHandler(uart)
        self._apn = ""
        self._user = ""
        self._pw = ""
        self._pin = None
        self._plmn = None
        self._ppp = ppp
        self._pppif = None
        self._ip = None
        self._lost = 0
        self._busy = False
        self._reg = 0  # last registration stat seen in a URC
        self._retry = ticks_ms()  # no automatic reconnect before this time
        self._backoff = 500  # ms, doubled after each failed automatic reconnect
        self._stack = None
        mod = __import__("netsocket.cellular." + modem, None, None, ("x",))
        self._stack = mod.Stack(self)
        at = self.at
        at.set_urc(b"RDY", self._on_rdy)
        at.set_urc(b"+CEREG:", self._on_reg)
        at.set_urc(b"+CGREG:", self._on_reg)

    # -- settings (Mbed names) ----------------------------------------------------------

    def set_credentials(self, apn, user=None, password=None):
        if not isinstance(apn, str) or user is not None and not isinstance(user, str):
            return _PARAMETER
        self._apn = apn
        self._user = user or ""
        self._pw = password or ""
        return _OK

    def set_sim_pin(self, pin):
        if pin is not None and (not isinstance(pin, str) or not 4 <= len(pin) <= 8 or not pin.isdigit()):
            return _PARAMETER
        self._pin = pin
        return _OK

    def set_plmn(self, plmn):
        """Operator to register on (MCC+MNC text), None for automatic."""
        if plmn is not None and (not isinstance(plmn, str) or not plmn.isdigit()):
            return _PARAMETER
        self._plmn = plmn
        return _OK

    def cellularInterface(self):
        return self

    def get_stack(self):
        if self._ppp and self._pppif is not None:
            return NetworkInterface.get_stack(self)
        return self._stack

    def is_connected(self):
        return self.get_connection_status() == _GLOBAL_UP

    def get_connection_status(self):
        self.maintain()
        return self._status

    def _ifconfig(self):
        if self._pppif is not None:
            c = self._pppif.ifconfig()
            return c[0], c[1], c[2], None
        return (self._ip, None, None, None) if self._ip else None

    # -- URCs (short: flags only, no commands) ---------------------------------------------

    def _on_rdy(self, line):
        self._link_lost(_LOST_MODEM)

    def _on_reg(self, line):
        # URC form "+CEREG: <stat>[,...]" (the read form "+CEREG: <n>,<stat>" is consumed by its command)
        p = params(line, 7)
        if len(p) == 1 or len(p) > 1 and isinstance(p[1], str):
            self._reg = p[0] if isinstance(p[0], int) else 0

    def _link_lost(self, why):
        if why > self._lost:
            self._lost = why
        self._stack._dead()
        if self._status == _GLOBAL_UP:
            self._ip = None
            self._set_status(_DISCONNECTED)

    # -- bring-up ---------------------------------------------------------------------------

    def connect(self, sim_pin=None, apn=None, uname=None, pwd=None):
        """Bring the link up (blocking). -> OK, IS_CONNECTED, or the step's error."""
        if sim_pin is not None and self.set_sim_pin(sim_pin):
            return _PARAMETER
        if apn is not None and self.set_credentials(apn, uname, pwd):
            return _PARAMETER
        if self._status == _GLOBAL_UP and not self._lost:
            return _IS_CONNECTED
        if self._ppp:
            try:
                import network

                network.PPP
            except (ImportError, AttributeError):
                return _UNSUPPORTED
        self._set_status(_CONNECTING)
        with self.at:
            self._busy = True
            try:
                err = self._up()
            finally:
                self._busy = False
        self._set_status(_GLOBAL_UP if err == _OK else _DISCONNECTED)
        return err

    def _up(self):
        lost = self._lost
        self._lost = 0
        if lost != _LOST_PDP:
            err = self._device()
            if err:
                return err
        else:
            self._stack._close_all()
        err = self._network()
        if err:
            return err
        if self._ppp:
            return self._ppp_up()
        ip, err = self._stack._activate(self._apn, self._user, self._pw)
        if err:
            return err
        self._ip = ip
        return _OK

    def _device(self):
        # power-on check, echo off, numeric errors, SIM
        at = self.at
        at.flush()
        t0 = ticks_ms()
        power = self._power
        while at.sync(1, 300) != _OK:  # AT+CMEE? until it answers (echo and late lines skipped)
            if power is not None:  # silent: switch it on once, then wait for it to boot
                power()
                power = None
            if ticks_diff(ticks_ms(), t0) > self.power_timeout:
                return _DEVICE_ERROR
        if at.cmd("ATE0")[1] or at.sync() or at.cmd("AT+CMEE=1")[1]:
            return _DEVICE_ERROR
        err = self._stack._init()
        if err:
            return err
        return self._sim()

    def _sim(self):
        at = self.at
        t0 = ticks_ms()
        tried = False
        while True:
            line, err = at.cmd("AT+CPIN?", b"+CPIN:", 5000)
            if line is not None and b"READY" in line:
                return _OK
            if err and at.cme == 10 or line is not None and b"PUK" in line:
                return _AUTH_FAILURE if line else _DEVICE_ERROR
            if line is not None and b"SIM PIN" in line:
                if self._pin is None or tried:
                    return _AUTH_FAILURE
                tried = True
                if at.cmd('AT+CPIN="%s"' % self._pin, None, 5000)[1]:
                    return _AUTH_FAILURE
                continue
            if ticks_diff(ticks_ms(), t0) > 20000:
                return _DEVICE_ERROR
            sleep_ms(200)  # SIM busy (+CME ERROR: 14) or not ready yet

    def _network(self):
        # operator, registration, packet attach
        at = self.at
        if self._plmn:
            err = at.cmd('AT+COPS=1,2,"%s"' % self._plmn, None, 180000)[1]
        else:
            line, err = at.cmd("AT+COPS?", b"+COPS:", 3000)
            if not err and line is not None and params(line, 6)[0] != 0:
                err = at.cmd("AT+COPS=0", None, 180000)[1]
        if err:
            return _NO_CONNECTION
        at.cmd("AT+CEREG=2")
        at.cmd("AT+CGREG=2")
        t0 = ticks_ms()
        while True:
            stat = 0
            for c in ("AT+CEREG?", "AT+CGREG?"):
                line, err = at.cmd(c, c[2:8].encode() + b":")
                if line is not None:
                    p = params(line, 7)
                    if len(p) > 1 and p[1] in (1, 5, 3):
                        stat = p[1]
                        break
            if stat == 3:
                return _NO_CONNECTION  # registration denied
            if stat:
                break
            if ticks_diff(ticks_ms(), t0) > self.reg_timeout:
                return _CONNECTION_TIMEOUT
            at.process(200)  # a +CEREG URC or just time passing
        line, err = at.cmd("AT+CGATT?", b"+CGATT:")
        if line is not None and params(line, 7)[0] != 1:
            err = at.cmd("AT+CGATT=1", None, 140000)[1]
        return _NO_CONNECTION if err else _OK

    # -- PPP ----------------------------------------------------------------------------------

    def dial(self, cid=1):
        """Define the context with the APN and dial it: ``ATD*99***<cid>#`` -> CONNECT.
        The UART then carries PPP frames. -> nsapi code."""
        at = self.at
        if at.cmd('AT+CGDCONT=%d,"IP","%s"' % (cid, self._apn), None, 5000)[1]:
            return _DEVICE_ERROR
        at.cmd_start("ATD*99***%d#" % cid)
        line = at.resp(b"CONNECT", 30000)
        at.end()
        return _OK if line is not None else _NO_CONNECTION

    def hangup(self):
        """Leave data mode (``+++`` with guard times) and hang up (``ATH``). -> nsapi code."""
        at = self.at
        sleep_ms(1000)
        at.cmd_start("+++")
        err = at.final(3000)
        if err == _OK or at.timed_out:
            err = at.cmd("ATH", None, 90000)[1]
        return err

    def _ppp_up(self):
        err = self.dial()
        if err:
            return err
        import network

        ppp = network.PPP(self._uart)
        if hasattr(ppp, "active"):  # the older esp32 API
            ppp.active(True)
            ppp.connect(authmode=1 if self._user else 0, username=self._user, password=self._pw)
        else:
            ppp.connect(security=1 if self._user else 0, user=self._user or None, key=self._pw or None)
        t0 = ticks_ms()
        while not ppp.isconnected():
            if ticks_diff(ticks_ms(), t0) > 90000:
                ppp.disconnect()
                return _CONNECTION_TIMEOUT
            sleep_ms(100)
        self._pppif = ppp
        return _OK

    # -- tear-down and recovery -----------------------------------------------------------------

    def disconnect(self):
        if self._status == _DISCONNECTED and not self._lost:
            return _NO_CONNECTION
        with self.at:
            self._busy = True
            try:
                if self._pppif is not None:
                    self._pppif.disconnect()
                    self._pppif = None
                    self.hangup()
                else:
                    self._stack._deactivate()
            finally:
                self._busy = False
        self._lost = 0
        self._ip = None
        self._set_status(_DISCONNECTED)
        return _OK

    def maintain(self):
        """Handle pending URCs and, after a link loss, reconnect (Mbed's automatic recovery)."""
        if self._busy:
            return
        at = self.at
        if at.try_lock():
            try:
                while at.pending() and at.process(0):
                    pass
            finally:
                at.unlock()
        if self._lost and self._status != _CONNECTING and ticks_diff(ticks_ms(), self._retry) >= 0:
            lost = self._lost
            if self.connect() not in (_OK, _IS_CONNECTED):
                self._lost = _LOST_MODEM if lost == _LOST_MODEM else lost
                self._backoff = min(self._backoff * 2, 60000)
                self._retry = ticks_add(ticks_ms(), self._backoff)
            else:
                self._backoff = 500
