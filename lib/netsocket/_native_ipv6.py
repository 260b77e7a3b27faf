"""IPv6 on a NativeStack socket opened as IPv4 (loaded only when a program uses IPv6).

Mbed's socket_open(proto) does not know the family, and MicroPython's socket is
opened for one: NativeStack opens IPv4. The first connect, bind or sendto with an
IPv6 address fails on it with PARAMETER; the socket then asks ``reopen`` for a fresh
IPv6 native socket in place of the IPv4 one and tries again. Only a socket that was
never bound or (TCP) connected is reopened; options set before are not carried over.
Link-local destinations (fe80::/10) are refused: a SocketAddress has no scope.
"""

from .socket import InternetSocket
from .stack import NativeStack, socket  # the port's socket module, also after compat.install()

InternetSocket._v6 = False  # the native socket was reopened as IPv6
InternetSocket._bound = False  # bind() succeeded: the native socket is no longer fresh


def reopen(sock, addr):
    """Replace ``sock``'s IPv4 native socket with an IPv6 one for ``addr``; -> True if done."""
    ip = addr._ip
    if ip[0] == 0xFE and ip[1] & 0xC0 == 0x80:  # link-local: needs an interface (scope) that
        return False  # a SocketAddress cannot carry; PARAMETER, and no packet on a real link
    st = sock._stack
    tcp = not sock._proto
    if sock._v6 or sock._bound or (tcp and sock._peer is not None):
        return False
    if not isinstance(st, NativeStack) or not st._raw:  # lwIP ports: unchanged (untested)
        return False
    try:
        s = socket.socket(10, 1 if tcp else 2)
        s.setblocking(False)
    except BaseException:  # no IPv6 on this host: the IPv4 socket's PARAMETER stands
        return False
    h = sock._h
    st.socket_attach(h, None)
    try:
        h.close()
    except OSError:
        pass
    sock._h = s
    sock._v6 = True
    if sock._cb is not None:
        sock._sio()  # re-attach sigio; TCP: a new Stream over the new handle
    elif tcp:
        sock._io = st.socket_stream(s)
    elif sock._peer is None:  # UDP: the hot path's native socket (udp.py) is the new one
        sock._io = st.socket_dgram(s)
    return True
