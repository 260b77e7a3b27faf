"""WiFiInterface and WiFiAccessPoint over ``network.WLAN``, with Mbed's parameter checks."""

import time
from micropython import const
from .interface import NetworkInterface, port

_OK = const(0)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SSID = const(-3008)
_AUTH_FAILURE = const(-3011)
_IS_CONNECTED = const(-3015)
_CONNECTION_TIMEOUT = const(-3017)
_GLOBAL_UP = const(1)
_DISCONNECTED = const(2)
_CONNECTING = const(3)


class WiFiAccessPoint:
    """One scan result; ``WiFiAccessPoint()`` is an empty one (as Mbed's: security NONE,
    RSSI 0, channel 0; here also SSID "" and BSSID six zero bytes)."""

    def __init__(self, ssid="", bssid=bytes(6), security=0, rssi=0, channel=0):
        self._ap = (ssid, bssid, security, rssi, channel)

    def get_ssid(self):
        return self._ap[0]

    def get_bssid(self):
        return self._ap[1]

    def get_security(self):
        return self._ap[2]

    def get_rssi(self):
        return self._ap[3]

    def get_channel(self):
        return self._ap[4]

    def __repr__(self):
        return "<WiFiAccessPoint %r ch %d rssi %d>" % (self._ap[0], self._ap[4], self._ap[3])


# network.WLAN.scan() authmode -> nsapi_security_t (0 open, 1 WEP, 2 WPA, 3 WPA2, 4 WPA/WPA2, 5 WPA2-ENT, 6 WPA3, 7 WPA2/WPA3)
_SEC = (0, 1, 2, 3, 4, 9, 10, 11)


class WiFiInterface(NetworkInterface):
    """Wi-Fi station. ``wlan`` is a network.WLAN-like object; by default the
    port glue makes one at the first connect()."""

    _down = _NO_CONNECTION  # address getters while not connected, as Mbed's EMAC Wi-Fi interfaces

    def __init__(self, wlan=None):
        self._wlan = wlan
        self._cred = None  # (ssid, password, security)
        self._channel = 0

    def wifiInterface(self):
        return self

    def _nic(self):
        if self._wlan is None:
            self._wlan = port().wlan()
        return self._wlan

    def _ifconfig(self):
        return port().ifconfig(self._wlan) if self._wlan is not None else None

    def set_credentials(self, ssid, password, security=0):
        """PARAMETER for an empty or > 32 char SSID, or a missing, short or > 63 char WPA passphrase."""
        if not isinstance(ssid, str) or not 0 < len(ssid) <= 32:
            return _PARAMETER
        if not isinstance(security, int) or not (0 <= security <= 11 or security == 0xFF):
            return _PARAMETER
        if security:
            if not isinstance(password, str) or not password:
                return _PARAMETER
            if security != 1 and not 8 <= len(password) <= 63:
                return _PARAMETER
        elif password is not None and not isinstance(password, str):
            return _PARAMETER
        self._cred = (ssid, password, security)
        return _OK

    def set_channel(self, channel):
        """0 = any channel; 1..14."""
        if not isinstance(channel, int) or not 0 <= channel <= 14:
            return _PARAMETER
        self._channel = channel
        return _OK

    def get_rssi(self):
        """Signal strength in dBm, 0 when not connected."""
        if self._status != _GLOBAL_UP:
            return 0
        try:
            return self._wlan.status("rssi")
        except Exception:
            return 0

    def connect(self, ssid=None, password=None, security=0, channel=0):
        """connect() with the stored credentials, or connect(ssid, password, security, channel)."""
        if ssid is not None or password is not None:
            err = self.set_credentials(ssid, password, security) or self.set_channel(channel)
            if err:
                return err
        if self._cred is None:
            return _PARAMETER
        if self._status == _GLOBAL_UP:
            return _IS_CONNECTED
        try:
            w = self._nic()
        except Exception:
            return _UNSUPPORTED
        self._set_status(_CONNECTING)
        ssid, password, _ = self._cred
        try:
            w.active(True)
            w.connect(ssid, password or "")
        except Exception:
            self._set_status(_DISCONNECTED)
            return _NO_CONNECTION
        if not self._blocking:
            return _OK
        t0 = time.ticks_ms()
        while time.ticks_diff(time.ticks_ms(), t0) < 30000:
            if w.isconnected():
                self._set_status(_GLOBAL_UP)
                return _OK
            err = self._failure(w)
            if err:
                break
            time.sleep_ms(100)
        else:
            err = _CONNECTION_TIMEOUT
        w.disconnect()
        self._set_status(_DISCONNECTED)
        return err

    def _failure(self, w):
        # network.WLAN.status() -> nsapi error, 0 while still connecting
        import network

        s = w.status()
        if s == getattr(network, "STAT_WRONG_PASSWORD", None):
            return _AUTH_FAILURE
        if s == getattr(network, "STAT_NO_AP_FOUND", None):
            return _NO_SSID
        if s == getattr(network, "STAT_CONNECT_FAIL", None):
            return _NO_CONNECTION
        return 0

    def get_connection_status(self):
        if self._status == _CONNECTING and self._wlan is not None and self._wlan.isconnected():
            self._set_status(_GLOBAL_UP)
        return self._status

    def disconnect(self):
        if self._status == _DISCONNECTED:
            return _NO_CONNECTION
        try:
            self._wlan.disconnect()
        except Exception:
            pass
        self._set_status(_DISCONNECTED)
        return _OK

    def scan(self, res=None, count=0):
        """Number of networks seen; with a list ``res`` and ``count`` > 0, also
        appends up to ``count`` WiFiAccessPoints to it and returns how many."""
        if count < 0 or count and not isinstance(res, list):
            return _PARAMETER
        try:
            w = self._nic()
            w.active(True)
            aps = w.scan()
        except Exception:
            return _UNSUPPORTED
        if not count:
            return len(aps)
        aps = aps[:count]
        for ssid, bssid, ch, rssi, auth, *_ in aps:
            try:
                ssid = ssid.decode()
            except Exception:
                pass
            sec = _SEC[auth] if 0 <= auth < len(_SEC) else 0xFF
            res.append(WiFiAccessPoint(ssid, bytes(bssid), sec, rssi, ch))
        return len(aps)
