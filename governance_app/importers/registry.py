"""The importer registry: each source format registers itself with :func:`importer`.

A front end only calls :func:`detect` and :func:`load`; adding a format is one new module with
one decorated function and no change elsewhere (the pattern of glue's ``@data_factory``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from governance_app.errors import ImportCancelled, InputError, UnknownSourceError
from governance_app.importers.file_checks import require_regular
from governance_app.importers.folder_listing import shared_listings
from governance_app.importers.safe_io import read_json


class Progress(Protocol):
    """``progress(done, total, message)``: called now and then by long-running readers."""

    def __call__(self, done: int, total: int, message: str) -> None: ...


def no_progress(done: int, total: int, message: str) -> None:
    """A progress callback that ignores what it is told."""


def never_cancelled() -> bool:
    return False


class Snapshot(Protocol):
    """What every reader returns: records read from one source, not yet stored.

    Each capability has its own snapshot type (registry, lineage, fairness, drift…); the
    import service stores each with the writer registered for its type.
    """

    kind: str
    source: str
    source_sha256: str

    def counts(self) -> dict[str, int]: ...


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the user said about a source beyond its path.

    Attributes:
        model: ``NAME:VERSION`` the evidence belongs to (prediction tables, drift reports,
            model cards); ``None`` for registry exports, which name their own models.
        settings: format-specific choices, e.g. ``label``, ``prediction``, ``sensitive``
            for a prediction table. A reader refuses settings it does not understand.
    """

    model: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)


class ImportContext:
    """What a reader gets besides the path: options, progress reporting and a cancel check."""

    def __init__(
        self,
        progress: Progress = no_progress,
        is_cancelled: Callable[[], bool] = never_cancelled,
        options: ImportOptions | None = None,
    ) -> None:
        self._progress = progress
        self._is_cancelled = is_cancelled
        self.options = options or ImportOptions()

    def report(self, done: int, total: int, message: str) -> None:
        self._progress(done, total, message)

    def check_cancelled(self) -> None:
        """Raise :class:`ImportCancelled` if the user asked to stop."""
        if self._is_cancelled():
            raise ImportCancelled("import cancelled; nothing was stored")


Reader = Callable[[Path, ImportContext], Snapshot]
Detector = Callable[[Path], bool]
NearMiss = Callable[[Path], "str | None"]
"""``near_miss(path)``: for a path the detector refused, what it resembles and what it lacks
(``"an OpenLineage event without producer"``), or ``None`` when it resembles nothing."""


@dataclass(frozen=True, slots=True)
class ImporterInfo:
    kind: str
    description: str
    detect: Detector
    read: Reader
    near_miss: NearMiss | None = None


_IMPORTERS: dict[str, ImporterInfo] = {}


def importer(
    kind: str, description: str, detect: Detector, near_miss: NearMiss | None = None
) -> Callable[[Reader], Reader]:
    """Register a reader for a source kind; ``detect(path)`` says whether a path is of it and
    ``near_miss(path)``, when given, what a refused path resembles and lacks."""

    def register(read: Reader) -> Reader:
        if kind in _IMPORTERS:
            raise ValueError(f"importer kind {kind!r} registered twice")
        _IMPORTERS[kind] = ImporterInfo(kind, description, detect, read, near_miss)
        return read

    return register


def _load_builtin_importers() -> None:
    # Imported for their registration side effect; kept here so callers need one import only.
    from governance_app.importers import (  # noqa: F401
        bundle,
        dvc_experiments,
        dvc_project,
        evidently,
        huggingface_card,
        kubeflow_mlmd,
        kubeflow_pipeline,
        kubeflow_run,
        mlflow_filestore,
        mlflow_rest,
        mlflow_sqlite,
        model_card_toolkit,
        openlineage_import,
        prediction_table,
        sagemaker_clarify,
        sagemaker_registry,
        vertex_import,
        wandb_offline,
    )


def importers() -> dict[str, ImporterInfo]:
    """Every registered importer by kind."""
    _load_builtin_importers()
    return dict(_IMPORTERS)


def detect(path: Path) -> str:
    """The kind of source at ``path``.

    Raises:
        InputError: the path does not exist.
        UnknownSourceError: no importer recognises it; the message lists what would be.
    """
    if not path.exists():
        raise InputError(path, "does not exist", expected="a file or folder to import")
    require_regular(path, folders=True)  # a FIFO or device would block or never end
    with shared_listings():  # a folder of 10,000 answers is walked once, not once a format
        matches = [info.kind for info in importers().values() if _detects(info.detect, path)]
    if len(matches) == 1:
        return matches[0]
    known = "; ".join(f"{i.kind}: {i.description}" for i in importers().values())
    if not matches and path.is_file() and path.suffix.lower() == ".json":
        # A JSON export nobody recognises is most often one that does not parse: say where.
        read_json(path)
    if not matches:
        for info in importers().values():
            resembles = info.near_miss(path) if info.near_miss else None
            if resembles:
                raise UnknownSourceError(
                    path, f"is not a source governance-app can read: it looks like {resembles}",
                    expected=f"{info.kind}: {info.description}",
                )
        raise UnknownSourceError(
            path, "is not a source governance-app can read", expected=f"one of — {known}"
        )
    raise UnknownSourceError(
        path,
        f"could be any of {', '.join(matches)}",
        expected="one kind; name it with --kind",
    )


def _detects(detector: Detector, path: Path) -> bool:
    """A detector's answer; one that trips over its input (a recursion limit, a decoding
    error) has said no, so that detection never ends in a traceback."""
    try:
        return detector(path)
    except (RecursionError, ValueError, OSError):
        return False


def load(
    path: Path, kind: str | None = None, context: ImportContext | None = None
) -> Snapshot:
    """Read a source completely into a snapshot without touching any database."""
    kind = kind or detect(path)
    info = importers().get(kind)
    if info is None:
        raise UnknownSourceError(
            path, f"unknown kind {kind!r}", expected=f"one of {', '.join(sorted(importers()))}"
        )
    if not path.exists():
        raise InputError(path, "does not exist", expected="a file or folder to import")
    require_regular(path, folders=True)
    return info.read(path, context or ImportContext())
