"""Drawing a laid-out lineage graph from the event loop, a slice at a time, with cancel.

The layout runs in a worker, but the scene's items cannot: a ``QGraphicsItem`` lives in the
GUI thread once it is in a scene. Made in one call, the 34,000 items of a 5,000-task Kubeflow
run froze the window for ~3 s. :class:`SceneBuilder` instead advances
:meth:`LineageScene.build_steps` for at most :data:`SLICE_SECONDS` per event-loop turn, so
input and repaints are handled between slices, reports progress, and can be cancelled
(the scene is then left empty, never half-drawn).

Python's cyclic garbage collector is paused while a build runs: with a big layout in memory
(a million route points), each full collection the new items would trigger takes ~250 ms, a
stall of its own. Reference counting still frees everything meanwhile; collection resumes
when the build ends, however it ends.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

from PySide6.QtCore import QObject, QTimer, Signal

SLICE_SECONDS = 0.025
"""Work per event-loop turn: short enough for the window to feel live (a 60 Hz frame is 16 ms,
and a repaint or a click is handled between two slices)."""


class CollectorPause:
    """Pauses Python's cyclic garbage collector from a layout's start to its drawing's end.

    A big layout holds a million route points; every full collection meanwhile (in the
    layout worker, which holds the GIL, or on the GUI thread while items are made) scanned
    them all and stalled the window for 0.4-1 s. Reference counting still frees everything;
    :meth:`release` (idempotent) restores the collector as it was, on every ending.
    """

    def __init__(self) -> None:
        self._held = False
        self._was_enabled = True

    def hold(self) -> None:
        if not self._held:
            self._held, self._was_enabled = True, gc.isenabled()
            gc.disable()

    def release(self) -> None:
        if self._held:
            self._held = False
            if self._was_enabled:
                gc.enable()


class SceneBuilder(QObject):
    """Runs one scene build generator from the event loop.

    Signals:
        sig_progressed(done, total): after each slice.
        sig_finished(): the last step ran; the scene is complete.
        sig_cancelled(): :meth:`cancel` stopped it; the scene is empty.
        sig_failed(exception): a step raised; the scene is empty.
    """

    sig_progressed = Signal(int, int)
    sig_finished = Signal()
    sig_cancelled = Signal()
    sig_failed = Signal(object)

    def __init__(self, steps: Iterator[tuple[int, int]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps = steps
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_slice)
        self.running = False
        self._gc_was_enabled = True
        self.done = self.total = 0

    def start(self) -> None:
        """Begin on the next event-loop turn (nothing is built inside this call)."""
        self.running = True
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def cancel(self) -> None:
        """Stop now; the generator's cleanup empties the scene. Nothing happens if ended."""
        if not self.running:
            return
        self._end()
        self._timer.stop()
        self._steps.close()
        self.sig_cancelled.emit()

    def _end(self) -> None:
        self.running = False
        if self._gc_was_enabled:
            gc.enable()

    def _run_slice(self) -> None:
        if not self.running:
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        try:
            while time.perf_counter() < deadline:
                self.done, self.total = next(self._steps)
        except StopIteration:
            self._end()
            self.sig_progressed.emit(self.total, self.total)
            self.sig_finished.emit()
            return
        except Exception as exc:  # noqa: BLE001 - reported to the panel, which shows it
            self._end()
            self._steps.close()
            self.sig_failed.emit(exc)
            return
        self.sig_progressed.emit(self.done, self.total)
        self._timer.start()
