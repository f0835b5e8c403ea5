"""Which of Evidently's JSON shapes a file is, and the reader for each.

Five shapes, from the oldest: the legacy ``Report.json()``, the 0.4–0.6 workspace snapshot,
the TestSuite JSON (0.4–0.6), the 0.7 workspace snapshot and the 0.7 compact report. Each
reader returns the same :class:`~.evidently_parse.RawReport`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.evidently_parse import (
    RawReport,
    parse_legacy,
    parse_legacy_snapshot,
)
from governance_app.importers.evidently_testsuite import is_testsuite, parse_testsuite
from governance_app.importers.evidently_v07 import parse_report, parse_snapshot

EVIDENTLY_KEYS = ("metrics", "metric_results", "suite", "tests")
"""Top-level keys every Evidently shape has one of (used to say a file is close to one)."""


def load_text(path: Path, text: str) -> Any:
    """Parse an Evidently file. Evidently writes Python's ``NaN`` and ``-Infinity`` for
    statistics it could not compute (an empty column's correlation); those become ``None`` so
    that a data-quality snapshot beside the drift reports does not stop the import, while a
    drift score that is not a finite number is still refused by name where it is read."""
    try:
        return json.loads(text, parse_constant=lambda _name: None)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.msg, location=f"line {exc.lineno}, column {exc.colno}",
                         expected="valid JSON") from exc
    except RecursionError as exc:
        raise InputError(path, "nesting is too deep", expected="a JSON document") from exc


def shape_of(doc: Any) -> str | None:
    """Which Evidently shape a parsed JSON document is, or ``None`` when it is none of them."""
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("metric_results"), dict):
        return "snapshot"
    if isinstance(doc.get("suite"), dict) and "metric_results" in doc["suite"]:
        return "legacy_snapshot"
    if is_testsuite(doc):
        return "testsuite"
    metrics = doc.get("metrics")
    if isinstance(metrics, list):
        first = next((m for m in metrics if isinstance(m, dict)), None)
        if first is None:
            return "report" if "tests" in doc else None
        if "metric" in first and "result" in first:
            return "legacy"
        if ("config" in first and "metric_name" in first) or "metric_id" in first:
            return "report"
    return None


def parse_document(path: Path, doc: Any) -> RawReport:
    """Read one Evidently document in any of the shapes.

    Raises:
        InputError: not an Evidently document, or a drift result lacks a field (named by path).
    """
    shape = shape_of(doc)
    if shape == "legacy":
        return parse_legacy(path, doc)
    if shape == "legacy_snapshot":
        return parse_legacy_snapshot(path, doc)
    if shape == "testsuite":
        return parse_testsuite(path, doc)
    if shape == "snapshot":
        return parse_snapshot(path, doc)
    if shape == "report":
        return parse_report(path, doc)
    raise InputError(path, "is not an Evidently report or snapshot",
                     expected="Report.json(), Snapshot.dumps(), save_json or TestSuite.json()")
