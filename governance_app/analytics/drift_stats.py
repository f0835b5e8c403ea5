"""Drift statistics from sorted samples and bin counts: KS, Wasserstein, PSI, JS, chi-square, z.

Why sorted arrays: every numeric statistic here is a function of the two empirical CDFs, and a
sorted sample *is* its ECDF. Each column is sorted once (``np.sort``, O(n log n)); the
reference is then prepared once (its standard deviation, the running integral of its ECDF, its
quantile edges) and every current sample - a whole table or one of 365 daily windows - is
compared with ``searchsorted`` at the current sample's distinct values only, O(m log n), which
is what makes a million-row reference cheap to compare against many small windows. A current
sample of comparable size (a whole table against its reference) is instead merged with the
reference in linear time (:mod:`drift_merge`): a million binary searches cost more than that.

* KS: ``sup |F_ref - F_cur|``. Between two consecutive current values ``F_cur`` is constant
  and ``F_ref`` is non-decreasing, so the supremum is reached at a current value (right limit)
  or just before the next one (left limit): two ``searchsorted`` calls give both. The counts
  are the same integers scipy uses, so the statistic is bit-for-bit scipy's.
* Wasserstein-1: ``integral |F_ref - F_cur| dx``. On each interval where ``F_cur = a`` the
  integral of ``|F_ref - a|`` is written with ``H(x) = integral F_ref``, a cumulative sum over
  the sorted reference computed once, split where ``F_ref`` crosses ``a``.
* PSI and Jensen-Shannon work from bin counts (quantile bins of the reference by default, or
  Evidently's Sturges bins over both samples) or, for discrete data, per-value counts.
* Categorical columns are counted in :mod:`drift_categories` (one ``value_counts`` pass per
  side, matched by label afterwards, over distinct values only).

Empty bins (PSI): a proportion of zero makes ``ln(p/q)`` infinite, so - exactly as Evidently's
``get_binned_data(feel_zeroes=True)`` - each side's zero proportions are replaced by
``min(non-zero proportion) / 1e6`` when that minimum is <= 1e-4, otherwise by ``1e-4``.
Jensen-Shannon needs no such fix (``0 * ln 0 = 0``), and Evidently applies none.

p-values (KS, chi-square, z) come from ``drift_pvalues`` and ``drift_tails`` (numpy and
``math`` only; scipy is the tests' oracle, never a runtime dependency). KS p-values equal
``scipy.stats.ks_2samp(method="auto")``: exact when both samples have at most 10,000 values,
else Smirnov's ``kstwo.sf(D, round(nm/(n+m)))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from governance_app.analytics import drift_pvalues as pv
from governance_app.analytics import drift_tails as tails
from governance_app.analytics.drift_merge import ks_wasserstein_merged

KS_EXACT_MAX_N = pv.KS_EXACT_MAX_N
DISCRETE_MAX_UNIQUE = 20
"""Evidently bins numeric columns only above this many distinct reference values."""
DEFAULT_N_BINS = 10
"""Quantile bins (deciles) of the reference for PSI/JS on continuous columns."""
STD_FLOOR = 0.001
"""Evidently divides the Wasserstein distance by ``max(std(reference), 0.001)``."""
MERGE_RATIO = 4
"""Merge rather than search when the current sample has at least a quarter of the reference's
values. Measured here: 1M values against 1M by search (two ``searchsorted`` and a dozen
full-length temporaries) ~250 ms, by merge ~45 ms; a 2,700-value day against a 77,000-value
reference by search ~0.5 ms, by merge ~1.5 ms."""


def sort_numeric(values: Any) -> tuple[np.ndarray, int]:
    """Sorted finite float64 values and how many were null (NaN, None, +-inf).

    Integers of a narrow range are sorted by counting them (``np.bincount``, linear time);
    the result is the same array a sort gives.

    Raises:
        ValueError: the values are not numeric.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu" and values.size:
        counted = _counting_sort(values)
        if counted is not None:
            return counted, 0  # integers hold no null
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        arr = values.astype(np.float64, copy=False)
    else:
        import pandas as pd  # a Series or a list: pandas' rules for what is a number

        arr = np.asarray(pd.to_numeric(pd.Series(values), errors="raise"), dtype=np.float64)
    finite = np.isfinite(arr)
    nulls = int(arr.size - np.count_nonzero(finite))
    kept = arr[finite] if nulls else arr.copy()
    kept.sort()
    return kept, nulls


COUNTING_SORT_SPAN = 1 << 20
"""Integers spanning fewer distinct values than this (and than the sample's size) are
sorted by counting."""


def _counting_sort(values: np.ndarray) -> np.ndarray | None:
    """Integers sorted as float64 by counting, or ``None`` when their range is too wide."""
    low, high = int(values.min()), int(values.max())
    if high - low >= min(COUNTING_SORT_SPAN, values.size):
        return None
    tallies = np.bincount((values - values.dtype.type(low)).astype(np.intp))
    present = np.flatnonzero(tallies)
    distinct = (present.astype(values.dtype) + values.dtype.type(low)).astype(np.float64)
    return np.repeat(distinct, tallies[present])


def distinct_ends(sorted_values: np.ndarray) -> np.ndarray:
    """Index of the last element of each run of equal values in a sorted array."""
    if sorted_values.size == 0:
        return np.empty(0, dtype=np.int64)
    last = np.empty(sorted_values.size, dtype=bool)
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=last[:-1])
    last[-1] = True
    return np.flatnonzero(last)


@dataclass(frozen=True, slots=True)
class NumericReference:
    """A numeric reference column prepared once for many comparisons.

    Attributes:
        values: sorted finite values.
        nulls: null values left out.
        std: population standard deviation (Evidently's ``np.std``).
        n_unique: distinct values.
        edges: inner quantile edges for PSI/JS bins (deciles by default), distinct.
    """

    values: np.ndarray
    nulls: int
    std: float
    n_unique: int
    edges: np.ndarray = field(repr=False)
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Non-null values."""
        return int(self.values.size)

    @property
    def integral(self) -> np.ndarray:
        """``H(values[j])``, the integral of ``F_ref`` from ``values[0]`` to ``values[j]``.

        Computed on first use: only the search-based comparison of small current samples
        needs it (a history of windows, not one large table). Two threads computing it at
        once store the same array, so no lock is needed.
        """
        found = self._cache.get("integral")
        if found is None:
            ref, n = self.values, self.values.size
            steps = np.arange(1, n, dtype=np.float64) / n * np.diff(ref)
            found = self._cache["integral"] = np.concatenate(([0.0], np.cumsum(steps)))
        return found


def sorted_quantiles(ref: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.quantile(ref, q)`` (linear method) for an already sorted array, without its copy.

    ``np.quantile`` copies and partitions its input; on a sorted array the quantiles are two
    look-ups and numpy's own ``_lerp`` (same rounding, so the same edges).
    """
    virtual = q * (ref.size - 1)
    lo = np.floor(virtual).astype(np.int64)
    hi = np.minimum(lo + 1, ref.size - 1)
    t = virtual - lo
    a, b = ref[lo], ref[hi]
    diff = b - a
    out = a + diff * t
    return np.where(t >= 0.5, b - diff * (1 - t), out)


def population_std(values: np.ndarray, block: int = 1 << 16) -> float:
    """``np.std(values)`` (two passes: mean, then squared deviations) in cache-sized blocks.

    ``np.std`` builds a full-length temporary of deviations; on a million values its first
    touch costs more than the arithmetic. The result agrees with ``np.std`` to rounding.
    """
    n = values.size
    if n == 0:
        return math.nan
    mean = float(np.sum(values)) / n
    total = 0.0
    for start in range(0, n, block):
        dev = values[start:start + block] - mean
        dev *= dev
        total += float(np.sum(dev))
    return math.sqrt(total / n)


def prepare_numeric(values: Any, n_bins: int = DEFAULT_N_BINS) -> NumericReference:
    """Sort a reference column once and precompute what every comparison needs.

    Raises:
        ValueError: the values are not numeric or none of them is finite.
    """
    ref, nulls = sort_numeric(values)
    return prepare_sorted(ref, nulls, n_bins)


def prepare_sorted(ref: np.ndarray, nulls: int, n_bins: int = DEFAULT_N_BINS) -> NumericReference:
    """:func:`prepare_numeric` for values already sorted and free of nulls."""
    n = ref.size
    if n == 0:
        raise ValueError("no finite reference value")
    probs = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    inner = sorted_quantiles(ref, probs) if n_bins > 1 else ref[:0]
    return NumericReference(
        values=ref,
        nulls=nulls,
        std=population_std(ref),
        n_unique=int(np.count_nonzero(ref[1:] != ref[:-1])) + 1,
        edges=np.unique(inner),
    )


def ks_and_wasserstein(ref: NumericReference, cur: np.ndarray) -> tuple[float, float]:
    """Two-sample KS statistic and raw Wasserstein-1 distance from a sorted current sample.

    Both equal scipy's ``ks_2samp(...).statistic`` and ``wasserstein_distance`` (see module).
    A current sample at least ``1 / MERGE_RATIO`` of the reference's size is merged with it
    (:mod:`drift_merge`, linear); a smaller one is searched in it (O(m log n)).

    Raises:
        ValueError: the current sample is empty.
    """
    n1, n2 = ref.n, cur.size
    if n2 == 0:
        raise ValueError("no finite current value")
    if n2 * MERGE_RATIO >= n1:
        return ks_wasserstein_merged(ref.values, cur)
    ends = distinct_ends(cur)
    cu = cur[ends]
    c2 = ends + 1  # current values <= cu
    c2_prev = np.concatenate(([0], c2[:-1]))
    right = np.searchsorted(ref.values, cu, side="right")
    if ref.n_unique == n1:  # no ties in the reference: left differs only where cu is in it
        jc = np.maximum(right - 1, 0)
        left = right - ((right > 0) & (ref.values[jc] == cu))
    else:
        left = np.searchsorted(ref.values, cu, side="left")
    d_plus = max(float(np.max(left / n1 - c2_prev / n2)), 0.0)
    d_minus = max(float(np.max(c2 / n2 - right / n1)), 0.0)
    ks = _snap(max(d_plus, d_minus), n1, n2)

    # H at the current values, from the same searchsorted (j = right - 1).
    jc = np.maximum(right - 1, 0)
    h_cu = np.where(right > 0, ref.integral[jc] + right / n1 * (cu - ref.values[jc]), 0.0)
    lo = min(ref.values[0], cu[0])  # H(lo) = 0
    hi = max(ref.values[-1], cu[-1])  # F_ref = 1 from ref.values[-1] on
    starts = np.concatenate(([lo], cu))
    stops = np.concatenate((cu, [hi]))
    h_start = np.concatenate(([0.0], h_cu))
    h_stop = np.concatenate((h_cu, [ref.integral[-1] + (hi - ref.values[-1])]))
    counts = np.concatenate(([0], c2))
    a = counts / n2
    # F_ref(x) >= a from the k-th smallest reference value on, k = ceil(a * n1).
    k = (counts * n1 + n2 - 1) // n2
    kc = np.clip(k - 1, 0, n1 - 1)
    cross = np.where(k > 0, ref.values[kc], -np.inf)
    mid = np.clip(cross, starts, stops)
    h_mid = np.where(
        mid <= starts, h_start, np.where(mid >= stops, h_stop, ref.integral[kc])
    )
    parts = h_stop + h_start - 2.0 * h_mid + a * (2.0 * mid - starts - stops)
    return ks, float(np.sum(np.maximum(parts, 0.0)))


def _snap(d: float, n1: int, n2: int) -> float:
    """The KS statistic as the correctly rounded fraction ``h / lcm(n1, n2)`` it is exactly.

    Differences of two float ECDFs carry an ulp of rounding that depends on which sample came
    first; snapping to the lattice makes KS(a, b) and KS(b, a) - and the merge-based and
    search-based algorithms - return the same float.
    """
    lcm = n1 // math.gcd(n1, n2) * n2
    if lcm >= 2**53:
        return d
    return round(d * lcm) / lcm


def ks_p_value(d: float, ref: np.ndarray, cur: np.ndarray) -> float:
    """p-value of the two-sided two-sample KS test, as ``scipy.stats.ks_2samp(method="auto")``."""
    return pv.ks_p_value(d, int(ref.size), int(cur.size))


def normed_wasserstein(raw: float, ref_std: float) -> float:
    """Wasserstein distance in units of the reference's standard deviation (Evidently's)."""
    return raw / max(ref_std, STD_FLOOR)


def quantile_counts(ref: NumericReference, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts per reference-quantile bin ``(-inf, e1], (e1, e2], ..., (ek, inf)``.

    The outer bins are open, so current values beyond the reference's range are counted.
    """

    def count(s: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(s, ref.edges, side="right")
        return np.diff(np.concatenate(([0], pos, [s.size])))

    return count(ref.values), count(cur)


def sturges_counts(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evidently's bins: ``np.histogram_bin_edges(both, "sturges")``, ``[a, b)``, last closed."""
    total = ref.size + cur.size
    n_bins = int(math.ceil(math.log2(total) + 1))
    first = min(ref[0], cur[0])
    last = max(ref[-1], cur[-1])
    if first == last:
        first, last = first - 0.5, last + 0.5
    edges = np.linspace(first, last, n_bins + 1, endpoint=True)

    def count(s: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(s, edges[1:-1], side="left")
        return np.diff(np.concatenate(([0], pos, [s.size])))

    return count(ref), count(cur)


def value_counts(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values of both sorted samples and each sample's count of each value."""
    keys = np.union1d(ref[distinct_ends(ref)], cur[distinct_ends(cur)])

    def count(s: np.ndarray) -> np.ndarray:
        return np.searchsorted(s, keys, side="right") - np.searchsorted(s, keys, side="left")

    return keys, count(ref), count(cur)


def _fill_zeros(p: np.ndarray) -> np.ndarray:
    nonzero = p[p != 0]
    if nonzero.size == 0:
        return p
    low = nonzero.min()
    return np.where(p == 0, low / 1e6 if low <= 1e-4 else 1e-4, p)


def psi(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Population stability index ``sum((r - c) ln(r / c))`` over bins, empty bins filled.

    Raises:
        ValueError: either side has no values.
    """
    n_ref, n_cur = ref_counts.sum(), cur_counts.sum()
    if n_ref == 0 or n_cur == 0:
        raise ValueError("PSI of an empty sample")
    r = _fill_zeros(ref_counts / n_ref)
    c = _fill_zeros(cur_counts / n_cur)
    return float(np.sum((r - c) * np.log(r / c)))


def _rel_entr(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    safe = np.where(p > 0, p, 1.0)
    return np.where(p > 0, p * np.log(safe / np.where(p > 0, q, 1.0)), 0.0)


def jensenshannon(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen-Shannon distance (natural log), as ``scipy.spatial.distance.jensenshannon``.

    Raises:
        ValueError: either side has no values.
    """
    n_ref, n_cur = ref_counts.sum(), cur_counts.sum()
    if n_ref == 0 or n_cur == 0:
        raise ValueError("Jensen-Shannon distance of an empty sample")
    p = ref_counts / n_ref
    q = cur_counts / n_cur
    m = (p + q) / 2.0
    js = float(np.sum(_rel_entr(p, m)) + np.sum(_rel_entr(q, m)))
    return math.sqrt(max(js, 0.0) / 2.0)


def chisquare(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float]:
    """Chi-square goodness of fit of current counts to reference proportions: (stat, p).

    Evidently's form: expected = reference counts scaled to the current size. A category the
    reference never had gives an infinite statistic and p = 0.
    """
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (cur_counts - expected) ** 2 / expected
    stat = float(np.sum(terms))
    dof = max(ref_counts.size - 1, 1)
    return stat, tails.chi2_sf(stat, dof)


def z_test(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float | None, float]:
    """Two-proportion z-test: the first category (in sorted order) against the rest: (z, p).

    The caller passes both samples' counts over the same categories, in sorted order. When
    there is one category in all, the p-value is 1 and z is undefined (``None``), as in
    Evidently.
    """
    if ref_counts.size <= 1:
        return None, 1.0
    n1, n2 = float(ref_counts.sum()), float(cur_counts.sum())
    p1 = float(ref_counts[1:].sum()) / n1
    p2 = float(cur_counts[1:].sum()) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return z, tails.normal_two_sided(z)
