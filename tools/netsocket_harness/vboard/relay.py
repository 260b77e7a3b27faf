"""The delay relay of a board's link, run inside its supervisor (see link.py for the plumbing).

Each side of the link has a TAP device; while the link has a delay, jitter,
reorder or duplicate fault, tc redirects the IPv4 frames arriving on that
side's veth end to its TAP. The relay reads them, holds each frame for its
time, and writes it back into the same TAP, from which the kernel receives
it as if it had come off the wire. Frames are held in a heap by due time:
with jitter they may pass each other, as on netem.
"""

from __future__ import annotations

import fcntl
import heapq
import os
import random
import struct
import time
from typing import Callable

from .link import Faults, Link, _run, mac

_TUNSETIFF = 0x400454CA
_IFF_TAP = 0x0002
_IFF_NO_PI = 0x1000
_MAX_HELD = 10000  # frames held at once; past that, new ones are sent at once (as netem's limit)


def open_tap(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", name.encode(), _IFF_TAP | _IFF_NO_PI))
    return fd


class Relay:
    def __init__(self, link: Link) -> None:
        self.faults = Faults()
        self.held: list[tuple[float, int, int, bytes]] = []
        self.seq = 0
        self.rng = random.Random()
        self.fds: list[int] = []
        # the host's TAP stays here, the board's goes into its namespace; each carries its veth end's
        # MAC, so the frames written into it (addressed to that MAC) are the stack's own
        for tap, dev, netns in ((link.host_tap, link.host_dev, None), (link.board_tap, link.board_dev, link.netns)):
            fd = open_tap(tap)
            self.fds.append(fd)
            if netns:
                _run("ip", "link", "set", tap, "netns", netns)
            _run("ip", "link", "set", tap, "address", mac(dev, netns), "up", netns=netns)
            _run("sysctl", "-q", "-w", f"net.ipv4.conf.{tap}.rp_filter=0", netns=netns)

    def configure(self, faults: Faults) -> None:
        self.faults = faults

    def reader(self, fd: int) -> Callable[[], None]:
        return lambda: self.on_frame(fd)

    def on_frame(self, fd: int) -> None:
        f, now = self.faults, time.monotonic()
        for _ in range(64):
            try:
                frame = os.read(fd, 65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            copies = 2 if f.duplicate and self.rng.random() * 100 < f.duplicate else 1
            for _ in range(copies):
                delay = f.delay + (self.rng.uniform(-f.jitter, f.jitter) if f.jitter else 0.0)
                if f.reorder and self.rng.random() * 100 < f.reorder:
                    delay = 0.0
                if delay <= 0 or len(self.held) >= _MAX_HELD:
                    self._write(fd, frame)
                else:
                    self.seq += 1
                    heapq.heappush(self.held, (now + delay / 1000, self.seq, fd, frame))

    def _write(self, fd: int, frame: bytes) -> None:
        try:
            os.write(fd, frame)
        except OSError:
            pass  # the TAP is full or gone: the frame is lost, as on a wire

    def timeout(self, limit: float) -> float:
        """Seconds until the next frame is due (at most `limit`)."""
        if not self.held:
            return limit
        return max(0.0, min(limit, self.held[0][0] - time.monotonic()))

    def send_due(self) -> None:
        now = time.monotonic()
        while self.held and self.held[0][0] <= now:
            _, _, fd, frame = heapq.heappop(self.held)
            self._write(fd, frame)

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()
        self.held.clear()
