"""Drift results as the workspace keeps them: a :class:`DatasetDrift` plus where it came from.

:mod:`governance_app.domain.drift` says what drift *is* (per column, per dataset, per window);
this module adds what a review board needs to trust a stored result: which model version it
belongs to, when it was measured, whether Evidently or this app computed it, and the SHA-256
of every file it was computed from. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from governance_app.domain.drift import DatasetDrift

SOURCE_EVIDENTLY = "evidently"
SOURCE_COMPUTED = "computed"


@dataclass(frozen=True, slots=True)
class DriftResult:
    """One drift result: one Evidently report, or one window we computed.

    Attributes:
        label: a short name for people (``week-04``, ``2026-02-02``).
        timestamp: when the result was measured (Evidently's timestamp, a window's start);
            ``None`` when the source does not say (Evidently's compact ``save_json`` form).
        window_start, window_end: the current data's time window, when known.
        source_kind: :data:`SOURCE_EVIDENTLY` or :data:`SOURCE_COMPUTED`.
        source_sha256: role → SHA-256 (``report``; or ``reference`` and ``current``).
        source_paths: role → path as read, so a view can show a cell's distributions.
        drift: the per-column and dataset-level result, values exactly as computed.
        details: what else the source said (Evidently version and shape, test status counts,
            Evidently's small distributions per column).
    """

    label: str
    timestamp: datetime | None
    drift: DatasetDrift
    source_kind: str
    source_sha256: dict[str, str] = field(default_factory=dict)
    source_paths: dict[str, str] = field(default_factory=dict)
    window_start: datetime | None = None
    window_end: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def moment(self) -> datetime | None:
        """The time the result stands for on a time axis: its window's start, or timestamp."""
        return self.window_start or self.timestamp


@dataclass(frozen=True, slots=True)
class DriftSnapshot:
    """What the Evidently importer read from one file or folder, not yet stored.

    Attributes:
        model: ``NAME:VERSION`` the results attach to.
        results: one per drift report found, in the order of their time (then file name).
        skipped: ``file: reason`` for each file without drift metrics (a data-quality
            snapshot in the same workspace), kept so the import can say what it left out.
    """

    kind: str
    source: str
    source_sha256: str
    model: str
    results: tuple[DriftResult, ...]
    skipped: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Records read, by kind, for the import record."""
        return {
            "drift_results": len(self.results),
            "drift_columns": sum(len(r.drift.columns) for r in self.results),
            "skipped_files": len(self.skipped),
        }


@dataclass(frozen=True, slots=True)
class StoredDatasetDrift(DatasetDrift):
    """A stored dataset-level result with the digest it is stored under, for evidence.

    ``share_of_drifted_columns`` is Evidently's name for ``share_drifted``; gate policies
    (issue 7) read it by that name.
    """

    digest: str = ""
    label: str = ""
    timestamp: datetime | None = None
    source_kind: str = ""

    @property
    def share_of_drifted_columns(self) -> float:
        """Evidently's name for :attr:`share_drifted`."""
        return self.share_drifted

    @property
    def number_of_drifted_columns(self) -> int:
        """Evidently's name for :attr:`n_drifted`."""
        return self.n_drifted

    def metric_value(self, name: str) -> float | None:
        """A dataset-level number by Evidently's or our name; ``None`` when unknown."""
        values = {"share_of_drifted_columns": self.share_drifted,
                  "share_drifted": self.share_drifted,
                  "number_of_drifted_columns": float(self.n_drifted),
                  "dataset_drift": float(self.drifted), "drift_share": self.threshold}
        return values.get(name)
