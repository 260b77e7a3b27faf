"""Mbed's CellularInformation and CellularNetwork calls on CellularInterface (loaded on first use).

Each call runs one 3GPP TS 27.007 command and returns ``(value, nsapi code)``:
identity (``AT+CGMI``/``CGMM``/``CGMR``/``CGSN``/``CIMI``, the driver's ICCID
command), signal (``AT+CSQ``, else ``AT+CESQ``), registration (``+CEREG``/
``+CGREG``/``+CREG`` read forms), operator (``AT+COPS?``), power saving
(``AT+CPSMS`` with the 24.008 timer encodings, ``AT+CEDRXS``).
"""

from micropython import const
from .at import params

_OK = const(0)
_PARAMETER = const(-3003)
_DEVICE_ERROR = const(-3012)

# Mbed's RegistrationType: C_EREG, C_GREG, C_REG
_REG = ("AT+CEREG?", "AT+CGREG?", "AT+CREG?")


def _text(self, cmd, prefix=None):
    # the command's one line of information (after prefix, quotes off); -> (str or None, err)
    with self.at:
        if prefix is None:  # the first line that is neither a URC nor the final result
            self.at.cmd_start(cmd)
            line = self.at.text()
            err = self.at.final()
        else:
            line, err = self.at.cmd(cmd, prefix)
    if err or line is None:
        return None, err or _DEVICE_ERROR
    if prefix is not None:
        line = line[len(prefix):]
    return line.decode().strip().strip('"'), _OK


def get_manufacturer(self):
    return _text(self, "AT+CGMI")


def get_model(self):
    return _text(self, "AT+CGMM")


def get_revision(self):
    return _text(self, "AT+CGMR")


def get_imei(self):
    """The IMEI (Mbed's get_serial_number(SN_TYPE_IMEI)), ``AT+CGSN``."""
    return _text(self, "AT+CGSN")


def get_imsi(self):
    return _text(self, "AT+CIMI")


def get_iccid(self):
    """The SIM's ICCID with the driver's command (3GPP has none: ``AT+CCID`` on many modems)."""
    cmd, prefix = self._stack.ICCID
    return _text(self, cmd, prefix)


def get_signal_quality(self):
    """-> (rssi dBm, ber 0-7, err); None where the modem does not know. ``AT+CSQ`` (rssi
    -113 + 2 v); when it says 99, ``AT+CESQ``: GSM rxlev (-111 + v) or LTE RSRP (-141 + v)."""
    with self.at:
        line, err = self.at.cmd("AT+CSQ", b"+CSQ:")
        if err or line is None:
            return None, None, err or _DEVICE_ERROR
        p = params(line, 5)
        rssi = -113 + 2 * p[0] if 0 <= p[0] <= 31 else None
        ber = p[1] if len(p) > 1 and 0 <= p[1] <= 7 else None
        if rssi is None:
            line, err = self.at.cmd("AT+CESQ", b"+CESQ:")
            p = params(line, 6) if line is not None else ()
            if len(p) > 5:
                if 0 <= p[0] <= 63:
                    rssi = -111 + p[0]
                elif 0 <= p[5] <= 97:
                    rssi = -141 + p[5]
                if ber is None and 0 <= p[1] <= 7:
                    ber = p[1]
    return rssi, ber, _OK


def get_registration_params(self, type=0):
    """-> ((type, status, act, cell_id, lac), err) from the read form of +CEREG (type 0), +CGREG (1)
    or +CREG (2); act, cell_id and lac are None when the modem does not give them."""
    if type not in (0, 1, 2):
        return None, _PARAMETER
    cmd = _REG[type]
    with self.at:
        line, err = self.at.cmd(cmd, cmd[2:-1].encode() + b":")
    if err or line is None:
        return None, err or _DEVICE_ERROR
    p = params(line, len(cmd) - 1)  # <n>,<stat>[,"<lac/tac>","<ci>"[,<AcT>]]
    if len(p) < 2:
        return None, _DEVICE_ERROR
    lac = int(p[2], 16) if len(p) > 3 and p[2] else None
    ci = int(p[3], 16) if len(p) > 3 and p[3] else None
    act = p[4] if len(p) > 4 and isinstance(p[4], int) else None
    return (type, p[1], act, ci, lac), _OK


def get_operator_params(self):
    """-> ((format, name, act), err) from ``AT+COPS?`` (long alphanumeric format asked first);
    (mode, None, None) when not registered."""
    with self.at:
        self.at.cmd("AT+COPS=3,0")
        line, err = self.at.cmd("AT+COPS?", b"+COPS:", 3000)
    if err or line is None:
        return None, err or _DEVICE_ERROR
    p = params(line, 6)
    if len(p) < 3:
        return (p[0], None, None), _OK
    return (p[1], p[2], p[3] if len(p) > 3 else None), _OK


def _timer(secs, units):
    # the 24.008 GPRS timer octet as 8 bits of text: the smallest unit in which secs fits in 5 bits
    for code, unit in units:
        if secs <= unit * 31:
            break
    v = secs // unit
    return "{:03b}{:05b}".format(code, v if v < 31 else 31)


# GPRS Timer 3 (T3412 extended: the periodic TAU) and GPRS Timer 2 (T3324: the active time): (bits, s)
_T3412 = ((3, 2), (4, 30), (5, 60), (0, 600), (1, 3600), (2, 36000), (6, 1152000))
_T3324 = ((0, 2), (1, 60), (2, 360))


def set_power_save_mode(self, periodic_time, active_time=0):
    """PSM (Mbed's set_power_save_mode): ``periodic_time`` s (the periodic TAU; 0 turns PSM off)
    and ``active_time`` s, encoded for ``AT+CPSMS=1,,,"<T3412>","<T3324>"`` in the smallest unit
    that holds them (rounded down, as Mbed does). -> nsapi code."""
    if not isinstance(periodic_time, int) or not isinstance(active_time, int) or periodic_time < 0 or active_time < 0:
        return _PARAMETER
    if periodic_time == 0:
        cmd = "AT+CPSMS=0"
    else:
        cmd = 'AT+CPSMS=1,,,"%s","%s"' % (_timer(periodic_time, _T3412), _timer(active_time, _T3324))
    with self.at:
        return self.at.cmd(cmd)[1]


def set_receive_period(self, mode, act_type, edrx_value):
    """eDRX (Mbed's set_receive_period): ``AT+CEDRXS=<mode>,<act_type>,"<4 bits>"``; mode 0 off,
    1 on, 2 on with +CEDRXP reports; act_type as Mbed's EDRXAccessTechnology (4 LTE-M, 5 NB-IoT).
    -> nsapi code."""
    if mode not in (0, 1, 2, 3) or not 1 <= act_type <= 5 or not 0 <= edrx_value <= 15:
        return _PARAMETER
    with self.at:
        return self.at.cmd('AT+CEDRXS=%d,%d,"%s"' % (mode, act_type, "{:04b}".format(edrx_value)))[1]
