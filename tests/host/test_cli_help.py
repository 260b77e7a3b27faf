"""The help says what the commands do, and what they start; bad values are one line."""

from __future__ import annotations

from dataclasses import fields

from netsocket_harness.cli import SERVERS_HELP
from netsocket_harness.modem.__main__ import FAULT_HELP
from netsocket_harness.modem.core import Faults
from netsocket_harness.peers import Peers

from .conftest import run
from .test_cli_errors import _one_line_error


def test_servers_help_names_every_peer_it_starts():
    with Peers("127.0.0.1") as peers:
        started = set(peers.addresses)
    assert len(started) > 4
    missing = [name for name in started if name not in SERVERS_HELP]
    assert not missing, missing
    assert "The test peers until Ctrl-C: echo, discard" in run("netsocket", "servers", "--help").stdout


def test_servers_on_an_address_not_of_this_machine(home):
    _one_line_error(run("netsocket", "servers", "--host", "10.9.9.9", check=False),
                    "cannot listen on 10.9.9.9: Cannot assign requested address")


def test_modem_help_explains_every_knob_control_and_rewiring():
    assert [f.name for f in fields(Faults)] == list(FAULT_HELP)
    text = run("netsocket", "modem", "start", "--help").stdout
    for knob, meaning in FAULT_HELP.items():
        assert f"  {knob:<11} {meaning}" in text
    assert "control 127.0.0.1:P    a TCP port taking one command per line" in text
    assert "restart the board with --uart1 <the new pty>" in text
    proc = run("netsocket", "modem", "start", "--baud", "-5", check=False)
    assert proc.returncode == 2 and "argument --baud: not a baud rate: '-5' (bit/s, or 0 for unpaced)" in proc.stderr
    _one_line_error(run("netsocket", "modem", "start", "--faults", "reg_dely=5", check=False),
                    "bad fault 'reg_dely=5'", "modem start --help")


def test_every_option_has_help():
    from netsocket_harness.cli import parser

    undocumented = []

    def walk(p, path):
        for action in p._actions:
            if action.help is None and action.option_strings and action.dest != "help":
                undocumented.append(f"{path} {action.option_strings[0]}")
            for name, sub in getattr(action, "choices", None).items() if hasattr(action, "_name_parser_map") else ():
                walk(sub, f"{path} {name}")

    walk(parser(), "netsocket")
    assert not undocumented, undocumented
