"""One column, reference vs current: prepare the reference once, then judge any current sample.

This is where a column's type decides the path (numbers: sorted samples; anything else:
category counts), where nulls and unseen categories are counted into the result instead of being
dropped silently, and where a score that cannot be computed becomes an explicit ``reason``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from governance_app.analytics import drift_categories as cats
from governance_app.analytics import drift_stats as st
from governance_app.analytics.coded_column import CodedColumn
from governance_app.domain.drift import ColumnDrift, ColumnType
from governance_app.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from governance_app.analytics.drift_select import DriftPolicy

Chooser = Callable[["DriftPolicy", str, ColumnType, int, int], tuple[str, float]]
NUMERIC_ALL = ("psi", "ks", "wasserstein", "jensenshannon")


@dataclass(frozen=True, slots=True)
class ColumnReference:
    """A reference column, prepared: ``numeric`` for numbers, ``categorical`` for categories,
    both for integers (the current sample then decides, as in Evidently)."""

    name: str
    column_type: ColumnType
    numeric: st.NumericReference | None = None
    categorical: cats.CategoricalReference | None = None

    @property
    def nulls(self) -> int:
        """Null reference values."""
        side = self.numeric or self.categorical
        return side.nulls if side is not None else 0

    @property
    def n(self) -> int:
        """Non-null reference values."""
        side = self.numeric or self.categorical
        return side.n if side is not None else 0


INTEGER_CARDINALITY_LIMIT = 10
"""Evidently 0.7 infers an integer column with at most this many distinct values in the
*current* data as categorical (``evidently.core.datasets.infer_column_type``, applied to the
current dataset, whose data definition the report uses)."""


def _is_series(values: Any) -> bool:
    """A pandas Series (pandas is not imported to find out: a table read without it holds
    numpy arrays and :class:`CodedColumn`)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(values, pandas.Series)


def _array(values: Any) -> Any:
    """A Series' values as numpy; anything else as it is."""
    return values.to_numpy() if _is_series(values) else values


def column_type_of(series: pd.Series | np.ndarray | CodedColumn) -> ColumnType:
    """Numbers (not booleans) are compared as distributions, everything else as categories."""
    if isinstance(series, CodedColumn):
        return ColumnType.CATEGORICAL
    if isinstance(series, np.ndarray):  # pandas' is_numeric_dtype, for numpy dtypes
        return ColumnType.NUMERICAL if series.dtype.kind in "iufc" else ColumnType.CATEGORICAL
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return ColumnType.CATEGORICAL
    return ColumnType.NUMERICAL


def is_integer_column(series: pd.Series | np.ndarray | CodedColumn) -> bool:
    """Integers (not booleans): the type Evidently decides from the current sample."""
    if isinstance(series, CodedColumn):
        return False
    if isinstance(series, np.ndarray):
        return series.dtype.kind in "iu"
    import pandas as pd

    dtype = series.dtype
    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def distinct_values(values: Any) -> int:
    """Distinct non-null values of a current sample (an integer column with nulls is read as
    floats, NaN for the nulls)."""
    array = np.asarray(_array(values))
    if array.dtype.kind == "f":
        array = array[~np.isnan(array)]
    return int(np.unique(array).size)


def integer_as_categories(policy: DriftPolicy, name: str, integer: bool,
                          current_distinct: int) -> bool:
    """Evidently's type inference: an integer column whose current sample has at most
    :data:`INTEGER_CARDINALITY_LIMIT` distinct values is compared as categories, unless the
    policy asks for a method that needs numbers. One rule for rows in memory and for counts."""
    if not integer:
        return False
    rule = policy.per_column.get(name)
    asked = (rule.method if rule is not None else None) or policy.method
    if asked in ("ks", "wasserstein"):
        return False
    return current_distinct <= INTEGER_CARDINALITY_LIMIT


def prepare_column(series: pd.Series | np.ndarray | CodedColumn, name: str, n_bins: int,
                   source: str) -> ColumnReference:
    """Sort or count one reference column.

    Raises:
        InputError: the column has no non-null value (nothing to compare against).
    """
    kind = column_type_of(series)
    if kind is ColumnType.NUMERICAL:
        values, nulls = st.sort_numeric(_array(series))
        if values.size:
            # An integer column is also counted: a current sample with few distinct values
            # is compared as categories, as Evidently does (:func:`integer_as_categories`).
            counted = cats.prepare_categorical(series) if is_integer_column(series) else None
            return ColumnReference(name, kind, numeric=st.prepare_sorted(values, nulls, n_bins),
                                   categorical=counted)
    else:
        cat = cats.prepare_categorical(series)
        if cat.n:
            return ColumnReference(name, kind, categorical=cat)
    raise InputError(source, f"column {name!r} has no non-null value", location=f"column {name}",
                     expected="at least one non-null reference value")


def verdict(method: str, score: float, threshold: float) -> bool:
    """Evidently's rule: p-values drift below the threshold (``ks``: at or below), distances
    at or above it."""
    if method == "ks":
        return score <= threshold
    if method in ("chisquare", "z"):
        return score < threshold
    return score >= threshold


def _undefined(ref: ColumnReference, method: str, threshold: float, n_cur: int, nulls_cur: int,
               reason: str, unseen: tuple[str, ...] = (),
               kind: ColumnType | None = None) -> ColumnDrift:
    return ColumnDrift(ref.name, kind or ref.column_type, method, threshold, None, None, None,
                       False, ref.n, n_cur, ref.nulls, nulls_cur, unseen, {}, reason)


def _numeric_stats(ref: st.NumericReference, cur: np.ndarray, wanted: set[str],
                   binning: str) -> dict[str, float]:
    out: dict[str, float] = {}
    if wanted & {"ks", "wasserstein"}:
        d, raw = st.ks_and_wasserstein(ref, cur)
        out["ks_statistic"] = d
        out["wasserstein_raw"] = raw
        out["wasserstein"] = st.normed_wasserstein(raw, ref.std)
        if "ks" in wanted:
            out["ks_p_value"] = st.ks_p_value(d, ref.values, cur)
    if wanted & {"psi", "jensenshannon", "chisquare", "z"}:
        discrete = ref.n_unique <= st.DISCRETE_MAX_UNIQUE
        if discrete or wanted & {"chisquare", "z"}:
            _, rc, cc = st.value_counts(ref.values, cur)
        if not discrete:
            rb, cb = (st.sturges_counts(ref.values, cur) if binning == "evidently"
                      else st.quantile_counts(ref, cur))
        else:
            rb, cb = rc, cc
        if "psi" in wanted:
            out["psi"] = st.psi(rb, cb)
        if "jensenshannon" in wanted:
            out["jensenshannon"] = st.jensenshannon(rb, cb)
        if wanted & {"chisquare", "z"}:
            _count_tests(rc, cc, wanted, out)
    return out


def _count_tests(rc: np.ndarray, cc: np.ndarray, wanted: set[str], out: dict[str, float]) -> None:
    if "chisquare" in wanted:
        out["chisquare_statistic"], out["chisquare_p_value"] = st.chisquare(rc, cc)
    if "z" in wanted:
        z, p = st.z_test(rc, cc)
        if z is not None:
            out["z_statistic"] = z
        out["z_p_value"] = p


def score_of(method: str, stats: dict[str, float]) -> tuple[float, float | None, float | None]:
    """(score, statistic, p_value) of ``method`` from a column's statistics.

    Raises:
        KeyError: the statistics do not hold that method's score.
    """
    if method == "ks":
        return stats["ks_p_value"], stats["ks_statistic"], stats["ks_p_value"]
    if method in ("chisquare", "z"):
        p = stats[f"{method}_p_value"]
        return p, stats.get(f"{method}_statistic"), p
    return stats[method], stats[method], None


def compare_column(ref: ColumnReference, series: Any, policy: DriftPolicy,
                   choose: Chooser) -> ColumnDrift:
    """Judge one current column against its prepared reference.

    ``series`` is a pandas Series, a numpy array (numbers) or a ``pd.Categorical``: a history
    of windows passes slices of columns extracted once, not a DataFrame per window.

    Raises:
        InputError: the current column holds text where the reference holds numbers, or a
            policy method that does not fit the column.
    """
    if ref.numeric is not None and not _as_categories(ref, series, policy):
        return _compare_numeric(ref, ref.numeric, series, policy, choose)
    assert ref.categorical is not None
    kind = ColumnType.CATEGORICAL
    counts = cats.count_categories(ref.categorical, series)
    n_cur = int(counts.cur_counts.sum())
    method, threshold = choose(policy, ref.name, kind, ref.n, len(counts.labels))
    if n_cur == 0:
        return _undefined(ref, method, threshold, 0, counts.nulls_cur,
                          "no non-null current value", counts.unseen, kind)
    wanted = {method}
    if policy.all_statistics:
        wanted |= {"psi", "jensenshannon", "chisquare"}
        if len(counts.labels) <= 2:
            wanted.add("z")
    stats: dict[str, float] = {}
    if "psi" in wanted:
        stats["psi"] = st.psi(counts.ref_counts, counts.cur_counts)
    if "jensenshannon" in wanted:
        stats["jensenshannon"] = st.jensenshannon(counts.ref_counts, counts.cur_counts)
    order = cats.sorted_order(counts.labels)
    _count_tests(counts.ref_counts[order], counts.cur_counts[order], wanted, stats)
    return _result(ref, method, threshold, stats, n_cur, counts.nulls_cur, counts.unseen, kind)


def _as_categories(ref: ColumnReference, series: Any, policy: DriftPolicy) -> bool:
    """An integer column (counted at preparation) whose current sample has few distinct
    values is compared as categories (:func:`integer_as_categories`)."""
    integer = ref.categorical is not None  # only integer columns are counted beside their values
    return integer and integer_as_categories(policy, ref.name, integer, distinct_values(series))


def _compare_numeric(ref: ColumnReference, num: st.NumericReference, series: Any,
                     policy: DriftPolicy, choose: Chooser) -> ColumnDrift:
    try:
        values = _array(series)
        cur, nulls_cur = st.sort_numeric(values)
    except (ValueError, TypeError) as exc:
        raise InputError("current", f"column {ref.name!r} is not numeric here",
                         location=f"column {ref.name}",
                         expected="numbers, as in the reference") from exc
    if cur.size == 0:
        method, threshold = choose(policy, ref.name, ref.column_type, num.n, num.n_unique)
        return _undefined(ref, method, threshold, 0, nulls_cur, "no non-null current value")
    n_unique = num.n_unique
    if n_unique <= 5:  # only then can the current values change Evidently's default method
        cu = cur[st.distinct_ends(cur)]
        pos = np.minimum(np.searchsorted(num.values, cu), num.n - 1)
        n_unique += int(np.count_nonzero(num.values[pos] != cu))
    method, threshold = choose(policy, ref.name, ref.column_type, num.n, n_unique)
    wanted = {method} | (set(NUMERIC_ALL) if policy.all_statistics else set())
    stats = _numeric_stats(num, cur, wanted, policy.binning)
    return _result(ref, method, threshold, stats, int(cur.size), nulls_cur, ())


def _result(ref: ColumnReference, method: str, threshold: float, stats: dict[str, float],
            n_cur: int, nulls_cur: int, unseen: tuple[str, ...],
            kind: ColumnType | None = None) -> ColumnDrift:
    score, statistic, p_value = score_of(method, stats)
    if score is None or math.isnan(score):
        return _undefined(ref, method, threshold, n_cur, nulls_cur,
                          f"{method} is undefined for these samples", unseen, kind)
    return ColumnDrift(ref.name, kind or ref.column_type, method, threshold, float(score),
                       None if statistic is None else float(statistic),
                       None if p_value is None else float(p_value),
                       verdict(method, score, threshold), ref.n, n_cur, ref.nulls, nulls_cur,
                       unseen, {k: float(v) for k, v in stats.items()})

