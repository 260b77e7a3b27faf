"""Ending a NativeStack.socket_wait in another thread when its socket is closed (unix port).

Linux does not end a poll() in one thread when another thread closes one of its file
descriptors: the waiter would stay until its timeout, forever on a blocking socket. So
on the unix port every socket_wait also polls a waker (an AF_UNIX datagram socket, made
at the first wait), and socket_close of a handle being waited on sends the waker one datagram,
waits until that waiter has left, and drains it. lwIP ports need none of this: their
poll sees a closed socket at once.
"""

import socket
from time import sleep_ms, ticks_ms, ticks_diff


def waker(st):
    """Make ``st``'s waker; -> the socket, or False where it cannot be made (then no wakeup)."""
    for i in range(8):
        # an abstract AF_UNIX address (Linux): no file, gone with the socket; unique per try
        a = b"\x01\x00\x00netsocket-wake-%d-%d" % (id(st), ticks_ms() + i)
        try:
            s = socket.socket(1, 2)  # AF_UNIX, SOCK_DGRAM
        except OSError:
            break
        try:
            s.bind(a)
            s.setblocking(False)
            st._wk = s
            st._wka = a
            st._waits = []
            return s
        except OSError:
            s.close()
    st._wk = False
    return False


def wake(st, h):
    """End a socket_wait on the closed handle ``h``; return once it has left (at most 2 s)."""
    s = st._wk
    try:
        s.sendto(b"w", st._wka)
    except OSError:
        return
    t0 = ticks_ms()
    while h in st._waits and ticks_diff(ticks_ms(), t0) < 2000:
        sleep_ms(1)
    try:
        while s.recv(16):  # drain: other waiters woke too, and wait again once it is empty
            pass
    except OSError:  # EAGAIN: empty
        pass
