"""Our own registry bundle: one JSON file any tool can write (docs/bundle-format.md).

From format 1.1 a bundle may carry the lineage of its runs (read by :mod:`bundle_lineage`); the
registry and the lineage are returned in one :class:`BundleSnapshot` and stored in one
transaction. The schema (``resources/schemas/bundle-1.1.schema.json``, applied by
:mod:`bundle_schema`)
catches shape errors and typos; the checks here catch what a schema cannot express
(references between records, duplicates, impossible calendar dates). Every error names the
file, the field path such as ``runs[2].metrics.val_auc[3].value``, the line it is on, and what
was expected, because the person reading it is fixing an exporter they wrote.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from governance_app.domain.bundle_snapshot import BundleSnapshot
from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    MetricSeries,
    ModelVersion,
    RegisteredModel,
    Run,
    millis_from_utc,
)
from governance_app.errors import InputError
from governance_app.importers.bundle_lineage import read_lineage
from governance_app.importers.bundle_schema import READ_MAJOR, READ_MINOR, check_schema, short
from governance_app.importers.json_paths import FieldPath, Places
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import read_json, sha256_of_path

KIND = "bundle"
FORMAT = "governance-app/bundle"
_FLOAT_MAX = sys.float_info.max
_MARK = re.compile(rb'"format"\s*:\s*"governance-app/bundle"')
_VERSION = re.compile(r"([0-9]+)\.([0-9]+)\Z")


def detect(path: Path) -> bool:
    """A ``.json`` file whose top-level object says ``"format": "governance-app/bundle"``.

    The marker is usually in the first kilobytes; with sorted keys it follows the experiments,
    so the rest of the file is scanned in chunks (fast byte search, no parsing) when needed.
    """
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
            if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
                return False
            if _MARK.search(head):
                return True
            tail = head[-64:]
            while chunk := fh.read(1 << 20):
                window = tail + chunk
                if _MARK.search(window):
                    return True
                tail = window[-64:]
    except OSError:
        return False
    return False


def _check_header(places: Places, doc: Any) -> int:
    """Refuse what is not a 1.x bundle before the schema speaks; returns the minor version."""
    expected = f'a JSON object with "format": "{FORMAT}"'
    if not isinstance(doc, dict):
        kind = type(doc).__name__
        raise InputError(places.path, f"top level is a JSON {kind}", expected=expected)
    if "format" not in doc:
        raise InputError(places.path, "field 'format' is missing", expected=expected)
    if doc["format"] != FORMAT:
        raise places.error(["format"], f"format is {doc['format']!r}", expected=repr(FORMAT))
    version = doc.get("format_version")
    match = _VERSION.match(version) if isinstance(version, str) else None
    if match is None:
        raise places.error(
            ["format_version"],
            f"format_version {version!r} is not MAJOR.MINOR",
            expected=f'a string such as "{READ_MAJOR}.{READ_MINOR}"',
        )
    major, minor = int(match.group(1)), int(match.group(2))
    if major != READ_MAJOR:
        hint = "upgrade governance-app" if major > READ_MAJOR else "re-export the bundle"
        raise places.error(
            ["format_version"],
            f"bundle format {version} is not supported: this governance-app reads bundle "
            f"format {READ_MAJOR}.x only ({hint})",
            expected=f'format_version "{READ_MAJOR}.{READ_MINOR}"',
        )
    return minor


def _time(places: Places, value: str | None, parts: FieldPath) -> datetime | None:
    """Parse a schema-checked timestamp into UTC; refuse impossible dates such as 30 February."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError as exc:
        raise places.error(
            parts,
            f"{value!r} is not a real date and time ({exc})",
            "an existing calendar date and time of day",
        ) from exc


def _unique(
    places: Places, seen: dict[Any, FieldPath], key: Any, parts: FieldPath, what: str
) -> None:
    """Record a natural key, or raise naming both places that use it."""
    if key in seen:
        raise places.error(
            parts,
            f"{what} {key!r} is already used at {places.where(seen[key])}",
            f"each {what} once per bundle",
        )
    seen[key] = parts


def _experiments(places: Places, items: list[dict[str, Any]]) -> list[Experiment]:
    seen: dict[Any, FieldPath] = {}
    out = []
    for i, item in enumerate(items):
        _unique(places, seen, item["name"], ["experiments", i, "name"], "experiment name")
        out.append(
            Experiment(
                name=item["name"],
                artifact_location=item.get("artifact_location", ""),
                created_at=_time(places, item.get("created_at"), ["experiments", i, "created_at"]),
                tags=dict(item.get("tags", {})),
            )
        )
    return out


def _run(places: Places, item: dict[str, Any], i: int) -> Run:
    at: list[str | int] = ["runs", i]
    run = Run(
        run_id=item["run_id"],
        experiment_name=item["experiment"],
        name=item.get("name", ""),
        user=item.get("user", ""),
        status=item.get("status", ""),
        start_time=_time(places, item.get("start_time"), [*at, "start_time"]),
        end_time=_time(places, item.get("end_time"), [*at, "end_time"]),
        artifact_uri=item.get("artifact_uri", ""),
        params=dict(item.get("params", {})),
        tags=dict(item.get("tags", {})),
    )
    for key, points in item.get("metrics", {}).items():
        series = MetricSeries(key)
        for j, point in enumerate(points):
            moment = _time(places, point["timestamp"], [*at, "metrics", key, j, "timestamp"])
            value = point["value"]
            # parse_json refuses 1e999 (it would be inf), but an integer literal such as
            # 10**400 parses as a Python int that no float can hold: not a loggable value.
            if not (-_FLOAT_MAX <= value <= _FLOAT_MAX):
                raise places.error(
                    [*at, "metrics", key, j, "value"],
                    f"{short(str(value), 40)} is not a finite 64-bit number",
                    "a finite number (points with NaN or infinite values are left out)",
                )
            series.append(int(point["step"]), millis_from_utc(moment), float(value))  # type: ignore[arg-type]
        run.metrics[key] = series
    for source in item.get("inputs", []):
        run.inputs.append(
            DatasetInput(
                name=source["name"],
                digest=source["digest"],
                source_type=source.get("source_type", ""),
                source=source.get("source", ""),
                context=source.get("context", ""),
            )
        )
    return run


def _runs(
    places: Places, items: list[dict[str, Any]], experiments: set[str], ctx: ImportContext
) -> list[Run]:
    seen: dict[Any, FieldPath] = {}
    out = []
    for i, item in enumerate(items):
        if i % 100 == 0:
            ctx.check_cancelled()
            ctx.report(i, len(items), "reading runs")
        _unique(places, seen, item["run_id"], ["runs", i, "run_id"], "run_id")
        if item["experiment"] not in experiments:
            names = ", ".join(repr(n) for n in sorted(experiments)[:10]) or "none are listed"
            raise places.error(
                ["runs", i, "experiment"],
                f"experiment {item['experiment']!r} is not in the bundle's experiments",
                f"the name of an experiment listed under experiments ({names})",
            )
        out.append(_run(places, item, i))
    return out


def _model(places: Places, item: dict[str, Any], i: int) -> RegisteredModel:
    at: list[str | int] = ["models", i]
    model = RegisteredModel(
        name=item["name"],
        description=item.get("description", ""),
        created_at=_time(places, item.get("created_at"), [*at, "created_at"]),
        updated_at=_time(places, item.get("updated_at"), [*at, "updated_at"]),
        tags=dict(item.get("tags", {})),
        aliases=dict(item.get("aliases", {})),
    )
    seen: dict[Any, FieldPath] = {}
    by_number: dict[int, ModelVersion] = {}
    for j, v in enumerate(item["versions"]):
        vat = [*at, "versions", j]
        _unique(places, seen, v["version"], [*vat, "version"], f"version of model {model.name!r}")
        version = ModelVersion(
            model_name=model.name,
            version=v["version"],
            stage=v.get("stage", "None"),
            description=v.get("description", ""),
            source=v.get("source", ""),
            run_id=v.get("run_id", ""),
            status=v.get("status", "READY"),
            user=v.get("user", ""),
            created_at=_time(places, v.get("created_at"), [*vat, "created_at"]),
            updated_at=_time(places, v.get("updated_at"), [*vat, "updated_at"]),
            tags=dict(v.get("tags", {})),
        )
        by_number[version.version] = version
        model.versions.append(version)
    for alias, number in model.aliases.items():
        if number not in by_number:
            listed = ", ".join(str(n) for n in sorted(by_number)) or "none"
            raise places.error(
                [*at, "aliases", alias],
                f"alias {alias!r} points to version {number}, which model {model.name!r} lacks",
                f"one of the model's listed versions ({listed})",
            )
        by_number[number].aliases.append(alias)
    return model


def _models(places: Places, items: list[dict[str, Any]]) -> list[RegisteredModel]:
    seen: dict[Any, FieldPath] = {}
    out = []
    for i, item in enumerate(items):
        _unique(places, seen, item["name"], ["models", i, "name"], "model name")
        out.append(_model(places, item, i))
    return out


@importer(KIND, "governance-app registry bundle (.json, docs/bundle-format.md)", detect)
def read(path: Path, ctx: ImportContext) -> BundleSnapshot:
    """Read, validate and convert a bundle file.

    A version's ``run_id`` may name a run outside the bundle (imported before, or kept in
    another system): models-only exports are legitimate, and the link resolves once that run
    is in the workspace.

    Raises:
        InputError: unreadable or invalid JSON, a format version other than 1.x, a schema
            violation, a dangling reference (lineage edges included) or a duplicated natural
            key; the message names the field path and, when it can be found, its line.
        ImportCancelled: ``ctx`` reported a cancel request.
    """
    places = Places(path)
    ctx.report(0, 1, "parsing bundle")
    doc = read_json(path)
    minor = _check_header(places, doc)
    ctx.check_cancelled()
    ctx.report(0, 1, "validating bundle")
    check_schema(places, doc, minor)
    if minor < 1 and "lineage" in doc:
        raise places.error(["lineage"], f"the lineage section needs format 1.1, not "
                           f"{doc['format_version']}", 'format_version "1.1" or later')
    ctx.check_cancelled()
    experiments = _experiments(places, doc.get("experiments", []))
    runs = _runs(places, doc.get("runs", []), {e.name for e in experiments}, ctx)
    models = _models(places, doc.get("models", []))
    ctx.check_cancelled()
    lineage = read_lineage(
        places, doc, runs, models, lambda value, at: _time(places, value, at), ctx
    )
    snapshot = BundleSnapshot(
        kind=KIND,
        source=str(path),
        source_sha256=sha256_of_path(path),
        experiments=experiments,
        runs=runs,
        models=models,
        lineage=lineage,
    )
    ctx.report(1, 1, "bundle read")
    return snapshot
