"""Fairness use cases: analyse a prediction table, attach the results to a model version, read
them back, and hand one number to a gate.

Everything is computed from the table once: group metrics and disparities for each sensitive
attribute and every intersection, seeded bootstrap intervals, parity verdicts against the
reference group, and (when feature columns are named) the slice finder's top slices. The
workspace keeps those results with the file's digest, schema and row count, never the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.analytics.fairness_counts import (
    GroupCounts,
    ScoreHistogram,
    binary_outcomes,
    encode_groups,
    group_counts,
    score_histogram,
)
from governance_app.analytics.fairness_metrics import reports_from_counts
from governance_app.analytics.fairness_uncertainty import bootstrap, parity_test
from governance_app.domain.fairness import GroupKey, SliceReport
from governance_app.domain.fairness_evidence import (
    AttributeAnalysis,
    FairnessAnalysis,
    StoredFairnessResult,
    attribute_key,
)
from governance_app.engines.base import (
    DEFAULT_SPARK_MASTER,
    EngineCancelled,
    FairnessSpec,
    open_engine,
    pick_engine,
)
from governance_app.engines.source import TableSource, digest_of, resolve_source
from governance_app.errors import GovernanceError, InputError, NotFoundError
from governance_app.importers import prediction_table
from governance_app.importers.prediction_table import (
    PredictionSettings,
    PredictionTableSnapshot,
    check_columns,
    parse_settings,
    read_table,
    table_schema,
)
from governance_app.importers.safe_io import sha256_of_path

if TYPE_CHECKING:  # the store (SQLAlchemy) loads with the first stored read or write:
    # `governance-app fairness TABLE` computes from a file and never opens a workspace.
    from sqlalchemy.orm import Session

    from governance_app.analytics.roc_auc_ranks import RankSums
    from governance_app.services.workspace import Workspace

ProgressFn = Callable[[int, int, str], None]
SLICE_BINS = 5
"""Quantile bins per numeric slice column (the slice finder's default)."""
Tick = Callable[[int, int, str], None]


class FairnessCancelled(GovernanceError):
    """``is_cancelled()`` became true during an analysis; nothing was returned or stored."""


class MetricUndefined(GovernanceError):
    """The metric exists but has no value for this data (the reason is in the message)."""


def _no_progress(done: int, total: int, message: str) -> None:
    """Ignore progress."""


def _references(attributes: Sequence[str],
                reference: str | None) -> dict[tuple[str, ...], GroupKey] | None:
    """``"v1|v2"`` (one value per attribute) -> the reference of every attribute subset."""
    if reference is None:
        return None
    parts = tuple(reference.split("|")) if len(attributes) > 1 else (reference,)
    if len(parts) != len(attributes):
        raise InputError("--reference", f"{reference!r} names {len(parts)} value(s)",
                         expected=f"one value per sensitive attribute, joined by '|' "
                         f"({'|'.join(attributes)})")
    return {tuple(attributes[i] for i in subset): tuple(parts[i] for i in subset)
            for k in range(1, len(attributes) + 1)
            for subset in combinations(range(len(attributes)), k)}


def analyse_frame(
    frame: Any,
    settings: PredictionSettings,
    *,
    source: str,
    source_sha256: str,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> FairnessAnalysis:
    """Every fairness result for a validated table (a pandas DataFrame) under ``settings``.

    Raises:
        InputError: bad data (non-binary labels, NaN, unknown reference group, ...), naming
            the file, column and first offending row.
        FairnessCancelled: ``is_cancelled()`` became true.
    """
    report = progress or _no_progress
    cancelled = is_cancelled or (lambda: False)
    check_columns(source, frame, settings)
    attrs = list(settings.sensitive)
    subsets = (2 ** len(attrs) - 1)
    total = 2 + subsets + (1 if settings.features else 0)

    def step(done: int, message: str) -> None:
        if cancelled():
            raise FairnessCancelled("fairness analysis cancelled; nothing was stored")
        report(done, total, message)

    step(0, "counting confusion cells per group")
    outcomes = binary_outcomes(frame, label=settings.label, prediction=settings.prediction,
                               score=settings.score, threshold=settings.threshold, source=source)
    codes = encode_groups(frame, attrs, bins=settings.bins or None, source=source)
    counts = group_counts(codes, outcomes)
    hist = score_histogram(codes, outcomes) if outcomes.score is not None else None
    analyses = _analyses(counts, hist, settings, step)
    slices = None
    if settings.features:
        from governance_app.analytics.slice_finder import SliceSearchCancelled, find_slices

        step(total - 1, "searching for weak slices")
        try:
            slices = find_slices(
                frame, label=settings.label, prediction=settings.prediction, score=settings.score,
                threshold=settings.threshold, columns=list(dict.fromkeys([*attrs,
                                                                          *settings.features])),
                metric=settings.slice_metric, top_k=settings.top_k, is_cancelled=cancelled,
                source=source)
        except SliceSearchCancelled as exc:
            raise FairnessCancelled("fairness analysis cancelled; nothing was stored") from exc
    report(total, total, "fairness analysis complete")
    return FairnessAnalysis(source, source_sha256, len(frame), table_schema(frame),
                            settings.as_dict(), analyses, slices,
                            computation={"engine": "memory", "version": _numpy_version()})


def _numpy_version() -> str:
    import numpy

    return f"numpy {numpy.__version__}"


def _analyses(counts: GroupCounts, hist: ScoreHistogram | None, settings: PredictionSettings,
              step: Callable[[int, str], None],
              rank_sums: Mapping[tuple[str, ...], RankSums] | None = None,
              ) -> dict[tuple[str, ...], AttributeAnalysis]:
    """Reports, bootstrap intervals and parity verdicts from the counts: the one path from
    sufficient statistics to stored results, whichever engine counted."""
    reports = reports_from_counts(
        counts, hist, reference=_references(list(settings.sensitive), settings.reference),
        min_group_size=settings.min_group_size,
        convention=settings.convention, rank_sums=rank_sums)  # type: ignore[arg-type]
    analyses: dict[tuple[str, ...], AttributeAnalysis] = {}
    for done, (names, fairness) in enumerate(reports.items(), start=1):
        step(done, f"bootstrap and parity for {' × '.join(names)}")
        boot = None
        if settings.bootstrap > 0:
            boot = bootstrap(counts.marginal(names), n_resamples=settings.bootstrap,
                             seed=settings.seed, min_group_size=settings.min_group_size,
                             convention=settings.convention)  # type: ignore[arg-type]
        analyses[names] = AttributeAnalysis(names, fairness, boot,
                                            parity_test(fairness, tau=settings.tau))
    return analyses


def analyse_source(
    source: TableSource,
    settings: PredictionSettings,
    engine_name: str,
    *,
    spark_master: str = DEFAULT_SPARK_MASTER,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    file_sha256: str | None = None,
) -> FairnessAnalysis:
    """Every fairness result for a table counted by DuckDB or Spark where the rows are.

    The engine returns one count table; validation, metrics, bootstrap and parity run on it
    exactly as on counts made in memory. The result records the engine, its version, the
    source's fingerprint and the counts themselves. ``file_sha256`` is the file's digest when
    the caller has just taken it (see :meth:`~.TableSource.fingerprint`).

    Raises:
        InputError: bad data or settings, or slice search asked of an engine (it runs in
            memory only).
        EngineUnavailable: the engine cannot run here.
        FairnessCancelled: ``is_cancelled()`` became true.
    """
    report = progress or _no_progress
    cancelled = is_cancelled or (lambda: False)
    total = 2 + (2 ** len(settings.sensitive) - 1) + (1 if settings.features else 0)

    def step(done: int, message: str) -> None:
        if cancelled():
            raise FairnessCancelled("fairness analysis cancelled; nothing was stored")
        report(done, total, message)

    spec = FairnessSpec(settings.sensitive, settings.label, settings.prediction, settings.score,
                        settings.threshold)
    engine = open_engine(engine_name, spark_master=spark_master, is_cancelled=cancelled,
                         progress=lambda share, _all, what: report(0, total,
                                                                   f"{what} ({share}%)"))
    try:
        step(0, f"counting rows with {engine_name}")
        try:
            frame, decimals = engine.fairness_counts(source, spec, None)
        except EngineCancelled as exc:
            raise FairnessCancelled("fairness analysis cancelled; nothing was stored") from exc
        unbinned = [a for a in settings.bins if a not in settings.sensitive]
        if unbinned:
            raise InputError("--bins", f"bins for {unbinned}, which are not sensitive attributes",
                             expected=f"bins for some of {list(settings.sensitive)}")
        from governance_app.analytics.sufficient_stats import from_count_frame

        counted = from_count_frame(frame, attributes=settings.sensitive, label=settings.label,
                                   prediction=settings.prediction, score=settings.score,
                                   bins=settings.bins or None, score_decimals=decimals,
                                   source=source.text)
        if settings.score is not None:  # exact ROC AUC from rank sums, however many scores
            from governance_app.engines.ranking import exact_auc  # with the engine's frames

            try:
                counted = exact_auc(engine, source, spec, counted, settings.bins)
            except EngineCancelled as exc:
                raise FairnessCancelled("fairness analysis cancelled; nothing was stored") from exc
        schema = engine.schema(source)
        fingerprint = (engine.fingerprint(source) if hasattr(engine, "fingerprint")
                       else source.fingerprint(file_sha256=file_sha256))
        computation = {"engine": engine_name, "version": engine.version(),
                       "source": fingerprint, "statistics": counted.record()}
        slices = None
        if settings.features:
            step(total - 1, "searching for weak slices")
            slices = _engine_slices(engine, source, spec, settings, cancelled)
    finally:
        engine.close()
    analyses = _analyses(counted.counts, counted.scores, settings, step, counted.rank_sums)
    report(total, total, "fairness analysis complete")
    return FairnessAnalysis(source.text, digest_of(fingerprint), counted.rows, schema,
                            settings.as_dict(), analyses, slices, computation=computation)


def _engine_slices(engine: Any, source: TableSource, spec: FairnessSpec,
                   settings: PredictionSettings, cancelled: Callable[[], bool]) -> SliceReport:
    """The slice search of an analysis, from the engine's counts per feature bin."""
    columns = list(dict.fromkeys([*settings.sensitive, *settings.features]))
    return _slices_by_engine(engine, source, spec, columns, settings.slice_metric,
                             settings.top_k, cancelled=cancelled)


def _slices_by_engine(engine: Any, source: TableSource, spec: FairnessSpec,
                      columns: Sequence[str], metric: str, top_k: int, *,
                      max_conditions: int = 3, min_size: int = 50,
                      progress: ProgressFn | None = None,
                      cancelled: Callable[[], bool] | None = None) -> SliceReport:
    from governance_app.analytics.slice_counts import slices_from_counts
    from governance_app.analytics.slice_finder import SliceSearchCancelled

    try:
        frame, edges = engine.slice_counts(source, spec, columns, SLICE_BINS)
        return slices_from_counts(frame, columns=columns, edges=edges, label=spec.label,
                                  prediction=spec.prediction, metric=metric,
                                  max_conditions=max_conditions, min_size=min_size,
                                  top_k=top_k, progress=progress, is_cancelled=cancelled,
                                  source=source.text)
    except (SliceSearchCancelled, EngineCancelled) as exc:
        raise FairnessCancelled("fairness analysis cancelled; nothing was stored") from exc


def analyse_file(
    path: Path | str | None,
    *,
    label: str,
    sensitive: str | Sequence[str],
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    reference: str | None = None,
    bootstrap: int = prediction_table.DEFAULT_BOOTSTRAP,
    seed: int = prediction_table.DEFAULT_SEED,
    min_group_size: int = prediction_table.DEFAULT_MIN_GROUP_SIZE,
    convention: str = "strict",
    bins: Mapping[str, Sequence[float]] | None = None,
    features: Sequence[str] | None = None,
    tau: float = prediction_table.DEFAULT_TAU,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    engine: str = "auto",
    spark_master: str = DEFAULT_SPARK_MASTER,
    table: str | None = None,
) -> FairnessAnalysis:
    """Analyse a CSV or Parquet prediction table without a workspace (``governance-app
    fairness TABLE``, the Fairness view's "analyse a file").

    ``reference`` is one group value, or one value per attribute joined by ``|``; default the
    largest group. Use ``.analysis("sex").report`` for one attribute's :class:`FairnessReport`.

    Raises:
        InputError: unreadable file, missing columns, bad data or settings (named precisely).
        FairnessCancelled: ``is_cancelled()`` became true.
    """
    settings = parse_settings({
        "label": label, "sensitive": list(attribute_key(sensitive)), "prediction": prediction,
        "score": score, "threshold": threshold, "reference": reference, "bootstrap": bootstrap,
        "seed": seed, "min_group_size": min_group_size, "convention": convention,
        "bins": dict(bins or {}), "features": list(features or []), "tau": tau})
    source = resolve_source(None if table else path, table=table)
    chosen = pick_engine(engine, [source])
    if chosen != "memory":
        return analyse_source(source, settings, chosen, spark_master=spark_master,
                              progress=progress, is_cancelled=is_cancelled)
    path = Path(path)
    columns = _read_columns(path, settings)
    if columns is not None:
        analysis = analyse_columns(columns, settings, source=str(path),
                                   source_sha256=sha256_of_path(path), progress=progress,
                                   is_cancelled=is_cancelled)
        if analysis is not None:
            return analysis
    frame = read_table(path)
    return analyse_frame(frame, settings, source=str(path), source_sha256=sha256_of_path(path),
                         progress=progress, is_cancelled=is_cancelled)


def _read_columns(path: Path, settings: PredictionSettings) -> Any:
    """A Parquet table as numpy columns when the analysis can use them (no slice search, no
    declared bins: those read the table with pandas), else None."""
    if settings.features or settings.bins or path.suffix.lower() not in (".parquet", ".pq"):
        return None
    if not path.is_file():
        return None  # read_table names the problem
    from governance_app.engines.parquet_columns import read_parquet_columns
    from governance_app.importers.file_checks import require_table_size

    require_table_size(path)
    return read_parquet_columns(path)


def analyse_columns(
    table: Any,
    settings: PredictionSettings,
    *,
    source: str,
    source_sha256: str,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> FairnessAnalysis | None:
    """:func:`analyse_frame` on a table read without pandas
    (:class:`~governance_app.engines.parquet_columns.ColumnTable`), or ``None`` when its
    values need the DataFrame path: that path validates them and names what is wrong (a
    missing value, a label that is not 0/1, a text score, too many groups), so every error
    keeps its wording and a valid table gives the same numbers either way.

    Raises:
        InputError: a missing column or an empty table (as :func:`analyse_frame`).
        FairnessCancelled: ``is_cancelled()`` became true.
    """
    from governance_app.analytics.fairness_arrays import group_codes, outcomes

    check_columns(source, table, settings)
    found = outcomes(table, label=settings.label, prediction=settings.prediction,
                     score=settings.score, threshold=settings.threshold)
    codes = group_codes(table, list(settings.sensitive)) if found is not None else None
    if found is None or codes is None:
        return None
    report = progress or _no_progress
    cancelled = is_cancelled or (lambda: False)
    total = 2 + (2 ** len(settings.sensitive) - 1)

    def step(done: int, message: str) -> None:
        if cancelled():
            raise FairnessCancelled("fairness analysis cancelled; nothing was stored")
        report(done, total, message)

    step(0, "counting confusion cells per group")
    counts = group_counts(codes, found)
    hist = score_histogram(codes, found) if found.score is not None else None
    analyses = _analyses(counts, hist, settings, step)
    report(total, total, "fairness analysis complete")
    return FairnessAnalysis(source, source_sha256, len(table), dict(table.dtypes),
                            settings.as_dict(), analyses, None,
                            computation={"engine": "memory", "version": _numpy_version()})


def find_slices_in_file(
    path: Path | str,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    columns: Sequence[str] | None = None,
    metric: str = "error_rate",
    max_conditions: int = 3,
    top_k: int = 10,
    min_size: int = 50,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    engine: str = "auto",
    spark_master: str = DEFAULT_SPARK_MASTER,
) -> SliceReport:
    """The slices of a prediction table where ``metric`` is significantly worst.

    With ``engine`` ``duckdb`` (or ``auto`` on a large file, folder or glob) the rows are
    counted per feature bin by DuckDB and only the counts are searched.

    Raises:
        InputError: unreadable file, bad data, unknown columns or metric.
        FairnessCancelled: ``is_cancelled()`` became true.
    """
    source = resolve_source(path)
    chosen = pick_engine(engine, [source])
    if chosen != "memory":
        if columns is None:
            raise InputError("--columns", "an engine needs the slice columns named",
                             expected="--columns COL,COL,...")
        spec = FairnessSpec((), label, prediction, score, threshold)
        runner = open_engine(chosen, spark_master=spark_master, is_cancelled=is_cancelled)
        try:
            return _slices_by_engine(runner, source, spec, columns, metric, top_k,
                                     max_conditions=max_conditions, min_size=min_size,
                                     progress=progress, cancelled=is_cancelled)
        finally:
            runner.close()
    from governance_app.analytics.slice_finder import SliceSearchCancelled, find_slices

    path = Path(path)
    frame = read_table(path)
    try:
        return find_slices(frame, label=label, prediction=prediction, score=score,
                           threshold=threshold, columns=columns, metric=metric,
                           max_conditions=max_conditions, top_k=top_k, min_size=min_size,
                           progress=progress, is_cancelled=is_cancelled, source=str(path))
    except SliceSearchCancelled as exc:
        raise FairnessCancelled("slice search cancelled") from exc


def store_prediction_table(session: Session, snapshot: PredictionTableSnapshot, import_id: int,
                           tick: Tick) -> dict[str, int]:
    """The import service's writer for prediction tables: analyse, then store the results.

    The model version is looked up first and an identical earlier import (same file digest and
    settings) is recognised before any computing, so a re-import costs a digest and a query.

    Raises:
        NotFoundError: the model version is not in the workspace.
        InputError: bad data in the table.
        ImportCancelled: raised by ``tick`` when the user cancels.
    """
    from governance_app.store.fairness_writer import has_result, save_analysis, settings_digest
    from governance_app.store.registry_reader import version_pk

    pk = version_pk(session, snapshot.model, snapshot.version)
    if has_result(session, pk, snapshot.source_sha256,
                  settings_digest(snapshot.settings.as_dict())):
        return {}
    if snapshot.frame is None:  # an engine counts the rows where they are
        source = resolve_source(snapshot.source)
        chosen = pick_engine(snapshot.engine, [source])
        if chosen == "memory":
            analysis = analyse_frame(read_table(Path(snapshot.source)), snapshot.settings,
                                     source=snapshot.source,
                                     source_sha256=snapshot.source_sha256, progress=tick)
        else:
            analysis = analyse_source(source, snapshot.settings, chosen, progress=tick,
                                      file_sha256=snapshot.source_sha256)
        snapshot.counted["rows"] = analysis.row_count
    else:
        analysis = analyse_frame(snapshot.frame, snapshot.settings, source=snapshot.source,
                                 source_sha256=snapshot.source_sha256, progress=tick)
    return save_analysis(session, pk, analysis, import_id)


def fairness_results(ws: Workspace, name: str, version: int) -> list[StoredFairnessResult]:
    """Every fairness result attached to ``name:version``, oldest first.

    Raises:
        NotFoundError: no such model version.
    """
    from governance_app.store import fairness_reader

    with ws.session() as session:
        return fairness_reader.results_for_version(session, name, version)


def latest_fairness(ws: Workspace, name: str, version: int,
                    sensitive: str | Sequence[str] | None = None) -> StoredFairnessResult:
    """The newest fairness result of a version (that analysed ``sensitive``, when given).

    Raises:
        NotFoundError: no such version, or no result (for that attribute) attached to it.
    """
    results = fairness_results(ws, name, version)
    key = attribute_key(sensitive) if sensitive is not None else None
    for result in reversed(results):
        if key is None or _has(result, key):
            return result
    what = f" for sensitive attribute(s) {','.join(key)}" if key else ""
    raise NotFoundError(f"no fairness results{what} attached to {name}:{version}; import a "
                        "prediction table with --model first")


def _has(result: StoredFairnessResult, key: tuple[str, ...]) -> bool:
    try:
        result.analysis.analysis(key)
    except KeyError:
        return False
    return True


def metric_value(result: StoredFairnessResult | FairnessAnalysis, metric_name: str,
                 sensitive: str | Sequence[str]) -> float:
    """One number for a gate: a named disparity (``equalized_odds_difference``,
    ``demographic_parity_ratio``, ``<metric>_difference`` / ``_ratio``) or an overall metric
    (``accuracy_score``, ``roc_auc_score``) of the analysis of ``sensitive``.

    Raises:
        NotFoundError: the attribute (set) was not analysed, or no metric has that name.
        MetricUndefined: the metric has no value on this data; the message says why.
    """
    analysis = result.analysis if isinstance(result, StoredFairnessResult) else result
    try:
        fairness = analysis.analysis(sensitive).report
    except KeyError as exc:
        raise NotFoundError(str(exc.args[0])) from None
    value = fairness.summary.get(metric_name) or fairness.overall.metrics.get(metric_name)
    if value is None:
        known = sorted([*fairness.summary, *fairness.overall.metrics])
        raise NotFoundError(f"no fairness metric {metric_name!r}; known: {', '.join(known)}")
    if value.value is None:
        raise MetricUndefined(f"{metric_name} for {','.join(fairness.attributes)} is undefined: "
                              f"{value.reason}")
    return value.value


DEMO_SETTINGS: dict[str, Any] = {
    "label": "label", "prediction": "prediction", "score": "score",
    "sensitive": ["sex", "age_group", "region"],
    "features": ["income_band", "employment", "tenure_years", "loan_amount"],
}
"""How the demo's prediction tables (``resources/demo/fairness/``) are imported."""
