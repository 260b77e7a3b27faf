"""Where the project's parts are: the harness is installed from the checkout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "lib"
PORTS = ROOT / "ports"
BOARDS = ROOT / "boards"
DEVICE_TESTS = ROOT / "tests" / "device"
