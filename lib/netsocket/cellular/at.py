"""ATHandler: one reader and writer of AT commands over a UART-like stream.

The reader splits CRLF lines, matches the ``>`` (or ``@``) data prompt (no line end),
reads length-delimited binary payloads straight into the caller's buffer,
and hands every line that no command is waiting for to the URC handler
registered for its prefix, at any point (also inside a response). Final
results map to nsapi codes: ``OK`` -> 0, ``ERROR`` / ``+CME ERROR: n`` /
``+CMS ERROR: n`` -> DEVICE_ERROR (``cme`` keeps n), silence -> DEVICE_ERROR
with ``timed_out`` set. After a timeout the reader and the modem may be out
of step (a lost or late reply): the next command first runs ``sync()``.

The stream needs ``write``, a non-blocking ``readinto(buf, n)`` (None or 0
when nothing has arrived) and, ideally, ``select.poll`` support
(``machine.UART`` on boards and on the virtual board). The read path
allocates nothing per byte: one buffer made at start, bytes objects only
for whole response lines.
"""

from micropython import const
from time import ticks_ms, ticks_diff, ticks_add, sleep_ms

try:
    import select
except ImportError:
    select = None

try:
    from _thread import allocate_lock
except ImportError:
    allocate_lock = None

_OK = const(0)
_DEVICE_ERROR = const(-3012)
_PROMPT = b">"
_FAIL = (b"NO CARRIER", b"BUSY", b"NO ANSWER", b"NO DIALTONE")


class _NoLock:
    def acquire(self, *a):
        return True

    def release(self):
        pass


class ATHandler:
    """AT commands over ``uart``. ``with at:`` holds the handler for one exchange."""

    def __init__(self, uart, size=512):
        self._u = uart
        self._b = bytearray(size)
        self._mv = memoryview(self._b)
        self._s = 0  # first unread byte
        self._e = 0  # end of buffered bytes
        self._urcs = []  # [(prefix, handler(line))]
        self._done = True  # the current command has its final result
        self.err = _OK  # nsapi code of the last command
        self.cme = -1  # number of the last +CME/+CMS ERROR, -1 if none
        self.timed_out = False
        self._resync = False  # a reply went missing: sync() before the next command
        self.timeout = 1000  # ms, default per command
        self._lock = allocate_lock() if allocate_lock else _NoLock()
        self._poll = None
        if select is not None:
            try:
                p = select.poll()
                p.register(uart, select.POLLIN)
                self._poll = p
            except Exception:
                pass

    # -- locking -----------------------------------------------------------------

    def __enter__(self):
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self.unlock()

    def try_lock(self):
        return self._lock.acquire(0)

    def unlock(self):
        # URCs that came in behind a response are already buffered, where no poll sees them
        try:
            while self._s < self._e and self._b.find(b"\n", self._s, self._e) >= 0 and self.process(0):
                pass
        finally:
            self._lock.release()

    # -- URCs ----------------------------------------------------------------------

    def set_urc(self, prefix, handler):
        """Call ``handler(line)`` for each line starting with ``prefix`` (bytes, or a tuple of them:
        any); None removes it."""
        self._urcs = [u for u in self._urcs if u[0] != prefix]
        if handler is not None:
            self._urcs.append((prefix, handler))

    def _dispatch(self, line):
        for p, h in self._urcs:
            if line.startswith(p):
                h(line)
                return True
        return False

    # -- the reader ------------------------------------------------------------------

    def _fill(self, deadline):
        """Read more bytes; wait for them until ``deadline`` (ticks). False on timeout."""
        s, e, n = self._s, self._e, len(self._b)
        if s == e:
            s = e = self._s = self._e = 0
        elif e == n:
            if s == 0:  # a full buffer without a line end: garbage, drop it (resync)
                self._s = self._e = 0
                s = e = 0
            else:
                self._mv[0:e - s] = self._mv[s:e]
                self._s, self._e = 0, e - s
                e -= s
        while True:
            got = self._u.readinto(self._mv[e:])
            if got:
                self._e = e + got
                return True
            left = ticks_diff(deadline, ticks_ms())
            if left <= 0:
                return False
            if self._poll is not None:
                self._poll.poll(left if left < 50 else 50)
            else:
                sleep_ms(1)

    def _line(self, deadline, prompt=0, head=None, stop=None, stops=1):
        """The next non-empty line (bytes, without CR/LF/spaces at its ends), _PROMPT (the byte
        ``prompt`` at a line start), or None on timeout. A line starting with ``head`` ends at
        its ``stops``-th ``stop`` (consumed) when that comes before the line end: a header that
        runs straight into raw bytes (u-blox ``+USORD: 0,5,"`` then the 5 bytes)."""
        b = self._b
        while True:
            s, e = self._s, self._e
            while s < e and b[s] in (10, 13, 32):
                s += 1
            self._s = s
            if s < e:
                if prompt and b[s] == prompt:
                    self._s = s + 1
                    return _PROMPT
                i = b.find(b"\n", s, e)
                if head is not None and e - s >= len(head) and b.find(head, s, s + len(head)) == s:
                    k = s - 1
                    for _ in range(stops):
                        k = b.find(stop, k + 1, e if i < 0 else i)
                        if k < 0:
                            break
                    if k >= 0:
                        self._s = k + 1
                        return bytes(self._mv[s:k])
                    if i < 0 and e - s < len(self._b):  # the header is still coming
                        if not self._fill(deadline):
                            return None
                        continue
                if i >= 0:
                    j = i
                    while j > s and b[j - 1] in (13, 32):
                        j -= 1
                    self._s = i + 1
                    return bytes(self._mv[s:j])
            if not self._fill(deadline):
                return None

    def _deadline(self, timeout):
        return ticks_add(ticks_ms(), self.timeout if timeout is None else timeout)

    def _timeout(self):
        self.err = _DEVICE_ERROR
        self.timed_out = True
        self._done = True
        self._resync = True

    def _final(self, line):
        # True (and err set) when line is a final result code
        if line == b"OK":
            self.err = _OK
        elif line == b"ERROR":
            self.err = _DEVICE_ERROR
        elif line in _FAIL:  # dial results
            self.err = _DEVICE_ERROR
        elif line.startswith(b"+CME ERROR:") or line.startswith(b"+CMS ERROR:"):
            self.err = _DEVICE_ERROR
            try:
                self.cme = int(line[11:])
            except ValueError:
                self.cme = 0
        else:
            return False
        self._done = True
        return True

    # -- commands ----------------------------------------------------------------------

    def write(self, data):
        """Write all of ``data`` (str or bytes-like) to the stream."""
        mv = memoryview(data.encode() if isinstance(data, str) else data)
        n = len(mv)
        i = 0
        while i < n:
            w = self._u.write(mv[i:])
            if w:
                i += w
            else:
                sleep_ms(1)

    def cmd_start(self, text):
        """Send one command line (str or bytes; ``\\r`` added) and start waiting for its response."""
        if self._resync:  # the last exchange timed out: bring the modem back in step first
            self.sync()
        self._done = False
        self.err = _OK
        self.cme = -1
        self.timed_out = False
        self.write(text)
        self.write(b"\r")

    def resp(self, prefix, timeout=None, deadline=None, stop=None, stops=1):
        """The next response line starting with ``prefix``; None at the final result or timeout
        (``err`` tells which). Other lines go to the URC handlers or are dropped. With ``stop``
        (e.g. ``b'"'``), that line ends at its ``stops``-th ``stop`` if that comes before the line
        end (the raw bytes after it are the caller's to read)."""
        if self._done:
            return None
        if deadline is None:
            deadline = self._deadline(timeout)
        while True:
            line = self._line(deadline, 0, prefix, stop, stops) if stop is not None else self._line(deadline)
            if line is None:
                self._timeout()
                return None
            if prefix is not None and line.startswith(prefix):
                return line
            if self._final(line):
                return None
            self._dispatch(line)

    def text(self, timeout=None):
        """The next response line that no URC handler takes (an answer without a prefix, such as
        an identity or an address); None at the final result or timeout."""
        if self._done:
            return None
        deadline = self._deadline(timeout)
        while True:
            line = self._line(deadline)
            if line is None:
                self._timeout()
                return None
            if self._final(line):
                return None
            if not self._dispatch(line):
                return line

    def wait(self, prefix, timeout=None):
        """A line starting with ``prefix`` that comes after the final result (an asynchronous
        completion such as ``+CIPSEND:``); other lines go to the URC handlers. None on timeout."""
        deadline = self._deadline(timeout)
        while True:
            line = self._line(deadline)
            if line is None:
                self._resync = True
                return None
            if line.startswith(prefix):
                return line
            self._dispatch(line)

    def end(self):
        """The caller has read what it wanted (e.g. ``CONNECT``): the exchange is over."""
        self._done = True

    def final(self, timeout=None):
        """Consume the rest of the response; -> nsapi code."""
        deadline = self._deadline(timeout)
        while not self._done:
            self.resp(None, deadline=deadline)
        return self.err

    def cmd(self, text, prefix=None, timeout=None):
        """Send ``text``; -> (the first line starting with ``prefix`` or None, nsapi code)."""
        self.cmd_start(text)
        deadline = self._deadline(timeout)
        line = self.resp(prefix, deadline=deadline) if prefix is not None else None
        while not self._done:
            self.resp(None, deadline=deadline)
        return line, self.err

    def prompt(self, timeout=None, char=62):
        """Wait for the data prompt (``char``: ``>``, or u-blox's ``@``); False on a final result or timeout."""
        deadline = self._deadline(timeout)
        while not self._done:
            line = self._line(deadline, char)
            if line is _PROMPT:
                return True
            if line is None:
                self._timeout()
            elif not self._final(line):
                self._dispatch(line)
        return False

    def read_into(self, mv, n, timeout=None):
        """Read exactly ``n`` raw bytes into memoryview ``mv`` (a length-delimited payload); -> bytes read."""
        deadline = self._deadline(timeout)
        got = self._e - self._s
        if got > n:
            got = n
        if got:
            mv[0:got] = self._mv[self._s:self._s + got]
            self._s += got
        while got < n:
            k = self._u.readinto(mv[got:n])
            if k:
                got += k
                continue
            left = ticks_diff(deadline, ticks_ms())
            if left <= 0:
                self._timeout()
                break
            if self._poll is not None:
                self._poll.poll(left if left < 50 else 50)
            else:
                sleep_ms(1)
        return got

    def skip(self, n, timeout=None):
        """Drop ``n`` raw payload bytes (a payload larger than the caller's buffer)."""
        deadline = self._deadline(timeout)
        while n > 0:
            if self._s == self._e and not self._fill(deadline):
                return False
            k = self._e - self._s
            if k > n:
                k = n
            self._s += k
            n -= k
        return True

    # -- out of band -------------------------------------------------------------------

    def process(self, timeout=0):
        """Handle one URC line if one arrives within ``timeout`` ms; -> True if a line was handled."""
        line = self._line(ticks_add(ticks_ms(), timeout))
        if line is None:
            return False
        self._dispatch(line)
        return True

    def pending(self):
        """True when bytes are buffered or waiting on the stream."""
        if self._s < self._e:
            return True
        if self._poll is not None:
            return bool(self._poll.poll(0))
        return bool(self._u.any()) if hasattr(self._u, "any") else False

    def flush(self):
        """Drop everything buffered and waiting (stale replies)."""
        self._s = self._e = 0
        while self._u.readinto(self._mv):
            pass

    def sync(self, tries=3, timeout=500):
        """Bring reader and modem back in step after garbage or a lost reply: drop what is
        buffered, send ``AT+CMEE?`` and wait for ``+CMEE:`` then OK, skipping late replies
        to earlier commands (a bare OK proves nothing). -> nsapi code."""
        self._resync = False
        for _ in range(tries):
            self.flush()
            self.cmd_start("AT+CMEE?")
            deadline = self._deadline(timeout)
            seen = False
            while True:
                line = self._line(deadline)
                if line is None:
                    break
                if line.startswith(b"+CMEE:"):
                    seen = True
                elif seen and line == b"OK":
                    self._done = True
                    self.err = _OK
                    return _OK
                elif line != b"OK" and line != b"ERROR":
                    self._dispatch(line)
        self._done = True
        self.err = _DEVICE_ERROR
        self._resync = True
        return _DEVICE_ERROR


def params(line, start):
    """Split ``line[start:]`` on commas (quotes kept off strings): ints as int, "x" as str."""
    out = []
    s = line[start:].decode() if isinstance(line, (bytes, bytearray, memoryview)) else line[start:]
    for f in s.split(","):
        f = f.strip()
        if f.startswith('"'):
            out.append(f[1:-1] if f.endswith('"') and len(f) > 1 else f[1:])
        else:
            try:
                out.append(int(f))
            except ValueError:
                out.append(f)
    return out
