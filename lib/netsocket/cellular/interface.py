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
from time import ticks_ms, ticks_diff, ticks_add
from ..interface import NetworkInterface
from .at import ATHandler, params

_OK = const(0)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_IS_CONNECTED = const(-3015)
_GLOBAL_UP = const(1)
_DISCONNECTED = const(2)
_CONNECTING = const(3)

_IN_PROGRESS = const(-3013)
_STEP = const(0)  # the connect's state list (connect)
_T0 = const(1)
_NEXT = const(2)
_PWR = const(3)
_TRIED = const(4)
_SEEN = const(5)
_WAS = const(6)
_RELOST = const(7)

_LOST_MODEM = const(2)
_AUTH_FAILURE = const(-3011)
_DEVICE_ERROR = const(-3012)
_CONNECTION_TIMEOUT = const(-3017)
_LOST_PDP = const(1)
_EV_REGISTRATION = const(0x1002)  # CellularRegistrationStatusChanged
_S_POWER = const(0)  # the steps (_step), in order
_S_SIM = const(1)
_S_OPERATOR = const(2)
_S_REGISTER = const(3)
_S_ATTACH = const(4)
_S_ACTIVATE = const(5)


# the companions and their names, in one string (see cellular._more): no names interned, no
# tuples, while they are not loaded
_PARTS = ("_ppp dial hangup _ppp_up|_connect_thread _background _ticker _tick|_cell_info get_manufacturer "
          "get_model get_revision get_imei get_imsi get_iccid get_signal_quality get_registration_params "
          "get_operator_params set_power_save_mode set_receive_period")


class CellularInterface(NetworkInterface):
    """Mbed's CellularInterface over a modem on ``uart`` (default ``machine.UART(1, baud)``).

    ``modem`` names the driver module in netsocket.cellular (``"bg96"``,
    ``"sim7600"``); ``ppp=True`` dials and hands the UART to ``network.PPP``
    instead. ``power`` (optional) switches the modem on (a PWRKEY pulse): it
    is called when the modem does not answer ``AT``.
    """

    reg_timeout = 180000  # ms to wait for registration
    debug = None  # print (or any callable(text)): say what connect() is doing and waiting for
    _c = None  # the connect running: its state (see connect)
    # settings and link state: class defaults, so an instance holds only what differs (less heap)
    _power = None
    _ppp = False
    _apn = _user = _pw = ""
    _pin = _plmn = None
    _pppif = None  # network.PPP in PPP mode
    _ip = None  # the PDP context's address (text)
    _lost = 0  # why the link went down (_LOST_PDP, _LOST_MODEM), 0 when it did not
    _busy = False  # connect or disconnect holds the AT handler
    _reg = 0  # last registration stat seen in a URC
    _backoff = 500  # ms, doubled after each failed automatic reconnect
    _stack = None
    _auto = False  # maintain() is reconnecting after a link loss
    _bg = False  # a background thread drives a non-blocking connect
    power_timeout = 10000  # ms of AT retries before the modem counts as absent

    def __getattr__(self, name):
        # PPP (and the CellularInformation/Network calls) are in companion modules, added to the
        # class on first use; the rest of NetworkInterface's rare methods as for every interface
        from . import _more

        f = _more(CellularInterface, self, name, _PARTS)
        return NetworkInterface.__getattr__(self, name) if f is None else f

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
        if power is not None:
            self._power = power
        if ppp:
            self._ppp = True
        self.at = ATHandler(uart)
        self._retry = ticks_ms()  # no automatic reconnect before this time
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
        # a modem reboot or a PDP loss while up: sockets die, DISCONNECTED, maintain() reconnects;
        # before or during a connect (a modem booting, its RDY) nothing was up, nothing is lost
        if self._status != _GLOBAL_UP and not self._lost:
            return
        if why > self._lost:
            self._lost = why
        if self._stack.sockets:
            self._stack._dead()
        if self._status == _GLOBAL_UP:
            self._ip = None
            self._set_status(_DISCONNECTED)

    # -- bring-up: steps, each one attempt -> OK (next step), _IN_PROGRESS (again later) or an error --

    def connect(self, sim_pin=None, apn=None, uname=None, pwd=None):
        """Bring the link up. Blocking (the default): -> OK, IS_CONNECTED or the failing step's error.

        After ``set_blocking(False)``: -> OK at once (IN_PROGRESS while a connect runs). The
        steps then go on in maintain() (any call on the interface or its sockets, and every
        100 ms from a background thread where the port has ``_thread``), and the status
        callback tells the progress, as Mbed's CellularContext does: CONNECTING, the cellular
        events (``CellularDeviceReady`` 0x1000 ... ``CellularActivatePDPContext`` 0x1007: value
        0 done, < 0 the nsapi error the step failed with, or for 0x1002 the new registration
        status), then GLOBAL_UP or DISCONNECTED. ``debug = print`` shows what it waits for.
        """
        if sim_pin is not None and self.set_sim_pin(sim_pin):
            return _PARAMETER
        if apn is not None and self.set_credentials(apn, uname, pwd):
            return _PARAMETER
        if self._c is None:
            if self._status == _GLOBAL_UP and not self._lost:
                return _IS_CONNECTED
            if self._ppp:
                try:
                    import network

                    network.PPP
                except (ImportError, AttributeError):
                    return _UNSUPPORTED
            # the connect's state: step, step began, next attempt due, power key (until pulsed
            # once), SIM PIN entered, last registration stat reported, what was lost before,
            # lost to restore
            lost = self._lost
            self._lost = 0
            self._reg = 0
            t = ticks_ms()
            self._c = [_S_OPERATOR if lost == _LOST_PDP else _S_POWER, t, t, self._power, False, -1, lost,
                       lost if self._auto else 0]
            self._set_status(_CONNECTING)
            _say(self, 0)  # connecting
        elif not self._blocking:
            return _IN_PROGRESS
        if not self._blocking:
            self._background()
            return _OK
        while True:
            err = _run(self)
            if err != _IN_PROGRESS:
                return err
            with self.at:
                self.at.process(200)  # a +CEREG URC, or just time passing

    # -- tear-down and recovery -----------------------------------------------------------------

    def disconnect(self):
        if self._c is not None:  # a non-blocking connect is running: stop it
            self._c = None
        elif self._status == _DISCONNECTED and not self._lost:
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
        c = self._c
        if c is not None:
            if ticks_diff(ticks_ms(), c[_NEXT]) >= 0:
                _run(self)
        elif self._lost and self._status != _CONNECTING and ticks_diff(ticks_ms(), self._retry) >= 0:
            self._auto = True
            try:
                self.connect()
            finally:
                self._auto = False


# -- the steps of connect() -----------------------------------------------------------------
# Each step is one attempt -> OK (on to the next), _IN_PROGRESS (again in 200 ms, or at the
# next URC) or the nsapi error the connect fails with. The status callback gets Mbed's cellular
# events (0x1000 + n: 0 device ready, 1 SIM, 2 registration, 6 attach, 7 PDP context) with 0
# when a step is done, the error when it failed, and for 2 each new registration status.


def _run(self):
    # the steps until one has to wait or all are done; -> _IN_PROGRESS, OK or the error
    if self._busy:
        return _IN_PROGRESS
    c = self._c
    with self.at:
        self._busy = True
        try:
            while True:
                step = c[_STEP]
                err = _step(self, c, step)
                if err == _IN_PROGRESS:
                    c[_NEXT] = ticks_add(ticks_ms(), 200)
                    return err
                if err or step != _S_OPERATOR and step != _S_REGISTER:  # those two report stat changes
                    # CellularDeviceReady 0x1000, SIMStatusChanged 0x1001, RegistrationStatusChanged
                    # 0x1002 (steps 2 and 3), AttachNetwork 0x1006, ActivatePDPContext 0x1007
                    self._cb and self._cb(0x1000 + (step + 2 if step > _S_REGISTER else min(step, 2)), err)
                if err or step == _S_ACTIVATE:
                    break
                c[_STEP] = step + 1
                c[_T0] = ticks_ms()
        finally:
            self._busy = False
    self._c = None
    if err:
        _say(self, 1, err, step)  # connect failed
        if c[_RELOST]:
            self._lost = c[_RELOST]
            self._backoff = min(self._backoff * 2, 60000)
            self._retry = ticks_add(ticks_ms(), self._backoff)
        self._set_status(_DISCONNECTED)
    else:
        self._backoff = 500
        _say(self, 2, self._ip)  # up
        self._set_status(_GLOBAL_UP)
    return err


def _say(self, n, *a):
    # debug line n (texts in _cell_debug, loaded only when debug is set: no strings here)
    d = self.debug
    if d:
        from ._cell_debug import say

        say(d, n, a)


def _step(self, c, step):
    # one attempt of a step (one function, no function object per step: less heap)
    at = self.at
    if step == _S_POWER:
        # the modem answers (AT+CMEE? until it does: echo and late lines skipped), echo off, numeric errors
        if at.sync(1, 300) != _OK:
            if c[_PWR] is not None:  # silent: switch it on once, then wait for it to boot
                c[_PWR]()
                c[_PWR] = None
            if ticks_diff(ticks_ms(), c[_T0]) > self.power_timeout:
                return _DEVICE_ERROR
            _say(self, 3)  # waiting for AT
            return _IN_PROGRESS
        if at.cmd("ATE0")[1] or at.sync() or at.cmd("AT+CMEE=1")[1]:
            return _DEVICE_ERROR
        return self._stack._init()
    if step == _S_SIM:
        line, err = at.cmd("AT+CPIN?", b"+CPIN:", 5000)
        if line is not None and b"READY" in line:
            return _OK
        if err and at.cme == 10 or line is not None and b"PUK" in line:
            return _AUTH_FAILURE if line else _DEVICE_ERROR
        if line is not None and b"SIM PIN" in line:
            if self._pin is None or c[_TRIED]:
                return _AUTH_FAILURE
            c[_TRIED] = True
            return _AUTH_FAILURE if at.cmd('AT+CPIN="%s"' % self._pin, None, 5000)[1] else _IN_PROGRESS
        if ticks_diff(ticks_ms(), c[_T0]) > 20000:
            return _DEVICE_ERROR
        _say(self, 4)  # waiting for the SIM
        return _IN_PROGRESS  # SIM busy (+CME ERROR: 14) or not ready yet
    if step == _S_OPERATOR:
        # automatic operator selection (or the PLMN set), registration URCs with location
        if c[_WAS] == _LOST_PDP:
            self._stack._close_all()  # the sockets the lost context had
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
        return _OK
    if step == _S_REGISTER:
        # one look at +CEREG/+CGREG: stat 1 (home) or 5 (roaming) registered, 3 denied
        stat = self._reg
        if stat not in (1, 5, 3):
            for cmd in ("AT+CEREG?", "AT+CGREG?"):
                line, err = at.cmd(cmd, cmd[2:8].encode() + b":")
                if line is not None:
                    p = params(line, 7)
                    if len(p) > 1 and isinstance(p[1], int):
                        stat = p[1]
                        if stat in (1, 5, 3):
                            break
        if stat != c[_SEEN]:
            c[_SEEN] = stat
            self._cb and self._cb(_EV_REGISTRATION, stat)
        if stat == 3:
            return _NO_CONNECTION  # registration denied
        if stat in (1, 5):
            return _OK
        t = ticks_diff(ticks_ms(), c[_T0])
        if t > self.reg_timeout:
            return _CONNECTION_TIMEOUT
        _say(self, 5, stat, t, self.reg_timeout)  # waiting for registration
        return _IN_PROGRESS
    if step == _S_ATTACH:
        line, err = at.cmd("AT+CGATT?", b"+CGATT:")
        if line is not None and params(line, 7)[0] != 1:
            err = at.cmd("AT+CGATT=1", None, 140000)[1]
        return _NO_CONNECTION if err else _OK
    if self._ppp:  # _S_ACTIVATE
        return self._ppp_up()
    ip, err = self._stack._activate(self._apn, self._user, self._pw)
    if not err:
        self._ip = ip
    return err
