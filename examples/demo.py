"""netsocket in one minute: interface, addresses, a server and a client on the same board.

Needs nothing but the board: the TCP server and the client both run here and
talk over the board's own address. Run it with
``netsocket run --board VIRTUAL examples/demo.py``, or ``import demo; demo.main()``.
"""

import netsocket
from netsocket import NetworkInterface, SocketAddress, TCPSocket, nsapi

PORT = 7007


def step(what, code):
    # print one step with its nsapi code, e.g. "  srv.open(net)  -> 0 NSAPI_ERROR_OK"
    print("  %-44s -> %s" % (what, nsapi.strerror(code) if code > 0 else "%d %s" % (code, nsapi.strerror(code))))
    return code


def main(port=PORT):
    """Run the demo; returns 0 when every step worked, else the first failing nsapi code."""
    print("netsocket", netsocket.__version__, "- the Mbed OS Socket API for MicroPython")

    net = NetworkInterface.get_default_instance()
    print("\ndefault interface:", net)
    if step("net.connect()", net.connect()) not in (0, nsapi.NSAPI_ERROR_IS_CONNECTED):
        return nsapi.NSAPI_ERROR_NO_CONNECTION
    ip = SocketAddress()
    step("net.get_ip_address(ip)", net.get_ip_address(ip))
    print("  board IP address:", ip.get_ip_address())

    addr = SocketAddress(ip.get_ip_address(), port)
    print("\na SocketAddress:", repr(addr), "printed as", addr)

    print("\nTCP server on the board:")
    srv = TCPSocket()
    step("srv.open(net)", srv.open(net))
    step("srv.setsockopt(REUSEADDR, 1)", srv.setsockopt(nsapi.NSAPI_SOCKET, nsapi.NSAPI_REUSEADDR, 1))
    err = step("srv.bind(%s)" % addr, srv.bind(addr))
    err = err or step("srv.listen(1)", srv.listen(1))

    print("\nTCP client connecting to it:")
    client = TCPSocket()
    step("client.open(net)", client.open(net))
    client.set_blocking(False)  # one program plays both ends: start the connect, then accept
    e = step("client.connect(%s) [non-blocking]" % addr, client.connect(addr))
    if e not in (0, nsapi.NSAPI_ERROR_IN_PROGRESS):
        err = err or e
    srv.set_timeout(2000)
    conn, e = srv.accept()
    err = err or step("srv.accept()", e)
    client.set_blocking(True)
    if not err:
        step("client.connect(addr) again", client.connect(addr))
        print("  accepted:", conn, "listener still:", srv)

        buf = bytearray(64)
        msg = b"hello from the client"
        step("client.send(%r)" % msg, client.send(msg))
        n = step("conn.recv(buf)", conn.recv(buf))
        print("  server got:", bytes(buf[:n]))
        reply = b"hello back from the server"
        step("conn.send(%r)" % reply, conn.send(reply))
        n = step("client.recv(buf)", client.recv(buf))
        print("  client got:", bytes(buf[:n]))
        err = 0 if bytes(buf[:n]) == reply else nsapi.NSAPI_ERROR_DEVICE_ERROR
        step("conn.close()", conn.close())

    print("\nclosing:")
    step("client.close()", client.close())
    step("srv.close()", srv.close())
    step("srv.close() again", srv.close())
    print("\ndone:", "everything worked" if not err else nsapi.strerror(err))
    return err


if __name__ == "__main__":
    main()
