"""TLS on the native stack: mbedTLS reads and writes the native socket itself (tls.py).

Used when a TLSSocketWrapper's transport is a TCPSocket on NativeStack whose stream is the
native socket: no Python adapter in the data path; waiting is the stack's ``socket_wait``.
Loaded on the first such handshake only, so TLS over a modem costs none of this heap.
"""

from micropython import const
from sys import platform
from time import ticks_ms, ticks_diff
from .tls import HANDSHAKE_MS

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_NO_MEMORY = const(-3007)
_AUTH_FAILURE = const(-3011)
_DEVICE_ERROR = const(-3012)
_TIMEOUT = const(-3019)
_ETIMEDOUT = const(110)  # unix and lwIP ports (a handshake that outlived the socket's timeout)
_POLLIN = const(1)
_POLLOUT = const(4)
_LINUX = platform == "linux"  # the unix port: the host kernel's TCP


def handshake(w, h):
    """The handshake in C, the socket blocking for the timeout (HANDSHAKE_MS when
    non-blocking, as over the adapter), then non-blocking again. -> nsapi code."""
    to = w._timeout
    try:
        h.settimeout(None if to < 0 else (to or HANDSHAKE_MS) / 1000)
        w._ss = w._context().wrap_socket(h, server_hostname=w._host)
    except MemoryError:
        return _NO_MEMORY
    except Exception as e:  # ValueError (certificate) or OSError (alert, transport, timeout)
        return _TIMEOUT if isinstance(e, OSError) and e.errno == _ETIMEDOUT else _AUTH_FAILURE
    finally:
        try:
            h.setblocking(False)
        except OSError:
            pass
    if _LINUX:  # TCP_NODELAY: a record that a full send buffer split is sent whole at once; else
        try:  # Nagle holds its tail until the peer's delayed ACK (40 ms on Linux) ends a transfer
            h.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY (not on lwIP: it warns on unknown options)
        except OSError:
            pass
    w._nat = h
    w._ctx = None  # the ssl socket keeps it alive
    return _OK


def _wait(w, ev, t0):
    # wait for the native socket within the timeout counted from t0; False: out of time or closed
    t = w._timeout
    if t > 0:
        t -= ticks_diff(ticks_ms(), t0)
        if t <= 0:
            return False
    tr = w._t
    st = tr._stack if tr is not None else None
    if st is None:
        return False
    ev = st.socket_wait(w._nat, ev, t)  # 0: timed out, or woken by a close (maybe of another socket)
    return w._t is not None and (ev != 0 or t < 0)


def _err(e):
    if isinstance(e, MemoryError):
        return _NO_MEMORY
    from .stack import nsapi_error

    n = nsapi_error(e)
    return _NO_CONNECTION if n == _DEVICE_ERROR else n


def send(w, ss, data, size):
    """TLSSocketWrapper.send on the native path; blocking: all of it."""
    if w._t._cb is not None:  # an operation: sigio fires again on the next event
        w._t._pend = 0
    n = 0
    t0 = ticks_ms()
    while True:
        w._busy += 1  # close() in another thread waits until this call has left ssl
        try:
            m = ss.write(data, n, size - n)
        except Exception as e:
            return _err(e)
        finally:
            w._busy -= 1
        if m:
            n += m
            if n >= size:
                return n
        if not w._timeout or not _wait(w, _POLLOUT, t0):
            return n or (_WOULD_BLOCK if w._t is not None else _NO_SOCKET)


def recv(w, ss, buf, size):
    """TLSSocketWrapper.recv on the native path: what is there, else wait for it."""
    if w._t._cb is not None:  # see send
        w._t._pend = 0
    t0 = None
    while True:
        w._busy += 1  # see send
        try:
            n = ss.readinto(buf, size)
        except Exception as e:
            return _err(e)
        finally:
            w._busy -= 1
        if n is not None:
            if n == 0:
                w._eof = True
            return n
        if t0 is None:
            t0 = ticks_ms()
        if not w._timeout or not _wait(w, _POLLIN, t0):
            return _WOULD_BLOCK if w._t is not None else _NO_SOCKET
