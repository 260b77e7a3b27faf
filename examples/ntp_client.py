"""NTP client over UDPSocket: ask a server for the time.

``ntp_client.main("pool.ntp.org", 123)`` returns the Unix time, or a negative nsapi code.
"""

import struct
from netsocket import NetworkInterface, SocketAddress, UDPSocket, nsapi

HOST = "pool.ntp.org"
PORT = 123
NTP_TO_UNIX = 2208988800


def main(host=HOST, port=PORT, timeout=5000):
    net = NetworkInterface.get_default_instance()
    net.connect()
    server = SocketAddress()
    err = net.gethostbyname(host, server)
    if err:
        print("gethostbyname:", nsapi.strerror(err))
        return err
    server.set_port(port)
    sock = UDPSocket()
    err = sock.open(net)
    if err:
        return err
    sock.set_timeout(timeout)
    req = bytearray(48)
    req[0] = 0x1B  # LI 0, version 3, mode 3 (client)
    try:
        n = sock.sendto(server, req)
        if n < 0:
            print("sendto:", nsapi.strerror(n))
            return n
        src = SocketAddress()
        n = sock.recvfrom(src, req)
        if n < 0:
            print("recvfrom:", nsapi.strerror(n))
            return n
        if n < 48:
            return nsapi.NSAPI_ERROR_DEVICE_ERROR
        t = struct.unpack_from("!I", req, 40)[0] - NTP_TO_UNIX
        print("time from %s: %d" % (src, t))
        return t
    finally:
        sock.close()


if __name__ == "__main__":
    main()
