"""Port glue for ESP32: network.LAN where the board has Ethernet, else network.WLAN."""

MAX_SOCKETS = 16  # CONFIG_LWIP_MAX_SOCKETS in MicroPython's esp32 build

import network

from ._nic import down, ifconfig, up, wlan  # noqa: F401 - the glue's interface


def _board():
    """The board's default interface (netsocket/_board.py, frozen from boards/<BOARD>/board.json), or None."""
    try:
        from ._board import INTERFACE
    except ImportError:
        return None
    return INTERFACE


def default_interface():
    cfg = _board()
    kind = cfg["type"] if cfg else None
    if kind == "ethernet":
        from .interface import EthernetInterface

        return EthernetInterface()  # network.LAN is made with the board's PHY pins at connect()
    if kind == "wifi":
        from .wifi import WiFiInterface

        return WiFiInterface()
    if kind == "cellular":
        try:
            from .cellular import default_instance  # builds the modem's interface from the board's pins
        except ImportError:
            return None  # no cellular package (or no board hook in it) on this board
        return default_instance(cfg)
    try:
        nic = network.LAN()
    except Exception:
        from .wifi import WiFiInterface

        return WiFiInterface()
    from .interface import EthernetInterface

    return EthernetInterface(nic)


def lan():
    cfg = _board()
    if not cfg or cfg["type"] != "ethernet" or "mdc" not in cfg:
        return network.LAN()
    from machine import Pin

    kw = {"mdc": Pin(cfg["mdc"]), "mdio": Pin(cfg["mdio"]), "phy_addr": cfg["phy_addr"],
          "phy_type": getattr(network, "PHY_" + cfg["phy_type"])}
    if "power" in cfg:
        kw["power"] = Pin(cfg["power"])
    if "ref_clk" in cfg:
        kw["ref_clk"] = Pin(cfg["ref_clk"])
        kw["ref_clk_mode"] = getattr(Pin, cfg.get("ref_clk_mode", "IN"))
    return network.LAN(**kw)
