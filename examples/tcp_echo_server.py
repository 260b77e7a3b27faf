"""TCP echo server: bind, listen, accept clients in turn, echo what they send.

``tcp_echo_server.main(port=7, clients=1)`` serves ``clients`` connections, then returns.
"""

from netsocket import NetworkInterface, SocketAddress, TCPSocket, nsapi

PORT = 7


def main(port=PORT, clients=1, ready=None):
    """Serve ``clients`` connections (0 = forever); ``ready(addr)`` is called once listening."""
    net = NetworkInterface.get_default_instance()
    net.connect()
    srv = TCPSocket()
    nsapi.check(srv.open(net))
    srv.setsockopt(nsapi.NSAPI_SOCKET, nsapi.NSAPI_REUSEADDR, 1)
    a = SocketAddress()
    net.get_ip_address(a)
    a.set_port(port)
    nsapi.check(srv.bind(a))
    nsapi.check(srv.listen(2))
    print("listening on", a)
    if ready:
        ready(a)
    buf = bytearray(512)
    served = 0
    while not clients or served < clients:
        client, err = srv.accept()  # the listener keeps listening
        if err:
            print("accept:", nsapi.strerror(err))
            continue
        peer = SocketAddress()
        client.getpeername(peer)
        print("client", peer)
        with client:
            while True:
                n = client.recv(buf)
                if n <= 0:
                    break
                client.send(buf, n)
        served += 1
    srv.close()
    return served


if __name__ == "__main__":
    main(clients=0)
