"""Port glue for ESP32: network.LAN where the board has Ethernet, else network.WLAN.

Sources cited are MicroPython v1.28.0 (ports/esp32/) and ESP-IDF.
"""

# LWIP_MAX_SOCKETS: ESP-IDF's default 10 (components/lwip/Kconfig), sockets of any kind; the
# 11th socket() raises ENFILE (modsocket.c:296-305). Boards built with sdkconfig.free_ram have 6.
MAX_SOCKETS = 10
UART_PINS = True
# the port reconnects by itself after a failed attempt and status() shows that attempt's reason
# meanwhile (network_wlan.c:109-167, 367-400): a reason ends connect() once it lasted this long
WIFI_RETRY_MS = 3000

from ._nic import board as _board, connected, down, ifconfig, up, wlan  # noqa: F401 - the glue's interface


def default_interface():
    import network

    cfg = _board()
    kind = cfg["type"] if cfg else None
    if kind == "ethernet":
        from .interface import EthernetInterface

        return EthernetInterface()  # network.LAN is made with the board's PHY pins at connect()
    if kind == "wifi":
        from ._nic import wifi

        return wifi(cfg)
    if kind == "cellular":
        try:
            from .cellular import default_instance  # builds the modem's interface from the board's pins
        except ImportError:
            return None  # no cellular package (or no board hook in it) on this board
        return default_instance(cfg)
    try:
        nic = network.LAN()
    except Exception:
        from ._nic import wifi

        return wifi(None)
    from .interface import EthernetInterface

    return EthernetInterface(nic)


def lan():
    import network

    cfg = _board()
    if not cfg or cfg["type"] != "ethernet" or "mdc" not in cfg:
        return network.LAN()
    from machine import Pin

    # network.LAN(*, mdc, mdio, power, phy_addr, phy_type, ref_clk, ref_clk_mode) with the PHY_*
    # constants on the module (network_lan.c:119-132, modnetwork_globals.h:43-49): right as is
    kw = {"mdc": Pin(cfg["mdc"]), "mdio": Pin(cfg["mdio"]), "phy_addr": cfg["phy_addr"],
          "phy_type": getattr(network, "PHY_" + cfg["phy_type"])}
    if "power" in cfg:
        kw["power"] = Pin(cfg["power"])
    if "ref_clk" in cfg:
        kw["ref_clk"] = Pin(cfg["ref_clk"])
        kw["ref_clk_mode"] = getattr(Pin, cfg.get("ref_clk_mode", "IN"))
    return network.LAN(**kw)


# network.WLAN.scan() authmode (ESP-IDF wifi_auth_mode_t, network_wlan.c:470) -> nsapi_security_t
# (0 open, 1 WEP, 2 WPA, 3 WPA2, 4 WPA/WPA2, 5 WPA2-ENT, 6 WPA3, 7 WPA2/WPA3)
_SEC = (0, 1, 2, 3, 4, 9, 10, 11)


def scan_security(auth):
    return _SEC[auth] if 0 <= auth < len(_SEC) else 0xFF


def wlan_connect(w, ssid, password, security, channel):
    """esp32's connect(ssid, key, *, bssid) takes neither security nor channel
    (network_wlan.c:318-324): the driver negotiates the AP's own. Its status() keeps the last
    disconnect reason while it reconnects by itself, and connect() does not clear it
    (network_wlan.c:115, 156-167, 349, 367-400): a reason left from before is dropped first
    with disconnect() (reason ASSOC_LEAVE: STAT_IDLE) so it cannot end this connect early."""
    import network
    import time

    idle = network.STAT_IDLE
    if w.status() not in (idle, network.STAT_GOT_IP, network.STAT_CONNECTING):
        w.disconnect()
        for _ in range(50):  # the disconnect event sets ASSOC_LEAVE (STAT_IDLE) from the event task
            if w.status() == idle:
                break
            time.sleep_ms(20)
    w.connect(ssid, password or "")
    return True
