"""Qt item models of the Drift view, and the plain task functions its workers run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance_app.domain.drift import METHOD_LABELS, ColumnDrift
from governance_app.domain.drift_records import SOURCE_EVIDENTLY, DriftResult
from governance_app.services import drift as drift_service
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import (
    MISSING,
    Column,
    RecordTableModel,
    format_local_time,
    format_number,
    full_number,
    full_time,
    time_key,
)


@dataclass(frozen=True, slots=True)
class DriftAlert:
    """One drifted cell: a feature in a window."""

    window_index: int
    result: DriftResult
    column: ColumnDrift


def alerts_of(results: list[DriftResult]) -> list[DriftAlert]:
    """Every drifted (feature, window) cell, oldest window first."""
    return [DriftAlert(i, r, c) for i, r in enumerate(results) for c in r.drift.columns
            if c.drifted]


def _method(c: ColumnDrift) -> str:
    return METHOD_LABELS.get(c.method, c.method)


def _side(c: ColumnDrift) -> str:
    return "p-value at or below" if c.holds_p_value else "statistic at or above"


class DriftAlertTableModel(RecordTableModel):
    """Rows of :class:`DriftAlert`: the alerts list (sortable, filterable by feature)."""

    columns = [
        Column("Window", lambda a: format_local_time(a.result.moment)
               if a.result.moment else a.result.label,
               sort_key=lambda a: (time_key(a.result.moment) or 0.0, a.result.label),
               tooltip=lambda a: f"{a.result.label} — {full_time(a.result.moment)}"),
        Column("Feature", lambda a: a.column.column),
        Column("Method", lambda a: _method(a.column)),
        Column("Score", lambda a: format_number(a.column.score),
               sort_key=lambda a: a.column.score, numeric=True,
               copy=lambda a: full_number(a.column.score),
               tooltip=lambda a: f"{full_number(a.column.score)} ({_side(a.column)} the "
               f"threshold {a.column.threshold:g})"),
        Column("Threshold", lambda a: format_number(a.column.threshold),
               sort_key=lambda a: a.column.threshold, numeric=True,
               copy=lambda a: full_number(a.column.threshold)),
        Column("Relative", lambda a: MISSING if a.column.relative is None
               else f"{a.column.relative:.3g}×", sort_key=lambda a: a.column.relative,
               numeric=True, tooltip=lambda a: "statistic relative to its threshold; ≥ 1× "
               "is drift"),
        Column("Verdict", lambda a: "✕ drift", foreground=lambda a: "#D55E00"),
        Column("Source", lambda a: a.result.source_kind,
               tooltip=lambda a: ", ".join(f"{k} sha256 {v}" for k, v in
                                           a.result.source_sha256.items())),
    ]

    def row_for(self, window_index: int, feature: str) -> int:
        return next((i for i, a in enumerate(self._rows)
                     if a.window_index == window_index and a.column.column == feature), -1)


# -- Qt-free task functions (workers) ------------------------------------------------------------


def load_drift_results(url: str, name: str, version: int) -> list[DriftResult]:
    """A version's stored drift results, opened from the workspace URL (off the GUI thread)."""
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return drift_service.drift_results(ws, name, version)


@dataclass(frozen=True, slots=True)
class CellDistribution:
    """What the distribution panel shows for one cell: raw values, Evidently's bins, or why
    there is nothing to show."""

    column: str
    categorical: bool
    reference: list[Any] | None = None
    current: list[Any] | None = None
    binned: dict[str, Any] | None = None
    note: str = ""


def load_cell_distribution(result: DriftResult, column: ColumnDrift) -> CellDistribution:
    """Reference and current values of one cell, from the result's own sources if possible."""
    categorical = str(column.column_type) == "cat"
    binned = result.details.get("distributions", {}).get(column.column)
    if result.source_kind == SOURCE_EVIDENTLY:
        if binned:
            return CellDistribution(column.column, categorical, binned=binned, note=(
                f"Reference vs current histograms as Evidently binned them in "
                f"{result.details.get('file', 'its export')} (the export holds no raw rows)."))
        shape = result.details.get("evidently_shape")
        form = {"report": "compact report (save_json)", "testsuite": "TestSuite"}.get(
            str(shape), "export")
        return CellDistribution(column.column, categorical, note=(
            f"This Evidently {form} holds scores only, neither raw rows nor histograms, so "
            "the distribution cannot be shown. Evidently's snapshots and Report.json() "
            "keep histograms."))
    ref_path, cur_path = result.source_paths.get("reference"), result.source_paths.get("current")
    if not ref_path or not cur_path or not (Path(ref_path).is_file()
                                             and Path(cur_path).is_file()):
        return CellDistribution(column.column, categorical, note=(
            "The source tables of this result are no longer at "
            f"{ref_path or '—'} and {cur_path or '—'}."))
    reference = drift_service.read_table(Path(ref_path))
    current = drift_service.read_table(Path(cur_path))
    time_column = result.details.get("time_column")
    if time_column and result.window_start and time_column in current:
        import pandas as pd

        moments = pd.to_datetime(current[time_column], utc=True)
        mask = moments >= pd.Timestamp(result.window_start)
        if result.window_end:
            mask &= moments < pd.Timestamp(result.window_end)
        current = current[mask]
    if column.column not in reference or column.column not in current:
        return CellDistribution(column.column, categorical,
                                note=f"{column.column} is not in the source tables")
    return CellDistribution(column.column, categorical,
                            reference=reference[column.column].dropna().tolist(),
                            current=current[column.column].dropna().tolist(),
                            note=f"{Path(ref_path).name} vs {Path(cur_path).name}")
