"""IPv6 text: parsing (every "::" form, a dotted quad at the end) and Mbed's ip6tos formatting.

Loaded by SocketAddress only when a program uses IPv6 text.
"""

from .address import SocketAddress

_HEX = "0123456789abcdefABCDEF"


def _groups(part, last):
    # "1:2:ab" -> [1, 2, 0xab]; a dotted quad is allowed as the very last group
    if not part:
        return []
    g = part.split(":")
    out = []
    n = len(g)
    for i in range(n):
        x = g[i]
        if last and i == n - 1 and "." in x:
            a = SocketAddress()
            if not a.set_ip_address(x):  # x has no ":": the IPv4 parser
                return None
            b = a._ip
            out.append(b[0] << 8 | b[1])
            out.append(b[2] << 8 | b[3])
            continue
        if not 0 < len(x) <= 4:
            return None
        for c in x:
            if c not in _HEX:
                return None
        out.append(int(x, 16))
    return out


def parse(s):
    # IPv6 text (with any "::" form) -> 16 bytes, or None
    if s.count("::") > 1:
        return None
    head, sep, tail = s.partition("::")
    h = _groups(head, not sep)
    t = _groups(tail, True)
    if h is None or t is None:
        return None
    n = len(h) + len(t)
    if (sep and n > 7) or (not sep and n != 8):
        return None
    g = h + [0] * (8 - n) + t
    b = bytearray(16)
    for i in range(8):
        b[2 * i] = g[i] >> 8
        b[2 * i + 1] = g[i] & 0xFF
    return bytes(b)


def text(b):
    # Mbed's ip6tos: lower-case hex, longest run (>= 2) of zero groups as "::"
    g = [b[i] << 8 | b[i + 1] for i in range(0, 16, 2)]
    best = at = -1
    i = 0
    while i < 8:
        if g[i] == 0:
            j = i
            while j < 8 and g[j] == 0:
                j += 1
            if j - i > best and j - i >= 2:
                best, at = j - i, i
            i = j
        else:
            i += 1
    if at < 0:
        return ":".join("%x" % x for x in g)
    return (
        ":".join("%x" % x for x in g[:at]) + "::" + ":".join("%x" % x for x in g[at + best :])
    )
