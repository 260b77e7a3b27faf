"""NetworkStack: the seam between sockets and an IP stack (NativeStack, over MicroPython's
socket module, is in native_stack.py, loaded when first asked for).

Every ``socket_*`` call is non-blocking: it returns NSAPI_ERROR_WOULD_BLOCK
at once. Socket classes build blocking and timeouts on ``socket_wait``.
"""

from micropython import const
from .address import SocketAddress

_OK = const(0)
_WOULD_BLOCK = const(-3001)
_UNSUPPORTED = const(-3002)
_PARAMETER = const(-3003)
_DNS_FAILURE = const(-3009)

_POLLIN = const(1)
_POLLOUT = const(4)


class NetworkStack:
    """What sockets are opened on: the seam every IP stack and modem driver implements.

    Every call is non-blocking (WOULD_BLOCK at once); sockets build blocking
    and timeouts on ``socket_wait``. ``h`` is the driver's socket handle.

    - ``socket_open(proto) -> (h, err)`` (proto NSAPI_TCP 0 / NSAPI_UDP 1), ``socket_close(h)``
    - ``socket_bind(h, addr)``, ``socket_listen(h, backlog)``, ``socket_connect(h, addr)``
    - ``socket_accept(h, addr_out) -> (h, err)``: fills the SocketAddress ``addr_out`` with the peer
    - ``socket_send(h, data, size)``, ``socket_recv(h, buf, size)`` -> count or error
    - ``socket_stream(h)``: what TCPSocket sends and receives through, a MicroPython stream:
      ``write(buf[, n])``, ``write(buf, offset, n)``, ``readinto(buf[, n])`` -> count
      (``readinto``: 0 when the peer closed) or None when it would block; OSError on
      errors (``nsapi_error`` maps them). The default wraps ``socket_send``/``socket_recv``;
      a stack whose handles are streams (NativeStack) returns ``h`` itself, so a send is
      one Python call over the native one.
    - ``socket_sendto(h, addr, data, size)``, ``socket_recvfrom(h, addr_out, buf, size)``
    - ``socket_dgram(h)``: None, or (NativeStack) the native UDP socket, which UDPSocket then
      calls directly (``sendto(data, dst)`` with ``dst = stack._sa(addr)``; ``recv(n)``,
      ``recvfrom(n)`` with the source read by ``stack._addr``): a datagram in one Python frame
    - ``setsockopt(h, level, opt, value)``, ``getsockopt(h, level, opt) -> (value, err)``
    - ``socket_attach(h, cb)``: call ``cb()`` on socket events (spurious calls allowed); None detaches
    - ``socket_wait(h, events, timeout)``: wait up to ``timeout`` ms (< 0 forever) for
      POLLIN (1) / POLLOUT (4); -> revents, 0 on timeout
    - ``socket_poll(h)``: what is ready now, never waiting -> POLLIN / POLLOUT / POLLERR (8) /
      POLLHUP (16) bits; the one readiness question behind blocking waits and the socket
      facade's ``ioctl`` (netsocket.compat). The default asks ``socket_wait`` with no time:
      NativeStack's answer comes from the native socket; an AT stack answers from its state
      after reading the URCs already waiting
    - ``get_ip_address(addr_out)``; ``gethostbyname`` below, over the driver's ``_lookup``;
      ``get_dns_server(index, addr_out)``: the driver's own servers (e.g. from DHCP)
    - for applications, as Mbed's NetworkStack: ``gethostbyname_async``/``_cancel``,
      ``getaddrinfo(_async)``, ``add_dns_server`` (netsocket's resolver, _stack_dns.py);
      ``setstackopt(level, opt, value)``, ``getstackopt(level, opt) -> (value, err)``

    A call the driver does not define returns UNSUPPORTED ((None, UNSUPPORTED)
    for the pairs). ``sockets`` counts the sockets open on this stack.
    """

    sockets = 0

    def socket_stream(self, h):
        return Stream(self, h)

    def socket_dgram(self, h):
        return None  # UDPSocket goes through socket_sendto/socket_recvfrom

    def __getattr__(self, name):
        # a seam call this driver lacks (one fallback instead of a dozen stub methods), or one of
        # Mbed's NetworkStack DNS calls (_stack_dns.py, added to the class on first use)
        if name in _PAIRS:
            return lambda *a: (None, _UNSUPPORTED)
        if name.startswith("socket_") or name in _CALLS:
            return lambda *a: _UNSUPPORTED
        if " " + name + " " not in _APP:
            raise AttributeError(name)
        from ._stack_dns import more

        return more(self, name)

    def socket_poll(self, h):
        return self.socket_wait(h, _POLLIN | _POLLOUT, 0)

    _hit = None  # dns.py's cache lookup, set when it is loaded (see gethostbyname)

    def gethostbyname(self, host, addr, version=0):
        """Resolve ``host`` into the SocketAddress ``addr`` (port kept); -> nsapi code."""
        hit = NetworkStack._hit  # a name netsocket's resolver has cached: no checks, no parsing, no import
        if hit is not None and type(addr) is SocketAddress and (
                NetworkStack._resolver or type(self)._lookup is NetworkStack._lookup):
            hit = hit(host, version)  # a literal, a bad name or version is never in it
            if hit:
                addr._ip = hit[0]
                return _OK
        if not isinstance(host, str) or not isinstance(addr, SocketAddress):
            return _PARAMETER
        if not host or len(host) > 255:
            return _PARAMETER
        port = addr._port
        if addr.set_ip_address(host):  # a literal: no lookup
            if version and addr.get_ip_version() != version:
                addr._ip = None
                return _DNS_FAILURE
            return _OK
        ip = self._lookup(host, version)
        if isinstance(ip, int):
            return ip
        addr._ip = ip
        addr._port = port
        return _OK

    _resolver = False  # True once the app gave netsocket's resolver servers (add_dns_server)

    def _lookup(self, host, version):
        # -> 4/16 address bytes or an nsapi error; netsocket's own resolver (dns.py)
        from .dns import lookup

        return lookup(self, host, version)


_PAIRS = ("socket_open", "socket_accept", "getsockopt", "getstackopt")
_CALLS = ("setsockopt", "get_ip_address", "setstackopt", "get_dns_server")  # get_dns_server: the driver's own
_APP = " gethostbyname_async gethostbyname_async_cancel getaddrinfo getaddrinfo_async add_dns_server "  # _stack_dns.py


class Stream:
    """A stack's socket ``h`` as a stream, over ``socket_send``/``socket_recv``.

    With ``sock`` (a Socket using sigio) each call first resets its event count.
    """

    def __init__(self, st, h, sock=None):
        self.st = st
        self.h = h
        self.sock = sock

    def write(self, buf, n=None, m=None):  # write(buf[, n]) or write(buf, offset, n)
        if m is not None:
            buf = memoryview(buf)[n : n + m]
            n = m
        return self._io(self.st.socket_send, buf, n)

    def readinto(self, buf, n=None):
        return self._io(self.st.socket_recv, buf, n)

    def _io(self, f, buf, n):
        if self.sock is not None:
            self.sock._pend = 0
        n = f(self.h, buf, len(buf) if n is None else n)
        if n >= 0:
            return n
        if n == _WOULD_BLOCK:
            return None
        raise OSError(n)  # an nsapi code: nsapi_error() gives it back


def __getattr__(name):
    # stack.NativeStack, stack.nsapi_error (and the port's socket module NativeStack uses), kept
    # here for importers: native_stack.py loads only when one of them is asked for
    if name in ("NativeStack", "nsapi_error", "socket"):
        from .native_stack import NativeStack, nsapi_error, socket  # (not "from . import": that asks the package)

        return NativeStack if name == "NativeStack" else nsapi_error if name == "nsapi_error" else socket
    raise AttributeError(name)
