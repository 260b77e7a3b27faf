"""netsocket.compat_ssl: MicroPython's ``ssl`` module over TLSSocketWrapper (``ssl``/``ussl`` after compat.install()).

``wrap_socket(sock, server_hostname=..., cadata=..., cert_reqs=...)`` and
``SSLContext(PROTOCOL_TLS_CLIENT).wrap_socket(sock, server_hostname=...)`` take a connected
facade socket and return a facade socket speaking TLS through netsocket's TLSSocketWrapper
(the port's own socket, handed out on its own stack, gets the port's own TLS).
Unlike the port's ssl, verification is on by default (CERT_REQUIRED): the CA comes from
``cadata`` / ``load_verify_locations``, else from ``compat.install(cadata=...)``. The
handshake runs in wrap_socket (blocking); TLS server sockets are not supported.
"""

from micropython import const
from .compat import socket, _oserror, _errno

PROTOCOL_TLS_CLIENT = const(0)
PROTOCOL_TLS_SERVER = const(1)
CERT_NONE = const(0)
CERT_OPTIONAL = const(1)
CERT_REQUIRED = const(2)

_ca = None  # CA(s) trusted when the caller names none (compat.install(cadata=...))


class SSLContext:
    def __init__(self, protocol=PROTOCOL_TLS_CLIENT):
        if protocol != PROTOCOL_TLS_CLIENT:
            raise OSError(_errno("EOPNOTSUPP", 95), "only TLS client sockets are supported")
        self.verify_mode = CERT_REQUIRED
        self._ca = None
        self._cert = None

    def load_verify_locations(self, cafile=None, cadata=None):
        self._ca = cadata if cadata is not None else cafile

    def load_cert_chain(self, certfile, keyfile):
        self._cert = (certfile, keyfile)

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        if server_side:
            raise OSError(_errno("EOPNOTSUPP", 95), "TLS server sockets are not supported")
        c = self._cert or (None, None)
        return _wrap(sock, server_hostname, self._ca, self.verify_mode, c[0], c[1])


def wrap_socket(sock, server_side=False, key=None, cert=None, cert_reqs=CERT_REQUIRED, cadata=None,
                server_hostname=None, do_handshake=True):
    if server_side:
        raise OSError(_errno("EOPNOTSUPP", 95), "TLS server sockets are not supported")
    return _wrap(sock, server_hostname, cadata, cert_reqs, cert, key)


class _TLS(socket):
    """A facade socket over a TLSSocketWrapper: no stream to go straight to; readiness is its transport's."""

    _io = None

    def write(self, buf, n=None):
        return self._write(buf, len(buf) if n is None else n, -1)

    def readinto(self, buf, n=None):
        return self._readinto(buf, len(buf) if n is None else n, -1)

    def ioctl(self, req, arg):
        if req == 3:
            t = self._s.get_transport()
            if t is None or t._h is None:
                return 32
            return t._stack.socket_poll(t._h) & (arg | 24)
        return socket.ioctl(self, req, arg)


def _wrap(sock, host, ca, reqs, cert, key):
    from .tls import TLSSocketWrapper

    if ca is None:
        ca = _ca
    if not isinstance(sock, socket):  # the port's own socket (see compat): the port's own TLS
        return _port_tls(sock, host, ca, reqs, cert, key)
    t = sock._s
    w = TLSSocketWrapper(t, host, 3)  # TRANSPORT_CLOSE: connected already, closed with TLS
    err = 0
    if reqs == CERT_NONE:
        err = w.set_insecure_no_verify()
    elif ca is not None:
        err = w.set_root_ca_cert(ca)
    if not err and cert is not None:
        err = w.set_client_cert_key(cert, key)
    if err == -3003:
        raise ValueError("invalid cert")
    w.set_timeout(t._timeout)
    if not err:
        err = w.connect()
    if err:
        if err == -3011:  # the handshake or the certificate check failed
            raise OSError(-9984, "TLS handshake failed (certificate not trusted, or wrong name)")
        raise _oserror(err, 1)
    f = _TLS(_s=w)
    f._up = True
    return f


def _port_tls(sock, host, ca, reqs, cert, key):
    # the port's ssl over its own socket, with this module's defaults (verification on)
    from .tls import tls, _ders

    c = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    c.verify_mode = tls.CERT_NONE if reqs == CERT_NONE else tls.CERT_REQUIRED
    if ca is not None and reqs != CERT_NONE:
        for d in _ders(ca):
            c.load_verify_locations(d)
    if cert is not None:
        c.load_cert_chain(_ders(cert)[0], _ders(key)[0])
    return c.wrap_socket(sock, server_hostname=host)
