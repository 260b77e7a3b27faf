"""MicroPython firmware: building it with the package frozen, and checking an image before flashing.

`build_firmware` runs MicroPython's own build (``make -C <checkout>/ports/<port>
BOARD=<board> FROZEN_MANIFEST=<boards/X/manifest.py>``) and collects the image
under ``<out>/<BOARD>/firmware/``. The ``check_*`` functions look inside an
image file (ESP32 app image header and partition table, UF2 blocks, DfuSe
prefix) so that a wrong-chip or truncated file is refused before anything is
written to a board.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .board import BoardDef, load_board
from .errors import HarnessError

ESP_MAGIC = 0xE9
PARTITION_TABLE = 0x8000  # flash address of the ESP-IDF partition table
UF2_MAGIC = (0x0A324655, 0x9E5D5157, 0x0AB16F30)
UF2_FAMILY = {"rp2040": 0xE48BFF56, "rp2350": 0xE48BFF59}
_VERSION = re.compile(rb"MicroPython ([\w.+-]+) on (\d{4}-\d\d-\d\d)")


def micropython_version(image: bytes) -> str | None:
    """The MicroPython version a firmware image announces in its banner ("v1.24.1" or a git hash), if any."""
    m = _VERSION.search(image)
    return m.group(1).decode() if m else None


def _esp_rom_class(chip: str):
    from esptool.targets import CHIP_DEFS

    return CHIP_DEFS[chip]


def check_esp_firmware(image: bytes, chip: str, offset: int, name: str) -> None:
    """Refuse anything but a complete MicroPython firmware.bin for `chip` written at `offset`."""
    from esptool.bin_image import LoadFirmwareImage
    from esptool.targets import CHIP_DEFS
    from esptool.util import FatalError

    rom = _esp_rom_class(chip)
    if len(image) < 24 or image[0] != ESP_MAGIC:
        raise HarnessError(f"{name} is not an ESP32 firmware image (it does not start with 0xE9): "
                           f"use MicroPython's firmware.bin for {rom.CHIP_NAME}")
    chip_id = struct.unpack_from("<H", image, 12)[0]
    if chip_id != rom.IMAGE_CHIP_ID:
        other = next((c.CHIP_NAME for c in CHIP_DEFS.values() if c.IMAGE_CHIP_ID == chip_id), f"chip id {chip_id}")
        raise HarnessError(f"{name} is firmware for {other}, but this board is {rom.CHIP_NAME}: "
                           f"use the {rom.CHIP_NAME} firmware (or the right --board)")
    try:
        LoadFirmwareImage(chip, image)
    except (FatalError, struct.error, ValueError) as e:
        raise HarnessError(f"{name} is truncated or corrupt: its bootloader does not parse ({str(e).splitlines()[0]})") from None
    table = PARTITION_TABLE - offset
    if len(image) < table + 32:
        raise HarnessError(f"{name} is truncated: it ends at {offset + len(image):#x}, before the partition table "
                           f"at {PARTITION_TABLE:#x}; rebuild or re-download it")
    app = None
    for i in range(table, table + 0xC00, 32):
        magic, ptype, _sub, poff = struct.unpack_from("<HBBI", image, i)
        if magic != 0x50AA:
            break
        if ptype == 0:
            app = poff
            break
    if app is None:
        raise HarnessError(f"{name} has no application partition in its partition table: not a MicroPython firmware.bin")
    if len(image) <= app - offset:
        raise HarnessError(f"{name} is truncated: it ends before the application at {app:#x}; rebuild or re-download it")
    try:
        LoadFirmwareImage(chip, image[app - offset :])
    except (FatalError, struct.error, ValueError) as e:
        raise HarnessError(f"{name} is truncated or corrupt: the application at {app:#x} does not parse "
                           f"({str(e).splitlines()[0]})") from None


def check_uf2(image: bytes, chip: str, name: str) -> None:
    """A UF2 file made of whole 512-byte blocks for `chip`'s family."""
    if len(image) < 512 or struct.unpack_from("<II", image, 0) != UF2_MAGIC[:2]:
        raise HarnessError(f"{name} is not a UF2 file: use MicroPython's firmware.uf2")
    if len(image) % 512:
        raise HarnessError(f"{name} is truncated: {len(image)} bytes is not a whole number of UF2 blocks")
    _m0, _m1, flags, _addr, _size, blockno, nblocks, family = struct.unpack_from("<IIIIIIII", image, 0)
    want = UF2_FAMILY.get(chip)
    if flags & 0x2000 and want is not None and family != want:
        raise HarnessError(f"{name} is for UF2 family {family:#010x}, not {chip} ({want:#010x}): use the right firmware")
    if len(image) // 512 != nblocks:
        raise HarnessError(f"{name} is truncated: it has {len(image) // 512} of its {nblocks} UF2 blocks")


def check_dfu(image: bytes, name: str) -> None:
    """A DfuSe file (what MicroPython's stm32 build writes as firmware.dfu), complete."""
    if len(image) < 11 + 16 or image[:5] != b"DfuSe":
        raise HarnessError(f"{name} is not a DfuSe file: use MicroPython's firmware.dfu")
    (size,) = struct.unpack_from("<I", image, 6)
    if len(image) != size + 16:
        raise HarnessError(f"{name} is truncated: the DfuSe prefix says {size + 16} bytes, the file has {len(image)}")


def check_hex(image: bytes, name: str) -> None:
    text = image.decode("ascii", "replace").split()
    if not text or not all(line.startswith(":") for line in text):
        raise HarnessError(f"{name} is not an Intel HEX file: use MicroPython's firmware.hex")
    if text[-1] != ":00000001FF":
        raise HarnessError(f"{name} is truncated: it has no Intel HEX end-of-file record")


# -- building ---------------------------------------------------------------------


@dataclass
class FirmwareBuild:
    board: str
    files: list[Path]
    log: Path | None = None
    frozen: FrozenSize | None = None  # what netsocket's frozen modules take

    def summary(self) -> list[str]:
        lines = [f"built MicroPython firmware for {self.board} with netsocket frozen:"] + [
            f"  {f} ({f.stat().st_size} bytes)" for f in self.files]
        if self.frozen is not None:
            lines.append("  " + self.frozen.describe())
        if self.log is not None:
            lines.append(f"  build log: {self.log}")
        return lines


# -- what a build says ---------------------------------------------------------------

# a line that names a cause (compiler, linker, git, CMake, curl); lines that only report that
# something above failed (make's "*** ... Error 1", ninja's "build stopped") are consequences
_CAUSE = re.compile(r"\berror\b|\bfatal\b|could not resolve host|undefined reference|no such file or directory|"
                    r"failed to |not found|permission denied|no space left", re.I)
_CONSEQUENCE = re.compile(r"^(\S*make(\[\d+\])?: \*\*\*|ninja: build stopped|-- Configuring incomplete|"
                          r"See also |FAILED: |Error: command failed|cmake --build)")


def first_errors(log: str, limit: int = 6) -> list[str]:
    """The first lines of a failed build's output that name a cause (with a CMake error's message lines)."""
    lines = [ln.rstrip() for ln in log.splitlines()]
    found: list[str] = []
    i = 0
    while i < len(lines) and len(found) < limit:
        line = lines[i].strip()
        i += 1
        if not line or _CONSEQUENCE.match(line) or not _CAUSE.search(line) or line in found:
            continue
        found.append(line[:200])
        if line.startswith("CMake Error"):  # its message is on the indented lines below
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() and len(found) < limit:
                found.append(lines[i].strip()[:200])
                i += 1
    if not found:  # nothing names a cause: the last lines, without make's own
        found = [ln.strip()[:200] for ln in lines if ln.strip() and not _CONSEQUENCE.match(ln.strip())][-limit:]
    return found


@dataclass
class FrozenSize:
    """Bytes of flash netsocket's frozen modules take, from the symbols of the build's frozen content."""

    modules: int
    total: int  # all of netsocket's symbols: bytecode, raw code structures, constant tables and objects
    bytecode: int  # fun_data_*: the bytecode (and its prelude and line info)
    all_frozen: int  # every frozen module of the firmware (the port's own too)
    source: Path

    def describe(self) -> str:
        return (f"netsocket adds {self.total / 1024:.1f} KB of flash: {self.modules} frozen modules, "
                f"{self.bytecode / 1024:.1f} KB of it bytecode (all frozen modules: {self.all_frozen / 1024:.1f} KB; "
                f"the names they add to the qstr pool are not counted; from the symbols of {self.source.name})")


# mpy-tool.py names every C object it writes for a frozen module after the module's path
# (tools/mpy-tool.py in MicroPython: freeze_constants, freeze_raw_code, freeze)
_NETSOCKET_SYMBOL = re.compile(
    r"^(fun_data|proto_fun|children|const_qstr_table_data|const_obj_table_data|const_obj|frozen_module)_netsocket_")


def frozen_size(nm_output: str, source: Path) -> FrozenSize:
    """Sum the sized symbols of `nm --print-size --radix=d` on the frozen content object."""
    total = bytecode = all_frozen = modules = 0
    for line in nm_output.splitlines():
        parts = line.split()
        if len(parts) != 4 or not parts[1].isdigit():
            continue  # symbols without a size (undefined, labels)
        size, name = int(parts[1]), parts[3]
        all_frozen += size
        if _NETSOCKET_SYMBOL.match(name):
            total += size
            bytecode += size if name.startswith("fun_data_") else 0
            modules += name.startswith("frozen_module_")
    return FrozenSize(modules, total, bytecode, all_frozen, source)


def nm_command(bdef: BoardDef) -> str:
    """The toolchain's nm for the board's port (the build used that toolchain, so it is installed)."""
    if bdef.port_name in ("stm32", "rp2"):
        return "arm-none-eabi-nm"
    if bdef.port_name == "esp32":
        chip = bdef.info.get("chip", "esp32")
        return "riscv32-esp-elf-nm" if chip.startswith("esp32c") else f"xtensa-{chip}-elf-nm"
    return "nm"


def measure_frozen(bdef: BoardDef, build: Path) -> FrozenSize | None:
    """netsocket's share of the frozen content, or None when the object or nm cannot be found."""
    obj = next(iter(sorted(build.rglob("frozen_content*.o*"))), None)
    nm = shutil.which(nm_command(bdef)) or shutil.which("nm")
    if obj is None or nm is None:
        return None
    proc = subprocess.run([nm, "--print-size", "--radix=d", str(obj)], capture_output=True, text=True)
    return frozen_size(proc.stdout, obj) if proc.returncode == 0 else None


_OUTPUTS = {"esp32": ["firmware.bin"], "stm32": ["firmware.dfu", "firmware.hex"], "rp2": ["firmware.uf2"],
            "unix": ["micropython"]}


def make_command(bdef: BoardDef, checkout: Path, jobs: int = 2) -> list[str]:
    """MicroPython's own build of `bdef`'s firmware with the board's manifest frozen."""
    port = bdef.port_name
    manifest = (bdef.path / "manifest.py").resolve()
    cmd = ["make", "-C", str(checkout / "ports" / port), f"-j{jobs}", f"FROZEN_MANIFEST={manifest}"]
    if port == "unix":
        cmd.append(f"BUILD=build-netsocket")
    else:
        cmd.append(f"BOARD={bdef.info['micropython_board']}")
        if bdef.info.get("micropython_variant"):
            cmd.append(f"BOARD_VARIANT={bdef.info['micropython_variant']}")
    return cmd


def build_dir(bdef: BoardDef, checkout: Path) -> Path:
    port_dir = checkout / "ports" / bdef.port_name
    if bdef.port_name == "unix":
        return port_dir / "build-netsocket"
    board = bdef.info["micropython_board"]
    variant = bdef.info.get("micropython_variant")
    return port_dir / (f"build-{board}-{variant}" if variant else f"build-{board}")


def _check_checkout(checkout: Path, port: str) -> None:
    if not (checkout / "py" / "mpconfig.h").is_file():
        raise HarnessError(f"{checkout} is not a MicroPython checkout (no py/mpconfig.h): "
                           "git clone https://github.com/micropython/micropython and pass its path")
    if not (checkout / "ports" / port / "Makefile").is_file():
        raise HarnessError(f"{checkout} has no ports/{port}: use a MicroPython checkout with the {port} port")
    if not any((checkout / "lib" / "micropython-lib").glob("*")):
        raise HarnessError(f"{checkout}/lib/micropython-lib is empty, and freezing needs it: "
                           f"run git submodule update --init lib/micropython-lib in {checkout}")


def _check_toolchain(port: str) -> None:
    if not shutil.which("make"):
        raise HarnessError("make not found: install build-essential")
    if port == "esp32" and not os.environ.get("IDF_PATH"):
        raise HarnessError("the esp32 port builds with ESP-IDF: install it and source its export.sh (IDF_PATH is not set)")
    if port in ("stm32", "rp2") and not shutil.which("arm-none-eabi-gcc"):
        raise HarnessError(f"the {port} port needs arm-none-eabi-gcc: apt install gcc-arm-none-eabi")
    if port == "rp2" and not shutil.which("cmake"):
        raise HarnessError("the rp2 port needs cmake: apt install cmake")
    if port == "unix" and not (shutil.which("cc") or shutil.which("gcc")):
        raise HarnessError("the unix port needs a C compiler: apt install build-essential")


def build_firmware(board: str, checkout: Path, out: Path, jobs: int = 2, log=print) -> FirmwareBuild:
    """Build MicroPython for `board` with netsocket frozen; copy the images to ``out/<board>/firmware``."""
    bdef = load_board(board)
    checkout = checkout.expanduser().resolve()
    if not checkout.is_dir():
        raise HarnessError(f"no MicroPython checkout at {checkout}: give --micropython <path to a clone>")
    _check_checkout(checkout, bdef.port_name)
    _check_toolchain(bdef.port_name)
    from .boards import generate

    generate([board])  # netsocket/_board.py must match board.json
    dest = out.resolve() / board / "firmware"
    dest.mkdir(parents=True, exist_ok=True)
    mpy_cross = checkout / "mpy-cross" / "build" / "mpy-cross"
    if not mpy_cross.exists():
        log(f"building mpy-cross in {checkout}/mpy-cross")
        _run(["make", "-C", str(checkout / "mpy-cross"), f"-j{jobs}"], "mpy-cross", dest / "mpy-cross.log")
    cmd = make_command(bdef, checkout, jobs)
    if bdef.port_name == "unix":  # no submodule-backed extras: freezing is what is being built
        cmd += ["MICROPY_PY_BTREE=0", "MICROPY_PY_FFI=0", "MICROPY_SSL_MBEDTLS=0", "MICROPY_PY_SSL=0"]
    log_path = dest / "build.log"
    log("running: " + " ".join(cmd) + f"  (output: {log_path})")
    _run(cmd, f"MicroPython's {bdef.port_name} build", log_path)
    src = build_dir(bdef, checkout)
    files = []
    for fname in _OUTPUTS[bdef.port_name]:
        f = src / fname
        if not f.is_file():
            raise HarnessError(f"the build finished but {f} is missing")
        shutil.copy2(f, dest / fname)
        files.append(dest / fname)
    return FirmwareBuild(board, files, log_path, measure_frozen(bdef, src))


def _run(cmd: list[str], what: str, log_path: Path) -> None:
    """Run a build step with its output in `log_path`; on failure, its first error lines and that path."""
    with open(log_path, "w") as log:
        try:
            code = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode
        except OSError as e:
            raise HarnessError(f"{what} cannot start: {e.strerror}: {cmd[0]}") from None
    if code != 0:
        raise HarnessError(f"{what} failed (exit status {code}); full log: {log_path}",
                           first_errors(log_path.read_text(errors="replace")))


def default_firmware(bdef: BoardDef, out: Path, name: str | None = None) -> Path:
    fname = name or bdef.info["flash"].get("file", "firmware.bin")
    path = out.resolve() / bdef.name / "firmware" / fname
    if not path.is_file():
        raise HarnessError(f"no firmware for {bdef.name} in {path.parent}: give --firmware FILE, or build it with "
                           f"netsocket build --board {bdef.name} --micropython <checkout>")
    return path
