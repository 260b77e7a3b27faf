# Boot code of the virtual board. It runs INSIDE the MicroPython unix port,
# not under CPython: the supervisor compiles it to .mpy and the interpreter's
# first lines (see supervisor.STAGE1) load it and call boot(length), which
# turns the plain unix process into something shaped like a board; then the
# interpreter's own REPL starts.
#
# - the board's flash directory becomes `/` (`..` in os and open() paths stops
#   at its top) and
#   sys.path is a board's; a part that fails to come up (a UART whose pty is
#   gone, the ROM file) is reported as a fault and the rest boots; should the
#   boot itself fail, `/` is unmounted, never left as the host's root;
# - a ROM partition (a host file) is held in RAM and offered through
#   `vfs.rom_ioctl`, so `mpremote romfs query|deploy` work, and a valid
#   ROMFS image in it is mounted at `/rom`;
# - `machine.reset()` asks the supervisor for a hard reset, `machine.bootloader()`
#   for its emulated ROM loader (download mode);
# - boot.py runs, then main.py when the board boots into the friendly REPL.
import sys
import os
import vfs as _vfs_mod
import machine as _machine_mod

# Every name here that the firmware does not already have costs the application
# heap (an interned string): new names are few, and messages are not names.
# A fault is a console line starting "[virtual board] fault: " (the supervisor
# records those for `vboard list`).


class BoardOs:
    """The os module with every path kept inside the board: `..` stops at `/`.

    The flash directory is mounted as a plain VfsPosix (imports stay native
    and allocate nothing), which would take `/..` to the host's directory
    above it; so the paths the application gives os and open() are made
    absolute and cleaned here first."""

    dir = "/"  # the current directory

    def __getattr__(self, name):
        return getattr(os, name)

    def path(self, path):
        """`path` made absolute, with `.` and `..` resolved (`..` of `/` is `/`)."""
        if path[:1] != "/":
            path = self.dir + "/" + path
        parts = []
        for part in path.split("/"):
            n = len(part)
            if n == 2 and ord(part[0]) == 46 == ord(part[1]):  # ..
                if parts:
                    parts.pop()
            elif n and not (n == 1 and ord(part) == 46):  # neither empty nor .
                parts.append(part)
        return "/" + "/".join(parts)

    def chdir(self, path):
        path = self.path(path)
        os.chdir(path)
        BoardOs.dir = path

    def getcwd(self):
        return self.dir

    def listdir(self, path=""):
        return os.listdir(self.path(path))

    def ilistdir(self, path=""):
        return os.ilistdir(self.path(path))

    def stat(self, path):
        return os.stat(self.path(path))

    def statvfs(self, path):
        return os.statvfs(self.path(path))

    def mkdir(self, path):
        return os.mkdir(self.path(path))

    def rmdir(self, path):
        return os.rmdir(self.path(path))

    def remove(self, path):
        return os.remove(self.path(path))

    unlink = remove

    def rename(self, *args):
        return os.rename(*[self.path(a) for a in args])


def _setup(length):
    rom_size = length
    env = os.getenv
    rom_path = env("NSVB_ROM")
    block = int(env("NSVB_ROM_BLOCK"))
    reset_code = int(env("NSVB_RESET_CODE"))
    bootloader_code = int(env("NSVB_BOOTLOADER_CODE"))
    rom = None  # allocated last, above everything the boot keeps (see below)

    try:
        romf = open(rom_path, "r+b")
    except OSError as e:
        romf = None
        print("[virtual board] fault: ROM partition %s cannot be read (%s): /rom is not mounted" % (rom_path, e))

    class Vfs:
        """The builtin vfs module plus the ROM partition ioctl of real ports."""

        def __getattr__(self, name):
            return getattr(_vfs_mod, name)

        def rom_ioctl(self, op, *args):
            if op == 1:  # number of partitions
                return 1
            if args and args[0] != 0:
                return -19  # ENODEV
            if op == 2:  # the partition as a buffer
                return memoryview(rom)
            if op == 3:  # prepare (erase) for writing
                start, length = (0, args[1]) if len(args) == 2 else args[1:3]
                for i in range(start, min(start + length, rom_size)):
                    rom[i] = 0xFF
                return 4  # minimum write size
            if op == 4:  # write
                offset, data = args[1], args[2]
                rom[offset : offset + len(data)] = data
                return 0
            if op == 5:  # finish writing: persist to the host file
                if romf is None:
                    return -5  # EIO
                romf.seek(0)
                romf.write(rom)
                romf.flush()
                return 0
            if op == 6:  # block size
                return block
            return -22  # EINVAL

    class Machine:
        """The builtin machine module plus reset(), which real ports have."""

        def __getattr__(self, name):
            return getattr(_machine_mod, name)

        def reset(self):
            raise SystemExit(reset_code)

        def bootloader(self):
            raise SystemExit(bootloader_code)  # the supervisor starts the ROM loader

    uarts = {}  # id -> its pty, opened now (once `/` is the board's flash, /dev is out of reach), or why not
    for i in range(8):
        path = env("NSVB_UART%d" % i)
        why = env("NSVB_UART%d_FAULT" % i)  # the supervisor found its pty gone
        if path:
            try:
                uarts[i] = open(path, "r+b")
            except OSError as e:
                why = "its pty %s cannot be opened (%s)" % (path, e)
                print("[virtual board] fault: UART(%d) is not wired: %s" % (i, why))
        if why and i not in uarts:
            uarts[i] = why  # UART(i) raises saying so
    Machine.UART = _uart_class(uarts)
    link = env("NSVB_LINK")
    if link:  # on its own link (vboard start --netns): network.LAN shows it
        sys.modules["network"] = _network(link, env("NSVB_LINK_ADDR"))

    sys.modules["vfs"] = Vfs()
    sys.modules["machine"] = Machine()

    mount()
    # The ROM partition now: what the boot keeps lies below it, its garbage too (collected first),
    # and the heap above it is the application's, in one piece.
    import gc

    gc.collect()
    rom = bytearray(rom_size)
    if romf is not None:
        romf.readinto(rom)
    if romf is not None and rom[:3] == b"\xd2\xcd\x31":
        try:
            _vfs_mod.mount(_vfs_mod.VfsRom(memoryview(rom)), "/rom")
        except Exception as e:  # a corrupt image must not stop the boot
            print("ROMFS not mounted:", repr(e))
    sys.path[:] = ["", ".frozen", "/rom", "/rom/lib", "/lib"]
    return os.getenv("NSVB_MODE") == "friendly"


def mount():
    """The board's flash directory as `/`, `..` kept inside it (BoardOs, open())."""
    fs = _vfs_mod.VfsPosix(os.getenv("NSVB_FS"))
    fs.chdir("/")  # raises unless the flash directory is there
    try:
        _vfs_mod.umount("/")
    except OSError:
        pass  # nothing mounted there (a failed boot unmounted the host's root)
    _vfs_mod.mount(fs, "/")
    os.chdir("/")
    import builtins

    board_os = BoardOs()
    sys.modules["os"] = board_os
    open_ = builtins.open

    def open(path, *args, **kw):
        return open_(board_os.path(path) if isinstance(path, str) else path, *args, **kw)

    builtins.open = open


def _uart_class(uarts):
    """machine.UART over the ptys wired to this board (`vboard start --uart1 PTY`).

    An id with nothing wired raises ValueError, as on a port without that
    UART; one whose pty was gone at boot raises OSError ENODEV saying so."""
    import io
    import select
    import termios

    class UART(io.IOBase):
        def __init__(self, id, baudrate=115200, **kw):
            self._f = uarts.get(id)
            if isinstance(self._f, str):
                raise OSError(19, "UART(%d) is not wired: %s" % (id, self._f))
            if self._f is None:
                raise ValueError("UART(%d) doesn't exist: nothing is wired to it on this virtual board "
                                 "(netsocket vboard start --uart%d PTY)" % (id, id))
            fd = self._f.fileno()
            termios.setraw(fd)
            a = termios.tcgetattr(fd)
            a[6][6] = 0  # VMIN: reads return what has arrived, never block
            a[6][5] = 0  # VTIME
            termios.tcsetattr(fd, termios.TCSANOW, a)
            self._poll = select.poll()
            self._poll.register(self._f, select.POLLIN)
            self.init(baudrate, **kw)

        def init(self, baudrate=115200, bits=8, parity=None, stop=1, timeout=0, timeout_char=0, **kw):
            self.baudrate = baudrate
            self._timeout = timeout

        def deinit(self):
            pass  # the pty stays open, as a UART's pins stay on the board

        def any(self):
            return 1 if self._poll.poll(0) else 0

        def _wait(self):
            return bool(self._poll.poll(self._timeout)) if self._timeout else self.any()

        def readinto(self, buf, n=None):
            if not self._wait():
                return None
            n = len(buf) if n is None else n
            got = self._f.readinto(buf, n)
            return got or None

        def read(self, n=-1):
            if not self._wait():
                return None
            data = self._f.read() if n is None or n < 0 else self._f.read(n)
            return data or None

        def readline(self):
            line = bytearray()
            while not line.endswith(b"\n"):
                c = self.read(1)
                if c is None:
                    break
                line += c
            return bytes(line) if line else None

        def write(self, buf):
            return self._f.write(buf)

        def flush(self):
            pass

        def txdone(self):
            return True

        def ioctl(self, req, arg):
            if req == 10:  # MP_STREAM_GET_FILENO: select.poll uses the pty's fd
                return self._f.fileno()
            return -1

        def __repr__(self):
            return "UART(baudrate=%d)" % self.baudrate

    return UART


def _network(dev, addr):
    """A `network` module with LAN: the board's veth end, its carrier read from the kernel (/sys)."""
    carrier = open("/sys/class/net/%s/carrier" % dev)  # opened now: /sys is out of reach after boot
    with open("/sys/class/net/%s/address" % dev) as f:
        mac = bytes(int(x, 16) for x in f.read().strip().split(":"))
    ip, mask, gw = addr.split(",")

    class LAN:
        def __init__(self, *args, **kw):
            pass

        def active(self, on=None):
            return True

        def isconnected(self):
            try:  # the carrier changes at once (operstate follows up to a second later)
                carrier.seek(0)
                return carrier.read(1) == "1"
            except OSError:
                return False

        def status(self):
            return 1 if self.isconnected() else 0

        def ifconfig(self):
            return ip, mask, gw, gw

        def config(self, name):
            if name == "mac":
                return mac
            raise ValueError(name)

    class network:
        pass

    network.LAN = LAN
    return network


def _run(name):
    try:
        os.stat(name)
    except OSError:
        return
    try:
        with open(name) as f:
            code = f.read()
        exec(code, {"__name__": "__main__"})
    except KeyboardInterrupt as e:
        sys.print_exception(e)
    except SystemExit:
        raise
    except BaseException as e:
        sys.print_exception(e)


def boot(length):
    """Make the process a board with a ROM partition of `length` bytes."""
    import gc

    try:
        friendly = _setup(length)
    except BaseException as e:  # also a host's Ctrl-C arriving during the boot
        # `/` is the board's flash if that can be mounted, else nothing: never the host's
        try:
            mount()
            where = "/ is the board's flash"
        except BaseException:
            where = "no filesystem is mounted"
            try:
                _vfs_mod.umount("/")
            except BaseException:
                pass
        print("[virtual board] fault: boot failed (%r); %s; reset the board (netsocket vboard reset) "
              "once the cause is fixed" % (e, where))
        return
    run = _run
    g = globals()  # the boot-only code is garbage from here on: the application gets its heap
    for name in ("_setup", "mount", "_uart_class", "_run", "boot"):
        del g[name]
    gc.collect()  # what the application sees: one heap, all but the ROM free
    run("boot.py")
    if friendly:
        run("main.py")
