"""TLSSocketWrapper, TLSSocket, DTLSSocketWrapper and DTLSSocket over MicroPython's ``tls`` (mbedTLS).

When the transport is a TCPSocket on the board's own IP stack (NativeStack: its
stream is the native socket), mbedTLS reads and writes that native socket
itself: no Python in the data path; waiting is the stack's ``socket_wait``.
Over any other Socket (a modem's socket, DTLS over a UDPSocket, a socket
with sigio) the records go through the transport's own ``send``/``recv``, via
a small stream adapter that MicroPython's ssl reads and writes. Verification
is on by default; ``set_insecure_no_verify()`` turns it off.

**Host name check -- differs from Mbed.** Without ``set_hostname`` (or a hostname given
to the constructor or a legacy ``connect(host, port)``), the server certificate is checked
against the IP address connected to, so a certificate naming a host fails with
AUTH_FAILURE. Mbed (mbedTLS 2) checks only the chain then and accepts any name.
MicroPython's ssl cannot verify a chain without a name (CERT_REQUIRED needs
server_hostname), and netsocket does not drop the name check silently. An Mbed program
that connects by IP ports with one added line: ``set_hostname("<name in the
certificate>")`` (both checks), or ``set_verify_chain_only()``, Mbed's own behaviour
(chain checked, any name accepted) at the cost of a second connection and handshake.

Differences from Mbed, forced by MicroPython's ssl: the handshake runs to its
end inside ``connect`` (in non-blocking mode too, bounded by
``HANDSHAKE_MS``), because the ssl module has no handshake step call; a
handshake that outlives the timeout fails with TIMEOUT and the socket must be
closed; ``close`` cannot send close_notify.
"""

import io
from micropython import const
from time import ticks_ms, ticks_diff, sleep_ms
from .address import SocketAddress
from .socket import Socket, TCPSocket

try:
    import tls
except ImportError:
    import ssl as tls

TRANSPORT_KEEP = const(0)
TRANSPORT_CONNECT_AND_CLOSE = const(1)
TRANSPORT_CONNECT = const(2)
TRANSPORT_CLOSE = const(3)
HANDSHAKE_MS = 10000  # limit of a handshake started in non-blocking mode

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_NO_CONNECTION = const(-3004)
_NO_SOCKET = const(-3005)
_NO_MEMORY = const(-3007)
_AUTH_FAILURE = const(-3011)
_DEVICE_ERROR = const(-3012)
_IN_PROGRESS = const(-3013)
_ALREADY = const(-3014)
_IS_CONNECTED = const(-3015)
_TIMEOUT = const(-3019)
_EIO = const(-5)
_DGRAM_MAX = const(2048)  # largest DTLS datagram read
_DTLS_SLICE = const(50)  # ms a DTLS handshake read waits before mbedTLS checks its retransmission timer


class _Bio(io.IOBase):
    """The stream MicroPython's ssl reads and writes: the transport Socket's recv/send.

    Waits only as long as the current operation may (``start``). In a data
    operation (``once``) a stream read waits only until one whole record has
    arrived, so ssl's read loop returns what it has instead of blocking.
    """

    def __init__(self, sock, dgram):
        self.s = sock
        self.dg = dgram
        self.t0 = 0  # start of the operation (ticks_ms)
        self.t = 0  # its timeout in ms: 0 never wait, < 0 forever
        self.once = False
        self.got = False  # a whole record arrived in this operation
        self.err = 0  # the last transport error (nsapi), or TIMEOUT
        self.left = 0  # bytes left of the record body being read
        self.hn = 0  # header bytes seen of the next record
        self.hdr = bytearray(5)  # TLS record header: type, version, length

    def start(self, timeout, once):
        self.t0 = ticks_ms()
        self.t = timeout
        self.once = once
        self.got = False
        self.err = 0

    def _wait(self):
        # ms the next transport call may wait: -1 forever, 0 not at all
        t = self.t
        if t == 0:
            return 0
        if t > 0:
            t -= ticks_diff(ticks_ms(), self.t0)
            if t < 0:
                t = 0
        if self.dg and not self.once and (t < 0 or t > _DTLS_SLICE):
            t = _DTLS_SLICE
        return t

    def _blocked(self, t):
        # nothing came within t ms: ssl gets "would block", or the handshake fails when out of time
        if self.once or self.t == 0 or self.t < 0 or ticks_diff(ticks_ms(), self.t0) < self.t:
            return None
        self.err = _TIMEOUT
        return _EIO

    def readinto(self, buf):
        if self.once and self.got and not self.left and not self.hn:
            return None  # one record per recv, as Mbed's one mbedtls_ssl_read: a close_notify
            # behind the data stays for the next recv, which then returns 0
        s = self.s
        t = self._wait()
        s.set_timeout(t)
        n = len(buf)
        if self.dg and n > _DGRAM_MAX:  # mbedTLS offers its whole input buffer for one datagram
            n = _DGRAM_MAX
        n = s.recv(buf, n)
        if n == _WOULD_BLOCK:
            return self._blocked(t)
        if n < 0:
            self.err = n
            return _EIO
        if self.dg:
            self.got = True
            return n
        i = 0  # follow the record framing (mbedTLS asks for exactly the bytes it misses)
        while i < n:
            if self.left:
                k = min(self.left, n - i)
                self.left -= k
                i += k
                self.got = not self.left
            else:
                self.hdr[self.hn] = buf[i]
                self.hn += 1
                i += 1
                if self.hn == 5:
                    self.hn = 0
                    self.left = self.hdr[3] << 8 | self.hdr[4]
                    self.got = not self.left
        return n

    def write(self, buf):
        s = self.s
        t = self._wait()
        s.set_timeout(t)
        n = s.send(buf, len(buf))
        if n == _WOULD_BLOCK:
            return self._blocked(t)
        if n < 0:
            self.err = n
            return _EIO
        return n

    def ioctl(self, req, arg):
        return 0  # poll and close stay with the wrapper


def _size(data, size):
    try:
        n = len(data)
        if size is None:
            return n
        if 0 <= size <= n:
            return size
    except TypeError:
        pass
    return -1


def _pem_blocks(text):
    # the DER inside each "-----BEGIN ...-----" block of PEM text, in order
    from binascii import a2b_base64

    out = []
    i = text.find(b"-----BEGIN ")
    while i >= 0:
        a = text.find(b"-----", i + 11) + 5
        b = text.find(b"-----END ", a)
        if a < 5 or b < 0:
            raise ValueError
        out.append(a2b_base64(text[a:b]))
        i = text.find(b"-----BEGIN ", b)
    return out


def _ders(data):
    # certificates or keys as DER blobs, from DER or PEM bytes/str or a file path; ValueError/OSError if bad
    if isinstance(data, str):
        if "-----BEGIN " in data:
            data = data.encode()
        else:
            with open(data, "rb") as f:
                data = f.read()
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError
    data = bytes(data)
    if b"-----BEGIN " in data:
        return _pem_blocks(data)
    if not data:
        raise ValueError
    return [data]


class TLSSocketWrapper(Socket):
    """TLS over an already created Socket (TCPSocket, a modem's socket, ...).

    ``control`` says whether ``connect``/``close`` also connect and close the
    transport (TRANSPORT_CONNECT_AND_CLOSE, the default), only one of them, or
    neither (TRANSPORT_KEEP).
    """

    _proto = 0  # tls.PROTOCOL_TLS_CLIENT
    _dgram = False
    _eof = False  # the peer's close_notify came: recv returns 0
    _nat = None  # the native socket mbedTLS uses itself, after a native handshake (_tls_native.py)
    _chain = False  # set_verify_chain_only()
    _busy = 0  # recv/send calls inside ssl now (another thread may close)

    def __init__(self, transport, hostname=None, control=TRANSPORT_CONNECT_AND_CLOSE):
        self._t = transport  # None once closed
        self._host = hostname
        self._ctl = control
        self._ctx = None  # tls.SSLContext, made when first needed
        self._ss = None  # the ssl socket after a good handshake
        self._bio = None  # the adapter; None on the native path
        self._timeout = -1

    def __repr__(self):
        if self._t is None:
            s = "closed"
        else:
            s = "connected" if self._ss is not None else "not connected"
        return "<%s %s>" % (type(self).__name__, s)

    def _context(self):
        c = self._ctx
        if c is None:
            c = self._ctx = tls.SSLContext(self._proto)
            c.verify_mode = tls.CERT_REQUIRED
        return c

    def set_hostname(self, hostname):
        """Host name for SNI and the certificate name check."""
        if not isinstance(hostname, str) or not hostname:
            return _PARAMETER
        self._host = hostname
        return _OK

    def set_root_ca_cert(self, ca, size=None):
        """Trust the CA certificate(s) in ``ca``: DER or PEM (bytes or str), or a file path.

        OK, PARAMETER if it does not parse, NO_MEMORY. Call before connect.
        """
        if self._t is None:
            return _NO_SOCKET
        if size is not None and not isinstance(ca, str):
            if not 0 <= size <= len(ca):
                return _PARAMETER
            ca = memoryview(ca)[:size]
        return self._load(ca, None)

    def set_root_ca_cert_path(self, path):
        """Trust every certificate file (PEM or DER) in the directory or file ``path``.

        Entries that are not certificates are skipped, as mbedTLS's x509_crt_parse_path does.
        OK when at least one certificate was loaded, else PARAMETER; NO_MEMORY.
        """
        import os

        if self._t is None:
            return _NO_SOCKET
        if not isinstance(path, str):
            return _PARAMETER
        try:
            names = [path + "/" + n for n in sorted(os.listdir(path))]
        except OSError:
            names = [path]
        ok = False
        for n in names:
            err = self._load(n, None)
            if err == _NO_MEMORY:
                return err
            ok = ok or not err
        return _OK if ok else _PARAMETER

    def set_client_cert_key(self, cert, key, *more):
        """Client certificate and private key (DER or PEM, bytes or file paths).

        The Mbed form ``(cert, cert_len, key, key_len)`` works too. OK or PARAMETER.
        """
        if self._t is None:
            return _NO_SOCKET
        if more:  # (cert, cert_len, key, key_len)
            if len(more) != 2 or isinstance(cert, str) or isinstance(more[0], str):
                return _PARAMETER
            try:
                cert = memoryview(cert)[:key]
                key = memoryview(more[0])[: more[1]]
            except (TypeError, ValueError):
                return _PARAMETER
        return self._load(cert, key)

    def _load(self, cert, key):
        try:
            certs = _ders(cert)
            if key is None:
                c = self._context()
                for d in certs:
                    c.load_verify_locations(d)
            else:
                self._context().load_cert_chain(certs[0], _ders(key)[0])
        except MemoryError:
            return _NO_MEMORY
        except Exception:
            return _PARAMETER
        return _OK

    def set_verify_chain_only(self):
        """Mbed's check when no host name is set: the certificate chain (CA, dates) is verified
        and any name in the certificate is accepted. Without this (and without
        set_hostname) netsocket checks the name against the IP connected to.

        It costs a second connection and handshake (_tls_name.py says why), and needs a
        wrapper that connects its transport (TLSSocket, TRANSPORT_CONNECT*; not DTLS):
        connect then returns UNSUPPORTED otherwise. set_hostname() is the cheaper fix.
        """
        if self._t is None:
            return _NO_SOCKET
        self._chain = True
        return _OK

    def set_insecure_no_verify(self):
        """INSECURE: accept any server certificate (no CA, name or date check)."""
        if self._t is None:
            return _NO_SOCKET
        self._context().verify_mode = tls.CERT_NONE
        return _OK

    def connect(self, addr=None, port=None):
        """Connect the transport (if this wrapper controls it), then do the TLS handshake.

        OK; IN_PROGRESS / ALREADY while a non-blocking transport connects;
        IS_CONNECTED when already done; AUTH_FAILURE for any handshake or
        certificate failure (no CA, bad certificate, wrong name, ...); TIMEOUT
        when the handshake outlives the timeout; a transport error.
        """
        t = self._t
        if t is None:
            return _NO_SOCKET
        if self._ss is not None:
            return _IS_CONNECTED
        err = _OK
        if addr is not None and (self._ctl == TRANSPORT_CONNECT_AND_CLOSE or self._ctl == TRANSPORT_CONNECT):
            err = t.connect(addr) if port is None else t.connect(addr, port)
            if err == _IN_PROGRESS or err == _ALREADY:
                return err
            if err and err != _IS_CONNECTED:
                return err
        if self._host is None:  # check the name (or the IP) connected to
            if isinstance(addr, str):
                self._host = addr
            elif self._chain:  # set_verify_chain_only(): the name the certificate carries
                from ._tls_name import learn

                err = learn(self, addr, port)
                if err:
                    return err
            else:
                a = SocketAddress()
                if t.getpeername(a) == _OK:
                    self._host = a.get_ip_address()
        err2 = self._handshake()
        if err2:
            return err2
        return _IS_CONNECTED if err == _IS_CONNECTED else _OK

    def _handshake(self):
        if self._dgram and not hasattr(tls, "PROTOCOL_DTLS_CLIENT"):
            return _UNSUPPORTED
        t = self._t
        h = getattr(t, "_h", None)
        if not self._dgram and h is not None and t._io is h:  # NativeStack: its stream is the native socket
            from ._tls_native import handshake  # (loaded only here: less heap elsewhere)

            return handshake(self, h)
        bio = self._bio
        if bio is None:
            bio = self._bio = _Bio(self._t, self._dgram)
        to = self._timeout
        bio.start(to if to else HANDSHAKE_MS, False)
        try:
            self._ss = self._context().wrap_socket(bio, server_hostname=self._host)
        except MemoryError:
            return _NO_MEMORY
        except Exception:  # ValueError (certificate) or OSError (alert, transport)
            return _TIMEOUT if bio.err == _TIMEOUT else _AUTH_FAILURE
        self._ctx = None  # the ssl socket keeps it alive
        return _OK

    def send(self, data, size=None):
        """Send over TLS. -> count, WOULD_BLOCK, NO_CONNECTION before the handshake, or an error."""
        if self._t is None:
            return _NO_SOCKET
        ss = self._ss
        if ss is None:
            return _NO_CONNECTION
        size = _size(data, size)
        if size <= 0:
            return size and _PARAMETER
        if self._nat is not None:  # mbedTLS writes the native socket itself (_tls_native.py)
            from ._tls_native import send

            return send(self, ss, data, size)
        bio = self._bio
        bio.start(self._timeout, True)
        self._busy += 1  # close() in another thread waits until this call has left ssl
        try:
            n = ss.write(data, size)
        except MemoryError:
            return _NO_MEMORY
        except Exception:
            return bio.err or _DEVICE_ERROR
        finally:
            self._busy -= 1
        return _WOULD_BLOCK if n is None else n

    def recv(self, buf, size=None):
        """Receive into ``buf``. -> count, 0 after the peer's close_notify, WOULD_BLOCK or error."""
        if self._t is None:
            return _NO_SOCKET
        ss = self._ss
        if ss is None:
            return _NO_CONNECTION
        size = _size(buf, size)
        if size <= 0:
            return size and _PARAMETER
        if self._eof:
            return 0
        if self._nat is not None:  # mbedTLS reads the native socket itself (_tls_native.py)
            from ._tls_native import recv

            return recv(self, ss, buf, size)
        # First take what is there without waiting: ssl's read loop would block for the rest
        # of ``size`` after a short record. If nothing was there, wait for one whole record.
        bio = self._bio
        t = self._timeout
        bio.start(0, True)
        while True:
            self._busy += 1  # close() in another thread waits until this call has left ssl
            try:
                n = ss.readinto(buf, size)
            except MemoryError:
                return _NO_MEMORY
            except Exception:
                return bio.err or _DEVICE_ERROR
            finally:
                self._busy -= 1
            if n is not None:
                if n == 0:  # the peer's close_notify: 0 from now on, as Mbed
                    self._eof = True
                return n
            if bio.got:  # a whole record without data came (a TLS 1.3 ticket, ...): the next one
                bio.got = False
                if bio.t == 0 or t < 0 or ticks_diff(ticks_ms(), bio.t0) < t:
                    continue
            elif bio.t == 0 and t != 0:
                bio.start(t, True)  # nothing there: wait for one whole record
                continue
            return _WOULD_BLOCK  # non-blocking, or out of time

    def sendto(self, addr, data, size=None):
        """The address is ignored: the peer is the one connected to."""
        return self.send(data, size)

    def recvfrom(self, addr, buf, size=None):
        """recv() that also fills the SocketAddress ``addr`` with the peer."""
        if addr is not None and self._ss is not None:
            self._t.getpeername(addr)
        return self.recv(buf, size)

    def close(self):
        """Close TLS (and the transport if this wrapper controls it). Afterwards every call gives NO_SOCKET.

        As in Mbed, closing the transport calls the sigio callback and makes a recv/send
        blocked in another thread return NO_SOCKET; close returns after it has left.
        """
        t = self._t
        if t is None:
            return _NO_SOCKET
        self._t = None
        ss = self._ss
        self._ss = self._ctx = None
        if self._nat is not None:
            self._nat = None
        err = _OK
        if self._ctl == TRANSPORT_CONNECT_AND_CLOSE or self._ctl == TRANSPORT_CLOSE:
            err = t.close()  # ends a transport wait of a recv/send in another thread
            if getattr(t, "_cb", True) is not None:  # (none attached: sigio's module stays unloaded)
                t.sigio(None)
            t0 = ticks_ms()
            while self._busy and ticks_diff(ticks_ms(), t0) < 2000:  # it is leaving ssl
                sleep_ms(1)
        self._bio = None
        if ss is not None and not self._busy:  # never free it under a call still inside ssl
            try:  # (a transport left open keeps such a call waiting: the GC frees ss later)
                ss.close()
            except Exception:
                pass
        return err

    def set_blocking(self, blocking):
        self.set_timeout(-1 if blocking else 0)

    def set_timeout(self, timeout):
        """Timeout in ms (an int): 0 non-blocking, negative forever. Also given to the transport.
        -> OK, or PARAMETER (unchanged) for anything else, as TCPSocket.set_timeout."""
        if type(timeout) is not int:
            return _PARAMETER
        self._timeout = -1 if timeout < 0 else timeout
        if self._t is not None:
            self._t.set_timeout(timeout)
        return _OK

    def sigio(self, cb):
        """``cb()`` on transport events (may be spurious); it must not send or recv."""
        if self._t is not None:
            self._t.sigio(cb)

    def getpeername(self, addr):
        if self._t is None:
            return _NO_SOCKET
        if self._ss is None:
            return _NO_CONNECTION
        return self._t.getpeername(addr)

    def bind(self, addr, port=None):
        if self._t is None:
            return _NO_SOCKET
        return self._t.bind(addr) if port is None else self._t.bind(addr, port)

    def setsockopt(self, level, opt, value):
        if self._t is None:
            return _NO_SOCKET
        return self._t.setsockopt(level, opt, value)

    def getsockopt(self, level, opt):
        if self._t is None:
            return None, _NO_SOCKET
        return self._t.getsockopt(level, opt)

    def listen(self, backlog=1):
        return _UNSUPPORTED

    def accept(self):
        return None, _UNSUPPORTED

    def get_transport(self):
        return self._t


class TLSSocket(TLSSocketWrapper):
    """TLS over its own TCPSocket: ``open``, CA / hostname settings, ``connect``. Not reopenable."""

    def __init__(self):
        super().__init__(TCPSocket())

    def open(self, net):
        """Open the inner TCPSocket; PARAMETER if already open, NO_SOCKET once closed."""
        if self._t is None:
            return _NO_SOCKET
        return self._t.open(net)


class DTLSSocketWrapper(TLSSocketWrapper):
    """DTLS over an already created datagram Socket (UNSUPPORTED where the port's ssl has no DTLS)."""

    _proto = 2  # tls.PROTOCOL_DTLS_CLIENT
    _dgram = True


class DTLSSocket(DTLSSocketWrapper):
    """DTLS over its own UDPSocket: ``open``, settings, ``connect`` (sets the peer, then handshakes)."""

    def __init__(self, net=None, hostname=None):
        from . import UDPSocket  # loaded only when DTLS is used

        super().__init__(UDPSocket(), hostname)
        if net is not None:
            self.open(net)

    def open(self, net):
        if self._t is None:
            return _NO_SOCKET
        return self._t.open(net)
