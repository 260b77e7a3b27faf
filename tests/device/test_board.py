# The board itself: what every other device test relies on.
from devtest import timeout


def test_import_netsocket():
    import netsocket

    assert netsocket.__version__.count(".") == 2, netsocket.__version__


def test_heap_is_board_sized():
    import gc

    gc.collect()
    free = gc.mem_free()
    assert 64 * 1024 < free < 160 * 1024, free


def test_fresh_interpreter_each_test():
    import sys

    assert "leftover" not in sys.modules
    sys.modules["leftover"] = sys


def test_fresh_interpreter_each_test_2():
    import sys

    assert "leftover" not in sys.modules


@timeout(5)
def test_filesystem_root_is_board_flash():
    import os

    os.stat("/tests")  # the runner put the tests there
    assert "etc" not in os.listdir("/")
