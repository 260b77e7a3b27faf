"""The ROM loader protocol (and the flasher stub's variant) as a byte-stream state machine."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from .chips import ChipProfile
from .flash import SpiFlash

# command opcodes (esptool's ESPLoader.ESP_CMDS)
FLASH_BEGIN, FLASH_DATA, FLASH_END = 0x02, 0x03, 0x04
MEM_BEGIN, MEM_END, MEM_DATA = 0x05, 0x06, 0x07
SYNC, WRITE_REG, READ_REG = 0x08, 0x09, 0x0A
SPI_SET_PARAMS, SPI_ATTACH, READ_FLASH_SLOW, CHANGE_BAUDRATE = 0x0B, 0x0D, 0x0E, 0x0F
FLASH_DEFL_BEGIN, FLASH_DEFL_DATA, FLASH_DEFL_END, SPI_FLASH_MD5 = 0x10, 0x11, 0x12, 0x13
GET_SECURITY_INFO = 0x14
ERASE_FLASH, ERASE_REGION, READ_FLASH, RUN_USER_CODE = 0xD0, 0xD1, 0xD2, 0xD3

NAMES = {v: k for k, v in dict(
    FLASH_BEGIN=FLASH_BEGIN, FLASH_DATA=FLASH_DATA, FLASH_END=FLASH_END, MEM_BEGIN=MEM_BEGIN, MEM_END=MEM_END,
    MEM_DATA=MEM_DATA, SYNC=SYNC, WRITE_REG=WRITE_REG, READ_REG=READ_REG, SPI_SET_PARAMS=SPI_SET_PARAMS,
    SPI_ATTACH=SPI_ATTACH, READ_FLASH_SLOW=READ_FLASH_SLOW, CHANGE_BAUDRATE=CHANGE_BAUDRATE,
    FLASH_DEFL_BEGIN=FLASH_DEFL_BEGIN, FLASH_DEFL_DATA=FLASH_DEFL_DATA, FLASH_DEFL_END=FLASH_DEFL_END,
    SPI_FLASH_MD5=SPI_FLASH_MD5, GET_SECURITY_INFO=GET_SECURITY_INFO, ERASE_FLASH=ERASE_FLASH,
    ERASE_REGION=ERASE_REGION, READ_FLASH=READ_FLASH, RUN_USER_CODE=RUN_USER_CODE).items()}

# ROM error reasons (second status byte; esptool shows them as 0x1xx)
ROM_INVALID = 0x05
ROM_FAILED = 0x06
ROM_CHECKSUM = 0x07
ROM_DEFLATE = 0x0B
# flasher stub errors (first status byte)
STUB_BAD_LEN, STUB_CHECKSUM, STUB_INVALID, STUB_NOT_FLASHING, STUB_INFLATE, STUB_TOO_MUCH = (
    0xC0, 0xC1, 0xC3, 0xC6, 0xC7, 0xC9)

ESP_CHECKSUM_MAGIC = 0xEF
SYNC_PAYLOAD = b"\x07\x07\x12\x20" + 32 * b"\x55"
SYNC_VALUE = 0x20120707  # what ROM loaders put in the value field of SYNC replies

SPI_CMD_USR = 1 << 18


def slip_encode(packet: bytes) -> bytes:
    return b"\xc0" + packet.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc") + b"\xc0"


def checksum(data: bytes) -> int:
    state = ESP_CHECKSUM_MAGIC
    for b in data:
        state ^= b
    return state


@dataclass
class Faults:
    """Things that go wrong on real hardware, switched on for tests.

    - ``silent``: nothing answers (the chip is not in download mode).
    - ``drop_replies``: command name -> how many of its replies get lost.
    - ``corrupt_data``: how many FLASH_DATA/FLASH_DEFL_DATA packets arrive with a byte
      flipped on the line (the loader sees a checksum error, as a real one would).
    - ``bad_cell``: a flash address whose byte is stuck at 0x00 (writes "succeed";
      the MD5 check afterwards does not).
    """

    silent: bool = False
    drop_replies: dict[str, int] = field(default_factory=dict)
    corrupt_data: int = 0
    bad_cell: int | None = None


class _Write:
    """A FLASH_BEGIN or FLASH_DEFL_BEGIN in progress."""

    def __init__(self, offset: int, size: int, blocks: int, block_size: int, deflate: bool) -> None:
        self.offset, self.size, self.blocks, self.block_size = offset, size, blocks, block_size
        self.seq = 0
        self.pos = 0  # bytes programmed so far
        self.inflate = zlib.decompressobj() if deflate else None


class RomLoader:
    """One chip in download mode: ``feed(bytes_from_host) -> bytes_to_host``.

    ``on_run`` is called when the host asks the chip to leave the loader and
    run the application (FLASH_END/FLASH_DEFL_END with the reboot flag, or the
    stub's RUN_USER_CODE)."""

    def __init__(self, chip: ChipProfile, flash: SpiFlash, faults: Faults | None = None,
                 log: Callable[[str], None] | None = None, baud: int = 115200) -> None:
        self.chip = chip
        self.flash = flash
        self.faults = faults or Faults()
        self.log = log or (lambda _msg: None)
        self.baud = baud
        self.regs = chip.registers()
        self.stub = False  # True once esptool's flasher stub "runs"
        self.running_ram = False  # an unknown RAM image "runs": the loader is gone
        self.run_requested = False
        self.on_run: Callable[[], None] = lambda: None
        self._frame = bytearray()
        self._in_frame = False
        self._escape = False
        self._write: _Write | None = None
        self._ram: dict[int, bytearray] = {}
        self._mem: tuple[int, int, int] | None = None  # (address, size, next seq)
        self._read: list[int] | None = None  # stub READ_FLASH: [offset, length, block, window, sent, acked]
        self.commands: list[str] = []  # names of the commands handled, in order (for tests)

    # -- framing ---------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Consume bytes from the host; return the bytes the chip sends back."""
        out = bytearray()
        if self.faults.silent or self.running_ram:
            return b""
        for b in data:
            if not self._in_frame:
                if b == 0xC0:
                    self._in_frame = True
                    self._frame.clear()
                continue  # bytes between frames are line noise; the ROM ignores them
            if self._escape:
                self._escape = False
                self._frame.append({0xDC: 0xC0, 0xDD: 0xDB}.get(b, b))
            elif b == 0xDB:
                self._escape = True
            elif b == 0xC0:
                if self._frame:
                    self._in_frame = False
                    out += self._packet(bytes(self._frame))
                    if self.running_ram or self.run_requested:
                        break
                # an empty frame (C0 C0) is the start of the next one
            else:
                self._frame.append(b)
        return bytes(out)

    # -- replies ---------------------------------------------------------------

    def _status(self, error: int = 0) -> bytes:
        if self.stub:
            return bytes((error, 0)) if error else b"\x00\x00"
        return bytes((1, error, 0, 0)) if error else b"\x00" * self.chip.rom_status_len

    def _reply(self, op: int, value: int = 0, payload: bytes = b"", error: int = 0) -> bytes:
        name = NAMES.get(op, hex(op))
        if self.faults.drop_replies.get(name, 0) > 0:
            self.faults.drop_replies[name] -= 1
            self.log(f"{name}: reply lost (fault)")
            return b""
        body = payload + self._status(error)
        return slip_encode(struct.pack("<BBHI", 1, op, len(body), value) + body)

    def _fail(self, op: int, rom_reason: int, stub_code: int) -> bytes:
        return self._reply(op, error=stub_code if self.stub else rom_reason)

    # -- commands --------------------------------------------------------------

    def _packet(self, pkt: bytes) -> bytes:
        if self._read is not None:
            return self._read_ack(pkt)
        if len(pkt) < 8 or pkt[0] != 0:
            return b""  # not a request: a real loader drops it
        _, op, size, chk = struct.unpack("<BBHI", pkt[:8])
        data = pkt[8:]
        name = NAMES.get(op, hex(op))
        self.commands.append(name)
        if len(data) != size:
            return self._fail(op, ROM_INVALID, STUB_BAD_LEN)
        handler = getattr(self, "_do_" + name.lower(), None)
        stub_only = op >= ERASE_FLASH
        if handler is None or (stub_only and not self.stub) or (op == GET_SECURITY_INFO and not self.chip.has_security_info):
            self.log(f"{name}: not supported by this loader")
            return self._fail(op, ROM_INVALID, STUB_INVALID)
        try:
            return handler(op, data, chk)
        except (struct.error, IndexError, ValueError) as e:
            self.log(f"{name}: bad request ({e})")
            return self._fail(op, ROM_FAILED, STUB_BAD_LEN)

    def _do_sync(self, op: int, data: bytes, chk: int) -> bytes:
        if data != SYNC_PAYLOAD:
            return self._fail(op, ROM_INVALID, STUB_BAD_LEN)
        value = 0 if self.stub else SYNC_VALUE
        return b"".join(self._reply(op, value) for _ in range(8))  # the ROM answers a SYNC 8 times

    def _do_read_reg(self, op: int, data: bytes, chk: int) -> bytes:
        (addr,) = struct.unpack("<I", data)
        if addr == self.chip.rom.UART_CLKDIV_REG:
            return self._reply(op, self.chip.uart_clkdiv(self.baud))
        return self._reply(op, self.regs.get(addr, 0))

    def _do_write_reg(self, op: int, data: bytes, chk: int) -> bytes:
        for i in range(0, len(data) - 15, 16):
            addr, value, mask, _delay = struct.unpack_from("<IIII", data, i)
            old = self.regs.get(addr, 0)
            self.regs[addr] = (old & ~mask | value & mask) & 0xFFFFFFFF
            if addr == self.chip.rom.SPI_REG_BASE and value & SPI_CMD_USR:
                self._spi_command()
        return self._reply(op)

    def _spi_command(self) -> None:
        """Run the 'user' SPI command esptool set up in the SPI registers (RDID, SFDP, RDSR)."""
        rom = self.chip.rom
        base = rom.SPI_REG_BASE
        command = self.regs.get(base + rom.SPI_USR2_OFFS, 0) & 0xFF
        addr_len = (self.regs.get(base + rom.SPI_USR1_OFFS, 0) >> 26 & 0x3F) + 1
        addr = self.regs.get(base + 0x04, 0) >> (32 - addr_len)
        result = 0
        if command == 0x9F:  # RDID
            result = self.chip.flash_id(self.flash.size)
        elif command == 0x5A:  # RDSFDP: the header starts with "SFDP"
            result = 0x50444653 if addr == 0 else 0
        self.regs[base + rom.SPI_W0_OFFS] = result
        self.regs[base] = 0  # the USR bit clears when the command is done

    def _do_spi_attach(self, op: int, data: bytes, chk: int) -> bytes:
        return self._reply(op)

    def _do_spi_set_params(self, op: int, data: bytes, chk: int) -> bytes:
        _fid, total, _block, _sector, _page, _mask = struct.unpack("<IIIIII", data)
        self.log(f"SPI_SET_PARAMS: flash size {total:#x}")
        return self._reply(op)

    def _do_change_baudrate(self, op: int, data: bytes, chk: int) -> bytes:
        new, _old = struct.unpack("<II", data[:8])
        reply = self._reply(op)
        if new:
            self.baud = new
        return reply

    def _do_get_security_info(self, op: int, data: bytes, chk: int) -> bytes:
        info = struct.pack("<IBBBBBBBBII", 0, 0, 0, 0, 0, 0, 0, 0, 0, self.chip.image_chip_id, 0)
        return self._reply(op, payload=info)

    # flash writes

    def _begin(self, op: int, data: bytes, deflate: bool) -> bytes:
        size, blocks, block_size, offset = struct.unpack("<IIII", data[:16])
        if offset + size > self.flash.size:
            self.log(f"{NAMES[op]}: {offset:#x}+{size:#x} is past the end of flash")
            return self._fail(op, ROM_FAILED, STUB_TOO_MUCH)
        if size:
            self.flash.erase(offset, size)
            self._stick()
        self._write = _Write(offset, size, blocks, block_size, deflate)
        return self._reply(op)

    def _do_flash_begin(self, op: int, data: bytes, chk: int) -> bytes:
        return self._begin(op, data, deflate=False)

    def _do_flash_defl_begin(self, op: int, data: bytes, chk: int) -> bytes:
        return self._begin(op, data, deflate=True)

    def _data(self, op: int, data: bytes, chk: int, deflate: bool) -> bytes:
        w = self._write
        if w is None or (w.inflate is not None) != deflate:
            return self._fail(op, ROM_FAILED, STUB_NOT_FLASHING)
        length, seq = struct.unpack("<II", data[:8])
        block = data[16:]
        if self.faults.corrupt_data > 0:
            self.faults.corrupt_data -= 1
            block = bytes([block[0] ^ 0x10]) + block[1:]
            self.log(f"{NAMES[op]} seq {seq}: a byte was corrupted on the line (fault)")
        if length != len(block):
            return self._fail(op, ROM_INVALID, STUB_BAD_LEN)
        if checksum(block) != chk:
            return self._fail(op, ROM_CHECKSUM, STUB_CHECKSUM)
        if seq != w.seq:
            if seq == w.seq - 1:
                return self._reply(op)  # a retry of a block whose reply was lost
            return self._fail(op, ROM_FAILED, STUB_BAD_LEN)
        if w.inflate is not None:
            try:
                block = w.inflate.decompress(block)
            except zlib.error:
                return self._fail(op, ROM_DEFLATE, STUB_INFLATE)
        if w.pos + len(block) > max(w.size, w.blocks * w.block_size if w.inflate is None else w.size):
            return self._fail(op, ROM_FAILED, STUB_TOO_MUCH)
        self.flash.write(w.offset + w.pos, block)
        self._stick()
        w.pos += len(block)
        w.seq += 1
        return self._reply(op)

    def _do_flash_data(self, op: int, data: bytes, chk: int) -> bytes:
        return self._data(op, data, chk, deflate=False)

    def _do_flash_defl_data(self, op: int, data: bytes, chk: int) -> bytes:
        return self._data(op, data, chk, deflate=True)

    def _end(self, op: int, data: bytes) -> bytes:
        (stay,) = struct.unpack("<I", data[:4])
        if self._write is None and self.stub:
            return self._fail(op, ROM_FAILED, STUB_NOT_FLASHING)
        self._write = None
        self.flash.flush()
        reply = self._reply(op)
        if self.stub:
            if not stay:  # the stub reboots into the ROM loader; with 1 it stays
                self.stub = False
                self.log(f"{NAMES[op]}: stub leaves, ROM loader again")
        else:
            # the ROM leaves the loader on any FLASH_END: 0 reboots, 1 runs the user code; esptool
            # therefore never sends it to the ROM after write-flash, only for --after soft-reset
            # (esptool 5.x cmds.py write_flash "Skip sending flash_finish to ROM loader", loader.py soft_reset)
            self._run()
        return reply

    def _do_flash_end(self, op: int, data: bytes, chk: int) -> bytes:
        return self._end(op, data)

    def _do_flash_defl_end(self, op: int, data: bytes, chk: int) -> bytes:
        return self._end(op, data)

    def _stick(self) -> None:
        cell = self.faults.bad_cell
        if cell is not None and 0 <= cell < self.flash.size:
            self.flash.write(cell, b"\x00")

    # reading and erasing

    def _do_spi_flash_md5(self, op: int, data: bytes, chk: int) -> bytes:
        addr, size = struct.unpack("<II", data[:8])
        digest = hashlib.md5(self.flash.read(addr, size))
        return self._reply(op, payload=digest.digest() if self.stub else digest.hexdigest().encode())

    def _do_read_flash_slow(self, op: int, data: bytes, chk: int) -> bytes:
        addr, size = struct.unpack("<II", data[:8])
        if size > 64:
            return self._fail(op, ROM_FAILED, STUB_BAD_LEN)
        return self._reply(op, payload=self.flash.read(addr, size).ljust(64, b"\xff"))

    def _do_erase_flash(self, op: int, data: bytes, chk: int) -> bytes:
        self.flash.erase_all()
        self._stick()
        return self._reply(op)

    def _do_erase_region(self, op: int, data: bytes, chk: int) -> bytes:
        offset, size = struct.unpack("<II", data[:8])
        if offset % 0x1000 or size % 0x1000:
            return self._fail(op, ROM_FAILED, STUB_BAD_LEN)
        self.flash.erase(offset, size)
        self._stick()
        return self._reply(op)

    def _do_read_flash(self, op: int, data: bytes, chk: int) -> bytes:
        offset, length, block, window = struct.unpack("<IIII", data[:16])
        if not block or offset + length > self.flash.size:
            return self._fail(op, ROM_FAILED, STUB_BAD_LEN)
        self._read = [offset, length, block, max(window, 1), 0, 0]
        return self._reply(op) + self._read_send()

    def _read_send(self) -> bytes:
        r = self._read
        assert r is not None
        offset, length, block, window, sent, acked = r
        out = bytearray()
        while sent < length and (sent - acked) < window * block:
            n = min(block, length - sent)
            out += slip_encode(self.flash.read(offset + sent, n))
            sent += n
        r[4] = sent
        return bytes(out)

    def _read_ack(self, pkt: bytes) -> bytes:
        r = self._read
        assert r is not None
        if len(pkt) != 4:
            self._read = None  # the host gave up: back to commands
            return self._packet(pkt)
        r[5] = struct.unpack("<I", pkt)[0]
        if r[5] >= r[1]:
            digest = hashlib.md5(self.flash.read(r[0], r[1])).digest()
            self._read = None
            return slip_encode(digest)
        return self._read_send()

    def _do_run_user_code(self, op: int, data: bytes, chk: int) -> bytes:
        self._run()
        return b""  # no reply: the application starts at once

    # RAM downloads (the flasher stub)

    def _do_mem_begin(self, op: int, data: bytes, chk: int) -> bytes:
        size, _blocks, _block_size, addr = struct.unpack("<IIII", data[:16])
        self._mem = (addr, size, 0)
        self._ram[addr] = bytearray()
        return self._reply(op)

    def _do_mem_data(self, op: int, data: bytes, chk: int) -> bytes:
        if self._mem is None:
            return self._fail(op, ROM_FAILED, STUB_NOT_FLASHING)
        addr, size, seq = self._mem
        length, got_seq = struct.unpack("<II", data[:8])
        block = data[16:]
        if length != len(block) or checksum(block) != chk:
            return self._fail(op, ROM_CHECKSUM, STUB_CHECKSUM)
        if got_seq != seq or len(self._ram[addr]) + len(block) > size:
            return self._fail(op, ROM_FAILED, STUB_TOO_MUCH)
        self._ram[addr] += block
        self._mem = (addr, size, seq + 1)
        return self._reply(op)

    def _do_mem_end(self, op: int, data: bytes, chk: int) -> bytes:
        no_entry, entry = struct.unpack("<II", data[:8])
        reply = self._reply(op)
        self._mem = None
        if no_entry:
            return reply
        if self._is_known_stub(entry):
            self.stub = True
            self.regs = self.chip.registers()
            self.log(f"MEM_END: esptool's flasher stub runs from {entry:#x}")
            return reply + slip_encode(b"OHAI")
        self.running_ram = True  # unknown code: the loader is gone, as on a real chip
        self.log(f"MEM_END: unknown RAM image runs from {entry:#x}; the loader stops answering")
        return reply

    def _is_known_stub(self, entry: int) -> bool:
        for s in self.chip.stubs:
            if s.entry != entry or bytes(self._ram.get(s.text_start, b"")) != s.text:
                continue
            if s.data is None or bytes(self._ram.get(s.data_start, b"")) == s.data:  # type: ignore[arg-type]
                return True
        return False

    def _run(self) -> None:
        self.run_requested = True
        self.flash.flush()
        self.log("leaving the loader: run the application")
        self.on_run()
