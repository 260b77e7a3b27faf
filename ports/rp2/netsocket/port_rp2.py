"""Port glue for RP2 (Pico W / Pico 2 W): network.WLAN; network.LAN on boards that have it."""

MAX_SOCKETS = 8  # modlwip: bounded by lwIP PCB pools (MEMP_NUM_TCP_PCB)

import network

from ._nic import down, ifconfig, up, wlan  # noqa: F401 - the glue's interface


def default_interface():
    if hasattr(network, "LAN"):
        from .interface import EthernetInterface

        return EthernetInterface()
    from .wifi import WiFiInterface

    return WiFiInterface()


def lan():
    return network.LAN()
