"""DNS messages (RFC 1035): build a query, check and read a reply. Pure Python.

No allocation per byte and nothing MicroPython-only, so the host fuzzes it
under CPython. Both calls work on a caller's buffer (512 bytes is enough).
"""

try:
    from micropython import const
except ImportError:  # CPython: the host-side fuzz test

    def const(x):
        return x


IGNORE = const(-1)  # not a valid reply to this query: keep waiting
FAILED = const(-2)  # the server says no (rcode != 0): final

A = const(1)
CNAME = const(5)
AAAA = const(28)
_IN = const(1)
_TC = const(0x0200)
_CHAIN = const(8)  # CNAMEs followed at most


def build(buf, qid, name, qtype):
    """Write a query for ``name`` (bytes, dotted, no final dot) into ``buf``; -> length, or 0 if the name can't be encoded."""
    n = len(name)
    if not 0 < n <= 253 or len(buf) < n + 18:
        return 0
    buf[0] = qid >> 8
    buf[1] = qid & 0xFF
    buf[2] = 1  # RD
    buf[3] = 0
    buf[4] = 0
    buf[5] = 1  # one question
    for i in range(6, 12):
        buf[i] = 0
    p = 12  # length byte of the current label; character i goes to 13 + i
    for i in range(n):
        c = name[i]
        if c == 46:  # '.'
            k = 12 + i - p
            if not 0 < k <= 63:
                return 0
            buf[p] = k
            p = 13 + i
        else:
            buf[13 + i] = c
    return _finish(buf, n, p, qtype)


def _finish(buf, n, p, qtype):
    # close the last label at p; add the root, QTYPE and QCLASS
    k = 12 + n - p
    if not 0 < k <= 63:
        return 0
    buf[p] = k
    e = 13 + n
    buf[e] = 0
    buf[e + 1] = 0
    buf[e + 2] = qtype
    buf[e + 3] = 0
    buf[e + 4] = _IN
    return e + 5


def _skip(b, n, p):
    # validate the name at p (pointers only backwards, <= 255 bytes); -> offset after it in place, or -1
    end = -1
    lim = p  # a pointer must go below every earlier start
    total = 0
    while p < n:
        c = b[p]
        if c >= 0xC0:
            if p + 1 >= n:
                return -1
            t = (c & 0x3F) << 8 | b[p + 1]
            if end < 0:
                end = p + 2
            if t >= lim or t < 12:
                return -1
            p = lim = t
        elif c >= 0x40:
            return -1
        elif c == 0:
            return p + 1 if end < 0 else end
        else:
            total += c + 1
            if total > 254:
                return -1
            p += c + 1
    return -1


def _eq(b, n, p, q):
    # are the (valid) names at p and q equal, ignoring ASCII case?
    lp = p
    lq = q
    while True:
        while p < n and b[p] >= 0xC0:
            if p + 1 >= n:
                return False
            t = (b[p] & 0x3F) << 8 | b[p + 1]
            if t >= lp or t < 12:
                return False
            p = lp = t
        while q < n and b[q] >= 0xC0:
            if q + 1 >= n:
                return False
            t = (b[q] & 0x3F) << 8 | b[q + 1]
            if t >= lq or t < 12:
                return False
            q = lq = t
        if p >= n or q >= n:
            return False
        k = b[p]
        if k != b[q] or k >= 0x40 or p + k >= n or q + k >= n:
            return False
        if k == 0:
            return True
        for i in range(1, k + 1):
            x = b[p + i]
            y = b[q + i]
            if x != y and (x ^ y != 0x20 or not 97 <= x | 0x20 <= 122):
                return False
        p += k + 1
        q += k + 1


def _question(b, n, name):
    # the reply's question name at 12 equals ``name`` (ignoring case)? -> offset after it, or -1
    p = 12
    i = 0
    m = len(name)
    while p < n:
        k = b[p]
        if k == 0:
            return p + 1 if i == m + 1 else -1
        if k >= 0x40 or p + k >= n or i + k > m or (i + k < m and name[i + k] != 46):
            return -1
        for j in range(k):
            x = b[p + 1 + j]
            y = name[i + j]
            if x != y and (x ^ y != 0x20 or not 97 <= x | 0x20 <= 122):
                return -1
        p += k + 1
        i += k + 1
    return -1


def _u16(b, p):
    return b[p] << 8 | b[p + 1]


def parse(b, n, qid, name, qtype, out):
    """Check the reply in ``b[:n]`` against the query (id, name, type) and collect its addresses.

    Follows CNAMEs from ``name``; keeps only A/AAAA records of type ``qtype``
    owned by the end of that chain. Fills ``out[0]`` with the smallest TTL
    used (s) and ``out[1:]`` with the offsets of up to ``len(out) - 1``
    addresses (4 or 16 bytes each). -> the number of addresses, IGNORE
    (malformed, truncated, or not the reply to this query) or FAILED (rcode).
    """
    if n < 12 or n > len(b) or _u16(b, 0) != qid:
        return IGNORE
    flags = _u16(b, 2)
    if flags & 0xF800 != 0x8000 or _u16(b, 4) != 1:  # QR set, opcode QUERY, one question
        return IGNORE
    p = _question(b, n, name)
    if p < 0 or p + 4 > n or _u16(b, p) != qtype or _u16(b, p + 2) != _IN:
        return IGNORE
    if flags & 0xF:
        return FAILED
    p += 4
    first = p
    an = _u16(b, 6)
    for i in range(an):  # validate every answer record before using any
        e = _skip(b, n, p)
        if e < 0 or e + 10 > n or e + 10 + _u16(b, e + 8) > n:
            if flags & _TC:  # truncated by the server: use the whole records before
                an = i
                break
            return IGNORE
        t = _u16(b, e)
        k = _u16(b, e + 8)
        if _u16(b, e + 2) == _IN and (t == A and k != 4 or t == AAAA and k != 16 or t == CNAME and _skip(b, e + 10 + k, e + 10) != e + 10 + k):
            return IGNORE
        p = e + 10 + k
    size = 4 if qtype == A else 16
    cur = 12  # the name looked for: the question's, then each CNAME target
    ttl = 0x7FFFFFFF
    count = 0
    for _ in range(_CHAIN + 1):
        nxt = -1
        nttl = 0
        p = first
        for i in range(an):
            e = _skip(b, n, p)
            t = _u16(b, e)
            k = _u16(b, e + 8)
            if _u16(b, e + 2) == _IN and (t == qtype or t == CNAME) and _eq(b, n, p, cur):
                x = _u16(b, e + 4)
                x = 0 if x & 0x8000 else x << 16 | _u16(b, e + 6)  # RFC 2181: top bit set means 0
                if t == CNAME:
                    if nxt < 0:
                        nxt = e + 10
                        nttl = x
                elif count < len(out) - 1:
                    count += 1
                    out[count] = e + 10
                    ttl = min(ttl, x)
            p = e + 10 + k
        if count or nxt < 0:
            break
        cur = nxt
        ttl = min(ttl, nttl)
    out[0] = ttl if count else 0
    return count


def check_name(name):
    """True if ``name`` (bytes, dotted, no final dot) can be put in a query."""
    n = len(name)
    if not 0 < n <= 253:
        return False
    k = 0
    for c in name:
        if c == 46:
            if not 0 < k <= 63:
                return False
            k = 0
        else:
            k += 1
    return 0 < k <= 63
