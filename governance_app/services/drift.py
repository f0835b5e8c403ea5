"""Drift use cases: the stored history of a version, drift computed from tables, the latest result.

The front ends call only these. Stored results come from two sources that sit side by side in
one history: Evidently exports (imported through ``services.importing``) and drift we compute
from reference and current tables (:mod:`governance_app.analytics`), which record their
sources' SHA-256 and paths so a view can later show a cell's distributions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.domain.drift import DatasetDrift, DriftHistory, DriftWindow
from governance_app.domain.drift_records import (
    SOURCE_COMPUTED,
    DriftResult,
    DriftSnapshot,
    StoredDatasetDrift,
)
from governance_app.errors import InputError
from governance_app.importers import evidently  # noqa: F401  registers the Evidently importer
from governance_app.importers.safe_io import sha256_of_path

if TYPE_CHECKING:  # the workspace and the store (SQLAlchemy) load with the first stored read:
    # `governance-app drift` compares two files and never opens a workspace.
    from governance_app.services.workspace import Workspace

STORE_NAMES = ("save_drift", "save_results", "split_model_ref")
"""Also importable from here (``services.importing`` stores Evidently imports with it)."""


def __getattr__(name: str) -> Any:
    """``save_drift`` and its kin, re-exported from the store when first asked for."""
    if name in STORE_NAMES:
        from governance_app.store import drift_writer

        return getattr(drift_writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["DriftSnapshot", "drift_results", "drift_history", "latest_drift",
           "compute_drift",
           "compute_history", "store_results", "read_table", "load_policy"]

ProgressFn = Callable[[int, int, str], None]
DRIFT_SECTION_KEYS = frozenset({"method", "threshold", "drift_share", "columns"})


def _resolve_version(ws: Workspace, name: str, version: int | None) -> int:
    if version is not None:
        return version
    from governance_app.services import models as model_service

    model = model_service.get_model(ws, name)
    if model.latest_version is None:
        raise InputError(name, "has no versions", expected="a model with at least one version")
    return model.latest_version.version


def drift_results(ws: Workspace, name: str, version: int | None = None) -> list[DriftResult]:
    """Every stored result of ``name`` (its latest version unless ``version``), oldest first,
    imported and computed together.

    Raises:
        NotFoundError: no such model or version.
    """
    from governance_app.store import drift_reader

    version = _resolve_version(ws, name, version)
    with ws.session() as session:
        return [result for _digest, result in
                drift_reader.results_for_version(session, name, version)]


def drift_history(ws: Workspace, name: str, version: int | None = None) -> DriftHistory:
    """The stored results of a version as a :class:`DriftHistory` ordered by time.

    A result without any time (Evidently's compact ``save_json`` form) cannot sit on a time
    axis and is left out here; :func:`drift_results` lists it.
    """
    results = [r for r in drift_results(ws, name, version) if r.moment is not None]
    windows = tuple(
        DriftWindow(start=r.moment, end=r.window_end or r.moment,  # type: ignore[arg-type]
                    drift=r.drift, n_rows=int(r.details.get("n_rows", 0)))
        for r in results
    )
    references = sorted({r.source_paths.get("reference", r.source_kind) for r in results})
    return DriftHistory(windows=windows, reference=", ".join(references),
                        time_column=next((str(r.details["time_column"]) for r in results
                                          if "time_column" in r.details), ""),
                        frequency=next((str(r.details["window"]) for r in results
                                        if "window" in r.details), ""),
                        n_ref_rows=int(next((r.details["n_ref_rows"] for r in results
                                             if "n_ref_rows" in r.details), 0)))


def latest_drift(ws: Workspace, name: str, version: int,
                 policy: Mapping[str, Any] | None = None, *,
                 computed: bool | None = None) -> StoredDatasetDrift | None:
    """The newest stored result of a version (``None`` when it has none), with its digest.

    Gate policies read ``share_of_drifted_columns`` from it. With ``policy`` (a gate policy's
    ``drift:`` section) every column is judged again by the policy's methods and thresholds
    and the share is recounted against its ``drift_share``
    (:func:`~governance_app.analytics.drift_rejudge.rejudge`); the digest stays the stored
    record's.

    ``computed`` picks among results the app computed (``True``) or imported ones, such
    as Evidently reports (``False``); ``None`` takes the newest of either.

    Raises:
        InputError: the policy names a column the result lacks, or a method whose score it
            does not hold.
    """
    from governance_app.store import drift_reader

    with ws.session() as session:
        pairs = drift_reader.results_for_version(session, name, version)
    if computed is not None:
        pairs = [(d, r) for d, r in pairs if (r.source_kind == SOURCE_COMPUTED) is computed]
    if not pairs:
        return None
    digest, result = pairs[-1]
    d = result.drift
    stored = StoredDatasetDrift(columns=d.columns, share_drifted=d.share_drifted,
                                threshold=d.threshold, drifted=d.drifted, digest=digest,
                                label=result.label, timestamp=result.moment,
                                source_kind=result.source_kind)
    if policy is None:
        return stored
    from governance_app.analytics.drift_rejudge import rejudge

    return rejudge(stored, _policy(policy), policy.get("drift_share"))


def store_results(ws: Workspace, model: str, results: Sequence[DriftResult]) -> dict[str, int]:
    """Store computed results under ``NAME:VERSION`` (a result already stored is skipped)."""
    from governance_app.store.drift_writer import save_results, split_model_ref

    name, version = split_model_ref(model)
    with ws.session() as session:
        return save_results(session, name, version, results)


# -- computing -----------------------------------------------------------------------------------


def read_table(path: Path) -> Any:
    """A CSV or Parquet table as a pandas DataFrame.

    Raises:
        InputError: missing file, unknown suffix, or a table that does not parse.
    """
    import pandas as pd

    from governance_app.importers.file_checks import require_table_size

    path = Path(path)
    if not path.exists():
        raise InputError(path, "does not exist", expected="a CSV or Parquet table")
    require_table_size(path)  # a FIFO, /dev/zero or a table larger than memory is refused
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt", ".gz"):
            return pd.read_csv(path)
    except (ValueError, OSError) as exc:
        raise InputError(path, f"cannot be read as a table: {exc}",
                         expected="a CSV or Parquet table") from exc
    raise InputError(path, f"has the unknown suffix {suffix!r}", expected=".csv or .parquet")


def read_tables(reference_path: Path, current_path: Path,
                columns: Sequence[str] | None = None) -> tuple[Any, Any]:
    """Both tables of a comparison: read straight into numpy when both are Parquet files of
    plain types whose compared columns have the same dtypes on both sides
    (:mod:`~governance_app.engines.parquet_columns`, no pandas started), else as DataFrames
    (:func:`read_table`). Either way the statistics are the same, to the last bit.

    Raises:
        InputError: see :func:`read_table`.
    """
    fast = [_read_columns(p) for p in (reference_path, current_path)]
    reference, current = fast
    if reference is not None and current is not None:
        shared = columns or [c for c in reference.columns if c in current.columns]
        if all(c in reference.dtypes and reference.dtypes[c] == current.dtypes.get(c)
               for c in shared):
            return reference, current
    return read_table(reference_path), read_table(current_path)


def _read_columns(path: Path) -> Any:
    """A Parquet table as numpy columns, or None (not Parquet, a type pandas must read)."""
    if path.suffix.lower() not in (".parquet", ".pq") or not path.is_file():
        return None
    from governance_app.engines.parquet_columns import read_parquet_columns
    from governance_app.importers.file_checks import require_table_size

    require_table_size(path)
    return read_parquet_columns(path)


def _computed(drift: DatasetDrift, label: str, sources: dict[str, Path],
              start: datetime | None = None, end: datetime | None = None,
              details: dict[str, Any] | None = None) -> DriftResult:
    return DriftResult(
        label=label, timestamp=start, drift=drift, source_kind=SOURCE_COMPUTED,
        source_sha256={role: sha256_of_path(p) for role, p in sources.items()},
        source_paths={role: str(Path(p).resolve()) for role, p in sources.items()},
        window_start=start, window_end=end, details=details or {},
    )


def _policy(overrides: Mapping[str, Any] | None, source: str = "policy") -> Any:
    """A :class:`DriftPolicy` from a policy file's ``drift:`` section (``{"method", "threshold",
    "drift_share", "columns": {...}}``), from bare per-feature overrides (``{"column":
    {"method": …, "threshold": …}}``), or as given."""
    from governance_app.analytics.drift_select import DriftPolicy

    if not overrides:
        return DriftPolicy(source=source)
    if isinstance(overrides, DriftPolicy):
        return overrides
    if not DRIFT_SECTION_KEYS.issuperset(overrides):
        overrides = {"columns": overrides}
    return DriftPolicy.from_mapping(overrides, source=source)


def load_policy(path: Path) -> tuple[Any, dict[str, str]]:
    """The drift rules of a gate policy file, and what to record about the file.

    The file is read and validated as a gate policy (:func:`read_policy`); its ``drift:``
    section, when it has one, sets methods, thresholds and the drift share (Evidently's
    defaults otherwise). The record names the policy, its digest and the file's SHA-256.

    Raises:
        InputError: the file is missing or not a valid policy.
    """
    from governance_app.governance.policy import read_policy

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "does not exist", expected="a gate policy YAML file")
    policy = read_policy(path)
    record = {"name": policy.name, "digest": policy.digest, "sha256": sha256_of_path(path)}
    return _policy(policy.drift, str(path)), record


def compute_drift(
    reference_path: Path,
    current_path: Path,
    columns: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    *,
    policy_path: Path | None = None,
    engine: str = "auto",
    spark_master: str | None = None,
    all_statistics: bool = False,
) -> DriftResult:
    """Drift of a current table against a reference table, every column or ``columns``.

    ``engine`` (``auto``, ``memory``, ``duckdb``, ``spark``) says where the rows are counted;
    with DuckDB or Spark either table may also be a folder or glob of Parquet files, and the
    result records the engine, its version, both sources' fingerprints and the counts.

    Args:
        overrides: a ``drift:`` section, per-feature ``{"method": …, "threshold": …}``, or a
            :class:`~governance_app.analytics.drift_select.DriftPolicy`.
        policy_path: a gate policy file whose ``drift:`` section judges the columns (instead
            of ``overrides``); the result records the policy's name and digest.
        all_statistics: also compute every statistic that applies to each column (into each
            column's ``details``); the verdicts stay those of the chosen methods.

    Raises:
        InputError: a table or the policy cannot be read, the two tables' schemas do not
            match, or a policy rule names a column that is not compared.
        ImportCancelled: ``is_cancelled()`` became true.
    """
    from governance_app.analytics.drift_select import compare_tables

    rules, details = _rules(overrides, policy_path)
    if all_statistics:
        from dataclasses import replace

        rules = replace(rules, all_statistics=True)
    from governance_app.engines.base import pick_engine
    from governance_app.engines.source import resolve_source

    sources = (resolve_source(reference_path), resolve_source(current_path))
    chosen = pick_engine(engine, sources)
    if chosen != "memory":
        return _drift_with_engine(chosen, sources, rules, columns, details, spark_master,
                                  progress, is_cancelled)
    reference, current = read_tables(Path(reference_path), Path(current_path), columns)
    drift = compare_tables(reference, current, rules, columns=columns,
                           sources=(str(reference_path), str(current_path)),
                           progress=progress, is_cancelled=is_cancelled)
    return _computed(drift, Path(current_path).stem,
                     {"reference": Path(reference_path), "current": Path(current_path)},
                     details={"n_ref_rows": len(reference), "n_rows": len(current)} | details)


def _drift_with_engine(name: str, sources: Any, rules: Any, columns: Sequence[str] | None,
                       details: dict[str, Any], spark_master: str | None,
                       progress: ProgressFn | None,
                       is_cancelled: Callable[[], bool] | None) -> DriftResult:
    """:func:`compute_drift` on DuckDB or Spark: counts in the engine, verdicts in analytics."""
    from governance_app.engines.base import DEFAULT_SPARK_MASTER, EngineCancelled, open_engine
    from governance_app.engines.drift_job import drift_with_engine
    from governance_app.errors import ImportCancelled

    reference, current = sources
    engine = open_engine(name, spark_master=spark_master or DEFAULT_SPARK_MASTER,
                         is_cancelled=is_cancelled)  # progress: per column, below
    try:
        drift, counts, n_ref, n_cur = drift_with_engine(
            engine, reference, current, rules, columns=columns, progress=progress,
            is_cancelled=is_cancelled)
        version = engine.version()
    except EngineCancelled as exc:
        raise ImportCancelled("drift computation cancelled") from exc
    finally:
        engine.close()
    computation = {"engine": name, "version": version,
                   "sources": {"reference": reference.fingerprint(),
                               "current": current.fingerprint()},
                   "statistics": counts}
    return DriftResult(
        label=Path(current.text).stem, timestamp=None, drift=drift, source_kind=SOURCE_COMPUTED,
        source_sha256={"reference": reference.digest(), "current": current.digest()},
        source_paths={role: s.files[0] if s.kind == "file" else s.text
                      for role, s in (("reference", reference), ("current", current))},
        details={"n_ref_rows": n_ref, "n_rows": n_cur, "computation": computation} | details,
    )


def _history_with_engine(name: str, sources: list[Any], time_column: str, window: str,
                         reference_window: tuple[str, str] | None, rules: Any,
                         columns: Sequence[str] | None, policy_details: dict[str, Any],
                         spark_master: str | None, progress: ProgressFn | None,
                         is_cancelled: Callable[[], bool] | None) -> list[DriftResult]:
    """:func:`compute_history` on DuckDB or Spark: one pass per column over the table."""
    from governance_app.analytics import drift_windows
    from governance_app.engines.base import DEFAULT_SPARK_MASTER, EngineCancelled, open_engine
    from governance_app.engines.history_job import history_with_engine
    from governance_app.errors import ImportCancelled

    table = sources[0]
    reference = sources[1] if len(sources) > 1 else None
    window_range = (drift_windows.parse_window("/".join(map(str, reference_window)))
                    if reference_window is not None else None)
    engine = open_engine(name, spark_master=spark_master or DEFAULT_SPARK_MASTER,
                         is_cancelled=is_cancelled)
    try:
        history, records = history_with_engine(
            engine, table, time_column, window, rules, reference=reference,
            reference_window=window_range, columns=columns, progress=progress,
            is_cancelled=is_cancelled)
        version = engine.version()
    except EngineCancelled as exc:
        raise ImportCancelled("drift history cancelled") from exc
    finally:
        engine.close()
    roles = [("current", table)] + ([("reference", reference)] if reference else [])
    fingerprints = {role: s.fingerprint() for role, s in roles}
    digests = {role: s.digest() for role, s in roles}
    paths = {role: s.files[0] if s.kind == "file" else s.text for role, s in roles}
    return [
        DriftResult(
            label=f"{w.start:%Y-%m-%d %H:%M}", timestamp=w.start, drift=w.drift,
            source_kind=SOURCE_COMPUTED, source_sha256=digests, source_paths=paths,
            window_start=w.start, window_end=w.end,
            details={"n_rows": w.n_rows, "n_ref_rows": history.n_ref_rows,
                     "time_column": time_column, "window": window,
                     "reference": history.reference,
                     "computation": {"engine": name, "version": version,
                                     "sources": fingerprints, "statistics": record}}
            | policy_details)
        for w, record in zip(history.windows, records, strict=True)
    ]


def _rules(overrides: Mapping[str, Any] | None,
           policy_path: Path | None) -> tuple[Any, dict[str, Any]]:
    if policy_path is None:
        return _policy(overrides), {}
    rules, record = load_policy(policy_path)
    return rules, {"policy": record}


def compute_history(
    table_path: Path,
    time_column: str,
    window: str,
    reference_path: Path | None = None,
    reference_window: tuple[str, str] | None = None,
    *,
    ws: Workspace | None = None,
    model: str | None = None,
    columns: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    policy_path: Path | None = None,
    engine: str = "auto",
    spark_master: str | None = None,
) -> list[DriftResult]:
    """Split a monitoring table into windows and compare each with a reference.

    ``engine`` ``duckdb`` (or ``auto`` on a folder, a glob or a file of 64 MiB or more) or
    ``spark`` counts every window in one pass per column where the rows are; each result then
    records the engine, its version, the sources' fingerprints and its window's counts.

    The reference is a table (``reference_path``) or a window of the same table
    (``reference_window=(start, end)``). With ``ws`` and ``model`` the results are stored under
    that version (all-or-nothing). With ``policy_path`` a gate policy file's ``drift:`` section
    judges every window (see :func:`compute_drift`).

    Raises:
        InputError: missing time column, bad window, mismatched schemas, both or neither
            reference given, an unreadable policy or a rule for a column not compared.
    """
    if (reference_path is None) == (reference_window is None):
        raise InputError(table_path, "needs one reference",
                         expected="--reference FILE or --reference-window START/END")
    from governance_app.analytics import drift_windows

    rules, policy_details = _rules(None, policy_path)
    from governance_app.engines.base import pick_engine
    from governance_app.engines.source import resolve_source

    sources_in = [resolve_source(table_path)]
    if reference_path is not None:
        sources_in.append(resolve_source(reference_path))
    chosen = pick_engine(engine, sources_in)
    if chosen != "memory":
        results = _history_with_engine(chosen, sources_in, time_column, window,
                                       reference_window, rules, columns, policy_details,
                                       spark_master, progress, is_cancelled)
        if model is not None:
            if ws is None:
                raise InputError("--model", "needs a workspace to store the history in")
            store_results(ws, model, results)
        return results
    table = read_table(table_path)
    reference = read_table(reference_path) if reference_path is not None else None
    window_range = (drift_windows.parse_window("/".join(map(str, reference_window)))
                    if reference_window is not None else None)
    history = drift_windows.drift_history(
        table, time_column, window, reference=reference, reference_window=window_range,
        policy=rules, columns=columns,
        sources=(str(table_path), str(reference_path or table_path)),
        progress=progress, is_cancelled=is_cancelled,
    )
    sources = {"current": Path(table_path)}
    if reference_path is not None:
        sources["reference"] = Path(reference_path)
    results = [
        _computed(w.drift, f"{w.start:%Y-%m-%d %H:%M}", sources, w.start, w.end,
                  {"n_rows": w.n_rows, "n_ref_rows": history.n_ref_rows,
                   "time_column": time_column, "window": window,
                   "reference": history.reference} | policy_details)
        for w in history.windows
    ]
    if model is not None:
        if ws is None:
            raise InputError("--model", "needs a workspace to store the history in")
        store_results(ws, model, results)
    return results
