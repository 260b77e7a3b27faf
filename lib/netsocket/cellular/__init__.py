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
    "default_instance": "_board_modem",
}


def __getattr__(name):
    mod = _NAMES.get(name)
    if mod is None:  # a submodule (``from netsocket.cellular import at``), or AttributeError
        from .._imports import other

        return other("netsocket.cellular", name, _NAMES)
    value = getattr(_mod(mod), name)
    globals()[name] = value
    return value


def _mod(name):
    return __import__("netsocket.cellular." + name, None, None, ("x",))


def _more(cls, obj, name, parts):
    """The rarely used methods of ``cls`` live in companion modules, ``parts`` = "module name name
    ...|module name ...": the first use of one adds that module's methods to ``cls`` (as the core's
    _socket_server_opts). -> ``obj.<name>``, or None when no companion has it."""
    for part in parts.split("|"):
        names = part.split()
        mod = names.pop(0)
        if name in names:
            m = _mod(mod)
            for n in names:
                setattr(cls, n, getattr(m, n))
            return getattr(obj, name)
    return None
