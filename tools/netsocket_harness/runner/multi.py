"""One test on several boards at once: ``test_x_instance0`` on the first, ``test_x_instance1`` on the next ...

As MicroPython's run-multitests.py does, the boards coordinate through the
runner over their serial lines: ``devtest.barrier()``, ``share(key, value)``
and ``wait(key)`` are requests to the host (``devtest.host``, answered by
`TestBoard.host_call`), which hands them to the `Exchange` of the test. Each
board runs its instance with `TestBoard.run` (so hangs, crashes and lost
ports are handled as for any test) in its own thread; when one instance
ends, the barrier is broken and waiting boards get an error instead of
waiting forever. The test passes when every instance passes; otherwise the
first failing instance gives the verdict.
"""

from __future__ import annotations

import threading

from ..errors import HarnessError
from .boards import Outcome, TestBoard


class Exchange:
    """What the instances share: a barrier and the values they gave each other."""

    def __init__(self, count: int, timeout: float) -> None:
        self.barrier = threading.Barrier(count)
        self.values: dict[str, str] = {}
        self.cond = threading.Condition()
        self.timeout = timeout
        self.over = False  # an instance ended: nobody waits any more

    def end(self) -> None:
        with self.cond:
            self.over = True
            self.cond.notify_all()
        self.barrier.abort()

    def answer(self, verb: str, arg: str) -> str:
        """The reply to one request of a board (blocks while the others are not there yet)."""
        if verb == "barrier":
            try:
                self.barrier.wait(self.timeout)
            except threading.BrokenBarrierError:
                return "error: another board of the test ended or failed before reaching the barrier"
            return "ok"
        key, _, value = arg.partition(" ")
        if verb == "share":
            with self.cond:
                self.values[key] = value
                self.cond.notify_all()
            return "ok"
        with self.cond:  # wait
            self.cond.wait_for(lambda: key in self.values or self.over, self.timeout)
            return self.values.get(key, f"error: no board shared {key!r}")


def run_instances(boards: list[TestBoard], module: str, name: str, timeout: float) -> Outcome:
    """Run ``name``_instance<i> on boards[i], all at once; one outcome for the test."""
    ex = Exchange(len(boards), timeout)
    outcomes: list[Outcome | None] = [None] * len(boards)

    def drive(i: int) -> None:
        board = boards[i]
        board.exchange = ex
        try:
            outcomes[i] = board.run(module, f"{name}_instance{i}", timeout)
        except HarnessError as e:
            outcomes[i] = Outcome("ERROR", "", str(e))
        finally:
            board.exchange = None
            ex.end()

    threads = [threading.Thread(target=drive, args=(i,), daemon=True) for i in range(len(boards))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    done = [o or Outcome("ERROR", "", "the instance did not run") for o in outcomes]
    log = "\n".join(f"--- instance{i} on {b.port} ---\n{o.output}" for i, (b, o) in enumerate(zip(boards, done)))
    for verdict in ("FAIL", "ERROR", "SKIP"):  # the instance that failed first names the verdict
        bad = [f"instance{i}: {o.detail}" for i, o in enumerate(done) if o.verdict == verdict]
        if bad:
            return Outcome(verdict, log, "; ".join(bad))
    return Outcome("PASS", log)
