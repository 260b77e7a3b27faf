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
from time import ticks_ms, ticks_diff
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

_LOST_MODEM = const(2)


_PARTS = (
    ("_ppp", ("dial", "hangup", "_ppp_up")),
    ("_connect_steps", ("_begin", "_run")),
    ("_connect_thread", ("_background", "_ticker", "_tick")),
    ("_cell_info", ("get_manufacturer", "get_model", "get_revision", "get_imei", "get_imsi", "get_iccid",
                    "get_signal_quality", "get_registration_params", "get_operator_params", "set_power_save_mode",
                    "set_receive_period")),
)


class CellularInterface(NetworkInterface):
    """Mbed's CellularInterface over a modem on ``uart`` (default ``machine.UART(1, baud)``).

    ``modem`` names the driver module in netsocket.cellular (``"bg96"``,
    ``"sim7600"``); ``ppp=True`` dials and hands the UART to ``network.PPP``
    instead. ``power`` (optional) switches the modem on (a PWRKEY pulse): it
    is called when the modem does not answer ``AT``.
    """

    reg_timeout = 180000  # ms to wait for registration
    debug = None  # print (or any callable(text)): say what connect() is doing and waiting for
    _c = None  # the connect running (_connect_steps._Connect)
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
            from machine import UART

            uart = UART(1, baudrate=baud)
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
            self._begin()
        elif not self._blocking:
            return _IN_PROGRESS
        if not self._blocking:
            self._background()
            return _OK
        while True:
            err = self._run()
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
            if ticks_diff(ticks_ms(), c.next) >= 0:
                self._run()
        elif self._lost and self._status != _CONNECTING and ticks_diff(ticks_ms(), self._retry) >= 0:
            self._auto = True
            try:
                self.connect()
            finally:
                self._auto = False

