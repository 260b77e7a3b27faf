"""netsocket's DNS resolver (Mbed's nsapi_dns) over any NetworkStack's UDP sockets.

A and AAAA lookups, several servers tried in order with retries, a small
TTL cache shared by every stack, and up to five asynchronous queries. The
NetworkInterface methods (``gethostbyname_async``, ``getaddrinfo``,
``add_dns_server`` ...) call the functions here with the interface's stack.

Safety: every query has a random id and a random source port
(``os.urandom``); a reply counts only if it comes from the server asked,
carries that id and repeats the question; malformed replies are ignored.

What runs the asynchronous queries (there is no thread of ours):

- replies: the shared UDP socket's ``sigio`` calls ``poll()`` (lwIP's socket
  callback, or the unix port's poller thread, through ``micropython.schedule``);
- resends and timeouts: a 100 ms tick asked for with ``call_in(100, fn)``;
  by default a ``machine.Timer(-1)`` or, where there is none, a short-lived
  ``_thread`` sleeper, both handing ``fn`` to ``micropython.schedule``.
  ``call_in_set(hook)`` installs the app's own ``hook(delay_ms, fn) -> int``
  (Mbed's ``nsapi_dns_call_in_set``); a hook that runs ``fn`` later, without
  waiting, makes every tick come at once;
- the app may call ``poll()`` at any time (from its loop or an asyncio task);
  if no timer could be armed, it must, and ticks then follow the clock.

Callbacks ``cb(result, addr)`` run inside ``poll()``, in the main thread;
as in Mbed they must be short and must not block or do socket I/O.

Versions: a cached entry of either version answers UNSPEC; a query for
UNSPEC asks for the stack's own IP version (IPv4 when it has none): the
record type follows the version (A or AAAA). Unlike Mbed, which asks
AAAA only of IPv6 servers, every server is asked either type.
Settings (Mbed's defaults; assign to change): ``response_wait`` ms per send,
``total_attempts`` sends per lookup, ``retries`` resends to one server,
``cache_size`` entries.
"""

import os
from micropython import const, schedule
from time import ticks_ms, ticks_diff, ticks_add, sleep_ms
from .address import SocketAddress
from .udp import UDPSocket
from .stack import NetworkStack
from .dns_msg import build, parse, check_name

response_wait = 10000
total_attempts = 10
retries = 1
cache_size = 3

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_ADDRESS = const(-3006)
_NO_MEMORY = const(-3007)
_DNS_FAILURE = const(-3009)
_TIMEOUT = const(-3019)
_IGNORE = const(-1)
_FAILED = const(-2)
_A = const(1)
_AAAA = const(28)
_MAX_ASYNC = const(5)
_LIMIT = const(10)  # addresses per getaddrinfo (dns-addresses-limit)
_TICK = const(100)
_TTL_MAX = const(86400)  # s; keeps expiry times inside the ticks_ms range
_BUILTIN = ("8.8.8.8", "2001:4860:4860::8888", "209.244.0.3", "84.200.69.80", "2001:1608:10:25::1c04:b12f")

_servers = None  # the resolver's own list (after the stack's), SocketAddress with a port
_cache = []  # [host, version, (ip bytes, ...), expires (ticks_ms), last use (a count)]
_uses = 0
_queue = []  # async queries, oldest first
_flight = None  # the query sent and waiting for its reply
_socks = {}  # stack -> the UDPSocket its async queries share
_abuf = None  # async message buffer
_sbuf = None  # sync message buffer
_last_id = 0
_hook = None  # call_in_set()
_waker = None  # machine.Timer, or False when the port has none
_armed = False
_gen = 0  # bumped by call_in_set: ticks armed before are void
_manual = None  # ticks_ms when poll() must tick by itself (no timer)
_ticks = 0  # ticks not yet handled
_busy = False
_again = False


def _rand16():
    try:
        b = os.urandom(2)
        return b[0] << 8 | b[1]
    except (AttributeError, OSError):  # a port without a hardware RNG
        import random

        return random.getrandbits(16)


def _list():
    global _servers
    if _servers is None:
        _servers = [SocketAddress(a, 53) for a in _BUILTIN]
    return _servers


def _server_list(stack):
    # servers in the order asked: the stack's own (e.g. DHCP), then the resolver's
    out = []
    get = getattr(stack, "get_dns_server", None)
    if get is not None:
        for i in range(5):
            a = SocketAddress()
            if get(i, a) != _OK or not a:
                break
            if not a._port:
                a._port = 53
            out.append(a)
    return out + _list()


def _version(stack, version):
    # UNSPEC becomes the stack's own IP version (IPv4 when it has none)
    if version:
        return version
    a = SocketAddress()
    if stack.get_ip_address(a) == _OK and a.get_ip_version() == 2:
        return 2
    return 1


def _own(stack):
    # the stack resolves by itself (port's resolver, modem) unless the app gave servers
    return not NetworkStack._resolver and type(stack)._lookup is not NetworkStack._lookup


# -- cache ---------------------------------------------------------------------


def _cache_get(host, version):
    global _uses
    now = ticks_ms()
    hit = None
    for i in range(len(_cache) - 1, -1, -1):
        e = _cache[i]
        if ticks_diff(e[3], now) <= 0:
            del _cache[i]
        elif e[0] == host and (not version or e[1] == version):
            _uses += 1
            e[4] = _uses
            hit = e[2]
    return hit


NetworkStack._hit = _cache_get  # gethostbyname's first look (stack.py)


def _cache_add(host, ips, ttl):
    global _uses
    if ttl <= 0 or cache_size <= 0:  # TTL 0: never cached (RFC 1034)
        return
    for e in _cache:
        if e[0] == host:
            return
    while len(_cache) >= cache_size:
        old = _cache[0]
        for e in _cache:
            if e[4] < old[4]:
                old = e
        _cache.remove(old)
    _uses += 1
    _cache.append([host, 1 if len(ips[0]) == 4 else 2, ips, ticks_add(ticks_ms(), min(ttl, _TTL_MAX) * 1000), _uses])


def reset():
    """Empty the cache (Mbed's nsapi_dns_reset); running queries go on."""
    global _last_id
    _cache.clear()
    _last_id = 0


# -- servers ---------------------------------------------------------------------


def add_server(addr, ifname=None):
    """Put ``addr`` (port 53 if 0) first in the resolver's list, dropping the last; duplicates ignored."""
    if not isinstance(addr, SocketAddress) or not addr:
        return _PARAMETER
    a = SocketAddress(addr, addr._port or 53)
    lst = _list()
    NetworkStack._resolver = True
    if a not in lst:
        lst.insert(0, a)
        del lst[5:]
    return _OK


def set_servers(addrs):
    """Replace the resolver's list (not Mbed: for private networks and tests)."""
    global _servers
    try:
        new = [SocketAddress(a, a._port or 53) for a in addrs if a]
    except (TypeError, AttributeError):
        return _PARAMETER
    _servers = new
    NetworkStack._resolver = True
    return _OK


def get_server(stack, index, addr):
    """Fill ``addr`` with the index-th server asked on ``stack``; NO_ADDRESS past the end."""
    if not isinstance(addr, SocketAddress) or not isinstance(index, int) or index < 0:
        return _PARAMETER
    lst = _server_list(stack)
    if index >= len(lst):
        return _NO_ADDRESS
    a = lst[index]
    addr._ip = a._ip
    addr._port = a._port
    return _OK


# -- synchronous -------------------------------------------------------------------


def _name(host):
    # host text -> bytes for the query, or None when no query can carry it
    try:
        b = host.encode()
    except (AttributeError, UnicodeError):
        return None
    if b[-1:] == b".":
        b = b[:-1]
    return b if check_name(b) else None


def _bind(s):
    # a random source port; the stack's choice when the draws are taken
    for _ in range(4):
        if s.bind(1024 + _rand16() % 64512) == _OK:
            return


def _ask(s, servers, name, qtype, out):
    # Mbed's walk: each server 1 + retries times, rounds while sends succeed; -> count or error
    global _sbuf
    if _sbuf is None:
        _sbuf = bytearray(512)
    buf = _sbuf
    src = SocketAddress()
    left = total_attempts
    while left > 0:
        sent = False
        for srv in servers:
            qid = _rand16()
            for _ in range(retries + 1):
                if left <= 0:
                    break
                n = build(buf, qid, name, qtype)
                if s.sendto(srv, buf, n) < 0:
                    break  # next server
                left -= 1
                sent = True
                t0 = ticks_ms()
                while True:
                    w = response_wait - ticks_diff(ticks_ms(), t0)
                    if w <= 0:
                        r = _WOULD_BLOCK
                        break
                    s.set_timeout(w)
                    r = s.recvfrom(src, buf)
                    if r < 0:
                        break
                    if src == srv:
                        r = parse(buf, r, qid, name, qtype, out)
                        if r != _IGNORE:
                            break
                if r == _WOULD_BLOCK:
                    continue  # resend
                if r < 0 and r != _FAILED:
                    return r  # a socket error
                return r if r > 0 else _DNS_FAILURE
        if not sent:
            break
    return _DNS_FAILURE


def _ips(buf, out, count, qtype):
    k = 4 if qtype == _A else 16
    return tuple(bytes(buf[o : o + k]) for o in out[1 : count + 1])


def _resolve(stack, host, version, limit):
    # cache (UNSPEC takes any entry), then the servers; -> tuple of address bytes, or an nsapi error
    ips = _cache_get(host, version)
    if ips:
        return ips[:limit]
    v = _version(stack, version)
    name = _name(host)
    if name is None:
        return _DNS_FAILURE
    qtype = _AAAA if v == 2 else _A
    s = UDPSocket()
    err = s.open(stack)
    if err:
        return err
    try:
        _bind(s)
        out = [0] * (_LIMIT + 1)
        r = _ask(s, _server_list(stack), name, qtype, out)
        if r < 0:
            return r
        ips = _ips(_sbuf, out, r, qtype)
    finally:
        s.close()
    _cache_add(host, ips, out[0])
    return ips[:limit]


def lookup(stack, host, version=0):
    """One address for ``host`` (not a literal) -> 4/16 bytes or an nsapi error (NetworkStack's _lookup)."""
    r = _resolve(stack, host, version, 1)
    return r if isinstance(r, int) else r[0]


def _front(stack, host, version, limit):
    # the checks of Mbed's NetworkStack front end, literals, the stack's own lookup; -> ips or error
    if not isinstance(host, str) or not host or len(host) > 255 or version not in (0, 1, 2):
        return _PARAMETER
    a = SocketAddress()
    if a.set_ip_address(host):
        if version and a.get_ip_version() != version:
            return _DNS_FAILURE
        return (a._ip,)
    if _own(stack):
        r = stack._lookup(host, version)
        return r if isinstance(r, int) else (r,)
    return None


def _addrs(ips, port):
    return [SocketAddress(ip, 1 if len(ip) == 4 else 2, port) for ip in ips]


def getaddrinfo(stack, host, hints=None):
    """-> (count, [SocketAddress, ...]) or (error, []); the version and port come from ``hints``."""
    if hints is not None and not isinstance(hints, SocketAddress):
        return _PARAMETER, []
    version = hints.get_ip_version() if hints is not None else 0
    r = _front(stack, host, version, _LIMIT)
    if r is None:
        r = _resolve(stack, host, version, _LIMIT)
    if isinstance(r, int):
        return r, []
    return len(r), _addrs(r, hints._port if hints is not None else 0)


# -- asynchronous ----------------------------------------------------------------


class _Query:
    def __init__(self, stack, host, name, qtype, cb, many, port):
        self.stack = stack
        self.host = host
        self.name = name
        self.qtype = qtype
        self.cb = cb
        self.many = many  # getaddrinfo: cb gets a list
        self.port = port
        self.servers = _server_list(stack)
        self.srv = -1  # index in servers
        self.tries = 0  # sends left to this server
        self.left = total_attempts
        self.sent = False  # a send went out in this round of the servers
        self.qid = 0
        self.wait = 0  # ms left for the reply
        self.total = total_attempts * response_wait + 500 * (1 + len(_queue))


def _call(cb, res, ips, many, port):
    if ips is not None:
        a = _addrs(ips, port)
    else:
        a = [] if many else None
    try:
        cb(res, a if many or a is None else a[0])
    except Exception as e:  # the app's bug must not stop the resolver
        import sys

        sys.print_exception(e)


def _submit(stack, host, cb, version, many, port):
    global _last_id
    if not callable(cb):
        return _PARAMETER
    r = _front(stack, host, version, _LIMIT)
    if r is None:
        r = _cache_get(host, version)
        if r is None:
            v = _version(stack, version)
            name = _name(host)
            if name is None:
                return _DNS_FAILURE
            if len(_queue) >= _MAX_ASYNC:
                return _NO_MEMORY
            q = _Query(stack, host, name, _AAAA if v == 2 else _A, cb, many, port)
            used = [x.id for x in _queue]
            i = _last_id
            while True:
                i = i % 0x7FFF + 1
                if i not in used:
                    break
            q.id = _last_id = i
            _queue.append(q)
            _run(False)
            return q.id
        if not many:
            r = r[:1]
    if isinstance(r, int):
        return r
    _call(cb, len(r), r, many, port)
    return len(r) if many else _OK


def gethostbyname_async(stack, host, cb, version=0):
    """-> 0 (cb already called: literal or cache), > 0 an id for cancel, < 0 an error. ``cb(result, addr)``."""
    return _submit(stack, host, cb, version, False, 0)


def getaddrinfo_async(stack, host, hints, cb):
    """As gethostbyname_async; ``cb(count, [SocketAddress])``; a cache hit returns the count."""
    if hints is not None and not isinstance(hints, SocketAddress):
        return _PARAMETER
    h = hints is not None
    return _submit(stack, host, cb, hints.get_ip_version() if h else 0, True, hints._port if h else 0)


def cancel(id):
    """Cancel a pending query: its callback will never run. OK, or PARAMETER for an unknown id."""
    global _flight
    for q in _queue:
        if q.id == id:
            q.cb = None
            _queue.remove(q)
            if _flight is q:
                _flight = None
            _run(False)
            return _OK
    return _PARAMETER


def call_in_set(hook):
    """Install ``hook(delay_ms, fn) -> nsapi code`` to run the resolver's timer; None restores the default."""
    global _hook, _armed, _gen
    _hook = hook
    _armed = False
    _gen += 1
    poll()
    return _OK


def poll():
    """Run the asynchronous queries: read replies, handle due ticks, send the next query.

    Cheap, and safe to call at any time from the main thread (a nested call
    only asks the running one to go round again).
    """
    _run(True)


def _run(read):
    # a submission or a cancel only starts the next query; poll() also reads replies
    global _busy, _again, _ticks, _manual
    if _busy:
        _again = _again or read
        return
    _busy = True
    try:
        _again = True
        while _again:
            _again = False
            if _manual is not None and ticks_diff(ticks_ms(), _manual) >= 0:
                _manual = None
                _ticks += 1
            if read:
                _read()
            while _ticks:
                _ticks -= 1
                _timers()
            while _flight is None and _queue:
                _send(_queue[0], True)  # the oldest query not yet sent
        for st in list(_socks):
            if not any(q.stack is st for q in _queue):
                _socks.pop(st).close()
    finally:
        _busy = False
    if _queue and not _armed and _manual is None:
        _arm()


def _tick(g):
    global _ticks, _armed
    if g != _gen:
        return
    _armed = False
    _ticks += 1
    poll()


def _arm():
    global _armed, _manual
    _armed = True
    h = _hook or _default_call_in
    g = _gen
    try:
        err = h(_TICK, lambda: _tick(g))
    except Exception:
        err = _UNSUPPORTED
    if err != _OK:
        _armed = False
        _manual = ticks_add(ticks_ms(), _TICK)


def _callf(f):
    f()


def _sleeper(ms, f):
    sleep_ms(ms)
    while True:
        try:
            schedule(_callf, f)
            return
        except RuntimeError:  # schedule queue full
            sleep_ms(5)


def _default_call_in(ms, f):
    global _waker
    if _waker is None:
        try:
            from machine import Timer

            _waker = Timer(-1)
        except Exception:
            _waker = False
    if _waker:
        _waker.init(mode=_waker.ONE_SHOT, period=ms, callback=lambda t: schedule(_callf, f))
        return _OK
    try:
        import _thread

        _thread.start_new_thread(_sleeper, (ms, f))
    except Exception:
        return _UNSUPPORTED
    return _OK


def _on_sigio():
    poll()


def _sock(stack):
    s = _socks.get(stack)
    if s is None:
        s = UDPSocket()
        err = s.open(stack)
        if err:
            return err
        _bind(s)
        s.set_blocking(False)
        s.sigio(_on_sigio)
        _socks[stack] = s
    return s


def _send(q, nxt):
    # (re)send q's query, to the next server when nxt; finishes q when none is left
    global _abuf, _flight
    if _abuf is None:
        _abuf = bytearray(512)
    while True:
        if nxt:
            q.srv += 1
            if q.srv >= len(q.servers):
                if not q.sent:
                    return _done(q, _TIMEOUT)
                q.srv = 0
                q.sent = False
            q.tries = retries + 1
            q.qid = _rand16()
        if q.left <= 0:
            return _done(q, _TIMEOUT)
        s = _sock(q.stack)
        if isinstance(s, int):
            return _done(q, s)
        n = build(_abuf, q.qid, q.name, q.qtype)
        if s.sendto(q.servers[q.srv], _abuf, n) < 0:
            nxt = True
            continue
        q.left -= 1
        q.tries -= 1
        q.sent = True
        q.wait = response_wait
        _flight = q
        return


def _read():
    src = SocketAddress()
    buf = _abuf
    out = None
    for st in _socks:
        s = _socks[st]
        while True:
            n = s.recvfrom(src, buf)
            q = _flight
            if n < 0:
                if n != _WOULD_BLOCK and q is not None and q.stack is st:
                    _done(q, n)
                break
            if q is None or q.stack is not st or src != q.servers[q.srv]:
                continue
            if out is None:
                out = [0] * (_LIMIT + 1)
            r = parse(buf, n, q.qid, q.name, q.qtype, out)
            if r == _IGNORE:
                continue
            if r > 0:
                ips = _ips(buf, out, r, q.qtype)
                _cache_add(q.host, ips, out[0])
                _done(q, r if q.many else 1, ips if q.many else ips[:1])
            else:
                _done(q, _DNS_FAILURE)


def _timers():
    # one 100 ms tick: total timeouts of every query, the reply wait of the one in flight
    for q in _queue[:]:
        q.total -= _TICK
        if q.total <= 0:
            _done(q, _TIMEOUT)
    q = _flight
    if q is not None:
        q.wait -= _TICK
        if q.wait <= 0:
            _send(q, q.tries <= 0)


def _done(q, res, ips=None):
    global _flight
    if q in _queue:
        _queue.remove(q)
    if _flight is q:
        _flight = None
    cb = q.cb
    q.cb = None
    if cb is not None:
        _call(cb, res, ips, q.many, q.port)
