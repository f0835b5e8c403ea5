"""Evidently drift exports: one report/snapshot file, or a folder of weekly or daily exports.

Every result is attached to the model version the user names (``--model NAME:VERSION``): an
Evidently report does not know which model it watched. Values are kept exactly as Evidently
computed them (see :mod:`.evidently_parse`); a file in the folder without drift metrics (a
data-quality snapshot of the same Evidently project) is skipped and listed, not refused.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from governance_app.domain.drift import (
    P_VALUE_METHODS,
    ColumnDrift,
    ColumnType,
    DatasetDrift,
    method_for_label,
)
from governance_app.domain.drift_records import SOURCE_EVIDENTLY, DriftResult, DriftSnapshot
from governance_app.errors import InputError
from governance_app.importers.evidently_parse import (
    RawColumn,
    RawReport,
    column_type_from_method,
    is_p_value,
)
from governance_app.importers.evidently_shapes import load_text, parse_document, shape_of
from governance_app.importers.folder_listing import ListedFile, json_files
from governance_app.importers.json_outline import outline
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import ensure_within, read_text, sha256_of_path

KIND = "evidently"
SNIFF_BYTES = 64 * 1024
MAX_FOLDER_FILES = 10_000
EVIDENTLY_DEFAULT_DRIFT_SHARE = 0.5
"""Evidently's default dataset-level threshold, used when a report does not state its own."""

_MARKERS = (
    '"DatasetDriftMetric"', '"DataDriftTable"', '"ColumnDriftMetric"', '"evidently:metric',
    '"evidently:test', '"evidently:metric_result', '"ValueDrift(', '"DriftedColumnsCount(',
    '"Drift per Column"', '"Share of Drifted Columns"',
)


def _sniff(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8", errors="ignore")
    except OSError:
        return False
    return any(marker in head for marker in _MARKERS)


def _listed(folder: Path) -> list[ListedFile]:
    """The regular ``*.json`` files at any depth (hidden ones too, links not), in the order
    of their paths' parts (as ``Path`` objects sort), one more than a folder may hold."""
    files = [f for f in json_files(folder) if f.is_file and not f.link]
    files.sort(key=lambda f: f.rel.split("/"))
    return files[:MAX_FOLDER_FILES + 1]


def _json_files(folder: Path) -> list[Path]:
    return [file.as_path() for file in _listed(folder)]


def detect(path: Path) -> bool:
    """A JSON file with Evidently's metric names, or a folder of nothing but such files
    (an Evidently project's ``metadata.json`` beside its snapshots is allowed)."""
    if path.is_file():
        return path.suffix.lower() == ".json" and _sniff(path)
    if not path.is_dir():
        return False
    found = False
    for file in _listed(path):  # the first other file settles it (a folder of 10,000)
        if _sniff(Path(file.path)):
            found = True
        elif file.rel.rpartition("/")[2] != "metadata.json":
            return False
    return found


def near_miss(path: Path) -> str | None:
    """An Evidently file without drift results (a data-quality report or suite)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return None
    found = outline(path)
    keys = set(found.keys)
    evidently = ("metric_results" in keys or "suite" in keys
                 or ({"metrics", "timestamp", "version"} <= keys)
                 or ({"tests", "summary"} <= keys and "version" in keys))
    if not evidently:
        return None
    return ("an Evidently export without drift results (no DataDriftTable, ColumnDriftMetric, "
            "ValueDrift or drift tests)")


def parse_model_ref(path: Path, model: str | None) -> str:
    """Check ``NAME:VERSION`` (the version an Evidently export is attached to)."""
    if not model:
        raise InputError(path, "an Evidently report does not say which model it watched",
                         location="--model", expected="--model NAME:VERSION")
    name, sep, version = model.rpartition(":")
    if not sep or not name or not version.isdigit():
        raise InputError(path, f"{model!r} does not name a model version", location="--model",
                         expected="NAME:VERSION, e.g. credit_default:3")
    return model


def _column(raw: RawColumn) -> ColumnDrift:
    """Evidently's column result as ours. The method becomes its stattest name (``wasserstein``)
    when Evidently's label is a known one, so imported and computed results compare name for
    name (``METHOD_LABELS`` gives the label back); an unknown label is kept as it is. Evidently's
    exports do not hold row or null counts: those stay 0 and the result says so in its details.
    """
    try:
        method = method_for_label(raw.method)
    except KeyError:
        method = raw.method
    p_value = raw.score if (method in P_VALUE_METHODS or is_p_value(raw.method)) else None
    column_type = (ColumnType(raw.column_type) if raw.column_type in ("num", "cat")
                   else ColumnType(column_type_from_method(raw.method)))
    return ColumnDrift(
        column=raw.column, column_type=column_type, method=method, threshold=raw.threshold,
        score=raw.score, statistic=None if p_value is not None else raw.score, p_value=p_value,
        drifted=raw.drifted, n_ref=0, n_cur=0, nulls_ref=0, nulls_cur=0,
    )


def _result(raw: RawReport, label: str, relative: str, sha256: str, path: Path) -> DriftResult:
    columns = tuple(_column(c) for c in raw.columns)
    n_drifted = sum(1 for c in raw.columns if c.drifted)
    share = raw.share_drifted if raw.share_drifted is not None else n_drifted / len(columns)
    threshold = raw.drift_share if raw.drift_share is not None else EVIDENTLY_DEFAULT_DRIFT_SHARE
    drifted = raw.dataset_drift if raw.dataset_drift is not None else share >= threshold
    details: dict[str, object] = {"evidently_shape": raw.shape, "file": relative,
                                  "counts": "not in Evidently's export"}
    if raw.version:
        details["evidently_version"] = raw.version
    if raw.tests:
        details["tests"] = dict(sorted(raw.tests.items()))
    if raw.resolved:
        details["defaults"] = raw.resolved
    if raw.others:
        details["other_results"] = raw.others
    distributions = {c.column: c.distributions for c in raw.columns if c.distributions}
    if distributions:
        details["distributions"] = distributions
    return DriftResult(
        label=label, timestamp=raw.timestamp,
        drift=DatasetDrift(columns=columns, share_drifted=share, threshold=threshold,
                           drifted=drifted),
        source_kind=SOURCE_EVIDENTLY, source_sha256={"report": sha256},
        source_paths={"report": str(path)}, details=details,
    )


def _skip_reason(raw: RawReport) -> str:
    if raw.tests:
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(raw.tests.items()))
        return f"no drift metrics (test results: {statuses})"
    return "no drift metrics"


def _sort_key(result: DriftResult) -> tuple[bool, datetime | str, str]:
    moment = result.moment
    return (moment is None, moment.isoformat() if moment else "", str(result.details["file"]))


@importer(KIND, "Evidently drift report or snapshot JSON (one file or a folder; needs --model)",
          detect, near_miss=near_miss)
def read_evidently(path: Path, ctx: ImportContext) -> DriftSnapshot:
    """Read every Evidently drift result under ``path`` (all-or-nothing).

    Raises:
        InputError: no ``--model``; a file that does not parse (names the line); a drift
            result missing a field (names it); nothing under the path holds drift results.
    """
    model = parse_model_ref(path, ctx.options.model)
    folder = path if path.is_dir() else None
    files = _json_files(path) if folder else [path]
    if len(files) > MAX_FOLDER_FILES:
        raise InputError(path, f"holds more than {MAX_FOLDER_FILES} JSON files",
                         expected="one Evidently project's exports")
    results: list[DriftResult] = []
    skipped: list[str] = []
    for done, file in enumerate(files):
        ctx.check_cancelled()
        ctx.report(done, len(files), f"reading {file.name}")
        relative = file.relative_to(folder).as_posix() if folder else file.name
        doc = load_text(file, read_text(file, root=folder))
        if shape_of(doc) is None:
            if folder is None:
                parse_document(file, doc)  # raises: names what was expected
            skipped.append(f"{relative}: not an Evidently report")
            continue
        raw = parse_document(file, doc)
        if not raw.columns:
            skipped.append(f"{relative}: {_skip_reason(raw)}")
            continue
        sha = sha256_of_path(ensure_within(folder, file) if folder else file)
        results.append(_result(raw, file.stem, relative, sha, file))
    if not results:
        raise InputError(path, "holds no Evidently drift results"
                         + (f" ({'; '.join(skipped[:3])})" if skipped else ""),
                         expected="a report with DataDriftTable, ColumnDriftMetric or ValueDrift")
    ctx.report(len(files), len(files), f"read {len(results)} drift results")
    return DriftSnapshot(kind=KIND, source=str(path), source_sha256=sha256_of_path(path),
                         model=model, results=tuple(sorted(results, key=_sort_key)),
                         skipped=tuple(skipped))
