"""Port glue for the unix port: the host's own network is the board's Ethernet."""

MAX_SOCKETS = 16
MORE = "_unix_host"  # what the unix port can tell about the host's network, loaded when asked


def default_interface():
    from .interface import EthernetInterface

    return EthernetInterface()


def lan():
    try:  # a virtual board on its own link has network.LAN; otherwise the host's network needs no NIC
        import network
    except ImportError:
        return None
    return network.LAN()


def wlan():
    raise OSError(19)  # ENODEV: no network.WLAN on unix


def up(nic, timeout):
    if nic is None:
        return True
    from ._nic import up

    return up(nic, timeout)


def down(nic):
    pass


def _hex_ip(h):
    # /proc/net/route hex (little-endian) -> dotted quad
    v = int(h, 16)
    return "%d.%d.%d.%d" % (v & 255, v >> 8 & 255, v >> 16 & 255, v >> 24)


def ifconfig(nic):
    """(ip, netmask, gateway, mac) of the interface with the default route, else loopback."""
    if nic is not None:
        from ._nic import ifconfig

        return ifconfig(nic)
    ip, mask, gw, mac, dev = "127.0.0.1", "255.0.0.0", None, None, None
    try:
        with open("/proc/net/route") as f:
            for line in f:
                t = line.split()
                if t[0] != "Iface" and len(t) > 7:
                    if t[1] == "00000000":
                        dev, gw = t[0], _hex_ip(t[2])
                    elif t[0] == dev or dev is None:
                        mask = _hex_ip(t[7])
        if dev:
            with open("/sys/class/net/%s/address" % dev) as f:
                mac = f.read().strip()
            # the first non-loopback local address in the FIB
            last = None
            with open("/proc/net/fib_trie") as f:
                for line in f:
                    if "/32 host LOCAL" in line and last and not last.startswith("127."):
                        ip = last
                        break
                    if "|--" in line:
                        last = line.split()[-1]
    except OSError:
        pass
    return ip, mask, gw, mac

