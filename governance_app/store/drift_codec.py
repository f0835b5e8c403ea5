"""Drift results ↔ JSON-able rows, shared by the drift writer and reader.

Floats go into JSON as Python floats, which serialise as the shortest text that reads back to
the same double, so stored values keep full precision on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from governance_app.domain.drift import ColumnDrift, ColumnType, DatasetDrift
from governance_app.domain.drift_records import DriftResult
from governance_app.domain.registry import content_digest

_COLUMN_FIELDS = tuple(f.name for f in dataclasses.fields(ColumnDrift))


def column_to_json(column: ColumnDrift) -> dict[str, Any]:
    """A column result as a plain dict (enum as its value, tuples as lists)."""
    out: dict[str, Any] = {}
    for name in _COLUMN_FIELDS:
        value = getattr(column, name)
        if isinstance(value, ColumnType):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        out[name] = value
    return out


def column_from_json(data: dict[str, Any]) -> ColumnDrift:
    """The inverse of :func:`column_to_json`; unknown keys (a newer writer) are ignored."""
    values = {k: v for k, v in data.items() if k in _COLUMN_FIELDS}
    values["column_type"] = ColumnType(values["column_type"])
    values["unseen_categories"] = tuple(values.get("unseen_categories") or ())
    values["details"] = dict(values.get("details") or {})
    return ColumnDrift(**values)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def result_digest(result: DriftResult) -> str:
    """SHA-256 of what the result says (not where it was read from), for idempotent imports."""
    return content_digest({
        "label": result.label,
        "timestamp": _iso(result.timestamp),
        "window": [_iso(result.window_start), _iso(result.window_end)],
        "source_kind": result.source_kind,
        "source_sha256": result.source_sha256,
        "share_drifted": result.drift.share_drifted,
        "threshold": result.drift.threshold,
        "drifted": result.drift.drifted,
        "columns": [column_to_json(c) for c in result.drift.columns],
    })


def result_to_row(result: DriftResult) -> dict[str, Any]:
    """Column values of one ``drift_results`` row (without ids)."""
    drift = result.drift
    return {
        "label": result.label,
        "timestamp": result.timestamp,
        "window_start": result.window_start,
        "window_end": result.window_end,
        "source_kind": result.source_kind,
        "source_sha256": dict(result.source_sha256),
        "source_paths": dict(result.source_paths),
        "share_drifted": drift.share_drifted,
        "threshold": drift.threshold,
        "drifted": drift.drifted,
        "n_columns": len(drift.columns),
        "n_drifted": sum(1 for c in drift.columns if c.drifted),
        "columns": {"columns": [column_to_json(c) for c in drift.columns]},
        "details": dict(result.details),
        "digest": result_digest(result),
        "note": "",
    }


def result_from_row(row: Any) -> DriftResult:
    """A stored row as a :class:`DriftResult`."""
    columns = tuple(column_from_json(c) for c in row.columns.get("columns", []))
    return DriftResult(
        label=row.label,
        timestamp=row.timestamp,
        drift=DatasetDrift(columns=columns, share_drifted=row.share_drifted,
                           threshold=row.threshold, drifted=bool(row.drifted)),
        source_kind=row.source_kind,
        source_sha256=dict(row.source_sha256),
        source_paths=dict(row.source_paths),
        window_start=row.window_start,
        window_end=row.window_end,
        details=dict(row.details),
    )
