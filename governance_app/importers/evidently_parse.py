"""Evidently's drift results in one plain form, and the legacy shape's reader.

Evidently has written drift results in several shapes over its versions, and teams keep all of
them in their archives:

- the legacy ``Report.json()`` (and 0.4–0.6 workspace snapshots, whose ``suite`` holds the
  same metric results): ``DataDriftTable`` / ``ColumnDriftMetric`` per column with
  ``stattest_name``, ``stattest_threshold``, ``drift_score`` and ``drift_detected``, and
  ``DatasetDriftMetric`` for the dataset (read here);
- the 0.4–0.6 TestSuite JSON (:mod:`.evidently_testsuite`);
- the 0.7 workspace snapshot and compact report (:mod:`.evidently_v07`), whose defaults are
  resolved by :mod:`.evidently_defaults`.

:mod:`.evidently_shapes` tells them apart. The values are kept exactly as Evidently computed
them: method name, threshold and score are copied, never recomputed. Where a shape omits the
verdict (0.7 keeps only the score), it is derived with Evidently's own rule: a p-value drifts at
or below its threshold, a distance at or above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from governance_app.errors import InputError

LEGACY_TABLE = "DataDriftTable"
LEGACY_COLUMN = "ColumnDriftMetric"
LEGACY_DATASET = "DatasetDriftMetric"
V2_COLUMN = "ValueDrift"
V2_DATASET = "DriftedColumnsCount"

_CATEGORICAL_METHODS = ("chi-square", "z-test", "jensen-shannon", "fisher", "g-test", "tvd")


@dataclass(slots=True)
class RawColumn:
    """One column's drift as Evidently reported it."""

    column: str
    column_type: str
    method: str
    threshold: float
    score: float
    drifted: bool
    distributions: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RawReport:
    """One Evidently result (one report or snapshot file), in Evidently's own terms.

    Attributes:
        shape: ``legacy`` | ``snapshot`` | ``report`` | ``testsuite`` (which shape it was).
        timestamp: when Evidently says the report was made; ``None`` for the compact form,
            which does not keep one.
        drift_share: the dataset-level threshold (share of drifted columns), when reported.
        share_drifted: Evidently's share of drifted columns, when reported.
        tests: test statuses counted (``SUCCESS``, ``FAIL``, ``WARNING``, ``ERROR``, ...);
            ``ERROR`` (the test could not run) is kept apart from ``FAIL``.
        version: Evidently's version, when the file names it.
        others: further results for a column already read (kept in the details, not lost).
        resolved: how defaults the export did not spell out were resolved, in words.
    """

    shape: str
    timestamp: datetime | None
    columns: list[RawColumn]
    drift_share: float | None = None
    share_drifted: float | None = None
    dataset_drift: bool | None = None
    tests: dict[str, int] = field(default_factory=dict)
    version: str | None = None
    others: list[dict[str, Any]] = field(default_factory=list)
    resolved: str | None = None


def is_p_value(method: str) -> bool:
    """Evidently's p-value tests say so in their name (``K-S p_value``, ``chi-square p_value``)."""
    lowered = method.lower()
    return "p_value" in lowered or "p-value" in lowered


def drifted_by_rule(method: str, threshold: float, score: float) -> bool:
    """Evidently's verdict: a p-value drifts at or below its threshold, a distance at or above."""
    return score <= threshold if is_p_value(method) else score >= threshold


def column_type_from_method(method: str) -> str:
    """The 0.7 shapes do not record a column's type; its test tells it in most cases."""
    lowered = method.lower()
    return "cat" if any(name in lowered for name in _CATEGORICAL_METHODS) else "num"


def parse_timestamp(path: Path, value: Any, where: str) -> datetime | None:
    """Evidently writes ``2026-02-02 00:00:00+00:00`` or ISO 8601; a naive time is UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(path, f"timestamp is {type(value).__name__}", location=where,
                         expected="an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(path, f"timestamp {value!r} is not a date and time", location=where,
                         expected="an ISO 8601 date and time") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def number(path: Path, value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(path, f"{value!r} is not a number", location=where, expected="a number")
    return float(value)


def text(path: Path, value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(path, f"{value!r} is not a name", location=where, expected="a string")
    return value


def short_type(value: Any) -> str:
    """``evidently:metric_v2:ValueDrift`` → ``ValueDrift``."""
    return str(value).rsplit(":", 1)[-1] if value else ""


def _legacy_column(path: Path, entry: Any, where: str) -> RawColumn:
    if not isinstance(entry, dict):
        raise InputError(path, "column result is not an object", location=where,
                         expected="an object with stattest_name and drift_score")
    method = text(path, entry.get("stattest_name"), f"{where}.stattest_name")
    threshold = number(path, entry.get("stattest_threshold"), f"{where}.stattest_threshold")
    score = number(path, entry.get("drift_score"), f"{where}.drift_score")
    detected = entry.get("drift_detected")
    if not isinstance(detected, bool):
        raise InputError(path, f"drift_detected is {detected!r}",
                         location=f"{where}.drift_detected", expected="true or false")
    distributions = {}
    for side in ("reference", "current"):
        small = (entry.get(side) or {}).get("small_distribution") if isinstance(
            entry.get(side), dict) else None
        if isinstance(small, dict) and isinstance(small.get("x"), list):
            distributions[side] = {"x": small["x"], "y": small.get("y", [])}
    return RawColumn(
        column=text(path, entry.get("column_name"), f"{where}.column_name"),
        column_type=str(entry.get("column_type") or column_type_from_method(method)),
        method=method, threshold=threshold, score=score, drifted=detected,
        distributions=distributions,
    )


def _legacy_results(path: Path, items: list[tuple[str, Any, str]], report: RawReport) -> None:
    """Fill ``report`` from (metric name, result, location) triples of the legacy shape."""
    seen: dict[str, RawColumn] = {}
    for name, result, where in items:
        if not isinstance(result, dict):
            continue
        if name == LEGACY_TABLE:
            by_column = result.get("drift_by_columns")
            if not isinstance(by_column, dict):
                raise InputError(path, "DataDriftTable has no drift_by_columns",
                                 location=f"{where}.drift_by_columns",
                                 expected="an object of column results")
            for column, entry in by_column.items():
                parsed = _legacy_column(path, entry, f"{where}.drift_by_columns.{column}")
                seen[parsed.column] = parsed
        elif name == LEGACY_COLUMN:
            parsed = _legacy_column(path, result, where)
            if parsed.column in seen:  # also in the preset's table: kept in the details
                report.others.append({"column": parsed.column, "method": parsed.method,
                                      "threshold": parsed.threshold, "score": parsed.score})
            seen.setdefault(parsed.column, parsed)
        elif name == LEGACY_DATASET:
            report.drift_share = number(path, result.get("drift_share"), f"{where}.drift_share")
            report.share_drifted = number(path, result.get("share_of_drifted_columns"),
                                           f"{where}.share_of_drifted_columns")
            if isinstance(result.get("dataset_drift"), bool):
                report.dataset_drift = result["dataset_drift"]
    report.columns = list(seen.values())


def count_tests(results: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results if isinstance(results, list) else []:
        if isinstance(result, dict) and isinstance(result.get("status"), str):
            counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts


def parse_legacy(path: Path, doc: dict[str, Any]) -> RawReport:
    report = RawReport("legacy", parse_timestamp(path, doc.get("timestamp"), "timestamp"), [],
                       version=doc.get("version") if isinstance(doc.get("version"), str) else None)
    items = [(str(m.get("metric")), m.get("result"), f"metrics[{i}].result")
             for i, m in enumerate(doc["metrics"]) if isinstance(m, dict)]
    _legacy_results(path, items, report)
    report.tests = count_tests(doc.get("tests"))
    return report


def parse_legacy_snapshot(path: Path, doc: dict[str, Any]) -> RawReport:
    """A 0.4–0.6 workspace snapshot: ``suite.metrics[i]`` pairs with ``suite.metric_results[i]``."""
    suite = doc["suite"]
    report = RawReport("snapshot", parse_timestamp(path, doc.get("timestamp"), "timestamp"), [])
    metrics = suite.get("metrics") if isinstance(suite.get("metrics"), list) else []
    results = suite.get("metric_results") if isinstance(suite.get("metric_results"), list) else []
    items = [
        (short_type(metric.get("type") if isinstance(metric, dict) else None), result,
         f"suite.metric_results[{i}]")
        for i, (metric, result) in enumerate(zip(metrics, results, strict=False))
    ]
    _legacy_results(path, items, report)
    report.tests = count_tests(suite.get("test_results"))
    return report
