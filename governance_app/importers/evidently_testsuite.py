"""Evidently's TestSuite JSON (``TestSuite([DataDriftTestPreset()]).json()``, 0.4 to 0.6).

A suite holds tests, not metrics: ``Drift per Column`` tests carry each column's test name,
score, threshold and verdict in ``parameters``; ``Share of Drifted Columns`` carries the
dataset's condition (``{"lt": 0.3}``) and the same per-column figures under ``features``.
Both become one drift result; the suite's statuses are counted as the other shapes' tests are.
Evidently rounds the scores in a suite to three decimals: they are kept as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.evidently_parse import (
    RawColumn,
    RawReport,
    column_type_from_method,
    count_tests,
    number,
    parse_timestamp,
    text,
)

COLUMN_TEST = "Drift per Column"
SHARE_TEST = "Share of Drifted Columns"


def is_testsuite(doc: dict[str, Any]) -> bool:
    """A suite's JSON: ``tests`` beside a ``summary`` of them, and no ``metrics``."""
    return (isinstance(doc.get("tests"), list) and isinstance(doc.get("summary"), dict)
            and "metrics" not in doc)


def _column(path: Path, name: str, params: Any, where: str) -> RawColumn:
    if not isinstance(params, dict):
        raise InputError(path, "column figures are not an object", location=where,
                         expected="an object with stattest, score, threshold and detected")
    method = text(path, params.get("stattest"), f"{where}.stattest")
    detected = params.get("detected")
    return RawColumn(
        column=name, column_type=column_type_from_method(method), method=method,
        threshold=number(path, params.get("threshold"), f"{where}.threshold"),
        score=number(path, params.get("score"), f"{where}.score"),
        drifted=bool(detected) if isinstance(detected, bool) else False,
    )


def parse_testsuite(path: Path, doc: dict[str, Any]) -> RawReport:
    """Read the drift tests of a suite (a suite of other tests gives no columns)."""
    version = doc.get("version") if isinstance(doc.get("version"), str) else None
    report = RawReport("testsuite", parse_timestamp(path, doc.get("timestamp"), "timestamp"), [],
                       version=version)
    columns: dict[str, RawColumn] = {}
    for i, test in enumerate(doc["tests"]):
        if not isinstance(test, dict):
            continue
        params = test.get("parameters") if isinstance(test.get("parameters"), dict) else {}
        where = f"tests[{i}].parameters"
        if test.get("name") == COLUMN_TEST and "column_name" in params:
            name = text(path, params.get("column_name"), f"{where}.column_name")
            columns.setdefault(name, _column(path, name, params, where))
        elif test.get("name") == SHARE_TEST:
            condition = params.get("condition") if isinstance(params.get("condition"),
                                                              dict) else {}
            bound = condition.get("lt", condition.get("lte"))
            if bound is not None:
                report.drift_share = number(path, bound, f"{where}.condition.lt")
            report.dataset_drift = test.get("status") == "FAIL"
            features = params.get("features") if isinstance(params.get("features"),
                                                             dict) else {}
            for name, figures in features.items():
                columns.setdefault(name, _column(path, name, figures,
                                                 f"{where}.features.{name}"))
    report.columns = list(columns.values())
    if report.columns:
        report.share_drifted = sum(c.drifted for c in report.columns) / len(report.columns)
    report.tests = count_tests(doc["tests"])
    return report
