"""HTTP client: Mbed's netsocket example, line by line in Python.

Run on a board: ``import http_client; http_client.main()``, or with another
server: ``http_client.main("10.0.0.2", 8080)``.
"""

from netsocket import NetworkInterface, SocketAddress, TCPSocket, nsapi

HOST = "example.com"
PORT = 80


def main(host=HOST, port=PORT):
    """Fetch / from host:port; return the number of bytes received (< 0 on error)."""
    net = NetworkInterface.get_default_instance()
    if net is None:
        print("Error! No network interface found.")
        return nsapi.NSAPI_ERROR_NO_CONNECTION
    result = net.connect()
    if result not in (0, nsapi.NSAPI_ERROR_IS_CONNECTED):
        print("Error! net.connect() returned:", result)
        return result

    a = SocketAddress()
    net.get_ip_address(a)
    print("IP address:", a.get_ip_address() or "None")

    sock = TCPSocket()
    result = sock.open(net)
    if result != 0:
        print("Error! sock.open() returned:", nsapi.strerror(result))
        return result

    result = net.gethostbyname(host, a)
    if result != 0:
        print("Error! gethostbyname(%s) returned: %s" % (host, nsapi.strerror(result)))
        sock.close()
        return result
    a.set_port(port)
    print("Connecting to", a)
    result = sock.connect(a)
    if result != 0:
        print("Error! sock.connect() returned:", nsapi.strerror(result))
        sock.close()
        return result

    request = b"GET / HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n"
    scount = sock.send(request)
    print("sent %d [%s]" % (scount, request[: request.find(b"\r\n")].decode()))

    buf = bytearray(256)
    total = 0
    while True:
        rcount = sock.recv(buf)
        if rcount <= 0:
            break
        if total == 0:
            print("recv %d [%s]" % (rcount, bytes(buf[: bytes(buf[:rcount]).find(b"\r\n")]).decode()))
        total += rcount
    print("received %d bytes in total" % total)
    sock.close()
    print("Done")
    return total if rcount == 0 else rcount


if __name__ == "__main__":
    main()
