"""Table models for the registry: models, versions, run metrics, parameters, tags, import counts."""

from __future__ import annotations

from governance_app.domain.registry import ModelVersion
from governance_app.ui.item_models import (
    MISSING,
    Column,
    RecordTableModel,
    format_aliases,
    format_local_time,
    format_number,
    full_number,
    full_time,
    time_key,
)


class ModelSummaryTableModel(RecordTableModel):
    """Rows of :class:`ModelSummary`: the Models table."""

    columns = [
        Column("Model", lambda m: m.name, tooltip=lambda m: m.description or m.name),
        Column(
            "Latest version",
            lambda m: MISSING if m.latest_version is None else f"v{m.latest_version}",
            sort_key=lambda m: m.latest_version,
            tooltip=lambda m: f"{m.version_count} version(s) registered",
            numeric=True,
        ),
        Column("Aliases", lambda m: format_aliases(m.aliases) or MISSING),
        Column("Stage", lambda m: m.stage, tooltip=lambda m: "Stage of the latest version"),
        Column("Owner", lambda m: m.owner or MISSING),
        Column(
            "Last updated",
            lambda m: format_local_time(m.updated_at),
            sort_key=lambda m: time_key(m.updated_at),
            copy=lambda m: m.updated_at.isoformat() if m.updated_at else MISSING,
            tooltip=lambda m: full_time(m.updated_at),
        ),
    ]

    def row_for_name(self, name: str) -> int:
        return next((i for i, m in enumerate(self._rows) if m.name == name), -1)


class VersionTableModel(RecordTableModel):
    """Rows of :class:`ModelVersion` of one model, newest first by default."""

    columns = [
        Column("Version", lambda v: f"v{v.version}", sort_key=lambda v: v.version, numeric=True),
        Column("Stage", lambda v: v.stage),
        Column("Aliases", lambda v: format_aliases(v.aliases) or MISSING),
        Column(
            "Created",
            lambda v: format_local_time(v.created_at),
            sort_key=lambda v: time_key(v.created_at),
            copy=lambda v: v.created_at.isoformat() if v.created_at else MISSING,
            tooltip=lambda v: full_time(v.created_at),
        ),
        Column(
            "Run",
            lambda v: v.run_id[:8] if v.run_id else MISSING,
            copy=lambda v: v.run_id,
            tooltip=lambda v: f"run {v.run_id}" if v.run_id else "No run is linked to this version",
        ),
        Column("Status", lambda v: v.status),
    ]

    def row_for_version(self, version: int) -> int:
        rows: list[ModelVersion] = self._rows
        return next((i for i, v in enumerate(rows) if v.version == version), -1)


class KeyValueTableModel(RecordTableModel):
    """``(name, value)`` pairs: run parameters, tags."""

    columns = [
        Column("Name", lambda kv: kv[0]),
        Column("Value", lambda kv: kv[1], copy=lambda kv: kv[1]),
    ]

    def set_mapping(self, mapping: dict[str, str]) -> None:
        self.set_rows(sorted(mapping.items()))


class MetricTableModel(RecordTableModel):
    """``(key, latest value, history points)`` rows for the latest-metrics table."""

    columns = [
        Column("Metric", lambda m: m[0]),
        Column(
            "Latest value",
            lambda m: format_number(m[1]),
            sort_key=lambda m: m[1],
            copy=lambda m: full_number(m[1]),
            numeric=True,
        ),
        Column(
            "Points",
            lambda m: str(m[2]),
            sort_key=lambda m: m[2],
            tooltip=lambda m: f"{m[2]} logged point(s) in the history",
            numeric=True,
        ),
    ]


class TagTableModel(RecordTableModel):
    """``(tag, value, on)`` rows, where ``on`` says whether the version or its run carries it."""

    columns = [
        Column("Tag", lambda t: t[0]),
        Column("Value", lambda t: t[1], copy=lambda t: t[1]),
        Column("On", lambda t: t[2], tooltip=lambda t: f"set on the model {t[2]}"),
    ]


def humanise_key(key: str) -> str:
    """``metric_points`` → ``Metric points``, ``runs_added`` → ``Runs added``."""
    return key.replace("_", " ").strip().capitalize()


class CountTableModel(RecordTableModel):
    """``(what, count)`` rows: what an import read and what it changed."""

    columns = [
        Column("Records", lambda c: humanise_key(c[0])),
        Column("Count", lambda c: f"{c[1]:,}", sort_key=lambda c: c[1], copy=lambda c: str(c[1]),
               numeric=True),
    ]

    def set_counts(self, counts: dict[str, int]) -> None:
        self.set_rows(list(counts.items()))
