"""The documentation site: it builds with `mkdocs build --strict`, its generated parts hold what the project
holds, and every complete program in it is run on a board by tests/device/test_docs.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from netsocket_harness.board import known_boards
from netsocket_harness.docsite import doc_programs, nsapi_errors
from netsocket_harness.project import DEVICE_TESTS, ROOT


def _mkdocs(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # mkdocs-material's banner about its successor
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_site_builds_strict_and_fails_on_a_broken_link(tmp_path: Path) -> None:
    # one test for both builds: they share the staged sources under build/docs
    proc = _mkdocs(ROOT / "mkdocs.yml", tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = tmp_path / "site"
    core = (site / "reference" / "core.html").read_text()
    for anchor in ("netsocket.socket.TCPSocket.send", "netsocket.udp.UDPSocket.recvfrom",
                   "netsocket.address.SocketAddress", "netsocket._socket_server_opts.accept"):
        assert f'id="{anchor}"' in core, anchor
    for name, value in nsapi_errors():  # the table generated from lib/netsocket/nsapi.py
        assert re.search(rf"<code>{name}</code></td>\s*<td>{value}</td>", core), name
    cellular = (site / "reference" / "cellular.html").read_text()
    assert 'id="netsocket.cellular.interface.CellularInterface.set_credentials"' in cellular
    started = (site / "getting-started.html").read_text()
    assert "boards-table" not in started
    for board in known_boards():  # the table generated from boards/*/board.json
        assert f"<code>{board}</code>" in started, board

    # the same site with one broken link must fail the strict build
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    page = docs / "index.md"
    page.write_text(page.read_text() + "\nSee [nowhere](no-such-page.md).\n")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    config["docs_dir"] = str(docs)  # paths in a config are relative to it: make them absolute
    config["hooks"] = [str(ROOT / h) for h in config["hooks"]]
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "mkdocstrings" in plugin:
            python = plugin["mkdocstrings"]["handlers"]["python"]
            python["paths"] = [str(ROOT / p) for p in python["paths"]]
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(config))
    proc = _mkdocs(broken, tmp_path / "site2")
    assert proc.returncode != 0
    assert "no-such-page.md" in proc.stderr


def test_every_program_in_the_docs_runs_in_a_device_test(tmp_path: Path) -> None:
    programs = [p.stem for p in doc_programs(tmp_path)]
    assert len(programs) >= 5, programs
    tests = (DEVICE_TESTS / "test_docs.py").read_text()
    for name in programs:
        assert re.search(rf"^\s+import {name}$", tests, re.M), f"docs program {name}.py has no test in test_docs.py"
    # an extracted program is the block, unindented, as a reader copies it
    http = (tmp_path / "porting_http.py").read_text()
    assert http.startswith("# from docs/mbed-porting.md\nfrom netsocket import ")
    compile(http, "porting_http.py", "exec")
