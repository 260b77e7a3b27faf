"""The documentation site (MkDocs) and the programs in it.

- ``stage_sources()`` gathers the device packages' sources into one ``netsocket``
  tree (as a board sees them) for mkdocstrings, which reads them statically with
  griffe: MicroPython modules are never imported by CPython.
- ``fill_in()``: the tables generated from the project, in place of their marks
  in a page: the boards (``<!-- boards-table -->``, from ``boards/*/board.json``)
  and the nsapi error codes (``<!-- nsapi-errors-table -->``, from
  ``lib/netsocket/nsapi.py``). MkDocs calls both through ``tools/mkdocs_hooks.py``.
- ``doc_programs()``: the Python blocks of the guides marked as complete programs
  (first line ``# program: NAME.py``), written out as files. The device-test
  runner copies them to the board beside the examples, and ``tests/device/
  test_docs.py`` runs each there, so the docs cannot rot.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

from .board import known_boards, load_board
from .manifest import read_manifest
from .project import LIB, ROOT

DOCS = ROOT / "docs"
SOURCES = ROOT / "build" / "docs" / "src"  # mkdocs.yml: mkdocstrings' python handler paths
BOARDS_MARK = "<!-- boards-table -->"
NSAPI_MARK = "<!-- nsapi-errors-table -->"

# what each error code means in netsocket (the names and values come from lib/netsocket/nsapi.py)
ERROR_MEANINGS = {
    "NSAPI_ERROR_OK": "success",
    "NSAPI_ERROR_WOULD_BLOCK": "nothing can be done now: a non-blocking call, or a blocking one whose timeout ran out",
    "NSAPI_ERROR_UNSUPPORTED": "the stack, interface or modem does not offer this",
    "NSAPI_ERROR_PARAMETER": "an invalid argument, or a call that makes no sense in this state (open twice)",
    "NSAPI_ERROR_NO_CONNECTION": "not connected: no network, no peer, or the connection failed or was refused",
    "NSAPI_ERROR_NO_SOCKET": "the socket is not open (or was closed), or the stack has no socket left",
    "NSAPI_ERROR_NO_ADDRESS": "no address: a UDP send without a peer, an interface without an IP address",
    "NSAPI_ERROR_NO_MEMORY": "out of memory, or of a limited resource (asynchronous DNS queries)",
    "NSAPI_ERROR_NO_SSID": "the Wi-Fi network was not found",
    "NSAPI_ERROR_DNS_FAILURE": "the name could not be resolved (no answer, NXDOMAIN, no usable record)",
    "NSAPI_ERROR_DHCP_FAILURE": "no address from DHCP (Ethernet: often no cable)",
    "NSAPI_ERROR_AUTH_FAILURE": "authentication failed: Wi-Fi passphrase, SIM PIN, registration denied, TLS certificate",
    "NSAPI_ERROR_DEVICE_ERROR": "the network device (NIC, modem, TLS library) failed or refused",
    "NSAPI_ERROR_IN_PROGRESS": "a non-blocking operation has started (connect)",
    "NSAPI_ERROR_ALREADY": "the operation is still in progress",
    "NSAPI_ERROR_IS_CONNECTED": "already connected (connect called again after success)",
    "NSAPI_ERROR_CONNECTION_LOST": "an established connection was lost",
    "NSAPI_ERROR_CONNECTION_TIMEOUT": "the connection attempt or the network bring-up timed out",
    "NSAPI_ERROR_ADDRESS_IN_USE": "the local address or port is taken",
    "NSAPI_ERROR_TIMEOUT": "an operation with its own time limit (a TLS handshake) ran out of time",
    "NSAPI_ERROR_BUSY": "the device is busy with another operation",
}
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


def nsapi_errors() -> list[tuple[str, int]]:
    """(name, value) of every nsapi error code, read with lib/netsocket/nsapi.py's own lookup."""
    spec = importlib.util.spec_from_file_location("_nsapi_for_docs", LIB / "netsocket" / "nsapi.py")
    assert spec and spec.loader
    nsapi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(nsapi)  # plain Python: a string table and a lookup
    names = [t[0] + n for group in nsapi._TABLE.split("/") for t in [group.split()] for n in t[3:]]
    return [(n, nsapi._find(n, None)[1]) for n in names if n.startswith("NSAPI_ERROR_")]


def nsapi_errors_table() -> str:
    """A Markdown table of the nsapi error codes and what they mean in netsocket."""
    rows = ["| code | value | meaning |", "|---|---|---|"]
    rows += [f"| `{n}` | {v} | {ERROR_MEANINGS[n]} |" for n, v in nsapi_errors()]
    return "\n".join(rows)


def fill_in(markdown: str) -> str:
    """A page's generated tables, in place of their marks."""
    if BOARDS_MARK in markdown:
        markdown = markdown.replace(BOARDS_MARK, boards_table())
    if NSAPI_MARK in markdown:
        markdown = markdown.replace(NSAPI_MARK, nsapi_errors_table())
    return markdown


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
