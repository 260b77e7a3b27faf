"""Board definitions: schema, manifests, the generated netsocket/_board.py, and the glue reading it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netsocket_harness import boards, mip
from netsocket_harness.board import known_boards, load_board
from netsocket_harness.manifest import read_manifest
from netsocket_harness.project import ROOT

from .conftest import run

REQUIRED = {"VIRTUAL", "ESP32_GENERIC", "ESP32_GENERIC_S3", "ESP32_GENERIC_C3", "OLIMEX_ESP32_POE", "WT32_ETH01",
            "LILYGO_T_SIM7600", "NUCLEO_F429ZI", "NUCLEO_F767ZI", "RPI_PICO_W"}


def test_every_board_is_defined_and_valid():
    assert REQUIRED <= set(known_boards())
    for name in known_boards():
        assert boards.validate(load_board(name).info, name) == [], name


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_manifest_evaluates(name):
    m = read_manifest(ROOT / "boards" / name / "manifest.py")
    assert "netsocket/__init__.py" in m.files
    port = load_board(name).port_name
    assert f"netsocket/port_{port}.py" in m.files
    text = (ROOT / "boards" / name / "manifest.py").read_text()
    assert "$(PORT_DIR)" in text  # the port's own frozen modules stay in the firmware


def test_generated_board_modules_are_in_sync():
    for name in known_boards():
        bdef = load_board(name)
        path = boards.board_module_path(bdef)
        if path.exists():
            assert path.read_text() == boards.board_module(bdef), f"run: netsocket boards --generate ({name})"
            assert read_manifest(bdef.path / "manifest.py").files["netsocket/_board.py"] == path.resolve()


def test_schema_rejects_bad_definitions():
    good = load_board("OLIMEX_ESP32_POE").info
    assert boards.validate(dict(good, chip="esp32s3"), "OLIMEX_ESP32_POE")  # offset 0x1000 is wrong for an S3
    assert boards.validate(dict(good, baud="fast"), "OLIMEX_ESP32_POE")
    assert boards.validate(dict(good, usb=["10C4-EA60"]), "OLIMEX_ESP32_POE")
    bad_iface = dict(good, default_interface={"type": "ethernet", "phy_type": "LAN8720"})
    assert "mdc" in " ".join(boards.validate(bad_iface, "OLIMEX_ESP32_POE"))
    cell = load_board("LILYGO_T_SIM7600").info
    assert boards.validate(dict(cell, default_interface=dict(cell["default_interface"], modem="NOKIA")), "LILYGO_T_SIM7600")


def test_boards_verb_lists_them():
    out = run("netsocket", "boards").stdout
    for name in REQUIRED:
        assert name in out
    assert "esptool esp32s3@0x0" in out and "ethernet LAN8720" in out and "cellular SIM7600" in out


MOCKS = {  # mocks of the esp32 port's network and machine modules: they record how the glue calls them
    "network.py": "PHY_LAN8720 = 'PHY_LAN8720'\nSTA_IF = 0\ncalls = []\n"
                  "def LAN(*a, **kw):\n    calls.append(('LAN', a, kw))\n    return 'lan'\n"
                  "def WLAN(*a):\n    calls.append(('WLAN', a, {}))\n    return 'wlan'\n",
    "machine.py": "class Pin:\n    IN = 'IN'\n    OUT = 'OUT'\n    def __init__(self, n):\n        self.n = n\n"
                  "    def __repr__(self):\n        return 'Pin(%d)' % self.n\n"
                  "class UART:\n    def __init__(self, id, **kw):\n"
                  "        import network\n        network.calls.append(('UART', (id,), kw))\n",
}


@pytest.mark.parametrize("name,expect", [
    ("OLIMEX_ESP32_POE", "EthernetInterface LAN mdc=Pin(23) mdio=Pin(18) phy_addr=0 phy_type='PHY_LAN8720' "
                         "power=Pin(12) ref_clk=Pin(17) ref_clk_mode='OUT'"),
    ("WT32_ETH01", "EthernetInterface LAN mdc=Pin(23) mdio=Pin(18) phy_addr=1 phy_type='PHY_LAN8720' "
                   "power=Pin(16) ref_clk=Pin(0) ref_clk_mode='IN'"),
    ("ESP32_GENERIC", "WiFiInterface"),
    ("LILYGO_T_SIM7600", "CellularInterface UART baudrate=115200 rx=26 rxbuf=2048 tx=27"),
])
def test_default_instance_follows_the_board(tmp_path, name, expect):
    """The board's frozen file set (from its manifest) on the unix port, with the esp32 glue over mocked modules."""
    for target, source in read_manifest(ROOT / "boards" / name / "manifest.py").files.items():
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp_path / target)
    for fname, text in MOCKS.items():
        (tmp_path / fname).write_text(text)
    code = ("import sys; sys.path[:0] = ['.']\n"
            "import network, netsocket.interface, netsocket.port_esp32\n"
            "netsocket.interface._port = netsocket.port_esp32  # what sys.platform 'esp32' selects on a board\n"
            "from netsocket import NetworkInterface\n"
            "net = NetworkInterface.get_default_instance()\n"
            "net is None or net.ethInterface() is None or net.connect()\n"
            "print(type(net).__name__ if net else None, *[c[0] + ' ' + ' '.join('%s=%r' % kv for kv in sorted(c[2].items())) for c in network.calls])\n")
    mp = Path(sys.executable).with_name("micropython")
    proc = subprocess.run([str(mp), "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip().splitlines()[-1] == expect, proc.stdout + proc.stderr


def test_package_json_matches_the_manifests():
    data = json.loads((ROOT / "package.json").read_text())
    assert data == mip.package_json(), "run: netsocket boards --generate"
    for target, url in data["urls"]:
        assert (ROOT / url).is_file(), url
        assert target.startswith("netsocket/")


def test_mip_install_of_package_json_on_a_virtual_board(board):
    run("mpremote", "connect", board.port, "mip", "install", "--target", "/lib", str(ROOT / "package.json"))
    proc = run("mpremote", "connect", board.port, "exec",
               "import netsocket, sys; print(netsocket.__file__, netsocket.__version__)")
    assert proc.stdout.strip().startswith("/lib/netsocket/__init__.") or "lib/netsocket/__init__" in proc.stdout


def test_board_is_detected_from_the_port_it_runs(capsys):
    from netsocket_harness.board import detect_board
    from netsocket_harness.errors import HarnessError

    class FakeTransport:  # a stand-in for mpremote's transport: only eval() is asked for sys.platform
        def __init__(self, platform: str) -> None:
            self.platform = platform

        def eval(self, expression: str) -> str:
            return self.platform

    assert detect_board(FakeTransport("linux"), "/dev/pts/1") == "VIRTUAL"
    assert detect_board(FakeTransport("esp32"), "/dev/ttyUSB0") == "ESP32_GENERIC"
    assert "pass --board" in capsys.readouterr().err
    with pytest.raises(HarnessError, match="pass --board"):
        detect_board(FakeTransport("webassembly"), "/dev/ttyACM0")
