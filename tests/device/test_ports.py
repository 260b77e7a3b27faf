"""The port glue against what each MicroPython port does (run on the virtual board and on its
esp32, stm32 and rp2 personalities, and on real boards): every expectation is per board, exact."""

import sys
from netsocket import EthernetInterface, SocketAddress, TCPSocket, UDPSocket, WiFiInterface
from nsutil import Flag, addr, net, wait

_OK = 0
_WOULD_BLOCK = -3001
_UNSUPPORTED = -3002
_NO_CONNECTION = -3004
_NO_SSID = -3008
_DEVICE_ERROR = -3012
_IN_PROGRESS = -3013
_ALREADY = -3014
_GLOBAL_UP = 1
_DISCONNECTED = 2

# the port this board runs (sys.platform), and whether it has Ethernet / a Wi-Fi station
BOARD = {"linux": "unix", "darwin": "unix", "pyboard": "stm32"}.get(sys.platform, sys.platform)
WIFI = BOARD in ("esp32", "rp2")  # the personalities' boards; a real board: its network module
ETHERNET = BOARD in ("unix", "esp32", "stm32")
_WPA2 = 3
_WPA3 = 10
_KEY = "nsvb-pass-1234"  # the emulated access points (vboard/personality/pers_net.py)


def _port():
    from netsocket.interface import port

    return port()


def test_connect_refused_nonblocking():
    # modlwip frees the PCB on the RST: the next connect() raises EBADF (modlwip.c:1200)
    with TCPSocket() as s:
        assert s.open(net()) == _OK
        s.set_blocking(False)
        a = SocketAddress(addr("echo").get_ip_address(), 1)
        err = s.connect(a)
        for _ in range(500):
            if err not in (_IN_PROGRESS, _ALREADY):
                break
            s._stack.socket_wait(s._h, 4, 100)
            err = s.connect(a)
        assert err == _NO_CONNECTION, err


def test_ethernet_nonblocking_connect_comes_up():
    # polling get_connection_status() must not re-initialise the NIC (stm32: eth_start)
    e = EthernetInterface()
    e.set_blocking(False)
    err = e.connect()
    if not ETHERNET:
        assert err == _DEVICE_ERROR, err  # no network.LAN on this board
        return
    assert err == _OK, err
    assert wait(lambda: e.get_connection_status() == _GLOBAL_UP, 5000), e.get_connection_status()
    assert e.disconnect() == _OK


def test_ethernet_connect_without_nic():
    port = _port()
    lan = port.lan

    def broken():
        raise OSError(19)

    port.lan = broken
    try:
        for blocking in (False, True):
            e = EthernetInterface()
            e.set_blocking(blocking)
            assert e.connect() == _DEVICE_ERROR
            assert e.get_connection_status() == _DISCONNECTED
            repr(e)
    finally:
        port.lan = lan


def _scan():
    w = WiFiInterface()
    res = []
    n = w.scan(res, 10)
    return n, {ap.get_ssid(): ap.get_security() for ap in res}


def test_wifi_scan_security():
    n, sec = _scan()
    if not WIFI:
        assert n == _UNSUPPORTED, n
        return
    assert n == 4, n
    # cyw43's bitmask tells WPA2 from WPA3 not (network_cyw43.c:178-186); esp32's enum does
    assert sec == {"nsvb-open": 0, "nsvb-wpa2": _WPA2, "nsvb-wpa3": _WPA3 if BOARD == "esp32" else _WPA2,
                   "nsvb-flaky": _WPA2}, sec


def test_wifi_connect_transient_failure():
    # esp32 reconnects by itself, and status() shows the last disconnect reason meanwhile
    # (network_wlan.c:109-167, 367-400): a reason from a first attempt that the port retries
    # must not end connect(). cyw43 joins once (rp2): that failure is final.
    w = WiFiInterface()
    err = w.connect("nsvb-flaky", _KEY, _WPA2)
    if not WIFI:
        assert err == _UNSUPPORTED, err
        return
    assert err == (_OK if BOARD == "esp32" else _NO_SSID), err
    if err == _OK:
        assert w.get_connection_status() == _GLOBAL_UP
        assert w.disconnect() == _OK


def test_wifi_connect_after_failure():
    w = WiFiInterface()
    err = w.connect("nsvb-missing", _KEY, _WPA2)
    if not WIFI:
        assert err == _UNSUPPORTED, err
        return
    assert err == _NO_SSID, err
    assert w.connect("nsvb-wpa2", _KEY, _WPA2) == _OK
    assert w.get_connection_status() == _GLOBAL_UP
    assert w.disconnect() == _OK


def test_wifi_connect_wpa3():
    w = WiFiInterface()
    err = w.connect("nsvb-wpa3", _KEY, _WPA3)
    if not WIFI:
        assert err == _UNSUPPORTED, err
        return
    assert err == _OK, err
    assert w.disconnect() == _OK


def test_sigio_on_connect_completion():
    # modlwip calls a socket's callback on data, FIN and accept, never when a connect completes
    # (modlwip.c:466-623); esp32 only on readability (modsocket.c:122-153)
    flag = Flag()
    with TCPSocket() as s:
        assert s.open(net()) == _OK
        s.set_blocking(False)
        s.sigio(flag.set)
        err = s.connect(addr("discard"))
        assert err in (_OK, _IN_PROGRESS), err
        if err == _IN_PROGRESS:
            assert flag.wait(5000), "no sigio when the connect completed"


def test_sigio_on_writable():
    # a send that would block: sigio once the socket takes more (no port reports it itself).
    # The peer is a socket on this board that reads only when told: nothing comes back to read.
    flag = Flag()
    buf = bytearray(2048)
    with TCPSocket() as srv, TCPSocket() as s:
        assert srv.open(net()) == _OK
        port = 40100
        while srv.bind(port) != _OK:  # a free port (an earlier run's may be in TIME_WAIT)
            port += 1
            assert port < 40200
        assert srv.listen(1) == _OK
        assert s.open(net()) == _OK
        assert s.connect(SocketAddress("127.0.0.1", port)) == _OK
        peer, err = srv.accept()
        assert err == _OK, err
        s.set_blocking(False)
        s.sigio(flag.set)
        sent = 0
        while sent < 64 * 1024 * 1024:
            n = s.send(buf)
            if n == _WOULD_BLOCK:
                break
            assert n > 0, n
            sent += n
        assert n == _WOULD_BLOCK, "never WOULD_BLOCK"
        flag.n = 0
        peer.set_blocking(False)
        while peer.recv(buf) > 0:  # the peer reads: this side can send again
            pass
        assert flag.wait(5000), "no sigio after WOULD_BLOCK at %d" % sent
        peer.close()


def test_sendto_zero_bytes():
    d = addr("discard")
    with UDPSocket() as s:
        assert s.open(net()) == _OK
        s.set_blocking(False)
        assert s.sendto(d, b"", 0) == 0  # esp32: ETIMEDOUT after sending it (modsocket.c:768-781)
        assert s.sendto(d, b"x") == 1


def test_recv_before_connect():
    buf = bytearray(10)
    with TCPSocket() as s:
        assert s.open(net()) == _OK
        s.set_blocking(False)
        assert s.recv(buf) == _NO_CONNECTION
        s.set_timeout(500)
        assert s.recv(buf) == _NO_CONNECTION
        s.set_blocking(True)
        assert s.recv(buf) == _NO_CONNECTION


def test_setsockopt_not_implemented():
    # an option the port does not implement: UNSUPPORTED, not a console warning and OK
    import socket

    with TCPSocket() as s:
        assert s.open(net()) == _OK
        err = s.setsockopt(socket.SOL_SOCKET, 0x1006, 1)  # lwIP's SO_RCVTIMEO: no port sets it
        assert err == _UNSUPPORTED, err


def test_errno_numbering():
    # newlib (esp32, rp2 built with MICROPY_USE_INTERNAL_ERRNO=0) or Linux/internal numbers
    import errno
    from netsocket.stack import nsapi_error

    newlib = errno.ETIMEDOUT == 116
    assert newlib == (BOARD == "esp32" or BOARD == "rp2" and errno.EINPROGRESS == 119)
    assert nsapi_error(OSError(errno.EINPROGRESS)) == _IN_PROGRESS
    assert nsapi_error(OSError(errno.EALREADY)) == _ALREADY
    assert nsapi_error(OSError(127 if newlib else 106)) == -3015  # EISCONN: not in errno
    assert nsapi_error(OSError(128 if newlib else 107)) == _NO_CONNECTION  # ENOTCONN


def test_cellular_default_instance_pins():
    # stm32's machine.UART has no tx=/rx= keywords (machine_uart.c:171-184)
    try:
        from netsocket.cellular import default_instance
    except ImportError:
        from devtest import missing

        missing("no cellular package on this board")
    c = default_instance({"type": "cellular", "modem": "BG96", "uart": 1, "tx": 17, "rx": 16})
    assert c is not None


def test_glue_imports_without_network():
    # a board without networking (a plain Pico) imports the glue
    name = "netsocket.port_" + BOARD
    saved = {k: sys.modules.pop(k) for k in ("network", name, "netsocket._nic") if k in sys.modules}
    try:
        try:
            import network  # noqa: F401

            return  # this port has a built-in network module: nothing to hide
        except ImportError:
            pass
        glue = __import__(name, None, None, True)
        assert glue.MAX_SOCKETS > 0
    finally:
        sys.modules.update(saved)
