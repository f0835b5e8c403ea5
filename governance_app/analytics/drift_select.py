"""Which drift method and threshold for each column, and the dataset verdict.

The defaults follow Evidently's ``get_default_stattest`` so our verdicts and Evidently's agree
column for column (``n_unique`` counts distinct non-null values of reference and current):

=========================  ===================================  ===========================
reference rows             numerical                            categorical
=========================  ===================================  ===========================
<= 1000                    ``ks`` (n_unique > 5), else          ``chisquare`` (n_unique > 2),
                           ``chisquare`` (> 2) or ``z``          else ``z``
> 1000                     ``wasserstein`` (n_unique > 5),      ``jensenshannon``
                           else ``jensenshannon``
=========================  ===================================  ===========================

Thresholds are each method's Evidently default (0.05 for p-values, 0.1 for distances) unless a
:class:`DriftPolicy` overrides them, globally or per feature (the policy files of issue 7 pass
such a mapping). The dataset drifts when the share of drifted columns is at least the policy's
``drift_share`` (0.5, as Evidently).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from governance_app.analytics.drift_columns import (
    ColumnReference,
    compare_column,
    prepare_column,
)
from governance_app.domain.drift import (
    DEFAULT_DRIFT_SHARE,
    DEFAULT_THRESHOLDS,
    METHODS,
    ColumnDrift,
    ColumnType,
    DatasetDrift,
)
from governance_app.errors import ImportCancelled, InputError

if TYPE_CHECKING:  # tables read without pandas (engines.parquet_columns) are compared too
    import pandas as pd

Progress = Callable[[int, int, str], None]
IsCancelled = Callable[[], bool]
NUMERIC_ONLY = frozenset({"ks", "wasserstein"})


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """A per-feature override: a method, a threshold, or both (``None`` keeps the default)."""

    method: str | None = None
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class DriftPolicy:
    """How drift is judged: overrides, the dataset share and the binning of PSI/JS.

    Attributes:
        method: one method for every column (``None``: Evidently's default per column).
        threshold: one threshold for every column (``None``: the method's default).
        per_column: per-feature overrides; they win over ``method``/``threshold``.
        drift_share: share of drifted columns at which the dataset drifts.
        binning: ``"quantile"`` (reference deciles, our default) or ``"evidently"`` (Sturges
            bins over both samples, as Evidently bins numeric columns for PSI/JS).
        n_bins: quantile bins for ``binning="quantile"``.
        all_statistics: also compute every other applicable statistic into ``details``.
        source: where the policy came from (a policy file), for error messages.
    """

    method: str | None = None
    threshold: float | None = None
    per_column: Mapping[str, ColumnRule] = field(default_factory=dict)
    drift_share: float = DEFAULT_DRIFT_SHARE
    binning: str = "quantile"
    n_bins: int = 10
    all_statistics: bool = False
    source: str = "policy"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "policy") -> DriftPolicy:
        """Build a policy from plain data (a parsed policy file section).

        ``{"method": ..., "threshold": ..., "drift_share": ..., "columns": {name: {"method":
        ..., "threshold": ...}}}``; every key is optional.

        Raises:
            InputError: an unknown method, a threshold or share that is not a number.
        """
        columns = data.get("columns") or {}
        if not isinstance(columns, Mapping):
            raise InputError(source, "columns must be a mapping", location="columns",
                             expected="{column: {method, threshold}}")
        rules = {}
        for name, rule in columns.items():
            if not isinstance(rule, Mapping):
                raise InputError(source, "a column rule must be a mapping",
                                 location=f"columns.{name}", expected="{method, threshold}")
            rules[str(name)] = ColumnRule(
                _method(rule.get("method"), source, f"columns.{name}.method"),
                _number(rule.get("threshold"), source, f"columns.{name}.threshold"),
            )
        share = _number(data.get("drift_share"), source, "drift_share")
        return cls(
            method=_method(data.get("method"), source, "method"),
            threshold=_number(data.get("threshold"), source, "threshold"),
            per_column=rules,
            drift_share=DEFAULT_DRIFT_SHARE if share is None else share,
            source=str(source),
        )


def _method(value: Any, source: str, location: str) -> str | None:
    if value is None or value in METHODS:
        return value
    raise InputError(source, f"unknown drift method {value!r}", location=location,
                     expected="one of " + ", ".join(METHODS))


def _number(value: Any, source: str, location: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(source, f"{value!r} is not a number", location=location,
                         expected="a number")
    return float(value)


def default_method(column_type: ColumnType, n_ref: int, n_unique: int) -> str:
    """Evidently's default stattest for a column (see the module table)."""
    if n_ref <= 1000:
        if column_type is ColumnType.NUMERICAL and n_unique > 5:
            return "ks"
        return "chisquare" if n_unique > 2 else "z"
    if column_type is ColumnType.NUMERICAL and n_unique > 5:
        return "wasserstein"
    return "jensenshannon"


def choose(
    policy: DriftPolicy, column: str, column_type: ColumnType, n_ref: int, n_unique: int
) -> tuple[str, float]:
    """The method and threshold for one column under a policy.

    Raises:
        InputError: the chosen method cannot be applied to a categorical column.
    """
    rule = policy.per_column.get(column, ColumnRule())
    method = rule.method or policy.method or default_method(column_type, n_ref, n_unique)
    if column_type is ColumnType.CATEGORICAL and method in NUMERIC_ONLY:
        raise InputError(policy.source, f"{method} needs numbers but {column!r} is categorical",
                         location=f"drift.columns.{column}.method" if rule.method
                         else "drift.method",
                         expected="psi, jensenshannon, chisquare or z")
    threshold = rule.threshold if rule.threshold is not None else policy.threshold
    return method, DEFAULT_THRESHOLDS[method] if threshold is None else threshold


def dataset_drift(columns: Sequence[ColumnDrift], drift_share: float) -> DatasetDrift:
    """The dataset verdict: share of drifted columns (among defined ones) >= ``drift_share``."""
    defined = [c for c in columns if c.defined]
    share = sum(c.drifted for c in defined) / len(defined) if defined else 0.0
    return DatasetDrift(tuple(columns), share, drift_share, bool(defined) and share >= drift_share)


def check_policy_columns(policy: DriftPolicy, names: Sequence[str]) -> None:
    """A per-feature rule must name a compared column: a typo would otherwise be ignored.

    Raises:
        InputError: a rule names a column that is not compared (policy file and field).
    """
    unknown = [c for c in policy.per_column if c not in names]
    if unknown:
        raise InputError(policy.source, f"no column {unknown[0]!r} in the data compared",
                         location=f"drift.columns.{unknown[0]}",
                         expected=f"one of {list(names)}")


def check_schemas(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str] | None,
    sources: tuple[str, str] = ("reference", "current"),
) -> list[str]:
    """The columns to compare, after checking both tables have them.

    Raises:
        InputError: a requested column is missing from either table, or the tables share none.
    """
    if columns is None:
        wanted = [c for c in reference.columns if c in current.columns]
        extra = [c for c in current.columns if c not in reference.columns]
        missing = [c for c in reference.columns if c not in current.columns]
        if not wanted or missing or extra:
            raise InputError(sources[1], "the current table's columns differ from the reference's",
                             location="header",
                             expected=f"columns {list(reference.columns)}"
                             f" (missing {missing}, unexpected {extra})")
        return [str(c) for c in wanted]
    for name, table, src in ((c, t, s) for c in columns
                             for t, s in ((reference, sources[0]), (current, sources[1]))):
        if name not in table.columns:
            raise InputError(src, f"no column {name!r}", location="header",
                             expected=f"one of {list(table.columns)}")
    return list(columns)


def prepare_reference(
    reference: pd.DataFrame,
    columns: Sequence[str],
    policy: DriftPolicy,
    source: str = "reference",
    workers: int = 1,
) -> dict[str, ColumnReference]:
    """Sort/count every reference column once, for comparison with many current samples.

    Raises:
        InputError: a reference column with no non-null value.
    """
    def one(name: str) -> ColumnReference:
        return prepare_column(reference[name], name, policy.n_bins, source)

    if workers > 1 and len(columns) > 1:  # np.sort releases the GIL: columns sort in parallel
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip(columns, pool.map(one, columns), strict=True))
    return {name: one(name) for name in columns}


def compare_prepared(
    prepared: Mapping[str, ColumnReference],
    current: pd.DataFrame | Mapping[str, Any],
    policy: DriftPolicy,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> DatasetDrift:
    """Compare a current table with a prepared reference, column by column.

    ``current`` is a DataFrame or a mapping of column name to values (a Series, a numpy
    array, a ``pd.Categorical``).

    Raises:
        ImportCancelled: ``is_cancelled()`` turned true between columns.
        InputError: a policy method that does not fit a column.
    """
    names = list(prepared)

    def one(name: str) -> ColumnDrift:
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled("drift computation cancelled")
        return compare_column(prepared[name], current[name], policy, choose)

    results: list[ColumnDrift] = []
    if workers > 1 and len(names) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done, result in enumerate(pool.map(one, names), start=1):
                results.append(result)
                if progress is not None:
                    progress(done, len(names), result.column)
    else:
        for done, name in enumerate(names, start=1):
            results.append(one(name))
            if progress is not None:
                progress(done, len(names), name)
    return dataset_drift(results, policy.drift_share)


def compare_tables(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    policy: DriftPolicy | None = None,
    *,
    columns: Sequence[str] | None = None,
    sources: tuple[str, str] = ("reference", "current"),
    workers: int | None = None,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> DatasetDrift:
    """Drift of every (or the named) column of ``current`` against ``reference``.

    Args:
        reference: the table the model was trained/validated on.
        current: the table to judge.
        policy: methods, thresholds and overrides; Evidently's defaults when ``None``.
        columns: the columns to compare; all shared columns when ``None``.
        sources: names of the two inputs, for error messages.
        workers: threads over columns (numpy releases the GIL in sort and search); one per
            CPU by default.
        progress: ``progress(done, total, column)`` after each column.
        is_cancelled: polled between columns.

    Raises:
        InputError: mismatched schemas, a missing column, an all-null reference column.
        ImportCancelled: cancelled.
    """
    policy = policy or DriftPolicy()
    names = check_schemas(reference, current, columns, sources)
    check_policy_columns(policy, names)
    threads = workers or min(os.cpu_count() or 1, 2)
    prepared = prepare_reference(reference, names, policy, sources[0], threads)
    return compare_prepared(prepared, current, policy, workers=threads,
                            progress=progress, is_cancelled=is_cancelled)
