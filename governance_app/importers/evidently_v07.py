"""Evidently 0.7's two shapes: the workspace snapshot and the compact ``save_json`` report.

Between 0.7.0 and at least 0.7.10 Evidently wrote less than it later did:

- ``save_json`` gives each metric as ``{"id", "metric_id", "value"}``; the metric's settings
  are spelled only inside ``metric_id`` (``ValueDrift(column=bmi,method=psi,threshold=0.1)``),
  and not at all when the preset's defaults were used (``ValueDrift(column=age)``). Later
  versions add ``metric_name`` and ``config``.
- ``Snapshot.dumps()`` stores ``method: null, threshold: null`` for the defaults, but keeps
  Evidently's own words about each column in its widgets ("Data drift detected. Drift
  detection method: K-S p_value. Drift score: 0.015") and the per-column histograms in the
  preset's table.

Defaults are resolved as Evidently resolved them (``ValueDriftCalculation`` →
``get_one_column_drift``): a method without a threshold takes that test's
``default_threshold``; without a method, Evidently chose by the reference's size, so where the
widget does not name it, the share of drifted columns the report states tells which of
Evidently's two regimes it was (see :mod:`.evidently_defaults`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.evidently_defaults import (
    default_threshold,
    resolve_regime,
)
from governance_app.importers.evidently_parse import (
    V2_COLUMN,
    V2_DATASET,
    RawColumn,
    RawReport,
    column_type_from_method,
    count_tests,
    drifted_by_rule,
    number,
    parse_timestamp,
    short_type,
    text,
)

_METRIC_ID = re.compile(r"\A(?P<kind>\w+)\((?P<args>.*)\)\Z", re.S)
_ARG = re.compile(r"(?:\A|,)(\w+)=")
_COUNTER = re.compile(r"Data drift (?P<verdict>not detected|detected)\. Drift detection method: "
                      r"(?P<method>.+?)\. Drift score:")


def parse_metric_id(metric_id: str) -> tuple[str, dict[str, str]]:
    """``ValueDrift(column=bmi,method=psi,threshold=0.1)`` → (``ValueDrift``, its arguments).

    Arguments are split where ``,name=`` starts the next one, so a column name holding a comma
    stays whole.
    """
    found = _METRIC_ID.match(metric_id.strip())
    if not found:
        return "", {}
    args = found["args"]
    starts = list(_ARG.finditer(args))
    params = {}
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        end = after.start() if after else len(args)
        params[here.group(1)] = args[here.end():end]
    return found["kind"], params


def _as_float(path: Path, value: Any, where: str) -> float | None:
    if value is None or value == "None":
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise InputError(path, f"threshold {value!r} is not a number", location=where,
                             expected="a number") from None
    return number(path, value, where)


def _column(path: Path, params: dict[str, Any], value: Any, where: str,
            widget: tuple[str, bool] | None = None) -> RawColumn:
    """One ValueDrift; ``widget`` is (method, drifted) in Evidently's own words, if kept."""
    column = text(path, params.get("column"), f"{where}.column")
    score = number(path, value, f"{where}.value")
    method = params.get("method") if params.get("method") not in (None, "None") else None
    threshold = _as_float(path, params.get("threshold"), f"{where}.threshold")
    if method is None and widget is not None:
        method = widget[0]
    if method is None:  # resolved for the whole report later (a regime, not a guess per column)
        return RawColumn(column=column, column_type="", method="", threshold=float("nan"),
                         score=score, drifted=False)
    method = text(path, method, f"{where}.method")
    if threshold is None:
        threshold = default_threshold(path, method, f"{where}.method")
    drifted = widget[1] if widget is not None else drifted_by_rule(method, threshold, score)
    return RawColumn(column=column, column_type=column_type_from_method(method), method=method,
                     threshold=threshold, score=score, drifted=drifted)


def _share(path: Path, value: Any, where: str) -> tuple[float | None, float | None]:
    """``DriftedColumnsCount``'s (count, share): ``{"share": x}`` or ``{"share": {"value": x}}``."""
    if not isinstance(value, dict):
        return None, None
    out = []
    for key in ("count", "share"):
        item = value.get(key)
        if isinstance(item, dict):
            item = item.get("value")
        out.append(None if item is None else number(path, item, f"{where}.{key}"))
    return out[0], out[1]


def _keep_first(report: RawReport, column: RawColumn, others: list[dict[str, Any]]) -> None:
    """A column reported twice (the preset's test and one of the user's own) keeps the first;
    the other is listed in the result's details, not lost."""
    if any(c.column == column.column for c in report.columns):
        others.append({"column": column.column, "method": column.method or None,
                       "threshold": column.threshold if column.method else None,
                       "score": column.score})
        return
    report.columns.append(column)


def _finish(path: Path, report: RawReport, count: float | None, where: str) -> None:
    unresolved = [c for c in report.columns if not c.method]
    if unresolved:
        resolve_regime(path, report, unresolved, count, where)


def _widget_words(result: dict[str, Any]) -> tuple[str, bool] | None:
    for widget in result.get("widget") or []:
        counters = (widget.get("params") or {}).get("counters") if isinstance(widget,
                                                                              dict) else None
        for counter in counters or []:
            found = _COUNTER.search(str(counter.get("label", ""))) if isinstance(
                counter, dict) else None
            if found:
                return found["method"], found["verdict"] == "detected"
    return None


def _histograms(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The preset table's per-column reference and current histograms (``big_table``)."""
    out: dict[str, dict[str, Any]] = {}
    for widget in doc.get("widgets") or []:
        rows = ((widget.get("params") or {}).get("data") if isinstance(widget, dict) else None)
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or not isinstance(row.get("column_name"), str):
                continue
            sides = {}
            for side in ("reference", "current"):
                hist = row.get(f"{side}_distribution")
                if isinstance(hist, dict) and isinstance(hist.get("x"), list):
                    sides[side] = {"x": hist["x"], "y": hist.get("y", [])}
            if len(sides) == 2:
                out.setdefault(row["column_name"], sides)
    return out


def _tab_histogram(result: dict[str, Any]) -> dict[str, Any]:
    """A ValueDrift's own "DATA DISTRIBUTION" tab (bars per side), for a column the preset's
    table does not list (a ValueDrift the user added alone)."""
    for widget in result.get("widget") or []:
        for tab in (widget.get("tabs") or []) if isinstance(widget, dict) else []:
            inner = tab.get("widget") if isinstance(tab, dict) else None
            if not isinstance(inner, dict) or tab.get("title") != "DATA DISTRIBUTION":
                continue
            # Each side comes twice: counts (shown) and percentages (hidden, "visible":
            # false). Percentages compare sides of different sizes; numeric bins become
            # densities, as the preset's table gives them.
            sides: dict[str, Any] = {}
            for trace in (inner.get("params") or {}).get("data") or []:
                side = trace.get("name") if isinstance(trace, dict) else None
                if (side in ("reference", "current") and trace.get("visible") is False
                        and isinstance(trace.get("x"), list)):
                    sides[side] = _as_density(trace["x"], trace.get("y") or [])
            if len(sides) == 2:
                return sides
    return {}


def _as_density(x: list[Any], percent: list[Any]) -> dict[str, Any]:
    numeric = len(x) == len(percent) + 1 and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in [*x, *percent])
    if not numeric:
        return {"x": x, "y": percent}
    widths = [b - a for a, b in zip(x, x[1:], strict=False)]
    return {"x": x, "y": [p / 100 / w if w > 0 else 0.0 for p, w in zip(percent, widths,
                                                                          strict=True)]}


def parse_snapshot(path: Path, doc: dict[str, Any]) -> RawReport:
    """A 0.7 workspace snapshot (``Snapshot.dumps()``)."""
    report = RawReport("snapshot", parse_timestamp(path, doc.get("timestamp"), "timestamp"), [])
    others: list[dict[str, Any]] = []
    count: float | None = None
    results = doc["metric_results"]
    for key, result in (results.items() if isinstance(results, dict) else []):
        if not isinstance(result, dict):
            continue
        where = f"metric_results.{key}"
        location = result.get("metric_value_location") or {}
        params = (location.get("metric") or {}).get("params") or {}
        kind = short_type(params.get("type"))
        if kind == V2_COLUMN:
            column = _column(path, params, result.get("value"),
                             f"{where}.metric_value_location.metric.params",
                             _widget_words(result))
            column.distributions = _tab_histogram(result)
            _keep_first(report, column, others)
        elif kind == V2_DATASET:
            report.drift_share = number(path, params.get("drift_share"),
                                        f"{where}.metric_value_location.metric.params.drift_share")
            count, report.share_drifted = _share(path, result, where)
    report.tests = count_tests(doc.get("tests"))
    histograms = _histograms(doc)
    for column in report.columns:
        column.distributions = histograms.get(column.column) or column.distributions
    _finish(path, report, count, "metric_results")
    report.others = others
    return report


def parse_report(path: Path, doc: dict[str, Any]) -> RawReport:
    """A 0.7 compact report (``save_json``): ``config`` since about 0.7.11, ``metric_id`` only
    before."""
    report = RawReport("report", parse_timestamp(path, doc.get("timestamp"), "timestamp"), [])
    others: list[dict[str, Any]] = []
    count: float | None = None
    for i, metric in enumerate(doc["metrics"]):
        if not isinstance(metric, dict):
            continue
        config = metric.get("config")
        where = f"metrics[{i}].config"
        if isinstance(config, dict):
            kind = short_type(config.get("type"))
        else:
            kind, config = parse_metric_id(str(metric.get("metric_id", "")))
            where = f"metrics[{i}].metric_id"
        if kind == V2_COLUMN:
            _keep_first(report, _column(path, config, metric.get("value"), where), others)
        elif kind == V2_DATASET:
            share = _as_float(path, config.get("drift_share"), f"{where}.drift_share")
            report.drift_share = share
            count, report.share_drifted = _share(path, metric.get("value"), f"metrics[{i}].value")
    report.tests = count_tests(doc.get("tests"))
    _finish(path, report, count, "metrics")
    report.others = others
    return report
