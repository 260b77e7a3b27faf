"""Unix port glue, loaded when asked (port_unix.MORE): what it can tell about the host's network.

It cannot change the host's network: there is no set_mac, set_ifconfig or set_hostname
here, so those calls return UNSUPPORTED on the virtual board.
"""


def _proc(path):
    # a host /proc file, opened through a VfsPosix rooted at /proc: on the virtual board open()
    # sees the board's own filesystem (its directory is mounted as /), where /proc is not
    try:
        import vfs

        return vfs.VfsPosix("/proc").open(path, "r")
    except ImportError:
        return open("/proc" + path)


def _route_dev():
    # the interface with the default route, or None
    try:
        with _proc("/net/route") as f:
            for line in f:
                t = line.split()
                if len(t) > 2 and t[1] == "00000000":
                    return t[0]
    except OSError:
        pass
    return None


def hostname():
    with _proc("/sys/kernel/hostname") as f:
        return f.read().strip()


def ifname(nic):
    return _route_dev() or "lo"


def link_local(nic):
    """The fe80:: address of the default-route interface (/proc/net/if_inet6), or None."""
    dev = _route_dev()
    try:
        with _proc("/net/if_inet6") as f:
            for line in f:
                t = line.split()
                if len(t) > 5 and t[5] == dev and t[0].startswith("fe80"):
                    h = t[0]
                    return ":".join(h[i : i + 4] for i in range(0, 32, 4))
    except OSError:
        pass
    return None
