"""ATStack after a link loss: dead sockets, and closing the modem's IDs no socket owns
(loaded when the link drops or a stale ID turns up)."""

from micropython import const

_OPENING = const(1)
_OPEN = const(2)
_CLOSING = const(4)
_DEAD = const(5)


def _dead(self):
    for s in self._socks:
        if s is not None and s.state in (_OPENING, _OPEN, _CLOSING):
            s.state = _DEAD
            self._fire(s)


def _close_dead(self, ids):
    # with the handler held: close the modem's IDs that no live socket of ours owns
    for i in ids:
        s = self._sock(i)
        if s is None or s.state in (_DEAD, _CLOSING):
            self._close_id(i)
            if s is not None:
                s.state = _DEAD


def _close_open(self):
    # with the handler held: close every socket the link had
    for s in self._socks:
        if s is not None and s.state in (_OPENING, _OPEN, _CLOSING):
            self._close_id(s.id)
            s.state = _DEAD
