"""pytest-xdist scheduling by capability: a test goes only to a worker whose board can run it.

Each worker drives one board of the inventory (`targets.Target`); a test
that needs something (``@devtest.requires``) is sent to a worker whose
board has it, and every other test to any worker, as xdist's ``load``
scheduling does. A test that no board of the run can run goes to any worker,
which reports it skipped with the reason. A worker that has nothing left
it can run is shut down.
"""

from __future__ import annotations

from collections.abc import Callable

from xdist.scheduler import LoadScheduling
from xdist.workermanage import WorkerController


class BoardScheduling(LoadScheduling):
    def __init__(self, config, log, caps_of: Callable[[str], frozenset[str]],
                 needs_of: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__(config, log)
        self._caps_of = caps_of  # worker id (gw0) -> capabilities of its board
        self._needs_of = needs_of  # node id -> capabilities the test needs

    def _runnable(self, node: WorkerController, index: int) -> bool:
        assert self.collection is not None
        needs = self._needs_of(self.collection[index])
        if not needs:
            return True
        if set(needs) <= self._caps_of(node.gateway.id):
            return True
        return not any(set(needs) <= self._caps_of(n.gateway.id) for n in self.nodes)

    def _send_tests(self, node: WorkerController, num: int) -> None:
        chosen = [i for i in self.pending if self._runnable(node, i)][:num]
        if chosen:
            for i in chosen:
                self.pending.remove(i)
            self.node2pending[node].extend(chosen)
            node.send_runtest_some(chosen)

    def _shutdown_idle(self) -> None:
        for node, pending in self.node2pending.items():
            if (not node.shutting_down and not pending
                    and not any(self._runnable(node, i) for i in self.pending)):
                node.shutdown()

    def check_schedule(self, node: WorkerController, duration: float = 0) -> None:
        super().check_schedule(node, duration)
        if self.collection is not None:
            self._shutdown_idle()

    def schedule(self) -> None:
        super().schedule()
        if self.collection is not None:
            self._shutdown_idle()
