"""A background task that ends after its window closed ends quietly.

Quitting while a load runs (the Inventory's first load starts with the window) deletes the
worker's signals object before the task returns; the task's last emits must not print a
traceback through the crash handler.
"""

from __future__ import annotations

import shiboken6

from governance_app.ui.workers import Worker


def _count(progress, is_cancelled) -> int:  # noqa: ANN001 - the worker passes both
    progress(1, 2, "half")
    return 2


def _fail() -> None:
    raise ValueError("the workspace went away")


def test_a_task_ending_after_its_signals_were_deleted_ends_quietly(qtbot) -> None:  # noqa: ARG001
    for fn in (_count, _fail):
        worker = Worker(fn)
        shiboken6.delete(worker.signals)
        worker.run()  # raises nothing: nobody is left to tell
        assert worker.is_done()


def test_a_live_task_still_reports(qtbot) -> None:
    worker = Worker(_count)
    finished: list[int] = []
    worker.signals.sig_finished.connect(finished.append)
    with qtbot.waitSignal(worker.signals.sig_ended, timeout=2000):
        worker.run()
    assert finished == [2] and worker.is_done()
