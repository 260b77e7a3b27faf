"""Cellular modems for netsocket: ATHandler, CellularInterface, per-modem stacks, non-IP sockets.

``from netsocket.cellular import CellularInterface``; the modem driver
(``bg96``, ``sim7600``) is imported by name when the interface is made, so a
board freezes only the drivers it has. ``default_instance(cfg)`` builds the
board's interface from its definition (the port glue calls it).
"""

_NAMES = {
    "ATHandler": "at",
    "CellularInterface": "interface",
    "CellularNonIPSocket": "nonip",
}
_DRIVERS = {"BG96": "bg96", "BG95": "bg96", "SIM7600": "sim7600"}  # board.json "modem" -> driver module
_default = None


def __getattr__(name):
    mod = _NAMES.get(name)
    if mod is None:  # a submodule (``from netsocket.cellular import at``), or AttributeError
        from .._imports import other

        return other("netsocket.cellular", name, _NAMES)
    value = getattr(__import__("netsocket.cellular." + mod, None, None, ("x",)), name)
    globals()[name] = value
    return value


def _pin(n, value):
    # an output pin set to value; None where the port has no machine.Pin (virtual board)
    try:
        from machine import Pin

        return Pin(n, Pin.OUT, value=value)
    except (ImportError, AttributeError, ValueError, TypeError):
        return None


def default_instance(cfg=None):
    """The board's CellularInterface, made once from ``cfg`` (board.json's default_interface;
    default: netsocket/_board.py): UART id, pins and baud rate, the modem's driver, PWRKEY.
    None when the board has no cellular modem or its driver is not frozen."""
    global _default
    if _default is not None:
        return _default
    if cfg is None:
        try:
            from .._board import INTERFACE as cfg
        except ImportError:
            return None
    if cfg.get("type") != "cellular":
        return None
    modem = _DRIVERS.get(cfg.get("modem"))
    if modem is None:
        return None
    try:
        __import__("netsocket.cellular." + modem)
    except ImportError:
        return None
    from machine import UART
    from time import sleep_ms

    kw = {"baudrate": cfg.get("uart_baud", 115200)}
    from ..interface import port

    if "tx" in cfg and port().UART_PINS:  # stm32's UARTs have fixed pins, no tx=/rx= (port_stm32)
        kw["tx"], kw["rx"] = cfg["tx"], cfg["rx"]
    try:
        uart = UART(cfg["uart"], rxbuf=2048, **kw)  # room for a whole 1500-byte read reply
    except (TypeError, ValueError):
        uart = UART(cfg["uart"], **kw)
    if "flight" in cfg:
        _pin(cfg["flight"], 1)  # flight-mode pin high: RF on
    if "dtr" in cfg:
        _pin(cfg["dtr"], 0)  # DTR low: the modem stays awake
    power = None
    if "pwrkey" in cfg:
        on = cfg.get("pwrkey_active", 1)
        key = _pin(cfg["pwrkey"], 1 - on)
        if key is not None:
            ms = cfg.get("pwrkey_pulse_ms", 500)

            def power():
                key.value(on)
                sleep_ms(ms)
                key.value(1 - on)

    from .interface import CellularInterface

    _default = CellularInterface(uart, modem, power=power)
    return _default
