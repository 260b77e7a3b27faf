"""SocketAddress: an IPv4 or IPv6 address and a port, as Mbed's SocketAddress."""


class SocketAddress:
    """IP address and port.

    ``SocketAddress()``, ``SocketAddress("10.0.0.1", 80)``,
    ``SocketAddress(b"\\x0a\\0\\0\\1", NSAPI_IPv4, 80)``, ``SocketAddress(other[, port])``,
    and MicroPython's ``SocketAddress(("10.0.0.1", 80))``.
    Text that is not an IPv4/IPv6 literal gives an unspecified address (the
    port is kept), as in Mbed. A constructor cannot return a code: a port that is
    not an int raises TypeError, one outside 0..65535 ValueError (Mbed's uint16_t would
    wrap it), an address of another type TypeError.
    """

    _ip = None  # None (NSAPI_UNSPEC), 4 bytes (IPv4) or 16 bytes (IPv6)
    _port = 0

    def __init__(self, addr=None, a=None, b=0):
        if isinstance(addr, tuple) and len(addr) == 2 and a is None:
            addr, a = addr  # MicroPython's (ip, port)
        if isinstance(addr, SocketAddress):
            self._ip = addr._ip
            port = addr._port if a is None else a
        elif isinstance(addr, (bytes, bytearray, memoryview)):
            self.set_ip_bytes(addr, a)
            port = b
        elif addr is None or isinstance(addr, str):
            if addr is not None:
                self.set_ip_address(addr)
            port = a
        else:
            raise TypeError("addr")  # the parameter's name (a string the module already holds)
        if port is not None and not self.set_port(port):
            raise (ValueError if isinstance(port, int) else TypeError)("port")  # 0..65535

    def set_ip_address(self, text):
        """Set from an IPv4/IPv6 literal; False (and unspecified) if not valid."""
        ip = None
        if isinstance(text, str):
            if ":" in text:
                from ._ipv6_text import parse

                ip = parse(text)
            else:  # "a.b.c.d"
                p = text.split(".")
                if len(p) == 4:
                    ip = bytearray(4)
                    for i in range(4):
                        x = p[i]
                        if not 0 < len(x) <= 3 or not x.isdigit() or int(x) > 255:
                            ip = None
                            break
                        ip[i] = int(x)
                    if ip is not None:
                        ip = bytes(ip)
        self._ip = ip
        return ip is not None

    def set_ip_bytes(self, data, version):
        """Set from 4 (NSAPI_IPv4 = 1) or 16 (NSAPI_IPv6 = 2) bytes; False if invalid."""
        n = 4 if version == 1 else 16 if version == 2 else 0
        try:
            ip = bytes(data[:n]) if n else None
        except TypeError:
            ip = None
        if ip is not None and len(ip) != n:
            ip = None
        self._ip = ip
        return ip is not None

    def set_port(self, port):
        """Set the port (0..65535); returns False and keeps the port if invalid."""
        if isinstance(port, int) and 0 <= port <= 65535:
            self._port = port
            return True
        return False

    def get_ip_address(self):
        """Text form, or None when unspecified."""
        ip = self._ip
        if ip is None:
            return None
        if len(ip) == 4:
            return "%d.%d.%d.%d" % (ip[0], ip[1], ip[2], ip[3])
        from ._ipv6_text import text

        return text(ip)

    def get_ip_bytes(self):
        """4 or 16 address bytes, or None when unspecified."""
        return self._ip

    def get_ip_version(self):
        """NSAPI_UNSPEC (0), NSAPI_IPv4 (1) or NSAPI_IPv6 (2)."""
        ip = self._ip
        return 0 if ip is None else 1 if len(ip) == 4 else 2

    def get_port(self):
        return self._port

    def __bool__(self):
        ip = self._ip
        return ip is not None and any(ip)

    def __eq__(self, other):  # != is derived from it
        if not isinstance(other, SocketAddress):
            return False
        if not self and not other:
            return True
        return self._ip == other._ip and self._port == other._port

    def __str__(self):
        ip = self.get_ip_address()
        f = "[%s]:%d" if ip and ":" in ip else "%s:%d"  # IPv6 in brackets
        return f % (ip or "", self._port)

    def __repr__(self):
        ip = self.get_ip_address()
        if ip is None and not self._port:
            return "SocketAddress()"
        return "SocketAddress(%r, %d)" % (ip, self._port)
