"""Cellular modems for netsocket: ATHandler, CellularInterface, per-modem stacks, non-IP sockets.

``from netsocket.cellular import CellularInterface``; the modem driver
(``bg96``) is imported by name when the interface is made, so a board
freezes only the drivers it has.
"""

_NAMES = {
    "ATHandler": "at",
    "CellularInterface": "interface",
    "CellularNonIPSocket": "nonip",
}


def __getattr__(name):
    mod = _NAMES.get(name)
    if mod is None:
        raise AttributeError(name)
    value = getattr(__import__("netsocket.cellular." + mod, None, None, ("x",)), name)
    globals()[name] = value
    return value
