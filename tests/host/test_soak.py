"""`netsocket soak` for two minutes, as in the suite (the ten-minute run is in docs/measurements.md).

Needs root (the board gets its own link for the random faults): without it the
soak fails with the harness's message, it is not skipped.
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
