"""netsocket: the Mbed OS Socket API for MicroPython."""

__version__ = "0.1.0"
