"""NIC handling shared by the ports whose IP stack is lwIP behind MicroPython's `network`.

``network`` is imported where it is used: a board without networking (a plain Pico)
can still import the glue. Sources cited are MicroPython v1.28.0.
"""

MAX_SOCKETS = 8  # modlwip (stm32, rp2): 5 TCP PCBs + 3 UDP PCBs an application can have (see port_stm32)
UART_PINS = True  # machine.UART takes tx=/rx= pins (esp32, rp2; not stm32)
WIFI_RETRY_MS = 0  # cyw43 joins once: a failure status is final (extmod/network_cyw43.c:294-310)


def wlan():
    import network

    return network.WLAN(network.STA_IF)


def up(nic, timeout):
    """Activate ``nic`` once, then wait up to ``timeout`` ms for it to have an address."""
    import time

    nic.active(True)
    t0 = time.ticks_ms()
    while not nic.isconnected():
        if time.ticks_diff(time.ticks_ms(), t0) >= timeout:
            return False
        time.sleep_ms(100)
    return True


def connected(nic):
    """Whether ``nic`` (activated by up()) has its address: no side effects.

    Not active(True) again: on stm32 that is eth_start(), which tears the netif down and
    starts the MAC, PHY and DHCP again (ports/stm32/network_lan.c:81-93, eth.c:1166-1178).
    """
    return nic is not None and nic.isconnected()


def down(nic):
    nic.active(False)


def ifconfig(nic):
    """(ip, netmask, gateway, mac) of ``nic``."""
    if nic is None:
        return None
    ip, mask, gw, _ = nic.ifconfig()
    mac = ":".join("%02x" % b for b in nic.config("mac"))
    return ip, mask, gw, mac


def set_mac(nic, mac):
    nic.config(mac=mac)


def set_ifconfig(nic, cfg):
    """Static (ip, netmask, gateway, dns) or "dhcp"."""
    nic.ifconfig(cfg)


def hostname():
    import network

    return network.hostname()


def set_hostname(name):
    import network

    network.hostname(name)


def scan_security(auth):
    """A scan tuple's security -> nsapi_security_t. cyw43 (rp2, PYBD) gives a bitmask, 1 privacy,
    2 WPA, 4 RSN (extmod/network_cyw43.c:178-186): WPA2 and WPA3 both read as RSN."""
    if auth & 4:
        return 4 if auth & 2 else 3  # WPA/WPA2, WPA2
    if auth & 2:
        return 2  # WPA
    return 1 if auth & 1 else 0  # WEP, open


# nsapi_security_t -> cyw43 connect(security=): network.WLAN.SEC_* (extmod/network_cyw43.c:587-590)
_CYW43_SEC = {0: "SEC_OPEN", 2: "SEC_WPA_WPA2", 3: "SEC_WPA_WPA2", 4: "SEC_WPA_WPA2", 10: "SEC_WPA3", 11: "SEC_WPA2_WPA3"}


def wlan_connect(w, ssid, password, security, channel):
    """Start joining; False when the radio cannot do ``security``. cyw43 takes security and
    channel keywords; without security it picks WPA2-mixed for a key (network_cyw43.c:294-303),
    which a WPA3-only AP refuses."""
    kw = {}
    if security != 0xFF:
        name = _CYW43_SEC.get(security)
        sec = getattr(type(w), name, None) if name else None
        if sec is None:
            return False
        kw["security"] = sec
    if channel:
        kw["channel"] = channel
    w.connect(ssid, password or "", **kw)
    return True


def wifi(cfg):
    """The board's default WiFiInterface, with the credentials its definition gives, if any
    (Mbed's nsapi.default-wifi-ssid/-password/-security)."""
    from .wifi import WiFiInterface

    w = WiFiInterface()
    if cfg and "ssid" in cfg:
        w.set_credentials(cfg["ssid"], cfg.get("password"), cfg.get("security", 3 if cfg.get("password") else 0))
    return w


def board():
    """The board's default interface (netsocket/_board.py, frozen from boards/<BOARD>/board.json), or None."""
    try:
        from ._board import INTERFACE
    except ImportError:
        return None
    return INTERFACE
