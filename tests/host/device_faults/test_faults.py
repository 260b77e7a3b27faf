# Device tests that misbehave as boards do, for the runner's fault handling (not part of the suite):
# each fault is an error on its own test, the board comes back, and the test after it passes.
from devtest import timeout


def test_port_gone():
    import os

    print("killing my own supervisor: the serial port goes away")
    # $PPID is the interpreter (the shell's parent); its parent is the supervisor that owns the port
    os.system("kill -KILL $(cut -d' ' -f4 /proc/$PPID/stat)")
    import time

    time.sleep(10)


def test_after_port_gone_passes():
    pass


def test_reboots_by_itself():
    import time

    # what a real ESP32 prints when its watchdog resets it mid-test (the virtual board's own
    # resets are announced by its supervisor: test_samples.py::test_board_dies)
    print("ets Jun  8 2016 00:22:57\r\n\r\nrst:0x8 (TG1WDT_SYS_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)")
    print("MicroPython v1.23.0 on 2024-06-02; Generic ESP32 module with ESP32")
    print('Type "help()" for more information.')
    print(">>> ")
    time.sleep(30)


def test_after_reboot_passes():
    pass


def test_prints_garbage():
    import sys

    sys.stdout.buffer.write(bytes(range(128, 256)) * 4)
    print("and then a normal line")


def test_after_garbage_passes():
    pass


@timeout(60)
def test_floods_output():
    line = "flood " * 20
    while True:
        print(line)


def test_after_flood_passes():
    pass
