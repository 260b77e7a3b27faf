"""Non-blocking TCP client driven by sigio: connect, send, read the reply as events come.

``nonblocking_client.main("10.0.0.2", 7)`` sends a message to an echo server and
returns the reply (bytes), or a negative nsapi code.
"""

import time
from netsocket import NetworkInterface, SocketAddress, TCPSocket, nsapi

HOST = "10.0.0.2"
PORT = 7

_events = 0


def _sigio():
    # runs on socket events; must not send or recv, only note that something happened
    global _events
    _events += 1


def _wait_event(ms):
    global _events
    t0 = time.ticks_ms()
    while not _events and time.ticks_diff(time.ticks_ms(), t0) < ms:
        time.sleep_ms(1)
    got, _events = _events, 0
    return got


def main(host=HOST, port=PORT, message=b"hello, non-blocking world", timeout=5000):
    net = NetworkInterface.get_default_instance()
    net.connect()
    a = SocketAddress()
    err = net.gethostbyname(host, a)
    if err:
        return err
    a.set_port(port)
    sock = TCPSocket()
    nsapi.check(sock.open(net))
    sock.set_blocking(False)
    sock.sigio(_sigio)
    try:
        err = sock.connect(a)
        while err in (nsapi.NSAPI_ERROR_IN_PROGRESS, nsapi.NSAPI_ERROR_ALREADY):
            if not _wait_event(timeout):
                return nsapi.NSAPI_ERROR_TIMEOUT
            err = sock.connect(a)
        if err not in (0, nsapi.NSAPI_ERROR_IS_CONNECTED):
            return err
        sent = 0
        while sent < len(message):
            n = sock.send(message[sent:])
            if n == nsapi.NSAPI_ERROR_WOULD_BLOCK:
                _wait_event(timeout)
            elif n < 0:
                return n
            else:
                sent += n
        reply = bytearray(len(message))
        got = 0
        while got < len(reply):
            n = sock.recv(memoryview(reply)[got:])
            if n == nsapi.NSAPI_ERROR_WOULD_BLOCK:
                if not _wait_event(timeout):
                    return nsapi.NSAPI_ERROR_TIMEOUT
            elif n <= 0:
                return n or nsapi.NSAPI_ERROR_CONNECTION_LOST
            else:
                got += n
        print("reply:", bytes(reply))
        return bytes(reply)
    finally:
        sock.close()


if __name__ == "__main__":
    main()
