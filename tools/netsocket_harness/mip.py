"""package.json at the repository root, so that `mpremote mip install github:<owner>/<repo>` installs netsocket.

It lists every file the device packages' manifests (lib/*/manifest.py) and
the port glue manifests (ports/*/manifest.py) name, as relative URLs (mip
resolves them next to package.json, on GitHub or on disk), and their
``require`` entries as deps. All ports' glue is included: each is a few
hundred bytes and only the running port's is imported. `netsocket boards
--generate` rewrites it; a host test checks that it matches the manifests.
"""

from __future__ import annotations

import json

from .manifest import read_manifest
from .project import LIB, PORTS, ROOT

PACKAGE_JSON = ROOT / "package.json"


def package_json() -> dict:
    urls: dict[str, str] = {}
    deps: list[str] = []
    version = None
    for manifest in sorted(LIB.glob("*/manifest.py")) + sorted(PORTS.glob("*/manifest.py")):
        m = read_manifest(manifest, libraries={"netsocket": LIB})
        for target, source in m.files.items():
            urls[target] = source.relative_to(ROOT).as_posix()
        deps += [d for d in m.requires if d not in deps]
        if manifest.parent == LIB / "netsocket":
            version = next(iter(m.versions.values()), None)
    return {"urls": sorted([t, u] for t, u in urls.items()), "deps": [[d, "latest"] for d in deps],
            "version": version or "0.0.0"}


def generate() -> bool:
    """Write package.json; True when it changed."""
    text = json.dumps(package_json(), indent=2) + "\n"
    if PACKAGE_JSON.is_file() and PACKAGE_JSON.read_text() == text:
        return False
    PACKAGE_JSON.write_text(text)
    return True
