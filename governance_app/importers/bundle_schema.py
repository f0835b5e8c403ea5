"""Schema validation of a bundle, with errors worded for the person who wrote the exporter.

``resources/schemas/bundle-1.1.schema.json`` catches shape errors and typos (1.1 adds the
optional ``lineage`` section to 1.0, so 1.0 files pass it unchanged). This module loads
it (relaxed for bundles of a newer minor version), validates a parsed bundle fast (metric points
are nearly all of a big bundle and are checked by hand when they surely pass), and turns the
first error by field path into an :class:`InputError` naming the field, its line and what was
expected. The checks a schema cannot express stay in :mod:`bundle`.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from governance_app.importers.json_paths import FieldPath, Places

READ_MAJOR = 1
READ_MINOR = 1
SCHEMA_FILE = f"bundle-{READ_MAJOR}.{READ_MINOR}.schema.json"

MAX_SCHEMA_ERRORS = 1000
"""Errors collected before choosing the first by path; a broken exporter can produce millions."""


def _schema() -> dict[str, Any]:
    try:
        root = resources.files("governance_app.resources")
        text = root.joinpath("schemas", SCHEMA_FILE).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        # A source checkout that is not installed: resources/ sits beside the package.
        path = Path(__file__).resolve().parents[2] / "resources" / "schemas" / SCHEMA_FILE
        text = path.read_text(encoding="utf-8")
    return json.loads(text)


def _relaxed(node: Any) -> Any:
    """The schema without ``additionalProperties: false``: fields of a newer minor are ignored."""
    if isinstance(node, dict):
        drop = node.get("additionalProperties") is False
        return {
            k: _relaxed(v) for k, v in node.items() if not (drop and k == "additionalProperties")
        }
    if isinstance(node, list):
        return [_relaxed(v) for v in node]
    return node


@cache
def validator(relaxed: bool = False) -> Draft202012Validator:
    """The bundle validator; ``relaxed`` for bundles of a newer minor version than ours."""
    schema = _schema()
    if relaxed:
        schema = _relaxed(schema)
        # The newer minor's own version string must still pass.
        schema["properties"]["format_version"]["pattern"] = rf"^{READ_MAJOR}\.[0-9]+$"
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _path_key(parts: FieldPath) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)


def short(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: ValidationError) -> tuple[list[str | int], str, str | None]:
    """Field path, problem and expectation of a schema error, in words for exporters."""
    parts: list[str | int] = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = schema.get("description")
    problem = short(error.message)
    if error.validator == "required":
        missing = next((f for f in error.validator_value if f not in error.instance), "?")
        prop = schema.get("properties", {}).get(missing, {})
        problem = f"required field {missing!r} is missing"
        expected = prop.get("description") or f"a {missing!r} field"
    elif error.validator == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extra = next(k for k in error.instance if k not in known)
        parts.append(extra)
        close = difflib.get_close_matches(extra, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problem = f"unknown field {extra!r}{hint}"
        expected = "one of " + ", ".join(known)
    elif error.validator == "pattern" and isinstance(error.instance, str):
        problem = f"{short(repr(error.instance), 80)} is not in the expected form"
        if "T" in error.instance:
            try:
                if datetime.fromisoformat(error.instance).tzinfo is None:
                    problem = f"timestamp {error.instance!r} has no zone"
            except ValueError:
                pass
    if error.validator == "type" and not (expected or "").startswith("a "):
        kinds = error.validator_value
        expected = " or ".join(kinds) if isinstance(kinds, list) else f"a JSON {kinds}"
    return parts, problem, expected


_POINT_KEYS = frozenset(("step", "timestamp", "value"))
_INT64 = (-(2**63), 2**63 - 1)


def _points_plainly_valid(doc: dict[str, Any], pattern: str) -> bool:
    """Whether every metric point surely passes the schema, checked ~50x faster than jsonschema.

    Metric points are nearly all of a big bundle. This check is stricter than the schema, so
    when it passes the points can be left out of the schema validation; when it fails, the
    full validation runs and reports the error in the schema's words.
    """
    runs = doc.get("runs", [])
    if not isinstance(runs, list):
        return False
    match = re.compile(pattern).match
    low, high = _INT64
    for run in runs:
        metrics = run.get("metrics", {}) if isinstance(run, dict) else None
        if not isinstance(metrics, dict):
            return False
        for points in metrics.values():
            if not isinstance(points, list):
                return False
            for p in points:
                if type(p) is not dict or p.keys() != _POINT_KEYS:
                    return False
                step, stamp = p["step"], p["timestamp"]
                if type(step) is not int or not low <= step <= high:
                    return False
                if type(p["value"]) not in (int, float) or type(stamp) is not str:
                    return False
                if not match(stamp):
                    return False
    return True


def _without_points(doc: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of the bundle whose metric histories are empty (their keys stay)."""
    runs = [
        {**run, "metrics": dict.fromkeys(run["metrics"], [])} if "metrics" in run else run
        for run in doc.get("runs", [])
    ]
    return {**doc, "runs": runs} if "runs" in doc else doc


def check_schema(places: Places, doc: dict[str, Any], minor: int) -> None:
    """Validate against the schema and raise for the first error by field path."""
    check = validator(relaxed=minor > READ_MINOR)
    pattern = check.schema["$defs"]["timestamp"]["pattern"]
    target = _without_points(doc) if _points_plainly_valid(doc, pattern) else doc
    errors = list(itertools.islice(check.iter_errors(target), MAX_SCHEMA_ERRORS))
    if not errors:
        return
    first = min(_path_key(e.absolute_path) for e in errors)
    error = best_match(e for e in errors if _path_key(e.absolute_path) == first)
    parts, problem, expected = _describe(error)
    raise places.error(parts, problem, expected)
