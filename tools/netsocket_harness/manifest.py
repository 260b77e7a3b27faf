"""Read a board's freeze manifest to learn which files a ROMFS or .mpy build carries.

Firmware builds hand the manifest to MicroPython's own build
(`FROZEN_MANIFEST`); this reader exists for builds *without* a firmware
rebuild, where no MicroPython checkout (and so no `tools/manifestfile.py`)
is at hand. It follows the manifest API's file-selecting calls as MicroPython's
`tools/manifestfile.py` does: `include`, `package`, `module`, `metadata`
(once per package), `add_library` and `require` (a package of a registered
library, or else one from micropython-lib, which is only recorded). An
`include` of the port's or MicroPython's own manifest (`$(PORT_DIR)`,
`$(MPY_DIR)`) names what the firmware already has and is skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import HarnessError


@dataclass
class Manifest:
    files: dict[str, Path] = field(default_factory=dict)  # path on the board -> source
    requires: list[str] = field(default_factory=list)  # packages from outside (micropython-lib)
    versions: dict[str, str] = field(default_factory=dict)  # manifest directory -> version
    libraries: dict[str, Path] = field(default_factory=dict)  # add_library() names
    visited: set[Path] = field(default_factory=set)
    scopes: list[bool] = field(default_factory=lambda: [False])  # has this package called metadata()?

    def add(self, target: str, source: Path) -> None:
        if not source.is_file():
            raise HarnessError(f"manifest names a missing file: {source}")
        self.files[target] = source


def read_manifest(path: Path, libraries: dict[str, Path] | None = None) -> Manifest:
    """Evaluate `path`; `libraries` are add_library() names known beforehand (to read one package alone)."""
    out = Manifest(libraries=dict(libraries or {}))
    _execute(path.resolve(), out, is_require=False)
    return out


def _find_package(root: Path, name: str) -> Path | None:
    """As MicroPython's require(): the first <root>/**/<name>/ holding a manifest.py."""
    for dirpath, _dirs, files in os.walk(root):
        if os.path.basename(dirpath) == name and "manifest.py" in files:
            return Path(dirpath)
    return None


def _execute(path: Path, out: Manifest, is_require: bool) -> None:
    if path.is_dir():
        path = path / "manifest.py"
    if not path.is_file():
        raise HarnessError(f"manifest not found: {path}")
    if path in out.visited:
        return
    out.visited.add(path)
    if is_require:  # a required package gets its own metadata, as in MicroPython's manifestfile
        out.scopes.append(False)
    here = path.parent

    def resolve(p: str) -> Path | None:
        if p.startswith(("$(PORT_DIR)", "$(MPY_DIR)", "$(MPY_LIB_DIR)")):
            return None
        p = p.replace("$(BOARD_DIR)", str(here))
        return (here / p).resolve()

    def include(manifest_path: str, **_kw: object) -> None:
        target = resolve(manifest_path)
        if target is not None:
            _execute(target, out, is_require=False)

    def add_library(library: str, library_path: str, prepend: bool = False) -> None:
        target = resolve(library_path)
        if target is not None:
            out.libraries[library] = target

    def require(name: str, library: str | None = None, **_kw: object) -> None:
        roots = [out.libraries[library]] if library in out.libraries else list(out.libraries.values())
        if library is not None and library not in out.libraries:
            raise HarnessError(f"{path}: require({name!r}, library={library!r}) before add_library({library!r})")
        for root in roots:
            found = _find_package(root, name)
            if found is not None:
                _execute(found, out, is_require=True)
                return
        if library is not None:
            raise HarnessError(f"{path}: package {name!r} not found in library {library!r}")
        out.requires.append(name)  # from micropython-lib: the firmware or mip provides it

    def package(name: str, files: list[str] | None = None, base_path: str = ".", opt: int | None = None) -> None:
        base = resolve(base_path)
        if base is None:
            return
        root = base / name
        if files is None:
            sources = sorted(root.rglob("*.py"))
        else:
            sources = [root / f for f in files]
        for src in sources:
            out.add(src.relative_to(base).as_posix(), src)

    def module(module_path: str, base_path: str = ".", opt: int | None = None) -> None:
        base = resolve(base_path)
        if base is not None:
            out.add(Path(module_path).as_posix(), base / module_path)

    def metadata(description: str | None = None, version: str | None = None, **kw: object) -> None:
        if not (description or version or kw):
            return
        if out.scopes[-1]:  # MicroPython's build refuses this too
            raise HarnessError(f"{path}: duplicate call to metadata() in one package (use require(), not include())")
        out.scopes[-1] = True
        if version:
            out.versions[str(here)] = version

    class Options:
        def __getattr__(self, _name: str) -> None:
            return None

    env = {"include": include, "package": package, "module": module, "metadata": metadata,
           "require": require, "add_library": add_library, "options": Options(), "__file__": str(path)}
    try:
        exec(compile(path.read_text(), str(path), "exec"), env)
    except HarnessError:
        raise
    except Exception as e:
        raise HarnessError(f"{path}: {type(e).__name__}: {e}") from None
    finally:
        if is_require:
            out.scopes.pop()
