"""Port glue for STM32 (pyboard, Nucleo, PYBD): network.LAN on boards with Ethernet, else network.WLAN."""

MAX_SOCKETS = 8  # modlwip: bounded by lwIP PCB pools (MEMP_NUM_TCP_PCB)

import network


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


def wlan():
    return network.WLAN(network.STA_IF)


def up(nic, timeout):
    import time

    nic.active(True)
    t0 = time.ticks_ms()
    while not nic.isconnected():
        if time.ticks_diff(time.ticks_ms(), t0) >= timeout:
            return False
        time.sleep_ms(100)
    return True


def down(nic):
    nic.active(False)


def ifconfig(nic):
    """(ip, netmask, gateway, mac) of ``nic``."""
    if nic is None:
        return None
    ip, mask, gw, _ = nic.ifconfig()
    mac = ":".join("%02x" % b for b in nic.config("mac"))
    return ip, mask, gw, mac
