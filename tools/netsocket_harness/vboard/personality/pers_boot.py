# Virtual-board personality (emulation), board side: installs a port's personality into
# the virtual board (called by board_boot when the board was started with --personality).
#
# The board then reports that port's sys.platform (esp32, pyboard, rp2), so netsocket's
# ports/<port>/ glue runs, and its `socket`, `network`, `errno` and machine.UART/Pin are
# emulations of that port's (pers_esp32, pers_lwip, pers_net; each cites its sources).
# Everything else (select, time, _thread, the REPL, files) is the unix port's own.
#
# Not reproduced: code compiled on the board (the REPL, exec) gets `errno.NAME` written out
# folded to the unix port's number at compile time (MICROPY_COMP_MODULE_CONST); .mpy files
# from mpy-cross (netsocket, the device tests) and getattr(errno, NAME) see the port's numbers.
# The ports' other modules (machine.Pin beyond a stub, network.PPP, ssl details) are the unix
# port's or absent; heap, speed and timing are the host's.
import sys

# what each personality is: sys.platform, socket emulation, errno numbering, network, board
PORTS = {
    # Olimex ESP32-POE: Ethernet, LAN8720 PHY (boards/OLIMEX_ESP32_POE/board.json)
    "esp32": ("esp32", "pers_esp32", True, "esp32",
              {"type": "ethernet", "phy_type": "LAN8720", "phy_addr": 0, "mdc": 23, "mdio": 18,
               "power": 12, "ref_clk": 17, "ref_clk_mode": "OUT"}),
    # NUCLEO-F429ZI: Ethernet, LAN8742 PHY (boards/NUCLEO_F429ZI/board.json)
    "stm32": ("pyboard", "pers_lwip", False, "stm32", {"type": "ethernet", "phy_type": "LAN8742", "phy_addr": 0}),
    # Pico W: cyw43 Wi-Fi, joined to the emulated WPA2 access point (pers_net.APS)
    "rp2": ("rp2", "pers_lwip", True, "rp2",
            {"type": "wifi", "ssid": "nsvb-wpa2", "password": "nsvb-pass-1234", "security": 3}),
}


class _Module:
    """A module-like namespace."""

    def __init__(self, d):
        for k, v in d.items():
            setattr(self, k, v)


class _Sys:
    def __init__(self, platform):
        self.platform = platform

    def __getattr__(self, name):
        return getattr(sys, name)


def _errno():
    # the errno module with the port's numbers
    import pers_common

    d = {n: pers_common.num(n) for n in pers_common.ERRNO_NAMES.split()}
    d["errorcode"] = {v: k for k, v in d.items()}
    return _Module(d)


class _Pin:
    IN = 1
    OUT = 2
    OPEN_DRAIN = 3
    PULL_UP = 1
    PULL_DOWN = 2

    def __init__(self, id, mode=-1, pull=-1, *, value=None, **kw):
        self.id = id
        self._v = value or 0

    def value(self, v=None):
        if v is None:
            return self._v
        self._v = v

    def on(self):
        self._v = 1

    def off(self):
        self._v = 0

    def __repr__(self):
        return "Pin(%r)" % (self.id,)


def install(name, machine_cls):
    """Make this board the `name` port (esp32, stm32, rp2)."""
    platform, sock, newlib, net, board = PORTS[name]
    import pers_common
    import pers_net

    pers_common.setup(newlib)
    sys.modules["socket"] = __import__(sock)
    if newlib:
        sys.modules["errno"] = _errno()
    sys.modules["network"] = _Module(getattr(pers_net, net)())
    sys.modules["netsocket._board"] = _Module({"NAME": "VIRTUAL_" + name.upper(), "INTERFACE": board})
    sys.modules["sys"] = _Sys(platform)
    machine_cls.Pin = _Pin
    uart = getattr(machine_cls, "UART", None)
    if uart is not None and name == "stm32":
        # stm32 machine.UART(id, baudrate, bits, parity, stop, *, flow, timeout, timeout_char,
        # rxbuf, read_buf_len): no pin keywords (ports/stm32/machine_uart.c:171-184)
        allowed = ("baudrate", "bits", "parity", "stop", "flow", "timeout", "timeout_char", "rxbuf", "read_buf_len")

        def stm32_uart(id, *a, **kw):
            for k in kw:
                if k not in allowed:
                    raise TypeError("unexpected keyword argument '%s'" % k)
            return uart(id, *a, **kw)

        machine_cls.UART = staticmethod(stm32_uart)
