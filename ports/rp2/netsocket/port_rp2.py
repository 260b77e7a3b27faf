"""Port glue for RP2 (Pico W / Pico 2 W): network.WLAN (cyw43); network.LAN on boards that have it.

``network`` is imported only when an interface is made: a Pico without networking imports
the glue. Sockets are modlwip's, with the limits of port_stm32 (lwipopts_common.h:70).
"""

from ._nic import MAX_SOCKETS, UART_PINS, connected, down, ifconfig, scan_security, up, wlan, wlan_connect, WIFI_RETRY_MS  # noqa: F401


def default_interface():
    import network

    if hasattr(network, "LAN"):
        from .interface import EthernetInterface

        return EthernetInterface()
    from ._nic import board, wifi

    return wifi(board())


def lan():
    import network

    return network.LAN()
