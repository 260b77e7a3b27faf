"""The emulated BG96 (`netsocket_harness.modem`) over its pty, as a board would talk to it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import tty
from pathlib import Path

import pytest

from netsocket_harness import modem
from netsocket_harness.errors import HarnessError
from netsocket_harness.peers import Peers



class Line:
    """The board's end of the modem's pty."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        os.set_blocking(self.fd, False)
        self.buf = b""

    def read_until(self, pattern: bytes, timeout: float = 3.0) -> bytes:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.buf):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} in {self.buf!r}")
            try:
                self.buf += os.read(self.fd, 4096)
            except BlockingIOError:
                time.sleep(0.005)
        m = re.search(pattern, self.buf)
        out, self.buf = self.buf[:m.end()], self.buf[m.end():]
        return out

    def cmd(self, text: str, until: bytes = rb"\r\n(OK|ERROR|\+CME ERROR: \d+)\r\n") -> bytes:
        os.write(self.fd, text.encode() + b"\r")
        return self.read_until(until)

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def peers():
    with Peers() as p:
        yield p.addresses


@pytest.fixture
def bg96():
    m = modem.start("bg96", baud=0)
    line = Line(m.pty)
    line.read_until(rb"\+QIND: PB DONE\r\n")  # the boot URCs
    yield m, line
    line.close()
    m.stop()
    assert m.proc.poll() is not None


def test_boot_urcs_echo_and_empty_lists(bg96):
    m, line = bg96
    assert line.cmd("AT") == b"AT\r\r\nOK\r\n"  # echo until ATE0
    assert line.cmd("ATE0") == b"ATE0\r\r\nOK\r\n"
    assert line.cmd("AT") == b"\r\nOK\r\n"
    assert line.cmd("AT+QIACT?") == b"\r\nOK\r\n"  # nothing active: a bare OK
    assert line.cmd("AT+QISTATE?") == b"\r\nOK\r\n"
    assert line.cmd("AT+CMEE=1") == b"\r\nOK\r\n"
    assert line.cmd("AT+QIDNSGIP=1,\"localhost\"") == b"\r\n+CME ERROR: 561\r\n"  # no PDP context
    assert line.cmd("AT+NOSUCH") == b"\r\nERROR\r\n"
    assert "reg=1" in m.command("state")


def _activate(line: Line) -> None:
    for c in ("ATE0", "AT+CMEE=1", 'AT+QICSGP=1,1,"internet","","",1', "AT+QIACT=1"):
        assert line.cmd(c).endswith(b"OK\r\n"), c
    assert line.cmd("AT+QIACT?") == b'\r\n+QIACT: 1,1,1,"127.0.0.1"\r\n\r\nOK\r\n'


def test_tcp_socket_lifecycle(bg96, peers):
    m, line = bg96
    _activate(line)
    port = peers["echo"][1]
    out = line.cmd(f'AT+QIOPEN=1,0,"TCP","127.0.0.1",{port},0,0', rb"\+QIOPEN: 0,\d+\r\n")
    assert out == b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n"  # OK first, the result in a URC
    assert line.cmd(f'AT+QIOPEN=1,0,"TCP","127.0.0.1",{port},0,0', rb"\+QIOPEN: 0,\d+\r\n").endswith(
        b"+QIOPEN: 0,563\r\n")  # the ID is taken
    assert line.cmd("AT+QISEND=0,5", rb"> ") == b"\r\n> "
    os.write(line.fd, b"hel\r\n\x1a")  # fixed length: the stray Ctrl-Z after the data is ignored
    line.read_until(rb"SEND OK\r\n")
    line.read_until(rb'\+QIURC: "recv",0\r\n')
    assert line.cmd("AT+QISEND=0,2", rb"> ") == b"\r\n> "
    os.write(line.fd, b"OK")
    line.read_until(rb"SEND OK\r\n")
    time.sleep(0.1)
    out = line.cmd("AT+QIRD=0,1500", rb"OK\r\n\r\nOK\r\n")
    assert out == b"\r\n+QIRD: 7\r\nhel\r\nOK\r\n\r\nOK\r\n"  # the payload may hold OK
    assert line.cmd("AT+QIRD=0,0") == b"\r\n+QIRD: 7,7,0\r\n\r\nOK\r\n"
    os.write(line.fd, b"AT+QISEND=0,1\r")
    line.read_until(rb"> ")
    os.write(line.fd, b"x")
    line.read_until(rb"SEND OK\r\n")
    time.sleep(0.1)
    assert b"recv" not in line.buf  # edge-triggered: no new URC until a read returned 0
    assert line.cmd("AT+QIRD=0,1500") == b"\r\n+QIRD: 1\r\nx\r\n\r\nOK\r\n"
    assert line.cmd("AT+QIRD=0,1500") == b"\r\n+QIRD: 0\r\n\r\nOK\r\n"
    os.write(line.fd, b"AT+QISEND=0,1\r")
    line.read_until(rb"> ")
    os.write(line.fd, b"y")
    line.read_until(rb"SEND OK\r\n")
    line.read_until(rb'\+QIURC: "recv",0\r\n')  # re-armed
    m.command("close 0")  # the peer closes
    line.read_until(rb'\+QIURC: "closed",0\r\n')
    assert b',4,1,0,0,"uart1"' in line.cmd("AT+QISTATE=1,0")  # closing until QICLOSE
    assert line.cmd("AT+QISEND=0,1") == b"\r\n+CME ERROR: 567\r\n"
    assert line.cmd("AT+QIRD=0,1500") == b"\r\n+QIRD: 1\r\ny\r\n\r\nOK\r\n"  # what came before is kept
    assert line.cmd(f'AT+QIOPEN=1,0,"TCP","127.0.0.1",{port},0,0', rb"\+QIOPEN: 0,\d+\r\n").endswith(b"0,563\r\n")
    assert line.cmd("AT+QICLOSE=0") == b"\r\nOK\r\n"
    assert line.cmd(f'AT+QIOPEN=1,0,"TCP","127.0.0.1",{port},0,0', rb"\+QIOPEN: 0,\d+\r\n").endswith(b"0,0\r\n")
    assert line.cmd('AT+QIOPEN=1,1,"TCP","127.0.0.1",1,0,0', rb"\+QIOPEN: 1,\d+\r\n").endswith(b"1,566\r\n")
    assert line.cmd('AT+QIOPEN=1,2,"TCP","192.0.2.1",80,0,0', rb"\+QIOPEN: 2,\d+\r\n").endswith(
        b"2,566\r\n")  # only loopback is reachable


def test_udp_service_and_dns(bg96, peers):
    m, line = bg96
    _activate(line)
    assert line.cmd('AT+QIOPEN=1,3,"UDP SERVICE","127.0.0.1",0,0,0', rb"\+QIOPEN: 3,\d+\r\n").endswith(b"3,0\r\n")
    host, port = peers["echo"]
    assert line.cmd(f'AT+QISEND=3,4,"{host}",{port}', rb"> ") == b"\r\n> "
    os.write(line.fd, b"ping")
    line.read_until(rb'SEND OK\r\n')
    line.read_until(rb'\+QIURC: "recv",3\r\n')
    assert line.cmd("AT+QIRD=3,2") == f'\r\n+QIRD: 2,"{host}",{port}\r\npi\r\n\r\nOK\r\n'.encode()  # truncated
    assert line.cmd("AT+QIRD=3") == b"\r\n+QIRD: 0\r\n\r\nOK\r\n"  # the rest of that datagram is gone
    os.write(line.fd, b'AT+QIDNSGIP=1,"localhost"\rAT+QIDNSGIP=1,"localhost"\r')
    line.read_until(rb"\+CME ERROR: 564\r\n")  # one lookup at a time
    line.read_until(rb'\+QIURC: "dnsgip","127.0.0.1"\r\n')
    m.command("dns modem.test 127.0.0.2")
    line.cmd('AT+QIDNSGIP=1,"modem.test"')
    assert line.read_until(rb'dnsgip","[0-9.]+"\r\n').endswith(b'\r\n+QIURC: "dnsgip",0,1,600\r\n'
                                                              b'\r\n+QIURC: "dnsgip","127.0.0.2"\r\n')
    line.cmd('AT+QIDNSGIP=1,"nothing.test"')
    line.read_until(rb'\+QIURC: "dnsgip",565\r\n')


def test_fault_knobs(bg96, peers):
    m, line = bg96
    _activate(line)
    port = peers["discard"][1]
    m.command("set lose_open=1 send_fail=1")
    assert line.cmd(f'AT+QIOPEN=1,0,"TCP","127.0.0.1",{port},0,0') == b"\r\nOK\r\n"
    time.sleep(0.2)
    assert b"QIOPEN" not in line.buf  # lost
    assert b",2,1,0,0," in line.cmd("AT+QISTATE=1,0")  # yet the socket is open
    line.cmd("AT+QISEND=0,3", rb"> ")
    os.write(line.fd, b"abc")
    line.read_until(rb"\r\nSEND FAIL\r\n")
    line.cmd("AT+QISEND=0,3", rb"> ")
    os.write(line.fd, b"abc")
    line.read_until(rb"\r\nSEND OK\r\n")
    m.command("pdpdeact")
    line.read_until(rb'\+QIURC: "pdpdeact",1\r\n')
    assert line.cmd("AT+QIACT?") == b"\r\nOK\r\n"
    m.command("set reg_deny=1")
    assert line.cmd("AT+CEREG?") == b"\r\n+CEREG: 0,3\r\n\r\nOK\r\n"
    m.command("reset")
    m.command("set sim_pin=1234")
    m.command("reboot")
    line.read_until(rb"RDY\r\n")
    line.read_until(rb"\+CPIN: SIM PIN\r\n")
    assert line.cmd("AT+CPIN?").endswith(b"+CPIN: SIM PIN\r\n\r\nOK\r\n")
    assert line.cmd('AT+CPIN="1234"').endswith(b"\r\nOK\r\n")
    line.read_until(rb"\+CPIN: READY\r\n")
    with pytest.raises(HarnessError, match="ERROR"):
        m.command("set no_such_knob=1")


def test_split_garbage_and_injected_urcs(bg96):
    m, line = bg96
    line.cmd("ATE0")
    m.command("set split=1 garbage=1 inject=1")
    out = line.cmd("AT+CSQ")
    text = re.sub(rb"\r\n[\x80-\xff\x00\x01\x07\x1b]+\r\n", b"", out)  # garbage lines around lines
    assert text.startswith(b"\r\n+CSQ: 20,99\r\n\r\n+QIND:") and text.endswith(b"\r\nOK\r\n"), out


def test_nonip_datagrams(bg96):
    m, line = bg96
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(3)
    m.command("nonip 127.0.0.1 %d" % udp.getsockname()[1])
    line.cmd("ATE0")
    for c in ('AT+CGDCONT=2,"Non-IP","nidd"', "AT+CGACT=1,2", "AT+CRTDCP=1"):
        assert line.cmd(c) == b"\r\nOK\r\n", c
    assert line.cmd('AT+CSODCP=2,3,"414243"') == b"\r\nOK\r\n"
    data, src = udp.recvfrom(100)
    assert data == b"ABC"
    udp.sendto(b"\x00\xff", src)
    line.read_until(rb'\+CRTDCP: 2,2,"00FF"\r\n')
    assert line.cmd('AT+CSODCP=1,1,"00"') == b"\r\nERROR\r\n"  # not a non-IP context
    udp.close()


def test_ppp_dial(bg96):
    m, line = bg96
    line.cmd("ATE0")
    assert line.cmd("ATD*99***1#", rb"CONNECT \d+\r\n") == b"\r\nCONNECT 150000000\r\n"
    os.write(line.fd, b"\x7e\xff\x03\xc0\x21")  # an LCP frame: data mode swallows it
    os.write(line.fd, b"+++")
    line.read_until(rb"\r\nOK\r\n")
    assert line.cmd("ATH") == b"\r\nOK\r\n"
    assert line.cmd("ATD*98#", rb"NO CARRIER\r\n") == b"\r\nNO CARRIER\r\n"


def test_cli_modem_start_and_bad_faults():
    proc = subprocess.Popen([str(Path(sys.executable).with_name("netsocket")), "modem", "start", "--baud", "9600"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("pty /dev/pts/")
        assert proc.stdout.readline().startswith("control 127.0.0.1:")
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
    bad = subprocess.run([str(Path(sys.executable).with_name("netsocket")), "modem", "start", "--faults", "x=1"],
                         capture_output=True, text=True, timeout=10)
    assert bad.returncode != 0 and "bad fault 'x=1'" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture
def sim7600():
    m = modem.start("sim7600", baud=0)
    line = Line(m.pty)
    line.read_until(rb"PB DONE\r\n")  # the boot URCs
    yield m, line
    line.close()
    m.stop()


def test_sim7600_dialogue(sim7600, peers):
    # NETOPEN, CIPOPEN, CIPSEND, CIPRXGET in manual mode, IPCLOSE, UDP with the source, CDNSGIP, CIPEVENT
    m, line = sim7600
    assert line.cmd("ATE0") == b"ATE0\r\r\nOK\r\n"
    assert line.cmd("AT+IPADDR") == b"\r\n+IP ERROR: Network not opened\r\n\r\nERROR\r\n"
    for c in ('AT+CGDCONT=1,"IP","internet"', "AT+CIPMODE=0", "AT+CIPRXGET=1"):
        assert line.cmd(c) == b"\r\nOK\r\n", c
    assert line.cmd("AT+NETOPEN", rb"\+NETOPEN: \d\r\n") == b"\r\nOK\r\n\r\n+NETOPEN: 0\r\n"  # OK, then the result
    assert line.cmd("AT+NETOPEN") == b"\r\n+IP ERROR: Network is already opened\r\n\r\nERROR\r\n"
    assert line.cmd("AT+NETOPEN?") == b"\r\n+NETOPEN: 1\r\n\r\nOK\r\n"
    assert line.cmd("AT+IPADDR") == b"\r\n+IPADDR: 127.0.0.1\r\n\r\nOK\r\n"
    port = peers["echo"][1]
    out = line.cmd(f'AT+CIPOPEN=0,"TCP","127.0.0.1",{port}', rb"\+CIPOPEN: 0,\d+\r\n")
    assert out == b"\r\nOK\r\n\r\n+CIPOPEN: 0,0\r\n"
    assert line.cmd(f'AT+CIPOPEN=0,"TCP","127.0.0.1",{port}', rb"\+CIPOPEN: 0,\d+\r\n").endswith(b"0,4\r\n")
    assert line.cmd("AT+CIPSEND=0,5", rb"> ") == b"\r\n> "
    os.write(line.fd, b"OK\r\nx")
    line.read_until(rb"\r\nOK\r\n\r\n\+CIPSEND: 0,5,5\r\n")  # OK, then requested and confirmed
    line.read_until(rb"\r\n\+CIPRXGET: 1,0\r\n")
    time.sleep(0.1)
    assert line.cmd("AT+CIPRXGET=4,0") == b"\r\n+CIPRXGET: 4,0,5\r\n\r\nOK\r\n"
    assert line.cmd("AT+CIPRXGET=2,0,3") == b"\r\n+CIPRXGET: 2,0,3,2\r\nOK\r\r\n\r\nOK\r\n"  # payload holds OK
    assert line.cmd("AT+CIPRXGET=2,0,1500") == b"\r\n+CIPRXGET: 2,0,2,0\r\n\nx\r\n\r\nOK\r\n"
    assert line.cmd("AT+CIPRXGET=2,0,1500") == b"\r\n+IP ERROR: No data\r\n\r\nERROR\r\n"
    m.command("close 0")
    line.read_until(rb"\r\n\+IPCLOSE: 0,1\r\n")
    assert line.cmd("AT+CIPSEND=0,1") == b"\r\nERROR\r\n"
    assert line.cmd("AT+CIPCLOSE?") == b"\r\n+CIPCLOSE: 1,0,0,0,0,0,0,0,0,0\r\n\r\nOK\r\n"
    assert line.cmd("AT+CIPCLOSE=0", rb"\+CIPCLOSE: 0,\d\r\n") == b"\r\nOK\r\n\r\n+CIPCLOSE: 0,0\r\n"
    assert line.cmd('AT+CIPOPEN=1,"TCP","127.0.0.1",1', rb"\+CIPOPEN: 1,\d+\r\n").endswith(b"1,1\r\n")
    # UDP: any peer per CIPSEND, the source in the read header
    out = line.cmd('AT+CIPOPEN=2,"UDP",,,0', rb"\+CIPOPEN: 2,\d+\r\n")
    assert out.endswith(b"+CIPOPEN: 2,0\r\n")
    assert line.cmd(f'AT+CIPSEND=2,3,"127.0.0.1",{port}', rb"> ") == b"\r\n> "
    os.write(line.fd, b"abc")
    line.read_until(rb"\+CIPSEND: 2,3,3\r\n")
    line.read_until(rb"\+CIPRXGET: 1,2\r\n")
    assert line.cmd("AT+CIPRXGET=2,2,1500") == f"\r\n+CIPRXGET: 2,2,3,0,127.0.0.1:{port}\r\nabc\r\n\r\nOK\r\n".encode()
    m.command("dns sim.test 127.0.0.3")
    assert line.cmd('AT+CDNSGIP="sim.test"') == b'\r\n+CDNSGIP: 1,"sim.test","127.0.0.3"\r\n\r\nOK\r\n'
    assert line.cmd('AT+CDNSGIP="nothing.test"') == b"\r\n+CDNSGIP: 0,10\r\n\r\nERROR\r\n"
    m.command("pdpdeact")
    line.read_until(rb"\r\n\+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY\r\n")
    assert line.cmd("AT+NETOPEN?") == b"\r\n+NETOPEN: 0\r\n\r\nOK\r\n"
    assert line.cmd("AT+NETCLOSE") == b"\r\n+IP ERROR: Network is already closed\r\n\r\nERROR\r\n"
    m.command("set lose_reply=1")
    os.write(line.fd, b"AT\r")
    time.sleep(0.2)
    assert line.cmd("AT") == b"\r\nOK\r\n"  # the first reply was lost on the line


@pytest.fixture
def sim800():
    m = modem.start("sim800", baud=0)
    line = Line(m.pty)
    line.read_until(rb"SMS Ready\r\n")  # the boot URCs
    yield m, line
    line.close()
    m.stop()


def test_sim800_dialogue(sim800, peers):
    # the IP states, CIFSR without OK, "<n>, ..." results, CIPRXGET manual mode, connected UDP, CDNSGIP, +PDP: DEACT
    m, line = sim800
    assert line.cmd("ATE0") == b"ATE0\r\r\nOK\r\n"
    assert line.cmd("AT+CIPSHUT", rb"SHUT OK\r\n") == b"\r\nSHUT OK\r\n"
    for c in ("AT+CIPMUX=1", "AT+CIPRXGET=1", 'AT+CSTT="internet","",""'):
        assert line.cmd(c) == b"\r\nOK\r\n", c
    assert line.cmd("AT+CIPMUX=1") == b"\r\nERROR\r\n"  # only in IP INITIAL
    assert line.cmd("AT+CIICR") == b"\r\nOK\r\n"
    assert line.cmd("AT+CIFSR", rb"\r\n[0-9.]+\r\n") == b"\r\n127.0.0.1\r\n"  # the address alone, no OK
    port = peers["echo"][1]
    out = line.cmd(f'AT+CIPSTART=0,"TCP","127.0.0.1",{port}', rb"0, CONNECT \w+\r\n")
    assert out == b"\r\nOK\r\n\r\n0, CONNECT OK\r\n"
    assert line.cmd(f'AT+CIPSTART=0,"TCP","127.0.0.1",{port}', rb"0, \w+ \w+\r\n").endswith(b"0, ALREADY CONNECT\r\n")
    assert line.cmd("AT+CIPSEND=0,5", rb"> ") == b"\r\n> "
    os.write(line.fd, b"OK\r\nx")
    line.read_until(rb"\r\n0, SEND OK\r\n")
    line.read_until(rb"\r\n\+CIPRXGET: 1,0\r\n")
    time.sleep(0.1)
    assert line.cmd("AT+CIPRXGET=4,0") == b"\r\n+CIPRXGET: 4,0,5\r\n\r\nOK\r\n"
    assert line.cmd("AT+CIPRXGET=2,0,3") == b"\r\n+CIPRXGET: 2,0,3,2\r\nOK\r\r\n\r\nOK\r\n"  # payload holds OK
    assert line.cmd("AT+CIPRXGET=2,0,1460") == b"\r\n+CIPRXGET: 2,0,2,0\r\n\nx\r\n\r\nOK\r\n"
    assert line.cmd("AT+CIPRXGET=2,0,1460") == b"\r\n+CIPRXGET: 2,0,0,0\r\n\r\n\r\nOK\r\n"
    m.command("close 0")
    line.read_until(rb"\r\n0, CLOSED\r\n")
    assert line.cmd("AT+CIPCLOSE=0", rb"0, CLOSE OK\r\n") == b"\r\n0, CLOSE OK\r\n"
    assert line.cmd("AT+CIPCLOSE=0") == b"\r\nERROR\r\n"
    # UDP: one peer per link
    assert line.cmd('AT+CLPORT=1,"UDP",0') == b"\r\nOK\r\n"
    assert line.cmd(f'AT+CIPSTART=1,"UDP","127.0.0.1",{port}', rb"1, CONNECT \w+\r\n").endswith(b"1, CONNECT OK\r\n")
    assert line.cmd("AT+CIPSEND=1,3", rb"> ") == b"\r\n> "
    os.write(line.fd, b"abc")
    line.read_until(rb"1, SEND OK\r\n")
    line.read_until(rb"\+CIPRXGET: 1,1\r\n")
    assert line.cmd("AT+CIPRXGET=2,1,1460") == b"\r\n+CIPRXGET: 2,1,3,0\r\nabc\r\n\r\nOK\r\n"
    m.command("dns sim.test 127.0.0.3")
    assert line.cmd('AT+CDNSGIP="sim.test"', rb"\+CDNSGIP: .*\r\n") == b'\r\nOK\r\n\r\n+CDNSGIP: 1,"sim.test","127.0.0.3"\r\n'
    assert line.cmd('AT+CDNSGIP="nothing.test"', rb"\+CDNSGIP: .*\r\n") == b"\r\nOK\r\n\r\n+CDNSGIP: 0,8\r\n"
    assert line.cmd("AT+CCID") == b"\r\n89882280666027599999\r\n\r\nOK\r\n"
    m.command("pdpdeact")
    line.read_until(rb"\r\n\+PDP: DEACT\r\n")
    assert line.cmd(f'AT+CIPSTART=2,"TCP","127.0.0.1",{port}') == b"\r\nERROR\r\n"
    assert line.cmd('AT+CSTT="internet","",""') == b"\r\nERROR\r\n"  # PDP DEACT: CIPSHUT first
    assert line.cmd("AT+CIPSHUT", rb"SHUT OK\r\n") == b"\r\nSHUT OK\r\n"
    assert line.cmd('AT+CSTT="internet","",""') == b"\r\nOK\r\n"


@pytest.fixture
def sara():
    m = modem.start("sara", baud=0)
    line = Line(m.pty)
    line.read_until(rb"\+CPIN: READY\r\n")  # the boot URCs
    yield m, line
    line.close()
    m.stop()


def test_sara_dialogue(sara, peers):
    # modem-numbered sockets, asynchronous USOCO, the @ prompt, +UUSORD and USORD with the data in quotes,
    # USOST/USORF to any peer, +UUSOCL, UDNSRN, +CGEV on a PDP loss
    m, line = sara
    assert line.cmd("ATE0") == b"ATE0\r\r\nOK\r\n"
    assert line.cmd("AT+USOCR=6") == b"\r\nERROR\r\n"  # no PDP context yet; CMEE 0: a plain ERROR
    for c in ("AT+CMEE=1", 'AT+CGDCONT=1,"IP","internet"', "AT+CGACT=1,1"):
        assert line.cmd(c) == b"\r\nOK\r\n", c
    assert line.cmd("AT+CGPADDR=1") == b'\r\n+CGPADDR: 1,"127.0.0.1"\r\n\r\nOK\r\n'
    port = peers["echo"][1]
    assert line.cmd("AT+USOCR=6") == b"\r\n+USOCR: 0\r\n\r\nOK\r\n"
    assert line.cmd("AT+USOCR=6") == b"\r\n+USOCR: 1\r\n\r\nOK\r\n"  # the modem numbers them
    assert line.cmd("AT+USOCL=1") == b"\r\nOK\r\n"
    out = line.cmd(f'AT+USOCO=0,"127.0.0.1",{port},1', rb"\+UUSOCO: 0,\d+\r\n")
    assert out == b"\r\nOK\r\n\r\n+UUSOCO: 0,0\r\n"
    assert line.cmd("AT+USOWR=0,5", rb"@") == b"\r\n@"
    os.write(line.fd, b'O"\r\nx')
    line.read_until(rb'\r\n\+USOWR: 0,5\r\n\r\nOK\r\n')
    line.read_until(rb"\r\n\+UUSORD: 0,\d\r\n")
    time.sleep(0.1)
    assert line.cmd("AT+USORD=0,0") == b"\r\n+USORD: 0,5\r\n\r\nOK\r\n"
    assert line.cmd("AT+USORD=0,3") == b'\r\n+USORD: 0,3,"O"\r"\r\n\r\nOK\r\n'  # the data holds a quote
    assert line.cmd("AT+USORD=0,1024") == b'\r\n+USORD: 0,2,"\nx"\r\n\r\nOK\r\n'
    assert line.cmd("AT+USORD=0,1024") == b'\r\n+USORD: 0,""\r\n\r\nOK\r\n'
    assert line.cmd("AT+USORD=0,1025") == b"\r\n+CME ERROR: 4\r\n"
    m.command("close 0")
    line.read_until(rb"\r\n\+UUSOCL: 0\r\n")
    assert line.cmd("AT+USOCL=0") == b"\r\nOK\r\n"
    assert line.cmd("AT+USOCL=0") == b"\r\n+CME ERROR: 4\r\n"
    # UDP: ready at USOCR, any peer per USOST, the source in USORF
    assert line.cmd("AT+USOCR=17") == b"\r\n+USOCR: 0\r\n\r\nOK\r\n"
    assert line.cmd(f'AT+USOST=0,"127.0.0.1",{port},3', rb"@") == b"\r\n@"
    os.write(line.fd, b"abc")
    line.read_until(rb"\+USOST: 0,3\r\n\r\nOK\r\n")
    line.read_until(rb"\+UUSORF: 0,3\r\n")
    assert line.cmd("AT+USORF=0,1024") == f'\r\n+USORF: 0,"127.0.0.1",{port},3,"abc"\r\n\r\nOK\r\n'.encode()
    m.command("dns sara.test 127.0.0.4")
    assert line.cmd('AT+UDNSRN=0,"sara.test"') == b'\r\n+UDNSRN: "127.0.0.4"\r\n\r\nOK\r\n'
    assert line.cmd('AT+UDNSRN=0,"nothing.test"') == b"\r\n+CME ERROR: 8\r\n"
    m.command("pdpdeact")
    line.read_until(rb"\r\n\+CGEV: NW PDN DEACT 1\r\n")
    assert line.cmd("AT+USOCR=6") == b"\r\n+CME ERROR: 4\r\n"
