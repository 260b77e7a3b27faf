"""One test on several boards at once: ``test_x_instance0`` on the first, ``test_x_instance1`` on the next ...

As MicroPython's run-multitests.py does, the boards coordinate through the
runner over their serial lines: a board prints ``@@NSMULTI NEXT`` (barrier),
``@@NSMULTI SET key value`` (share a value) or ``@@NSMULTI GET key`` (wait for
one), and the runner answers a waiting board with one line on its stdin
(``devtest.barrier/share/wait`` on the board). Each board is driven by its own
thread; when one instance ends or fails, the barrier is broken so that no
other waits for it forever. The test passes when every instance passes; a
board fault of any instance is the test's error.
"""

from __future__ import annotations

import threading
import time

from mpremote.transport import TransportError

from ..errors import HarnessError
from .boards import Outcome, TestBoard, verdict_of

_TAG = b"@@NSMULTI "


class _Exchange:
    """What the instances share: a barrier and the values they gave each other."""

    def __init__(self, count: int, timeout: float) -> None:
        self.barrier = threading.Barrier(count)
        self.values: dict[str, bytes] = {}
        self.cond = threading.Condition()
        self.timeout = timeout
        self.over = False  # an instance ended: nobody waits any more

    def end(self) -> None:
        with self.cond:
            self.over = True
            self.cond.notify_all()
        self.barrier.abort()

    def answer(self, line: bytes) -> bytes | None:
        """The reply to one control line (None: no reply); raises when it can no longer be given."""
        cmd, _, rest = line[len(_TAG):].strip().partition(b" ")
        if cmd == b"NEXT":
            self.barrier.wait(self.timeout)
            return b"\n"
        key, _, value = rest.partition(b" ")
        if cmd == b"SET":
            with self.cond:
                self.values[key.decode()] = value
                self.cond.notify_all()
            return None
        if cmd == b"GET":
            with self.cond:
                if not self.cond.wait_for(lambda: key.decode() in self.values or self.over, self.timeout):
                    raise TimeoutError(f"no board shared {key.decode()!r}")
                if key.decode() not in self.values:
                    raise threading.BrokenBarrierError(f"the other boards ended before sharing {key.decode()!r}")
                return self.values[key.decode()] + b"\n"
        return None


def _drive(board: TestBoard, code: str, ex: _Exchange, timeout: float, result: list) -> None:
    """Run `code` on `board`, answering its control lines; puts (stdout, stderr, problem) in `result`."""
    out, err, problem = bytearray(), bytearray(), ""
    try:
        t = board._fresh()
        t.exec_raw_no_follow(code)
        ser = t.serial
        ser.timeout = 0.05
        parts, i, line, prompt = [out, err], 0, bytearray(), False
        deadline = time.monotonic() + timeout
        while i < 2:
            if time.monotonic() > deadline:
                problem = f"timed out after {timeout:g} s"
                break
            for b in ser.read(max(1, min(ser.in_waiting, 4096))):
                if i == 2:
                    prompt = prompt or b == 62  # the raw REPL's ">" after the two ends
                    continue
                if b == 4:
                    i += 1
                    continue
                parts[i].append(b)
                if i == 0:
                    line.append(b)
                    if b == 10:
                        if line.startswith(_TAG):
                            reply = ex.answer(bytes(line))
                            if reply is not None:
                                ser.write(reply)
                        line.clear()
        if i == 2 and not prompt:
            t.read_until(1, b">", timeout=2)
        ser.timeout = 1
    except (threading.BrokenBarrierError, TimeoutError) as e:
        problem = f"waiting for the other board: {e or 'it ended or failed first'}"
    except (TransportError, OSError, HarnessError) as e:
        problem = f"lost the board on {board.port}: {e}"
    finally:
        ex.end()
        result[:] = [bytes(out), bytes(err), problem]


def run_instances(boards: list[TestBoard], module: str, name: str, timeout: float) -> Outcome:
    """Run ``name``_instance<i> on boards[i], all at once; one outcome for the test."""
    ex = _Exchange(len(boards), timeout)
    results: list[list] = [[] for _ in boards]
    threads = [threading.Thread(target=_drive, args=(b, b.test_code(module, f"{name}_instance{i}"), ex, timeout, r),
                                daemon=True) for i, (b, r) in enumerate(zip(boards, results))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    outcomes = []
    for i, (board, (out, err, problem)) in enumerate(zip(boards, results)):
        text = "\n".join(ln for ln in out.decode(errors="replace").splitlines() if not ln.startswith("@@NSMULTI"))
        if problem:
            board.recover()
            outcomes.append(Outcome("ERROR", text + err.decode(errors="replace"), f"instance{i}: {problem}"))
        else:
            o = verdict_of(text, err.decode(errors="replace"))
            outcomes.append(Outcome(o.verdict, o.output, f"instance{i}: {o.detail}" if o.detail else ""))
    log = "\n".join(f"--- instance{i} on {b.port} ---\n{o.output}" for i, (b, o) in enumerate(zip(boards, outcomes)))
    for verdict in ("FAIL", "ERROR", "SKIP"):  # a failing instance names the test's verdict over a stuck one
        bad = [o for o in outcomes if o.verdict == verdict]
        if bad:
            return Outcome(verdict, log, "; ".join(o.detail for o in bad))
    return Outcome("PASS", log)
