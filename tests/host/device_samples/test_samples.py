# Device tests with known outcomes, for the runner's own tests (not part of the suite).
from devtest import peer, skip, timeout


def test_passes():
    print("serial output of a passing test")


def test_fails_with_traceback():
    print("before the failure")
    values = [1, 2]
    assert values == [1, 3], values


@timeout(3)
def test_hangs():
    print("about to hang")
    while True:
        pass


def test_after_hang_passes():
    import gc

    assert gc.mem_free() > 50_000


def test_skips():
    skip("not on this board")


def test_echo_peer_reachable():
    import socket

    host, port = peer("echo")
    s = socket.socket()
    s.connect(socket.getaddrinfo(host, port)[0][-1])
    s.write(b"ping")
    assert s.read(4) == b"ping"
    s.close()


def test_board_dies():
    import os

    os.system("kill -SEGV $PPID")  # the interpreter (the shell's parent) crashes
    import time

    time.sleep(5)


def test_after_crash_passes():
    pass
