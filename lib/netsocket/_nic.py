"""NIC handling shared by the ports whose IP stack is lwIP behind MicroPython's `network`."""

import network


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


def set_mac(nic, mac):
    nic.config(mac=mac)


def set_ifconfig(nic, cfg):
    """Static (ip, netmask, gateway, dns) or "dhcp"."""
    nic.ifconfig(cfg)


def hostname():
    return network.hostname()


def set_hostname(name):
    network.hostname(name)
