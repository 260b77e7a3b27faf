"""CellularInterface over the emulated modems: bring-up (events, address, SIM PIN,
registration delay, denial and timeout), settings, DNS, PPP dial, non-IP sockets and
the board's default interface. Faults: test_cellular_faults.py. Tests marked
``@each_modem`` run over every emulated modem (each reset to no faults by cellutil.use).
"""

from netsocket import TCPSocket, SocketAddress
from cellutil import ctl, use, iface, each_modem
from celltest import status_events, echo, reboot_modem
from nsutil import addr

REQUIRES = ("cellular",)  # the runner gives these tests only to boards with a modem

OK = 0
WOULD_BLOCK = -3001
UNSUPPORTED = -3002
NO_CONNECTION = -3004
DNS_FAILURE = -3009
AUTH_FAILURE = -3011
IS_CONNECTED = -3015
CONNECTION_TIMEOUT = -3017
GLOBAL_UP = 1
DISCONNECTED = 2
CONNECTING = 3


@each_modem
def test_connect_events_and_address():
    use()
    net = iface(connect=False)
    seen = status_events(net)
    assert net.connect() == OK
    assert seen == [CONNECTING, GLOBAL_UP], seen
    assert net.is_connected()
    assert net.connect() == IS_CONNECTED
    a = SocketAddress()
    assert net.get_ip_address(a) == OK and a.get_ip_address() == "127.0.0.1", a
    assert net.disconnect() == OK
    assert seen[-1] == DISCONNECTED and not net.is_connected()
    assert net.get_ip_address(a) == -3006
    assert net.disconnect() == NO_CONNECTION
    assert net.connect() == OK


def test_bad_settings():
    use()
    net = iface(connect=False)
    assert net.set_sim_pin("12") == -3003
    assert net.set_sim_pin("12a4") == -3003
    assert net.set_credentials(5) == -3003
    assert net.set_plmn("abc") == -3003
    assert net.set_plmn(None) == OK


@each_modem
def test_sim_pin_required():
    use()
    reboot_modem("sim_pin=1234")
    net = iface(connect=False)
    seen = status_events(net)
    assert net.connect() == AUTH_FAILURE
    assert seen == [CONNECTING, DISCONNECTED], seen
    assert net.set_sim_pin("0000") == OK
    assert net.connect() == AUTH_FAILURE  # wrong PIN: +CME ERROR: 16
    assert net.set_sim_pin("1234") == OK
    assert net.connect() == OK
    echo(net, (10, 100))


@each_modem
def test_registration_delay():
    use()
    reboot_modem("reg_delay=1500")
    net = iface(connect=False)
    assert net.connect() == OK
    echo(net, (100,))


@each_modem
def test_registration_denied():
    use()
    ctl("set reg_deny=1")
    net = iface(connect=False)
    seen = status_events(net)
    assert net.connect() == NO_CONNECTION
    assert seen == [CONNECTING, DISCONNECTED], seen
    ctl("set reg_deny=0")
    assert net.connect() == OK
    echo(net, (100,))


@each_modem
def test_registration_timeout():
    use()
    reboot_modem("reg_delay=60000")
    net = iface(connect=False)
    net.reg_timeout = 500
    assert net.connect() == CONNECTION_TIMEOUT
    reboot_modem()
    assert net.connect() == OK


@each_modem
def test_dns():
    use()
    net = iface()
    a = SocketAddress()
    assert net.gethostbyname("localhost", a) == OK and a.get_ip_address() == "127.0.0.1", a
    assert net.gethostbyname("no-such-host.test", a) == DNS_FAILURE
    ctl("dns echo.test 127.0.0.1")
    assert net.gethostbyname("echo.test", a) == OK and a.get_ip_address() == "127.0.0.1"
    s = TCPSocket()
    s.open(net)
    assert s.connect("echo.test", addr("echo").get_port()) == OK
    s.close()


def test_ppp_mode_unsupported_here():
    use()
    try:
        import network

        network.PPP
        from devtest import skip

        skip("this port has network.PPP")
    except (ImportError, AttributeError):
        pass
    net = iface(connect=False, ppp=True)
    assert net.connect() == UNSUPPORTED
    assert net.get_connection_status() == DISCONNECTED


@each_modem
def test_ppp_dial_and_hangup():
    use()
    net = iface()  # registered; the dial itself is the PPP part
    assert net.dial() == OK  # AT+CGDCONT, ATD*99***1# -> CONNECT
    assert net.hangup() == OK  # +++, ATH: back in command mode
    with net.at:
        assert net.at.cmd("AT")[1] == OK


@each_modem
def test_nonip_echo():
    from netsocket.cellular import CellularNonIPSocket

    use()
    host, port = addr("echo").get_ip_address(), addr("echo").get_port()
    ctl("nonip %s %d" % (host, port))  # the operator's side: a UDP echo
    net = iface()
    s = CellularNonIPSocket()
    assert s.send(b"x") == -3005
    assert s.open(net) == OK
    assert s.open(net) == -3003
    s.set_timeout(3000)
    buf = bytearray(100)
    for msg in (b"hello", bytes(range(256))[:100]):
        assert s.send(msg) == len(msg)
        n = s.recv(buf)
        assert n == len(msg) and buf[:n] == msg, (n, bytes(buf[:n]))
    s.set_timeout(100)
    assert s.recv(buf) == WOULD_BLOCK
    assert s.close() == OK
    assert s.close() == -3005


def test_default_instance_from_board_definition():
    import netsocket
    from netsocket import NetworkInterface
    from netsocket.cellular import CellularInterface, default_instance
    from cellutil import model
    from devtest import peer

    peer("modem2")
    model("sim7600")
    ctl("reset")
    assert netsocket.CellularInterface is CellularInterface
    assert CellularInterface.get_default_instance() is None  # this board's definition has no modem
    assert default_instance({"type": "cellular", "modem": "EG25", "uart": 2, "tx": 1, "rx": 2,
                                      "uart_baud": 921600}) is None  # no driver for it
    cfg = {"type": "cellular", "modem": "SIM7600", "uart": 2, "tx": 27, "rx": 26, "uart_baud": 921600,
           "pwrkey": 4, "pwrkey_active": 1, "pwrkey_pulse_ms": 500, "flight": 25, "dtr": 32}
    net = default_instance(cfg)
    assert isinstance(net, CellularInterface) and default_instance(cfg) is net
    assert CellularInterface.get_default_instance() is net
    net.set_as_default()
    assert NetworkInterface.get_default_instance() is net and CellularInterface.get_default_instance() is net
    net.set_credentials("internet")
    assert net.connect() == OK and repr(net.get_stack()).startswith("<SIM7600"), net.get_stack()
    echo(net, (100,))
