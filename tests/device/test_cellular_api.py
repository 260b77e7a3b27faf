"""CellularInterface beyond bring-up and sockets, over each emulated modem: non-blocking
connect with its status and cellular events, what a blocking connect says it waits for,
and Mbed's CellularInformation / CellularNetwork calls with the values the emulators give.
(A module of its own: test_cellular.py runs near the heap's edge, and every test module's
code sits in the board's heap while it runs.)"""

import time
from cellutil import ctl, use, iface, each_modem
from celltest import echo, reboot_modem

REQUIRES = ("cellular",)  # the runner gives these tests only to boards with a modem

OK = 0
NO_CONNECTION = -3004
IS_CONNECTED = -3015
GLOBAL_UP = 1
DISCONNECTED = 2
CONNECTING = 3


@each_modem
def test_nonblocking_connect():
    # set_blocking(False): connect() returns at once, the application's loop keeps running while
    # the modem registers, and the status callback tells each step, then GLOBAL_UP
    use()
    reboot_modem("reg_delay=1500")
    net = iface(connect=False)
    seen = []
    net.attach(lambda ev, v: seen.append((ev, v)))
    assert net.set_blocking(False) == OK
    assert net.connect() == OK
    assert net.get_connection_status() == CONNECTING and (0, GLOBAL_UP) not in seen, seen
    assert net.connect() == -3013  # IN_PROGRESS: one connect at a time
    loops = 0
    t0 = time.ticks_ms()
    while (0, GLOBAL_UP) not in seen:  # the callback, not polling, says when it is up
        assert time.ticks_diff(time.ticks_ms(), t0) < 30000, seen
        loops += 1
        time.sleep_ms(20)
    assert loops > 1, loops
    reg = [v for ev, v in seen if ev == 0x1002]
    assert reg[-1] == 1 and all(v == 2 for v in reg[:-1]), reg
    steps = [e for e in seen if e[0] != 0x1002]
    assert steps == [(0, CONNECTING), (0x1000, OK), (0x1001, OK), (0x1006, OK), (0x1007, OK), (0, GLOBAL_UP)], seen
    assert net.is_connected() and net.connect() == IS_CONNECTED
    echo(net, (100,))


@each_modem
def test_nonblocking_connect_fails_with_reason():
    use()
    ctl("set reg_deny=1")
    net = iface(connect=False)
    seen = []
    net.attach(lambda ev, v: seen.append((ev, v)))
    net.set_blocking(False)
    assert net.connect() == OK
    t0 = time.ticks_ms()
    while (0, DISCONNECTED) not in seen:
        assert time.ticks_diff(time.ticks_ms(), t0) < 30000, seen
        time.sleep_ms(20)
    assert seen[-3:] == [(0x1002, 3), (0x1002, NO_CONNECTION), (0, DISCONNECTED)], seen  # denied, then the reason
    ctl("set reg_deny=0")
    net.set_blocking(True)
    assert net.connect() == OK


@each_modem
def test_blocking_connect_says_what_it_waits_for():
    use()
    reboot_modem("reg_delay=1000")
    net = iface(connect=False)
    said = []
    net.debug = said.append
    assert net.connect() == OK
    assert said[0] == "[cellular] connecting" and said[-1] == "[cellular] up: 127.0.0.1", said
    assert any(s.startswith("[cellular] waiting for registration: stat 2") for s in said), said


_IDENTITY = {  # what each emulator answers to AT+CGMI, AT+CGMM, AT+CGMR
    "bg96": ("Quectel", "BG96", "BG96MAR02A07M1G"),
    "sim7600": ("SIMCOM INCORPORATED", "SIMCOM_SIM7600G-H", "SIM7600M22_V2.0"),
    "sim800": ("SIMCOM_Ltd", "SIMCOM_SIM800L", "Revision:1418B05SIM800L24"),
    "sara": ("u-blox", "SARA-R410M-02B", "L0.0.00.00.05.12"),
}


@each_modem
def test_cellular_information():
    import cellutil

    use()
    net = iface()
    assert net.get_imei() == ("866425030000001", OK)
    assert net.get_imsi() == ("001010123456789", OK)
    assert net.get_iccid() == ("89882280666027599999", OK)  # each driver's own command (QCCID, CICCID)
    maker, model, rev = _IDENTITY[cellutil._cur[0]]
    assert net.get_manufacturer() == (maker, OK) and net.get_model() == (model, OK), net.get_model()
    assert net.get_revision() == (rev, OK)


@each_modem
def test_signal_quality():
    use()
    net = iface()
    assert net.get_signal_quality() == (-73, None, OK)  # +CSQ: 20,99 -> -113 + 2 * 20 dBm, BER unknown
    ctl("set rssi=31")
    assert net.get_signal_quality() == (-51, None, OK)
    ctl("set rssi=0")
    assert net.get_signal_quality() == (-113, None, OK)
    ctl("set rssi=99")  # CSQ does not know: +CESQ's RSRP 45 -> -141 + 45 dBm
    assert net.get_signal_quality() == (-96, None, OK)


@each_modem
def test_registration_and_operator():
    use()
    net = iface()
    # +CEREG: 2,1,"1A2B","01A2B3C4",8 (connect() asked for <n> = 2): type, stat, AcT, cell id, TAC
    assert net.get_registration_params() == ((0, 1, 8, 0x01A2B3C4, 0x1A2B), OK), net.get_registration_params()
    assert net.get_registration_params(1) == ((1, 1, 8, 0x01A2B3C4, 0x1A2B), OK)
    assert net.get_registration_params(2) == ((2, 1, None, None, None), OK)  # +CREG: 0,1: no location asked
    assert net.get_registration_params(3) == (None, -3003)
    assert net.get_operator_params() == ((0, "netsocket test", 8), OK)


def _modem_says(net, cmd, prefix):
    with net.at:
        line, err = net.at.cmd(cmd, prefix)
    assert err == OK, (cmd, err)
    return line


@each_modem
def test_power_save_mode_and_edrx():
    use()
    net = iface()
    # 24.008 GPRS timers: 3 unit bits, 5 value bits, the smallest unit that holds the time
    cases = (
        ((60, 10), b'+CPSMS: 1,,,"01111110","00000101"'),  # 30 x 2 s, 5 x 2 s
        ((3600, 120), b'+CPSMS: 1,,,"00000110","00100010"'),  # 6 x 10 min, 2 x 1 min
        ((172800, 1800), b'+CPSMS: 1,,,"01000100","00111110"'),  # 4 x 10 h, 30 x 1 min
        ((90, 0), b'+CPSMS: 1,,,"10000011","00000000"'),  # 3 x 30 s, 0 s
        ((0, 0), b'+CPSMS: 0,,,"",""'),  # PSM off
    )
    for args, want in cases:
        assert net.set_power_save_mode(*args) == OK, args
        assert _modem_says(net, "AT+CPSMS?", b"+CPSMS:") == want, args
    assert net.set_power_save_mode(-1) == -3003
    assert net.set_receive_period(1, 4, 5) == OK  # eDRX on LTE-M (E-UTRAN WB-S1), value 0101
    assert _modem_says(net, "AT+CEDRXS?", b"+CEDRXS:") == b'+CEDRXS: 4,"0101"'
    assert net.set_receive_period(0, 4, 0) == OK
    assert _modem_says(net, "AT+CEDRXS?", b"+CEDRXS:") == b"+CEDRXS: 0"
    assert net.set_receive_period(1, 9, 0) == -3003 and net.set_receive_period(1, 4, 16) == -3003
