"""`netsocket devices` and `--port auto`: USB ids to kinds and boards (port lists built as pyserial builds them)."""

from __future__ import annotations

import pytest
from serial.tools.list_ports_common import ListPortInfo

from netsocket_harness.devices import auto_port, format_devices, list_devices, probe, usb_kind
from netsocket_harness.errors import HarnessError

from .conftest import run


def port(device: str, vid: int | None, pid: int | None, serial: str | None = None) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial
    return info


PORTS = [port("/dev/ttyUSB0", 0x10C4, 0xEA60, "0001"), port("/dev/ttyACM0", 0x303A, 0x1001, "F4:12:FA"),
         port("/dev/ttyACM1", 0x0483, 0x374B, "066DFF"), port("/dev/ttyACM2", 0x2E8A, 0x0005, "E6614"),
         port("/dev/ttyS0", None, None)]


def test_usb_ids_name_the_bridge_and_the_boards():
    devices = list_devices(probe_repl=False, ports=PORTS)
    assert [d.port for d in devices] == ["/dev/ttyACM0", "/dev/ttyACM1", "/dev/ttyACM2", "/dev/ttyUSB0"]
    by = {d.port: d for d in devices}
    assert by["/dev/ttyUSB0"].kind == "CP210x USB-UART bridge" and "ESP32_GENERIC" in by["/dev/ttyUSB0"].boards
    assert by["/dev/ttyACM0"].usb_id == "303a:1001" and by["/dev/ttyACM0"].boards == ["ESP32_GENERIC_C3", "ESP32_GENERIC_S3"]
    assert by["/dev/ttyACM1"].boards == ["NUCLEO_F429ZI", "NUCLEO_F767ZI"] and by["/dev/ttyACM1"].serial_number == "066DFF"
    assert by["/dev/ttyACM2"].boards == ["RPI_PICO_W"]
    assert usb_kind("303a", "9999") == "Espressif native USB" and usb_kind("1a86", "7523").startswith("CH340")
    text = "\n".join(format_devices(devices))
    assert "ST-LINK/V2-1" in text and "no answer" in text


def test_auto_port_picks_the_single_match():
    devices = list_devices(probe_repl=False, ports=PORTS)
    assert auto_port("RPI_PICO_W", devices) == "/dev/ttyACM2"
    with pytest.raises(HarnessError, match="several ports .* NUCLEO_F429ZI|several ports"):
        auto_port(None, devices)
    with pytest.raises(HarnessError, match="found no serial port that looks like a WT32_ETH01"):
        auto_port("WT32_ETH01", list_devices(probe_repl=False, ports=PORTS[1:]))
    assert auto_port(None, list_devices(probe_repl=False, ports=PORTS[:1])) == "/dev/ttyUSB0"


def test_probe_finds_micropython_on_a_virtual_board(board):
    assert probe(board.port)  # the unix port's version, e.g. a git hash or v1.2x


def test_devices_verb_and_port_auto_without_hardware(home):
    out = run("netsocket", "devices", "--no-probe").stdout
    assert "no USB serial devices" in out or "PORT" in out
    proc = run("netsocket", "repl", "--port", "auto", "--board", "NUCLEO_F429ZI", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
