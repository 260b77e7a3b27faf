"""Board-side helpers of tests on several boards at once (test_x_instance0, test_x_instance1), as
MicroPython's multitest module: requests to the runner (devtest.host), answered when the other boards
got there. Apart from devtest so that single-board tests do not pay for them in heap."""

from devtest import host


def _answer(reply):
    if reply.startswith("error:"):
        raise AssertionError(reply)
    return reply


def barrier():
    """Wait until every board of the test reaches its barrier()."""
    _answer(host("barrier"))


def share(key, value):
    """Give `value` (str, int, bytes, tuple ...) to the other boards of the test under `key`."""
    _answer(host("share %s %r" % (key, value)))


def wait(key):
    """The value another board shared under `key` (waits for it)."""
    return eval(_answer(host("wait " + key)))
