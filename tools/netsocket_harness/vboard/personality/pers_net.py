# Virtual-board personality (emulation), board side: the `network` module of the esp32,
# stm32 and rp2 ports (MicroPython v1.28.0), with emulated access points and links.
# State machines advance when they are looked at (status/isconnected), by elapsed time.
#
# Reproduced (file:line):
# - esp32 LAN: phy_addr and phy_type are required keywords (ports/esp32/network_lan.c:125-126);
#   PHY_* on the module (ports/esp32/modnetwork_globals.h:43-49, enum modnetwork.h:48);
# - esp32 WLAN: connect(ssid, key, *, bssid) (network_wlan.c:318-324); status() reports the last
#   disconnect reason before "connecting", also while the port reconnects by itself and after
#   a new connect() (network_wlan.c:115, 156-167, 349, 367-400; the reason is cleared only on
#   GOT_IP, 189); STAT_IDLE 1000 / CONNECTING 1001 / GOT_IP 1010 (modnetwork.h:64-66),
#   reasons NO_AP_FOUND 201, AUTH_FAIL 202, ASSOC_LEAVE 8 (ESP-IDF wifi reason codes);
#   scan 6-tuples with the authmode enum (network_wlan.c:463-471);
# - stm32 LAN: LAN(*, phy_addr=0, phy_type=PHY_LAN8742) with PHY_* on the class
#   (ports/stm32/network_lan.c:62-66, 181-184); active(True) is eth_start(): it tears down
#   lwIP's netif and DHCP and initialises MAC and PHY again (eth.c:1166-1178), so the link
#   has no address until DHCP completes anew; status() is eth_link_status 0..3 (eth.c:1148-1164);
# - rp2 (cyw43) WLAN: connect(ssid, key, *, security, bssid, channel), security defaulting to
#   WPA2-mixed with a key (extmod/network_cyw43.c:255-303); SEC_* on the class (587-590);
#   status() is the link status, STAT_* = CYW43_LINK_* (extmod/modnetwork.c:186-192);
#   scan 6-tuples with the auth field a bitmask (1 privacy, 2 WPA, 4 RSN) (network_cyw43.c:178-186);
#   no network.LAN on a Pico W.
#
# Not reproduced: real radio timing and RSSI changes, AP mode, PHY autonegotiation time,
# a cable that is unplugged, the rest of config() (only 'mac', 'ssid', 'channel').
import time

_IP = ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")  # the host's loopback, where the peers are
_KEY = "nsvb-pass-1234"
# emulated access points: ssid, key, kind (0 open, 3 WPA2, 6 WPA3-only), channel, rssi
APS = (("nsvb-open", None, 0, 1, -40), ("nsvb-wpa2", _KEY, 3, 6, -50), ("nsvb-wpa3", _KEY, 6, 11, -60),
       ("nsvb-flaky", _KEY, 3, 13, -85))
_FLAKY = "nsvb-flaky"  # its beacon is missed on the first attempt after a connect(): NO_AP_FOUND once
_ASSOC_MS = 60  # association + DHCP


def _now():
    return time.ticks_ms()


def _since(t):
    return time.ticks_diff(_now(), t)


def _ap(ssid):
    for ap in APS:
        if ap[0] == ssid:
            return ap
    return None


class _Nic:
    _mac = b"\x02\x00\x00\x00\x00\x01"

    def __init__(self):
        self._active = False

    def config(self, *a, **kw):
        if kw:
            return None
        if a == ("mac",):
            return self._mac
        raise ValueError("unknown config param")

    def ifconfig(self, cfg=None):
        return _IP


# -- esp32 -------------------------------------------------------------------------------------


class Esp32LAN(_Nic):
    _mac = b"\x24\x0a\xc4\x00\x00\x01"

    def __init__(self, id=None, *, phy_addr, phy_type, mdc=None, mdio=None, reset=None, power=None,
                 spi=None, cs=None, ref_clk_mode=-1, ref_clk=None, **kw):
        if not 0 <= phy_addr <= 0x1F:
            raise ValueError("invalid phy address")  # network_lan.c:153
        if phy_type < 100 and (mdc is None or mdio is None):
            raise ValueError("mdc and mdio must be specified")  # network_lan.c:292
        _Nic.__init__(self)
        self._t = None

    def active(self, on=None):
        # network_lan.c:349-370: active(True) on an active LAN does nothing
        if on is not None and bool(on) != self._active:
            self._active = bool(on)
            self._t = _now() if on else None
        return self._active

    def isconnected(self):
        return self._t is not None and _since(self._t) >= _ASSOC_MS  # active and ETH_GOT_IP (377-380)

    def status(self):
        return 1010 if self.isconnected() else 1001 if self._active else 1000


class Esp32WLAN(_Nic):
    _mac = b"\x24\x0a\xc4\x00\x00\x02"
    _reason = 0  # wifi_sta_disconn_reason: module-wide in the port

    def __init__(self, itf=0):
        _Nic.__init__(self)
        self._req = None  # (ssid, key, t0) while connect is requested
        self._up = False

    def active(self, on=None):
        if on is not None:
            self._active = bool(on)
        return self._active

    def connect(self, ssid=None, key=None, *, bssid=None):
        if not self._active:
            raise OSError("Wifi Not Started")  # esp_exceptions(ESP_ERR_WIFI_NOT_STARTED)
        self._req = (ssid, key, _now())
        self._up = False

    def _run(self):
        # the port's event handler, advanced to now: each attempt ends after _ASSOC_MS; a
        # failure sets the reason and the port tries again (network_wlan.c:109-167)
        r = self._req
        if r is None or self._up or _since(r[2]) < _ASSOC_MS:
            return
        ap = _ap(r[0])
        first = _since(r[2]) < 2 * _ASSOC_MS
        if ap is None or ap[0] == _FLAKY and first:
            Esp32WLAN._reason = 201  # WIFI_REASON_NO_AP_FOUND
        elif ap[1] is not None and ap[1] != r[1]:
            Esp32WLAN._reason = 202  # WIFI_REASON_AUTH_FAIL
        else:
            self._up = True
            Esp32WLAN._reason = 0  # GOT_IP clears it (network_wlan.c:189)

    def disconnect(self):
        self._req = None
        self._up = False
        Esp32WLAN._reason = 8  # WIFI_REASON_ASSOC_LEAVE, from the disconnect event

    def isconnected(self):
        self._run()
        return self._up

    def status(self, param=None):
        self._run()
        if param == "rssi":
            if not self._up:
                raise OSError(-1)
            return _ap(self._req[0])[4]
        if param is not None:
            raise ValueError("unknown status param")
        if self._up:
            return 1010
        reason = Esp32WLAN._reason
        if reason in (201, 202):
            return reason
        if reason == 8:
            return 1000
        if self._req is not None:
            return 1001
        return 1000 if not reason else reason

    def scan(self):
        if not self._active:
            raise OSError("Wifi Not Started")
        return [(ap[0].encode(), bytes((2, 0, 0, 0, 0, i + 1)), ap[3], ap[4], ap[2], False)
                for i, ap in enumerate(APS)]


def esp32():
    return {
        "LAN": Esp32LAN, "WLAN": Esp32WLAN, "STA_IF": 0, "AP_IF": 1,
        "PHY_LAN8710": 0, "PHY_LAN8720": 1, "PHY_IP101": 2, "PHY_RTL8201": 3, "PHY_DP83848": 4,
        "PHY_KSZ8041": 5, "PHY_KSZ8081": 6,
        "STAT_IDLE": 1000, "STAT_CONNECTING": 1001, "STAT_GOT_IP": 1010, "STAT_NO_AP_FOUND": 201,
        "STAT_WRONG_PASSWORD": 202, "STAT_CONNECT_FAIL": 203, "STAT_BEACON_TIMEOUT": 200,
        "STAT_HANDSHAKE_TIMEOUT": 204,
        "AUTH_OPEN": 0, "AUTH_WEP": 1, "AUTH_WPA_PSK": 2, "AUTH_WPA2_PSK": 3, "AUTH_WPA_WPA2_PSK": 4,
        "AUTH_WPA2_ENTERPRISE": 5, "AUTH_WPA3_PSK": 6, "AUTH_WPA2_WPA3_PSK": 7,
    }


# -- stm32 -------------------------------------------------------------------------------------


class Stm32LAN(_Nic):
    PHY_LAN8742 = 0
    PHY_LAN8720 = 1
    PHY_DP83848 = 2
    PHY_DP83825 = 3
    _mac = b"\x02\x80\xe1\x00\x00\x01"
    starts = 0  # eth_start() calls, for tests that check the glue activates once

    def __init__(self, *, phy_addr=0, phy_type=0):
        if not 0 <= phy_type <= 3:
            raise ValueError("invalid phy_type")  # network_lan.c:72-74
        _Nic.__init__(self)
        self._t = None

    def active(self, on=None):
        if on is None:
            return self._t is not None  # eth_link_status() != 0 with the cable in
        if on:
            Stm32LAN.starts += 1
            self._t = _now()  # eth_start: netif and DHCP start again (eth.c:1166-1178)
        else:
            self._t = None

    def status(self):
        if self._t is None:
            return 1  # PHY link up, netif down
        return 3 if _since(self._t) >= _ASSOC_MS else 2

    def isconnected(self):
        return self.status() == 3  # network_lan.c:95-98


def stm32():
    return {"LAN": Stm32LAN}


# -- rp2 (cyw43) -------------------------------------------------------------------------------


class Cyw43WLAN(_Nic):
    SEC_OPEN = 0  # CYW43_AUTH_OPEN
    SEC_WPA_WPA2 = 0x00400006  # CYW43_AUTH_WPA2_MIXED_PSK
    SEC_WPA3 = 0x01000004  # CYW43_AUTH_WPA3_SAE_AES_PSK
    SEC_WPA2_WPA3 = 0x01400004  # CYW43_AUTH_WPA3_WPA2_AES_PSK
    _mac = b"\x28\xcd\xc1\x00\x00\x01"
    joined = None  # (ssid, security, channel) of the last join, for tests

    def __init__(self, itf=0):
        _Nic.__init__(self)
        self._join = None  # (ssid, key, auth, t0)

    def active(self, on=None):
        if on is not None:
            self._active = bool(on)
        return self._active

    def connect(self, ssid=None, key=None, *, auth=-1, security=-1, bssid=None, channel=0):
        if auth != -1:
            security = auth
        if security == -1:
            security = 0 if not key else self.SEC_WPA_WPA2  # network_cyw43.c:294-303
        Cyw43WLAN.joined = (ssid, security, channel)
        self._join = (ssid, key, security, _now())

    def disconnect(self):
        self._join = None

    def status(self, param=None):
        if param == "rssi":
            return _ap(self._join[0])[4] if self.status() == 3 else 0
        if param is not None:
            raise ValueError("unknown status param")
        j = self._join
        if j is None or not self._active:
            return 0  # CYW43_LINK_DOWN
        if _since(j[3]) < _ASSOC_MS:
            return 1  # CYW43_LINK_JOIN
        ap = _ap(j[0])
        if ap is None or ap[0] == _FLAKY:
            return -2  # CYW43_LINK_NONET: one join, no retry
        if ap[1] is not None and ap[1] != j[1]:
            return -3  # CYW43_LINK_BADAUTH
        if ap[2] == 6 and j[2] not in (self.SEC_WPA3, self.SEC_WPA2_WPA3):
            return -3  # a WPA3-only AP refuses a WPA2 join
        return 3  # CYW43_LINK_UP

    def isconnected(self):
        return self.status() == 3  # network_cyw43.c:326

    def scan(self):
        # auth bitmask: open 0, WPA2 and WPA3 both show privacy + RSN (5)
        return [(ap[0].encode(), bytes((2, 0, 0, 0, 0, i + 1)), ap[3], ap[4], 5 if ap[2] else 0, 1)
                for i, ap in enumerate(APS)]


def rp2():
    return {"WLAN": Cyw43WLAN, "STA_IF": 0, "AP_IF": 1, "STAT_IDLE": 0, "STAT_CONNECTING": 1,
            "STAT_WRONG_PASSWORD": -3, "STAT_NO_AP_FOUND": -2, "STAT_CONNECT_FAIL": -1, "STAT_GOT_IP": 3}
