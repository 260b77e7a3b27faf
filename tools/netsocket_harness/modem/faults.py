"""The emulated modems' fault knobs (``--faults k=v,...`` at start, ``set k=v`` on the control socket)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Faults:
    """Knobs, settable at start (``--faults k=v,...``) and at run time (control socket)."""

    reg_delay: int = 0  # ms from power-on until registered
    reg_deny: int = 0  # 1: registration denied (stat 3)
    sim_pin: str = ""  # PIN the SIM wants, "" = none
    split: int = 0  # write output in pieces of 1..split bytes (1 = every byte boundary)
    delay_max: int = 0  # random delay 0..delay_max ms before each response
    garbage: float = 0.0  # probability of a garbage line before a response
    inject: float = 0.0  # probability of a URC injected inside a multi-line response
    lose_open: int = 0  # this many next socket-open result URCs (+QIOPEN, +CIPOPEN) are never sent
    send_fail: int = 0  # this many next sends answer "buffer full" (SEND FAIL, +CIPSEND cnf 0)
    lose_reply: int = 0  # this many next command responses are never sent
    boot_ms: int = 50  # ms from (re)boot to RDY
    rssi: int = 20  # +CSQ <rssi> while registered (99: unknown; +CESQ then gives RSRP)

    def set(self, key: str, value: str) -> None:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        cur = getattr(self, key)
        setattr(self, key, type(cur)(value))
