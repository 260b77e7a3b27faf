"""CellularInterface in PPP mode: dial, hand the UART to ``network.PPP``, hang up
(loaded on first use: a board on the modem's own sockets never needs it)."""

from micropython import const
from time import ticks_ms, ticks_diff, sleep_ms

_OK = const(0)
_NO_CONNECTION = const(-3004)
_DEVICE_ERROR = const(-3012)
_CONNECTION_TIMEOUT = const(-3017)


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
