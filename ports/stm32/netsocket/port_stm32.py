"""Port glue for STM32 (pyboard, Nucleo, PYBD): network.LAN on boards with Ethernet, else network.WLAN.

Sources cited are MicroPython v1.28.0. Sockets are modlwip's (extmod/modlwip.c): tcp_new()
or udp_new() failing raises ENOMEM (996). MEMP_NUM_TCP_PCB is lwIP's default 5;
MEMP_NUM_UDP_PCB is 4 + LWIP_MDNS_RESPONDER (extmod/lwip-include/lwipopts_common.h:70), of
which the mDNS responder and the DHCP client hold one each: 5 TCP and 3 UDP sockets.
"""

from ._nic import MAX_SOCKETS, connected, down, ifconfig, scan_security, up, wlan, wlan_connect, WIFI_RETRY_MS  # noqa: F401

# machine.UART(id, baudrate, bits, parity, stop, *, flow, timeout, timeout_char, rxbuf): the
# pins are fixed per UART id, no tx=/rx= keywords (ports/stm32/machine_uart.c:171-184)
UART_PINS = False


def default_interface():
    try:
        nic = lan()
    except Exception:
        from ._nic import board, wifi

        return wifi(board())
    from .interface import EthernetInterface

    return EthernetInterface(nic)


def lan():
    # network.LAN(*, phy_addr=0, phy_type=LAN.PHY_LAN8742): the PHY_* constants are on the
    # class, not the module (ports/stm32/network_lan.c:62-66, 181-184): right as is
    import network

    from ._nic import board

    cfg = board()
    if cfg and cfg.get("type") == "ethernet" and "phy_type" in cfg:
        return network.LAN(phy_addr=cfg.get("phy_addr", 0), phy_type=getattr(network.LAN, "PHY_" + cfg["phy_type"]))
    return network.LAN()
