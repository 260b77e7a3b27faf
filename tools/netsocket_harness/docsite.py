"""The documentation site (MkDocs) and the programs in it.

- ``stage_sources()`` gathers the device packages' sources into one ``netsocket``
  tree (as a board sees them) for mkdocstrings, which reads them statically with
  griffe: MicroPython modules are never imported by CPython.
- ``boards_table()``: the board table of the getting-started page, generated
  from ``boards/*/board.json`` (``<!-- boards-table -->`` in a page).
  (MkDocs calls both through ``tools/mkdocs_hooks.py``.)
- ``doc_programs()``: the Python blocks of the guides marked as complete programs
  (first line ``# program: NAME.py``), written out as files. The device-test
  runner copies them to the board beside the examples, and ``tests/device/
  test_docs.py`` runs each there, so the docs cannot rot.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .board import known_boards, load_board
from .manifest import read_manifest
from .project import LIB, ROOT

DOCS = ROOT / "docs"
SOURCES = ROOT / "build" / "docs" / "src"  # mkdocs.yml: mkdocstrings' python handler paths
BOARDS_MARK = "<!-- boards-table -->"
# a fenced block, possibly indented (inside a tab or a list item), whose first line names the program
_BLOCK = re.compile(r"^( *)```python\n\1# program: (\w+\.py)\n(.*?)^\1```", re.M | re.S)


def stage_sources(dest: Path = SOURCES) -> list[str]:
    """Copy every device package (lib/*/manifest.py) into ``dest/netsocket``; -> package paths."""
    if dest.exists():
        shutil.rmtree(dest)
    files: list[str] = []
    for manifest in sorted(LIB.glob("*/manifest.py")):
        for target, source in read_manifest(manifest, libraries={"netsocket": LIB}).files.items():
            out = dest / target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, out)
            files.append(target)
    return sorted(files)


def boards_table() -> str:
    """A Markdown table of the board definitions."""
    rows = ["| board | port | chip | default interface | flashed with | description |",
            "|---|---|---|---|---|---|"]
    for name in known_boards():
        info = load_board(name).info
        iface = info["default_interface"]
        kind = iface["type"]
        if kind == "ethernet" and "phy_type" in iface:
            kind += f" ({iface['phy_type']})"
        elif kind == "cellular":
            kind += f" ({iface['modem']} on UART{iface['uart']})"
        rows.append(f"| `{name}` | {info['port']} | {info['chip']} | {kind} | {info['flash']['method']} "
                    f"| {info['description']} |")
    return "\n".join(rows)


def doc_programs(out: Path, docs: Path = DOCS) -> list[Path]:
    """Write the marked program blocks of ``docs/**/*.md`` into ``out``; -> the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for page in sorted(docs.rglob("*.md")):
        for m in _BLOCK.finditer(page.read_text()):
            indent, name, body = m.groups()
            if name in written:
                raise ValueError(f"{page}: program {name} is also defined in another page")
            path = out / name
            body = "".join(line[len(indent):] if line.startswith(indent) else line.lstrip(" ")
                           for line in body.splitlines(keepends=True))
            text = f"# from {page.relative_to(ROOT).as_posix()}\n{body}"
            if not path.is_file() or path.read_text() != text:
                path.write_text(text)
            written[name] = path
    return list(written.values())
