# Board side of `netsocket bench sockets`. It runs INSIDE MicroPython on the
# board (sent as text over the raw REPL), not under CPython. Each workload
# exists twice, doing the same work with the same peer: over netsocket
# (ns_*) and over MicroPython's own socket module (raw_*). Each returns the
# elapsed microseconds.
import socket
import time
from netsocket import TCPSocket, UDPSocket, SocketAddress, NetworkInterface

NET = NetworkInterface.get_default_instance()
NET.connect()


def _sa(host, port):
    return socket.getaddrinfo(host, port)[0][-1]


def ns_bulk(host, port, total, chunk):
    # to the sink: a length, the bytes, then its "OK" once it has them all
    buf = bytearray(chunk)
    ack = bytearray(2)
    s = TCPSocket()
    s.open(NET)
    s.connect(SocketAddress(host, port))
    t0 = time.ticks_us()
    s.send(total.to_bytes(4, "big"))
    sent = 0
    while sent < total:
        n = s.send(buf)
        if n < 0:
            raise OSError(n)
        sent += n
    if s.recv(ack) != 2 or ack != b"OK":
        raise OSError(-1)
    s.close()
    return time.ticks_diff(time.ticks_us(), t0)


def raw_bulk(host, port, total, chunk):
    buf = bytearray(chunk)
    s = socket.socket()
    s.connect(_sa(host, port))
    t0 = time.ticks_us()
    s.write(total.to_bytes(4, "big"))
    sent = 0
    while sent < total:
        sent += s.write(buf)
    if s.read(2) != b"OK":
        raise OSError(-1)
    s.close()
    return time.ticks_diff(time.ticks_us(), t0)


def ns_echo(host, port, n):
    out = bytearray(64)
    buf = bytearray(64)
    s = TCPSocket()
    s.open(NET)
    s.connect(SocketAddress(host, port))
    t0 = time.ticks_us()
    for _ in range(n):
        s.send(out)
        got = 0
        while got < 64:
            r = s.recv(buf, 64 - got)
            if r <= 0:
                raise OSError(r)
            got += r
    t = time.ticks_diff(time.ticks_us(), t0)
    s.close()
    return t


def raw_echo(host, port, n):
    out = bytearray(64)
    buf = bytearray(64)
    s = socket.socket()
    s.connect(_sa(host, port))
    t0 = time.ticks_us()
    for _ in range(n):
        s.write(out)
        s.readinto(buf)  # a blocking readinto fills all 64 bytes
    t = time.ticks_diff(time.ticks_us(), t0)
    s.close()
    return t


def ns_udp(host, port, n):
    out = bytearray(64)
    buf = bytearray(64)
    peer = SocketAddress(host, port)
    u = UDPSocket()
    u.open(NET)
    u.set_timeout(1000)
    lost = 0
    t0 = time.ticks_us()
    for _ in range(n):
        u.sendto(peer, out)
        if u.recv(buf) < 0:
            lost += 1
    t = time.ticks_diff(time.ticks_us(), t0)
    u.close()
    return t, lost


def raw_udp(host, port, n):
    out = bytearray(64)
    buf = bytearray(64)
    peer = _sa(host, port)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1)
    lost = 0
    t0 = time.ticks_us()
    for _ in range(n):
        u.sendto(out, peer)
        try:
            u.readinto(buf)
        except OSError:
            lost += 1
    t = time.ticks_diff(time.ticks_us(), t0)
    u.close()
    return t, lost
