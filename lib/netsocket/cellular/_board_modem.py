"""The board's CellularInterface from its board definition (loaded only when the port glue asks)."""

_DRIVERS = {"BG96": "bg96", "BG95": "bg96", "SIM7600": "sim7600", "SIM800": "sim800", "SIM7000": "sim800",
            "SARA-R4": "sara", "SARA-R5": "sara"}  # board.json "modem" -> driver module
_default = None


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
    if "tx" in cfg:
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
