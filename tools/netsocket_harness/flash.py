"""`netsocket flash`: write a board's firmware image and reset it.

For the virtual board the "firmware" beyond the interpreter is its ROM
partition: the ROMFS image is written into the partition file and the board
is hard-reset, so it boots with the image mounted at /rom. A virtual board in
download mode (`netsocket vboard start --download-mode`) is flashed like an
ESP32 instead: esptool writes the image at its ROMFS partition's offset.

Real boards, by their board.json `flash.method`:
- `esptool`: ESP32, ESP32-S3, ESP32-C3 through esptool (as a library), with the
  board's chip and offset, verification, and a hard reset after;
- `dfu`: STM32 through dfu-util (after `machine.bootloader()` over the REPL),
  or by copying to the ST-LINK's USB drive when one is mounted;
- `uf2`: RP2 by copying the UF2 file onto the RPI-RP2 drive.
Afterwards the board must answer with MicroPython of the firmware's version
and `import netsocket` must work.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from . import vboard
from .board import VIRTUAL, BoardDef, load_board
from .build import build
from .errors import HarnessError
from .mpr import check_port, connect, netsocket_on_board, release
from .serial_url import is_url, serial_url


def _virtual_target(port: str | None, name: str) -> vboard.BoardConfig:
    if port:
        for cfg in vboard.list_boards():
            if cfg.port == port:
                return cfg
        raise HarnessError(f"{port} is not a running virtual board (see: netsocket vboard list)")
    cfg = vboard.running(name)
    if cfg is None:
        raise HarnessError(f"no virtual board named {name!r} is running (start one: netsocket vboard start)")
    return cfg


def flash_virtual(port: str | None, firmware: str | None, out: Path, name: str, log=print) -> None:
    cfg = _virtual_target(port, name)
    image_path = Path(firmware) if firmware else build(VIRTUAL, out).romfs
    try:
        image = image_path.read_bytes()
    except OSError as e:
        raise HarnessError(f"cannot read {image_path}: {e.strerror}") from None
    if not image.startswith(b"\xd2\xcd\x31"):
        raise HarnessError(f"{image_path} is not a ROMFS image (netsocket build makes one)")
    if len(image) > cfg.rom_size:
        raise HarnessError(f"{image_path} has {len(image)} bytes; the ROM partition holds {cfg.rom_size}")
    with open(cfg.rom_path, "r+b") as f:
        f.write(image)
        f.write(b"\xff" * (cfg.rom_size - len(image)))
    log(f"wrote {len(image)} bytes to the ROM partition of {cfg.name!r}; resetting")
    vboard.control(cfg, "reset")
    version, where = netsocket_on_board(cfg.port, "flashed")
    log(f"board boots: netsocket {version} from {where}")


def flash(board: str, port: str | None, firmware: str | None, out: Path, name: str = vboard.DEFAULT_NAME,
          erase: bool = False, baud: int | None = None, progress: bool = True, drive: str | None = None,
          log: Callable[[str], None] = print) -> None:
    bdef = load_board(board)
    if board == VIRTUAL and port and is_url(port):
        flash_virtual_remote(bdef, port, firmware, out, erase, baud, progress, log)
        return
    if board == VIRTUAL:
        cfg = _virtual_target(port, name)
        if _in_download_mode(cfg):
            flash_virtual_esptool(bdef, cfg, firmware, out, erase, baud, progress, log)
        else:
            flash_virtual(port, firmware, out, name, log)
        return
    method = bdef.info["flash"]["method"]
    if method == "esptool":
        flash_esp(bdef, port, firmware, out, erase, baud, progress, log)
    elif method == "dfu":
        flash_stm32(bdef, port, firmware, out, drive, log)
    elif method == "uf2":
        flash_rp2(bdef, port, firmware, out, drive, log)
    else:
        raise HarnessError(f"{board} has flash method {method!r}, which netsocket flash does not know")


# -- checking what runs after a flash -------------------------------------------------


def check_boot(port: str, expected: str | None, log: Callable[[str], None], timeout: float = 15.0) -> None:
    """Wait for MicroPython on `port`; check its version and that `import netsocket` works."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            transport = connect(port)
            break
        except HarnessError as e:
            if time.monotonic() > deadline:
                raise HarnessError(f"flashed, but the board does not boot MicroPython: {e}") from None
            time.sleep(0.5)
    try:  # sys.version is "3.4.0; MicroPython v1.24.1 on 2024-11-29" on every port
        version = transport.eval("__import__('sys').version").split("MicroPython ")[-1].split(" on ")[0]
    except Exception as e:  # noqa: BLE001 - reported as one line
        raise HarnessError(f"flashed, but the board on {port} does not run MicroPython: {str(e).strip()[-120:]}") from None
    finally:
        release(transport)
    ns, where = netsocket_on_board(port, f"flashed MicroPython {version}")
    if expected and version != expected:
        raise HarnessError(f"the board on {port} runs MicroPython {version}, not {expected} from the firmware: "
                           "the flash did not take (reset the board and check the flash method)")
    log(f"board boots: MicroPython {version}, netsocket {ns} from {where}")


# -- ESP32 family: esptool -------------------------------------------------------------


def _esptool(argv: list[str], port: str, chip_name: str) -> None:
    """Run esptool (the library, as its command line would); its failures become one line."""
    import esptool
    import serial
    from esptool.util import FatalError

    try:
        esptool.main(argv)
    except FatalError as e:
        raise HarnessError(explain_esptool(str(e), port, chip_name)) from None
    except serial.SerialException as e:
        raise HarnessError(f"serial error on {port} while flashing: {e}; check the cable and try again") from None
    except SystemExit as e:  # click usage errors
        raise HarnessError(f"esptool refused its arguments (exit {e.code})") from None


def explain_esptool(msg: str, port: str, chip_name: str) -> str:
    """esptool's FatalError text as one line saying what to do."""
    first = msg.strip().splitlines()[0] if msg.strip() else "unknown error"
    if "port is busy" in msg or "Could not open" in msg:
        return f"cannot open {port}: it is busy (close mpremote, screen or another netsocket) or does not exist"
    if "Wrong chip argument" in msg:
        found = first.split(",")[0].replace("This chip is ", "")
        return (f"the chip on {port} is {found}, not the {chip_name} of this board: "
                "pick the right --board (see: netsocket boards)")
    if "Failed to connect" in msg:
        return (f"no {chip_name} bootloader answers on {port} ({first.split(': ', 1)[-1]}): "
                "hold BOOT (GPIO0) low, press RESET, and run netsocket flash again")
    if "MD5 of file does not match" in msg:
        return (f"flash verification failed on {port}: the flash does not read back as written; "
                "retry with --erase, or the flash chip is faulty")
    if "Timed out" in msg or "timeout" in msg.lower() or "stopped responding" in msg or "No more data" in msg:
        return f"the bootloader on {port} stopped answering ({first}): check the cable and power, then retry at a lower --baud"
    if "Checksum error" in msg or "Bad data checksum" in msg:
        return f"data was corrupted on the way to the board on {port} ({first}): retry at a lower --baud"
    return f"esptool failed on {port}: {first}"


def esp_argv(chip: str, port: str, baud: int, offset: int, image: Path, erase: bool, progress: bool,
             pty: bool) -> list[str]:
    """esptool's arguments for writing `image` at `offset`, verified, then a hard reset."""
    # a pty (virtual board, emulator) has no DTR/RTS lines: no reset through them there
    reset = ["--before", "no-reset", "--after", "no-reset", "--connect-attempts", "2"] if pty else [
        "--before", "default-reset", "--after", "hard-reset"]
    argv = ["--chip", chip, "--port", serial_url(port), "--baud", str(baud), *reset, "write-flash"]
    if erase:
        argv.append("--erase-all")
    if not progress:
        argv.append("--no-progress")
    return [*argv, hex(offset), str(image)]


def _is_pty(port: str) -> bool:
    return port.startswith("/dev/pts/")


def flash_esp(bdef: BoardDef, port: str | None, firmware: str | None, out: Path, erase: bool,
              baud: int | None, progress: bool, log: Callable[[str], None], boot_timeout: float = 15.0) -> None:
    from .firmware import check_esp_firmware, default_firmware, micropython_version

    if not port:
        raise HarnessError(f"{bdef.name} is a real board: give its serial port with --port (see: netsocket devices)")
    check_port(port)
    info = bdef.info
    chip, offset = info["chip"], info["flash"]["offset"]
    path = Path(firmware) if firmware else default_firmware(bdef, out)
    image = _read(path)
    check_esp_firmware(image, chip, offset, str(path))
    baud = baud or info["flash"].get("baud", 460800)
    log(f"flashing {path} ({len(image)} bytes) to {bdef.name} ({chip}) at {offset:#x} on {port}, {baud} baud")
    _esptool(esp_argv(chip, port, baud, offset, path, erase, progress, _is_pty(port)), port, chip.upper())
    check_boot(port, micropython_version(image), log, boot_timeout)


def _in_download_mode(cfg: vboard.BoardConfig) -> bool:
    try:
        return vboard.control(cfg, "mode", timeout=2) == "loader"
    except HarnessError:
        return False


def flash_virtual_esptool(bdef: BoardDef, cfg: vboard.BoardConfig, firmware: str | None, out: Path, erase: bool,
                          baud: int | None, progress: bool, log: Callable[[str], None]) -> None:
    """A virtual board in download mode: esptool writes the ROMFS image at the ROMFS partition."""
    from .esp_rom.vboard import download_config

    dl = download_config(bdef)
    image_path = Path(firmware) if firmware else build(VIRTUAL, out).romfs
    image = _read(image_path)
    if not image.startswith(b"\xd2\xcd\x31"):
        raise HarnessError(f"{image_path} is not a ROMFS image (netsocket build makes one)")
    if len(image) > cfg.rom_size:
        raise HarnessError(f"{image_path} has {len(image)} bytes; the ROM partition holds {cfg.rom_size}")
    log(f"flashing {image_path} ({len(image)} bytes) to the ROMFS partition at {dl.romfs_offset:#x} "
        f"of {cfg.name!r} ({dl.chip} in download mode) with esptool")
    argv = esp_argv(dl.chip, cfg.port, baud or 460800, dl.romfs_offset, image_path, erase, progress, pty=True)
    _esptool(argv, cfg.port, dl.chip.upper())
    vboard.control(cfg, "reset")  # the virtual board's reset line: boot the application
    check_boot(cfg.port, None, log)


def flash_virtual_remote(bdef: BoardDef, url: str, firmware: str | None, out: Path, erase: bool,
                         baud: int | None, progress: bool, log: Callable[[str], None]) -> None:
    """A virtual board behind a network port (ser2net): flashed in download mode, like an ESP32.

    Its reset line is out of reach, so esptool leaves the ROM loader itself
    (``--no-stub --after soft-reset``: FLASH_END with "run"), and the board boots the image."""
    from .esp_rom.vboard import download_config

    check_port(url)
    dl = download_config(bdef)
    image_path = Path(firmware) if firmware else build(VIRTUAL, out).romfs
    image = _read(image_path)
    if not image.startswith(b"\xd2\xcd\x31"):
        raise HarnessError(f"{image_path} is not a ROMFS image (netsocket build makes one)")
    if len(image) > bdef.info["rom_size"]:
        raise HarnessError(f"{image_path} has {len(image)} bytes; the ROM partition holds {bdef.info['rom_size']}")
    log(f"flashing {image_path} ({len(image)} bytes) to the ROMFS partition at {dl.romfs_offset:#x} "
        f"of the virtual board on {url} ({dl.chip} in download mode) with esptool")
    argv = esp_argv(dl.chip, url, baud or 460800, dl.romfs_offset, image_path, erase, progress, pty=True)
    argv[argv.index("--after") + 1] = "soft-reset"
    try:
        _esptool(["--no-stub", *argv], url, dl.chip.upper())
    except HarnessError as e:
        if "bootloader answers" not in str(e) and "cannot open" not in str(e):
            raise
        raise HarnessError(f"{e}; a virtual board on a network port is flashed in download mode "
                           "(netsocket vboard reset NAME --bootloader on its machine), "
                           "or put the package on it with netsocket deploy") from None
    check_boot(url, None, log)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise HarnessError(f"cannot read {path}: {e.strerror}") from None


# -- STM32: dfu-util or the ST-LINK drive; RP2: the UF2 drive ----------------------------


def mount_points() -> list[Path]:
    """Mounted filesystems (from /proc/mounts), where a board's USB drive would appear."""
    try:
        with open("/proc/mounts") as f:
            return [Path(line.split()[1].replace("\\040", " ")) for line in f if len(line.split()) > 1]
    except OSError:
        return []


def find_drive(label: str, candidates: list[Path] | None = None) -> Path | None:
    """The mounted USB drive named `label` (/media/<user>/NOD_F429ZI, /run/media/..., /mnt/...)."""
    for mp in candidates if candidates is not None else mount_points():
        if label and mp.name == label and mp.is_dir():
            return mp
    return None


def check_drive(drive: Path, marker: str, what: str) -> None:
    if not drive.is_dir():
        raise HarnessError(f"{drive} is not a directory: give the mounted {what} drive")
    if not (drive / marker).exists():
        raise HarnessError(f"{drive} is not a {what} drive (no {marker} on it)")
    if not os.access(drive, os.W_OK):
        raise HarnessError(f"{drive} is not writable: mount it read-write")


def copy_to_drive(image: Path, drive: Path) -> Path:
    """Copy the image onto a bootloader drive and flush it to the device."""
    target = drive / image.name
    try:
        with open(image, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 64 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
    except OSError as e:
        raise HarnessError(f"copying {image.name} to {drive} failed: {e.strerror}") from None
    return target


def enter_bootloader(port: str, log: Callable[[str], None]) -> None:
    """machine.bootloader() over the REPL; the port goes away as the board re-enumerates."""
    transport = connect(port)
    log(f"entering the bootloader of the board on {port} (machine.bootloader())")
    try:
        transport.exec_raw_no_follow("import machine; machine.bootloader()")
    finally:
        with contextlib.suppress(Exception):
            transport.close()


def dfu_command(dfu_id: str, image: Path) -> list[str]:
    """dfu-util writing a DfuSe file to the STM32 system bootloader, then leaving it (a reset)."""
    return ["dfu-util", "-d", dfu_id, "-a", "0", "-s", ":leave", "-D", str(image)]


def _wait_dfu(dfu_id: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc = subprocess.run(["dfu-util", "-l", "-d", dfu_id], capture_output=True, text=True)
        if f"[{dfu_id}]" in proc.stdout:
            return True
        time.sleep(0.5)
    return False


def flash_stm32(bdef: BoardDef, port: str | None, firmware: str | None, out: Path, drive: str | None,
                log: Callable[[str], None]) -> None:
    from .firmware import check_dfu, check_hex, default_firmware, micropython_version

    fl = bdef.info["flash"]
    st_drive = Path(drive) if drive else find_drive(fl.get("drive_label", ""))
    if st_drive is not None:  # the ST-LINK programs what is copied onto its drive
        path = Path(firmware) if firmware else default_firmware(bdef, out, fl.get("drive_file"))
        image = _read(path)
        check_hex(image, str(path))
        check_drive(st_drive, "DETAILS.TXT", "ST-LINK")
        log(f"copying {path} to the ST-LINK drive {st_drive}")
        copy_to_drive(path, st_drive)
        time.sleep(2)
        fail = st_drive / "FAIL.TXT"
        if fail.exists():
            raise HarnessError(f"the ST-LINK refused the image: {fail.read_text(errors='replace').strip()[:120]}")
    else:
        path = Path(firmware) if firmware else default_firmware(bdef, out)
        image = _read(path)
        check_dfu(image, str(path))
        if not shutil.which("dfu-util"):
            raise HarnessError("dfu-util not found: apt install dfu-util (or mount the ST-LINK drive and give --drive)")
        if port:
            enter_bootloader(port, log)
        if not _wait_dfu(fl["dfu_id"], 10):
            raise HarnessError(f"no DFU bootloader ({fl['dfu_id']}) answers: connect the board's USB OTG port, "
                               "hold BOOT0 high and press RESET, then run netsocket flash again")
        cmd = dfu_command(fl["dfu_id"], path)
        log("running: " + " ".join(cmd))
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 74):  # 74: the board left DFU before dfu-util read its status
            err = (proc.stderr or proc.stdout).strip().splitlines()
            raise HarnessError(f"dfu-util failed: {err[-1] if err else proc.returncode}")
    if port:
        _wait_port(port)
        check_boot(port, micropython_version(image), log)
    else:
        log("flashed; give --port to check that the board boots")


def flash_rp2(bdef: BoardDef, port: str | None, firmware: str | None, out: Path, drive: str | None,
              log: Callable[[str], None]) -> None:
    from .firmware import check_uf2, default_firmware, micropython_version

    label = bdef.info["flash"]["drive_label"]
    path = Path(firmware) if firmware else default_firmware(bdef, out)
    image = _read(path)
    check_uf2(image, bdef.info["chip"], str(path))
    target = Path(drive) if drive else find_drive(label)
    if target is None and port:
        enter_bootloader(port, log)
        deadline = time.monotonic() + 10
        while target is None and time.monotonic() < deadline:
            time.sleep(0.5)
            target = find_drive(label)
    if target is None:
        raise HarnessError(f"no {label} drive is mounted: hold BOOTSEL while plugging the board in "
                           "(or give --port of a board running MicroPython), then mount the drive")
    check_drive(target, "INFO_UF2.TXT", label)
    log(f"copying {path} to {target}")
    copy_to_drive(path, target)
    if port:
        _wait_port(port)
        check_boot(port, micropython_version(image), log)
    else:
        log("flashed; give --port to check that the board boots")


def _wait_port(port: str, timeout: float = 15.0) -> None:
    time.sleep(1)  # the old device goes away first
    deadline = time.monotonic() + timeout
    while not os.path.exists(port):
        if time.monotonic() > deadline:
            raise HarnessError(f"flashed, but {port} did not come back within {timeout:.0f} s: the board may "
                               "need a reset, or it came back under another name (see: netsocket devices)")
        time.sleep(0.25)


# -- esptool's own commands on the board the harness resolves ---------------------------

ESPTOOL_VERBS = {"erase": ["erase-flash"], "read-mac": ["read-mac"], "chip-info": ["flash-id"]}


def esptool_verb(verb: str, board: str | None, port: str | None, name: str = vboard.DEFAULT_NAME,
                 baud: int | None = None) -> None:
    """`erase`, `read-mac`, `chip-info` (esptool's erase-flash, read-mac, flash-id) on an ESP32 in its
    bootloader: `--port` (with `--board` for the chip), or the virtual board `name` in download mode."""
    if port is None and board in (None, VIRTUAL):
        cfg = _virtual_target(None, name)
        if not _in_download_mode(cfg):
            raise HarnessError(f"virtual board {name!r} runs MicroPython, not its ROM loader: "
                               f"netsocket vboard reset {name} --bootloader first")
        from .esp_rom.vboard import download_config

        chip, port = download_config(load_board(VIRTUAL)).chip, cfg.port
    elif port is None:
        raise HarnessError(f"{board} is a real board: give its serial port with --port (see: netsocket devices)")
    else:
        check_port(port)
        bdef = load_board(board) if board else None
        if bdef is not None and bdef.info.get("flash", {}).get("method") != "esptool":
            raise HarnessError(f"{board} is not an ESP32-family board: {verb} is esptool's, for ESP32 chips")
        chip = bdef.info["chip"] if bdef is not None and board != VIRTUAL else "auto"
    reset = ["--before", "no-reset", "--after", "no-reset"] if _is_pty(port) else [
        "--before", "default-reset", "--after", "hard-reset"]
    _esptool(["--chip", chip, "--port", serial_url(port), "--baud", str(baud or 460800), *reset, *ESPTOOL_VERBS[verb]],
             port, chip.upper())
