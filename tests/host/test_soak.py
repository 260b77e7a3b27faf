"""`netsocket soak` for two minutes on a board on its own link, and 24 s over an emulated modem
(the ten-minute run is in docs/measurements.md).

The link soak needs root (the board gets its own link for the random faults):
without it that test fails with the harness's message, it is not skipped. The
modem soak needs no root.
"""

from __future__ import annotations

from netsocket_harness import soak


def test_soak_two_minutes(home):
    lines: list[str] = []
    result = soak.run(2, log=lines.append)
    passed, text = soak.report(result)
    assert passed, text + "\n--- what happened ---\n" + "\n".join(lines[-60:])
    assert result.faults, "the host changed the link at least once"
    assert result.counters["reconnect"] >= 1  # the first fault is an outage the board noticed


def test_soak_over_an_emulated_modem(home):
    """24 s through the emulated SIM7600 while its fault rates change and the network drops the
    PDP context (no root needed: the modem's own stack carries the sockets)."""
    lines: list[str] = []
    result = soak.run(0.4, cellular="sim7600", log=lines.append)
    passed, text = soak.report(result)
    assert passed, text + "\n--- what happened ---\n" + "\n".join(lines[-60:])
    assert any("pdpdeact" in f for f in result.faults)
    assert result.counters["reconnect"] >= 1  # the board's interface went DISCONNECTED and came back
