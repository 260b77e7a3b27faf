"""test_tcp.py again over each emulated modem: the same functions, with a CellularInterface as the default."""
from test_tcp import *  # noqa: F401,F403 - the native TCP tests, rerun here
from cellutil import use as setup  # noqa: F401 - the runner calls setup(model) before each test

PARAMS = ("bg96", "sim7600")
REQUIRES = ("cellular",)  # the runner gives these tests only to boards with a modem
