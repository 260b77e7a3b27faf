"""Where the project's parts are: the harness is installed from the checkout."""

import os
import shutil
import sys
from pathlib import Path

from .errors import HarnessError

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "lib"
PORTS = ROOT / "ports"
BOARDS = ROOT / "boards"
DEVICE_TESTS = ROOT / "tests" / "device"


def state_home() -> Path:
    """Where the harness keeps state: ``$NETSOCKET_HOME``, else ``~/.local/state/netsocket``."""
    return Path(os.environ.get("NETSOCKET_HOME") or Path.home() / ".local" / "state" / "netsocket")


def tool_command(name: str, package: str) -> list[str]:
    """The command of a console script from `package`: this environment's, else PATH's."""
    beside = Path(sys.executable).with_name(name)
    path = str(beside) if beside.exists() else shutil.which(name)
    if not path:
        raise HarnessError(f"{name} not found: pip install {package}")
    return [path]
