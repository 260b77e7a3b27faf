"""test_udp.py again over each emulated modem: the same functions, with a CellularInterface as the default."""
from test_udp import *  # noqa: F401,F403 - the native UDP tests, rerun here
from cellutil import use as setup  # noqa: F401 - the runner calls setup(model) before each test

PARAMS = ("bg96", "sim7600")
REQUIRES = ("cellular",)  # the runner gives these tests only to boards with a modem
