"""A board's serial port by name: a local device path, or a pyserial URL (``socket://``, ``rfc2217://``).

The bottom layer of the harness: it imports nothing of the harness but its
error type, so board definitions, virtual boards, device listing, flashing
and the test runner all name and open ports the same way.

RFC 2217 through ser2net: when the exported device is a pty (a virtual
board, a USB-CDC gadget) the server never acknowledges the modem-control
requests pyserial sends on open (DTR, RTS, flow control), and pyserial then
fails after 3 s with "timeout while waiting for option 'control'"
(virtual-board-notes §4). pyserial's ``?ign_set_control`` still sends those
requests, it only stops waiting for the answer; the harness never reads the
modem lines back over the network (esptool's DTR/RTS resets still go out),
so `serial_url` adds it to every ``rfc2217://`` URL that lacks it.
"""

from __future__ import annotations

import os
import socket
import stat
from urllib.parse import parse_qs, urlsplit

from .errors import HarnessError

NETWORK_SCHEMES = ("socket", "rfc2217")


def is_url(port: str) -> bool:
    return "://" in port


def host_port(url: str) -> tuple[str, int]:
    """(host, TCP port) of a ``socket://`` or ``rfc2217://`` URL, or a one-line error."""
    parts = urlsplit(url)
    try:
        number = parts.port
    except ValueError:
        number = None
    if not parts.hostname or number is None:
        raise HarnessError(f"{url}: give host and port, as in {parts.scheme}://192.168.1.20:4001")
    return parts.hostname, number


def check_port(port: str) -> None:
    """A local device path must exist and be a character device; a network URL must name host and port."""
    if is_url(port):
        if urlsplit(port).scheme in NETWORK_SCHEMES:
            host_port(port)
        return
    try:
        st = os.stat(port)
    except OSError:
        raise HarnessError(f"serial port {port} does not exist (see: netsocket vboard list, or ls /dev/tty*)") from None
    if not stat.S_ISCHR(st.st_mode):
        raise HarnessError(f"{port} is not a serial device")


def serial_url(port: str) -> str:
    """What pyserial (mpremote, esptool) is given for `port`: an ``rfc2217://`` URL gains ``ign_set_control``."""
    parts = urlsplit(port)
    if parts.scheme != "rfc2217" or "ign_set_control" in parse_qs(parts.query, keep_blank_values=True):
        return port
    return port + ("&" if parts.query else "?") + "ign_set_control"


def why_unopenable(port: str, timeout: float = 5.0) -> str:
    """Why a network URL could not be opened, found by a plain TCP connect (called only after a failure)."""
    if not is_url(port) or urlsplit(port).scheme not in NETWORK_SCHEMES:
        return "busy or not a serial port"
    host, number = host_port(port)
    try:
        with socket.create_connection((host, number), timeout=timeout):
            pass
    except OSError as e:
        reason = e.strerror or str(e) or type(e).__name__
        return f"cannot reach {host}:{number} ({reason}): is the server (ser2net) running there?"
    if urlsplit(port).scheme == "rfc2217":
        return (f"{host}:{number} accepts connections but does not speak RFC 2217 (ser2net needs "
                "`accepter: telnet(rfc2217),tcp,...`; a raw TCP port is socket://), or another client holds it")
    return "the server accepted and closed the connection (another client holds it?)"
