"""The steps of CellularInterface.connect() (loaded by the first connect).

Each step is one attempt -> OK (on to the next), _IN_PROGRESS (try again in 200 ms, or
at the next URC) or the nsapi error the connect fails with: the modem answers, SIM,
operator, registration, packet attach, PDP context (or PPP). A blocking connect()
runs them in a loop; a non-blocking one from maintain(). The status callback gets
Mbed's cellular events (0x1000 + n: 0 device ready, 1 SIM, 2 registration, 6 attach,
7 PDP context) with 0 when a step is done, the error when it failed, and for 2 the
registration status each time it changes; ``debug`` shows what a step waits for.
"""

from micropython import const
from time import ticks_ms, ticks_diff, ticks_add
from .at import params

_OK = const(0)
_NO_CONNECTION = const(-3004)
_AUTH_FAILURE = const(-3011)
_DEVICE_ERROR = const(-3012)
_IN_PROGRESS = const(-3013)
_CONNECTION_TIMEOUT = const(-3017)
_GLOBAL_UP = const(1)
_DISCONNECTED = const(2)
_CONNECTING = const(3)
_LOST_PDP = const(1)
_EV_REGISTRATION = const(0x1002)  # CellularRegistrationStatusChanged
_S_POWER = const(0)  # index in _STEPS
_S_OPERATOR = const(2)
_S_REGISTER = const(3)
_S_ACTIVATE = const(5)


class _Connect:
    """One connect in progress: its step and what the steps remember."""

    def __init__(self, net, lost):
        self.step = _S_OPERATOR if lost == _LOST_PDP else _S_POWER
        self.t0 = self.next = ticks_ms()  # the step began; the next attempt is due
        self.pwr = net._power  # the power key, until pulsed once
        self.tried = False  # the SIM PIN was entered
        self.seen = -1  # the last registration stat reported
        self.was = lost  # what the link lost before (PDP: the device steps are skipped)
        self.relost = lost if net._auto else 0  # an automatic reconnect that fails is retried later


def _begin(self):
    lost = self._lost
    self._lost = 0
    self._reg = 0
    self._c = _Connect(self, lost)
    self._set_status(_CONNECTING)
    _say(self, "connecting")


def _run(self):
    # the steps until one has to wait or all are done; -> _IN_PROGRESS, OK or the error
    if self._busy:
        return _IN_PROGRESS
    c = self._c
    with self.at:
        self._busy = True
        try:
            while True:
                step = c.step
                err = _STEPS[step](self, c)
                if err == _IN_PROGRESS:
                    c.next = ticks_add(ticks_ms(), 200)
                    return err
                if err or step != _S_OPERATOR and step != _S_REGISTER:  # those two report stat changes
                    _event(self, _EVENTS[step], err)
                if err or step == _S_ACTIVATE:
                    break
                c.step = step + 1
                c.t0 = ticks_ms()
        finally:
            self._busy = False
    self._c = None
    if err:
        _say(self, "connect failed: %d in step %d", err, step)
        if c.relost:
            self._lost = c.relost
            self._backoff = min(self._backoff * 2, 60000)
            self._retry = ticks_add(ticks_ms(), self._backoff)
        self._set_status(_DISCONNECTED)
    else:
        self._backoff = 500
        _say(self, "up: %s", self._ip)
        self._set_status(_GLOBAL_UP)
    return err


def _event(self, ev, value):
    cb = self._cb
    if cb is not None:
        cb(ev, value)


def _say(self, fmt, *args):
    d = self.debug
    if d:
        (print if d is True else d)("[cellular] " + (fmt % args if args else fmt))


def _waited(c):
    return ticks_diff(ticks_ms(), c.t0)


def _st_power(self, c):
    # the modem answers (AT+CMEE? until it does: echo and late lines skipped), echo off, numeric errors
    at = self.at
    if at.sync(1, 300) != _OK:
        if c.pwr is not None:  # silent: switch it on once, then wait for it to boot
            _say(self, "no answer to AT: pulsing the power key")
            c.pwr()
            c.pwr = None
        if _waited(c) > self.power_timeout:
            return _DEVICE_ERROR
        _say(self, "waiting for the modem to answer AT (%d ms)", _waited(c))
        return _IN_PROGRESS
    if at.cmd("ATE0")[1] or at.sync() or at.cmd("AT+CMEE=1")[1]:
        return _DEVICE_ERROR
    return self._stack._init()


def _st_sim(self, c):
    at = self.at
    line, err = at.cmd("AT+CPIN?", b"+CPIN:", 5000)
    if line is not None and b"READY" in line:
        return _OK
    if err and at.cme == 10 or line is not None and b"PUK" in line:
        return _AUTH_FAILURE if line else _DEVICE_ERROR
    if line is not None and b"SIM PIN" in line:
        if self._pin is None or c.tried:
            return _AUTH_FAILURE
        c.tried = True
        return _AUTH_FAILURE if at.cmd('AT+CPIN="%s"' % self._pin, None, 5000)[1] else _IN_PROGRESS
    if _waited(c) > 20000:
        return _DEVICE_ERROR
    _say(self, "waiting for the SIM (%s)", line or at.cme)
    return _IN_PROGRESS  # SIM busy (+CME ERROR: 14) or not ready yet


def _st_operator(self, c):
    # automatic operator selection (or the PLMN set), registration URCs with location
    at = self.at
    if c.was == _LOST_PDP:
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


def _st_register(self, c):
    # one look at +CEREG/+CGREG: stat 1 (home) or 5 (roaming) registered, 3 denied
    stat = self._reg
    if stat not in (1, 5, 3):
        for cmd in ("AT+CEREG?", "AT+CGREG?"):
            line, err = self.at.cmd(cmd, cmd[2:8].encode() + b":")
            if line is not None:
                p = params(line, 7)
                if len(p) > 1 and isinstance(p[1], int):
                    stat = p[1]
                    if stat in (1, 5, 3):
                        break
    if stat != c.seen:
        c.seen = stat
        _event(self, _EV_REGISTRATION, stat)
    if stat == 3:
        return _NO_CONNECTION  # registration denied
    if stat in (1, 5):
        return _OK
    if _waited(c) > self.reg_timeout:
        return _CONNECTION_TIMEOUT
    _say(self, "waiting for registration: stat %d, %d of %d ms", stat, _waited(c), self.reg_timeout)
    return _IN_PROGRESS


def _st_attach(self, c):
    line, err = self.at.cmd("AT+CGATT?", b"+CGATT:")
    if line is not None and params(line, 7)[0] != 1:
        _say(self, "attaching to packet service")
        err = self.at.cmd("AT+CGATT=1", None, 140000)[1]
    return _NO_CONNECTION if err else _OK


def _st_activate(self, c):
    if self._ppp:
        return self._ppp_up()
    _say(self, "activating the PDP context (APN %r)", self._apn)
    ip, err = self._stack._activate(self._apn, self._user, self._pw)
    if not err:
        self._ip = ip
    return err


_STEPS = (_st_power, _st_sim, _st_operator, _st_register, _st_attach, _st_activate)
# CellularDeviceReady, SIMStatusChanged, RegistrationStatusChanged (twice), AttachNetwork, ActivatePDPContext
_EVENTS = (0x1000, 0x1001, 0x1002, 0x1002, 0x1006, 0x1007)
