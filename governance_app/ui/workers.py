"""Background work: a service function run on ``QThreadPool`` with progress, result, error, cancel.

The target is a plain function called with plain values (a workspace URL, a path, a name) that
opens its own :class:`Workspace`, so nothing the GUI thread owns is touched from the pool and
the same function is testable without Qt (Orange's ``concurrent.py`` pattern). The worker adds
two keyword arguments when the target accepts them: ``progress(done, total, message)`` and
``is_cancelled()``.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from governance_app.domain.registry import ImportRecord
from governance_app.domain.views import VersionComparison, VersionDetail
from governance_app.services.importing import detect_kind, import_path
from governance_app.services.models import compare_versions, get_version_detail
from governance_app.services.workspace import Workspace

PROGRESS_INTERVAL_S = 0.05
"""Progress is forwarded at most this often; an importer may report thousands of steps."""


# -- Qt-free task functions: each opens its own workspace from the URL ---------------------------


def import_into_workspace(
    url: str,
    path: str | Path,
    kind: str | None = None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    partial: bool = False,
) -> ImportRecord:
    """Import ``path`` into the workspace at ``url`` (see :func:`import_path` for errors).

    ``partial``: a W&B log with a damaged record is imported up to it (the CLI's
    ``--partial``); other kinds take no such option, so it is passed to W&B sources only.
    """
    settings = None
    if partial and (kind or detect_kind(Path(path))) == "wandb-offline":
        settings = {"partial": True}
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return import_path(ws, Path(path), kind, progress=progress, is_cancelled=is_cancelled,
                           settings=settings)


def load_version_detail(url: str, name: str, version: int) -> VersionDetail:
    """A version with its run and full metric histories, which can be large: off the GUI thread."""
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return get_version_detail(ws, name, version)


def load_comparison(url: str, name: str, a: int, b: int) -> VersionComparison:
    """Two versions compared, with both runs' histories for the overlay chart."""
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return compare_versions(ws, name, a, b)


# -- Qt side --------------------------------------------------------------------------------------


class WorkerSignals(QObject):
    """Signals of one :class:`Worker`; they cross from the pool thread to the GUI thread queued."""

    sig_progressed = Signal(int, int, str)
    sig_finished = Signal(object)
    """Emitted with the target's return value."""
    sig_errored = Signal(object)
    """Emitted with the exception the target raised (``ImportCancelled`` when cancelled)."""
    sig_ended = Signal()
    """Emitted last, after either of the above: the worker is no longer running."""


class Worker(QRunnable):
    """Runs ``fn(*args, **kwargs)`` once on a pool thread.

    Args:
        fn: the task; gets ``progress`` and ``is_cancelled`` keywords if its signature has them.
        description: what the task does, in words, for the status bar ("Importing mlflow.db").
    """

    def __init__(
        self, fn: Callable[..., Any], *args: Any, description: str = "", **kwargs: Any
    ) -> None:
        super().__init__()
        # The pool must not delete the C++ runnable while Python still holds the worker.
        self.setAutoDelete(False)
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.description = description or getattr(fn, "__name__", "task")
        self.signals = WorkerSignals()
        self._cancelled = threading.Event()
        self._done = threading.Event()
        self._last_progress = 0.0
        parameters = inspect.signature(fn).parameters
        if "progress" in parameters:
            self.kwargs["progress"] = self._report
        if "is_cancelled" in parameters:
            self.kwargs["is_cancelled"] = self.is_cancelled

    def cancel(self) -> None:
        """Ask the task to stop; it notices at its next ``is_cancelled()`` check."""
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def is_done(self) -> bool:
        return self._done.is_set()

    def _report(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        _emit(self.signals.sig_progressed, int(done), int(total), str(message))

    def run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the error dialog
            _emit(self.signals.sig_errored, exc)
        else:
            _emit(self.signals.sig_finished, result)
        finally:
            self._done.set()
            _emit(self.signals.sig_ended)


def _emit(signal: Any, *args: Any) -> None:
    """Emit from the worker thread unless the application already deleted the signals'
    object: a task that ends after its window closed (quitting during a background load) has
    nobody left to tell, and must not end in a traceback on the terminal."""
    try:
        signal.emit(*args)
    except RuntimeError as exc:
        if "deleted" not in str(exc):
            raise


class TaskRunner(QObject):
    """Starts workers on the global pool and keeps them alive until they end.

    Closing the window calls :meth:`shutdown`: cancel everything, then wait, so no thread is
    left writing to a workspace the application is closing.
    """

    sig_started = Signal(object)
    """Emitted with each :class:`Worker` as it starts."""
    sig_ended = Signal(object)
    """Emitted with each :class:`Worker` once it has finished or failed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool.globalInstance()
        self._active: list[Worker] = []

    def start(self, worker: Worker) -> Worker:
        self._active.append(worker)
        worker.signals.sig_ended.connect(lambda w=worker: self._on_worker_ended(w))
        self.sig_started.emit(worker)
        self.pool.start(worker)
        return worker

    def run(
        self, fn: Callable[..., Any], *args: Any, description: str = "", **kwargs: Any
    ) -> Worker:
        """Shorthand: wrap ``fn`` in a :class:`Worker` and start it."""
        return self.start(Worker(fn, *args, description=description, **kwargs))

    def active(self) -> list[Worker]:
        return list(self._active)

    def cancel_all(self) -> None:
        for worker in self._active:
            worker.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel all workers and wait for them; ``False`` if one outlived the timeout."""
        self.cancel_all()
        deadline = time.monotonic() + timeout_ms / 1000
        for worker in list(self._active):
            while not worker.is_done() and time.monotonic() < deadline:
                time.sleep(0.01)
        return all(w.is_done() for w in self._active)

    def _on_worker_ended(self, worker: Worker) -> None:
        if worker in self._active:
            self._active.remove(worker)
        self.sig_ended.emit(worker)
