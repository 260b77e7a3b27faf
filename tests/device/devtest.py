"""Board-side helpers for device tests; the test runner copies this to the board.

A device test module is plain MicroPython: every ``test_*`` function is one
test. ``from test_x import *`` runs test_x's tests again in this module, and
``PARAMS = ("a", "b")`` runs each test once per value, after the module's
``setup(value)``. It passes when it returns, fails on an exception (use ``assert``), and
calls ``skip(reason)`` to skip. Host peers started by the runner are looked up
with ``peer(name)``, which gives ``(host, port)``.
"""

import sys

PEERS = {}  # set by the runner before each test: name -> (host, port)
if "/examples" not in sys.path:
    sys.path.append("/examples")  # examples/*.py, copied there by the runner


class SkipTest(Exception):
    pass


def skip(reason):
    raise SkipTest(reason)


def peer(name):
    try:
        return PEERS[name]
    except KeyError:
        skip("no %s peer on this board" % name)


def run(fn, setup=None):
    """Run one test function (after ``setup()``, if given) and print the verdict line the runner reads."""
    import sys

    try:
        if setup is not None:
            setup()
        fn()
    except SkipTest as e:
        print("\n@@NSTEST SKIP", e.args[0] if e.args else "")
        return
    except BaseException as e:  # noqa: BLE001 - a test verdict, not error handling
        sys.print_exception(e)
        print("\n@@NSTEST FAIL")
        return
    print("\n@@NSTEST PASS")


def host(request):
    """Ask the runner on the host to do something for this test (e.g. ``link {"loss": 5}``); -> its answer line."""
    print("\n@@NSHOST", request)
    return sys.stdin.readline().strip()


def timeout(*_):
    """Decorators the runner reads from the source, which do nothing on the board: ``@timeout(s)`` gives one
    test its own time limit, ``@requires("cellular", ...)`` what it needs of the board (``REQUIRES = (...)``
    at module level: every test of the module); the runner gives it only to a board that has it."""
    return lambda fn: fn


requires = timeout  # one function for both: every test imports this module under the board's heap
