"""Read a board's freeze manifest to learn which files a ROMFS or .mpy build carries.

Firmware builds hand the manifest to MicroPython's own build
(`FROZEN_MANIFEST`); this reader exists for builds *without* a firmware
rebuild, where no MicroPython checkout (and so no `tools/manifestfile.py`)
is at hand. It understands the manifest API's file-selecting calls:
`include`, `package`, `module`, `metadata`, `require` (and ignores `options`). An
`include` of the port's or MicroPython's own manifest (`$(PORT_DIR)`,
`$(MPY_DIR)`) names what the firmware already has and is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import HarnessError


@dataclass
class Manifest:
    files: dict[str, Path] = field(default_factory=dict)  # path on the board -> source
    requires: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    def add(self, target: str, source: Path) -> None:
        if not source.is_file():
            raise HarnessError(f"manifest names a missing file: {source}")
        self.files[target] = source


def read_manifest(path: Path) -> Manifest:
    out = Manifest()
    _execute(path.resolve(), out)
    return out


def _execute(path: Path, out: Manifest) -> None:
    if path.is_dir():
        path = path / "manifest.py"
    if not path.is_file():
        raise HarnessError(f"manifest not found: {path}")
    here = path.parent

    def resolve(p: str) -> Path | None:
        if p.startswith(("$(PORT_DIR)", "$(MPY_DIR)", "$(MPY_LIB_DIR)")):
            return None
        p = p.replace("$(BOARD_DIR)", str(here))
        return (here / p).resolve()

    def include(manifest_path: str, **_kw: object) -> None:
        target = resolve(manifest_path)
        if target is not None:
            _execute(target, out)

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

    def metadata(description: str | None = None, version: str | None = None, **_kw: object) -> None:
        if version:
            out.versions[str(here)] = version

    def require(name: str, **_kw: object) -> None:
        out.requires.append(name)

    class Options:
        def __getattr__(self, _name: str) -> None:
            return None

    env = {"include": include, "package": package, "module": module, "metadata": metadata,
           "require": require, "options": Options(), "__file__": str(path)}
    try:
        exec(compile(path.read_text(), str(path), "exec"), env)
    except HarnessError:
        raise
    except Exception as e:
        raise HarnessError(f"{path}: {type(e).__name__}: {e}") from None
