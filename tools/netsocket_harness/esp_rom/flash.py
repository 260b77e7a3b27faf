"""An emulated SPI NOR flash: erase sets 0xFF by 4 KiB sector, writes can only clear bits."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

SECTOR = 0x1000


def _map_file(path: Path, size: int) -> mmap.mmap:
    """Map `path` (created erased, i.e. 0xFF, when new or of another size)."""
    fresh = not path.exists() or path.stat().st_size != size
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fresh:
            os.ftruncate(fd, 0)
            os.write(fd, b"\xff" * size)
        return mmap.mmap(fd, size)
    finally:
        os.close(fd)


class SpiFlash:
    """`size` bytes of flash, in memory or in `path`; `windows` map address
    ranges onto other files (the virtual board's ROM partition is one)."""

    def __init__(self, size: int = 4 << 20, path: str | Path | None = None,
                 windows: list[tuple[int, str | Path]] | None = None) -> None:
        if size % SECTOR:
            raise ValueError("flash size must be a multiple of 4 KiB")
        self.size = size
        self._parts: list[tuple[int, int, mmap.mmap | bytearray]] = []  # (start, length, buffer)
        for start, wpath in windows or []:
            wpath = Path(wpath)
            length = wpath.stat().st_size
            if start % SECTOR or length % SECTOR or start + length > size:
                raise ValueError(f"window {wpath} at {start:#x} does not fit the flash in whole sectors")
            self._parts.append((start, length, _map_file(wpath, length)))
        self._main = _map_file(Path(path), size) if path else bytearray(b"\xff" * size)

    def close(self) -> None:
        for buf in [self._main, *(p[2] for p in self._parts)]:
            if isinstance(buf, mmap.mmap):
                buf.flush()
                buf.close()

    def flush(self) -> None:
        for buf in [self._main, *(p[2] for p in self._parts)]:
            if isinstance(buf, mmap.mmap):
                buf.flush()

    def _pieces(self, offset: int, length: int):
        """(buffer, index in buffer, count, index in the request) covering the range."""
        if offset < 0 or length < 0 or offset + length > self.size:
            raise IndexError(f"{offset:#x}+{length:#x} is outside the {self.size:#x}-byte flash")
        done = 0
        while done < length:
            addr = offset + done
            buf, base, end = self._main, 0, self.size
            for start, plen, pbuf in self._parts:
                if start <= addr < start + plen:
                    buf, base, end = pbuf, start, start + plen
                    break
                if addr < start:
                    end = min(end, start)
            n = min(length - done, end - addr)
            yield buf, addr - base, n, done
            done += n

    def read(self, offset: int, length: int) -> bytes:
        out = bytearray(length)
        for buf, i, n, j in self._pieces(offset, length):
            out[j : j + n] = buf[i : i + n]
        return bytes(out)

    def write(self, offset: int, data: bytes) -> None:
        """Program: each bit can only go from 1 to 0 (NOR flash)."""
        for buf, i, n, j in self._pieces(offset, len(data)):
            old = int.from_bytes(buf[i : i + n], "little")
            new = int.from_bytes(data[j : j + n], "little")
            buf[i : i + n] = (old & new).to_bytes(n, "little")

    def erase(self, offset: int, length: int) -> None:
        """Erase every sector the range touches."""
        start = offset - offset % SECTOR
        end = -(-(offset + length) // SECTOR) * SECTOR
        for buf, i, n, _ in self._pieces(start, min(end, self.size) - start):
            buf[i : i + n] = b"\xff" * n

    def erase_all(self) -> None:
        self.erase(0, self.size)
