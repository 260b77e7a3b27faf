"""Port glue for STM32 (pyboard, Nucleo, PYBD): network.LAN on boards with Ethernet, else network.WLAN."""

MAX_SOCKETS = 8  # modlwip: bounded by lwIP PCB pools (MEMP_NUM_TCP_PCB)

import network

from ._nic import down, ifconfig, up, wlan  # noqa: F401 - the glue's interface


def default_interface():
    try:
        nic = network.LAN()
    except Exception:
        from .wifi import WiFiInterface

        return WiFiInterface()
    from .interface import EthernetInterface

    return EthernetInterface(nic)


def lan():
    return network.LAN()
