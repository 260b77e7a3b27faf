"""Port glue for RP2 (Pico W / Pico 2 W): network.WLAN; network.LAN on boards that have it."""

MAX_SOCKETS = 8  # modlwip: bounded by lwIP PCB pools (MEMP_NUM_TCP_PCB)

import network


def default_interface():
    if hasattr(network, "LAN"):
        from .interface import EthernetInterface

        return EthernetInterface()
    from .wifi import WiFiInterface

    return WiFiInterface()


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
