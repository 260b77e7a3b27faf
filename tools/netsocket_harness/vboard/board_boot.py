# Boot code of the virtual board. It runs INSIDE the MicroPython unix port,
# not under CPython: the supervisor compiles it to .mpy and the interpreter's
# first lines (see supervisor.STAGE1) allocate the ROM partition, then call
# boot(rom), which turns the plain unix process into something shaped like a
# board; then the interpreter's own REPL starts.
#
# - the board's flash directory becomes `/` and sys.path is a board's;
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


def _setup(rom):
    env = os.getenv
    rom_path = env("NSVB_ROM")
    rom_size = len(rom)
    block = int(env("NSVB_ROM_BLOCK"))
    reset_code = int(env("NSVB_RESET_CODE"))
    bootloader_code = int(env("NSVB_BOOTLOADER_CODE"))

    romf = open(rom_path, "r+b")
    romf.readinto(rom)

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

    uarts = {}  # opened now: once `/` is the board's flash, /dev is out of reach
    for i in range(4):
        path = env("NSVB_UART%d" % i)
        if path:
            uarts[i] = open(path, "r+b")
    if uarts:
        Machine.UART = _uart_class(uarts)
    link = env("NSVB_LINK")
    if link:  # on its own link (vboard start --netns): network.LAN shows it
        sys.modules["network"] = _network(link, env("NSVB_LINK_ADDR"))
    personality = env("NSVB_PERSONALITY")
    if personality:  # emulate that port (vboard/personality/): before `/` becomes the board's flash
        __import__("pers_boot").install(personality, Machine)

    sys.modules["vfs"] = Vfs()
    sys.modules["machine"] = Machine()

    _vfs_mod.umount("/")
    _vfs_mod.mount(_vfs_mod.VfsPosix(env("NSVB_FS")), "/")
    os.chdir("/")
    if rom[:3] == b"\xd2\xcd\x31":
        try:
            _vfs_mod.mount(_vfs_mod.VfsRom(memoryview(rom)), "/rom")
        except Exception as e:  # a corrupt image must not stop the boot
            print("ROMFS not mounted:", repr(e))
    sys.path[:] = ["", ".frozen", "/rom", "/rom/lib", "/lib"]
    return env("NSVB_MODE") == "friendly"


def _uart_class(uarts):
    """machine.UART over the ptys wired to this board (`vboard start --uart1 PTY`)."""
    import io
    import select
    import termios

    class UART(io.IOBase):
        def __init__(self, id, baudrate=115200, **kw):
            self._f = uarts.get(id)
            if self._f is None:
                raise ValueError("UART(%d) doesn't exist" % id)
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


def boot(rom):
    """Make the process a board, given its ROM partition (allocated first of all)."""
    import gc

    friendly = _setup(rom)
    gc.collect()  # what the application sees: one heap, all but the ROM free
    _run("boot.py")
    if friendly:
        _run("main.py")
