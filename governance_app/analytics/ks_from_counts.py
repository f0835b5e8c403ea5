"""Numeric drift statistics from counts per distinct value, computed part by part.

An engine (numpy, DuckDB, Spark) reduces a numeric column of the reference and the current
sample to its *distinct values* and each sample's count of each value. That table is a
sufficient statistic for every numeric drift score: the empirical CDFs are step functions that
move only at those values, so

* the KS statistic ``sup |F_ref - F_cur|`` is the largest gap after a step, taken over the
  distinct values (kept as an exact integer ``|R_i n_cur - C_i n_ref|`` with ``R_i``, ``C_i`` the
  cumulative counts, so no rounding depends on how the table was split);
* Wasserstein-1 ``integral |F_ref - F_cur| dx`` is the sum of that gap times the distance to the
  next distinct value;
* the reference's quantile edges are the values at known ranks, its standard deviation a
  weighted sum, and PSI / Jensen-Shannon / chi-square need the counts per frozen bin.

The table may be far larger than memory, so it is processed in *parts*: consecutive runs of the
sorted distinct values (a DuckDB record batch, a Spark range partition). A first pass counts each
part's totals; the offsets of every part (the cumulative counts before it) follow from those
totals alone; every later pass works on each part independently with its offsets, and small
per-part results are combined here. That is how Spark computes an exact KS statistic without
collecting the table to one partition, and how DuckDB streams it in bounded memory; the
in-memory engine is the special case of one part. The functions that run on a part are plain
module functions of numpy arrays, so Spark can ship them to its workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from governance_app.analytics import drift_pvalues as pv
from governance_app.analytics.drift_stats import DEFAULT_N_BINS, DISCRETE_MAX_UNIQUE, STD_FLOOR


@dataclass(frozen=True, slots=True)
class ValueCounts:
    """One part: strictly increasing distinct values and each sample's count of each.

    Attributes:
        values: float64 distinct finite values, strictly increasing.
        ref: int64 reference count of each value (0 when only the current sample has it).
        cur: int64 current count of each value.
    """

    values: np.ndarray
    ref: np.ndarray
    cur: np.ndarray

    @classmethod
    def from_samples(cls, reference: np.ndarray, current: np.ndarray) -> ValueCounts:
        """The counts of two arrays of finite values (the in-memory engine's reduction)."""
        values = np.concatenate((reference, current)).astype(np.float64, copy=False)
        side = np.concatenate((np.zeros(len(reference), np.int64), np.ones(len(current), np.int64)))
        keys, inverse = np.unique(values, return_inverse=True)
        tallies = np.bincount(inverse * 2 + side, minlength=2 * len(keys)).reshape(-1, 2)
        return cls(keys, tallies[:, 0].astype(np.int64), tallies[:, 1].astype(np.int64))


@dataclass(frozen=True, slots=True)
class Offsets:
    """Cumulative reference and current counts before a part, and the samples' totals."""

    ref: int
    cur: int
    n_ref: int
    n_cur: int


Totals = tuple[int, int, int, int, float]


def part_totals(part: ValueCounts) -> Totals:
    """Pass 1 on a part: (reference count, current count, distinct reference values, distinct
    values of either sample, ``sum(count * value)`` of the reference)."""
    return (int(part.ref.sum()), int(part.cur.sum()), int(np.count_nonzero(part.ref)),
            int(part.values.size), math.fsum(part.ref.astype(np.float64) * part.values))


def offsets_of(totals: Sequence[Totals]) -> list[Offsets]:
    """Each part's offsets from every part's totals (parts in value order)."""
    n_ref = sum(t[0] for t in totals)
    n_cur = sum(t[1] for t in totals)
    out, r, c = [], 0, 0
    for t in totals:
        out.append(Offsets(r, c, n_ref, n_cur))
        r, c = r + t[0], c + t[1]
    return out


def _cumulative(part: ValueCounts, off: Offsets) -> tuple[np.ndarray, np.ndarray]:
    return off.ref + np.cumsum(part.ref), off.cur + np.cumsum(part.cur)


def _gaps(part: ValueCounts, off: Offsets) -> np.ndarray:
    """``|R_i n_cur - C_i n_ref|`` after each value: the CDF gap times ``n_ref n_cur``, exact.

    int64 is exact while ``n_ref n_cur < 2**63``; beyond (samples of ~3e9 rows each) Python
    integers take over.
    """
    r, c = _cumulative(part, off)
    if off.n_ref * off.n_cur < 2**62:
        return np.abs(r * off.n_cur - c * off.n_ref)
    return np.abs(r.astype(object) * off.n_cur - c.astype(object) * off.n_ref)


@dataclass(frozen=True, slots=True)
class CdfPart:
    """Pass 2's result for one part.

    Attributes:
        max_gap: the largest integer CDF gap after a value of the part.
        area: ``sum(gap_i * (v_{i+1} - v_i)) / (n_ref n_cur)`` within the part (its last value's
            interval reaches into the next part and is added by :func:`combine`).
        first / last: the part's smallest and largest value.
        last_gap: the integer gap after the last value.
        squared: ``sum(count * (value - mean)**2)`` of the reference (for its std).
        at_ranks: reference rank -> value, for the ranks asked for that fall in this part.
        kept: the part itself, when the caller asked for it (few distinct values).
    """

    max_gap: int
    area: float
    first: float
    last: float
    last_gap: int
    squared: float
    at_ranks: dict[int, float] = field(default_factory=dict)
    kept: ValueCounts | None = None


def cdf_part(part: ValueCounts, off: Offsets, ranks: Sequence[int] = (), mean: float = 0.0,
             keep: bool = False) -> CdfPart:
    """Pass 2 on a part: its KS gap, Wasserstein area, squared deviations from the reference
    ``mean`` and order statistics (and the part itself when ``keep``).

    ``ranks`` are 0-based positions in the sorted reference (with repeats) whose values are
    wanted (quantile edges); a part answers those that fall inside it.
    """
    gaps = _gaps(part, off)
    scale = float(off.n_ref) * float(off.n_cur)
    deltas = np.diff(part.values)
    terms = gaps[:-1].astype(np.float64) * deltas / scale
    r_cum = off.ref + np.cumsum(part.ref)
    found = {}
    for rank in ranks:
        if off.ref <= rank < (int(r_cum[-1]) if r_cum.size else off.ref):
            found[int(rank)] = float(part.values[np.searchsorted(r_cum, rank, side="right")])
    dev = part.values - mean
    return CdfPart(int(gaps.max()), math.fsum(terms), float(part.values[0]),
                   float(part.values[-1]), int(gaps[-1]),
                   math.fsum(part.ref.astype(np.float64) * dev * dev), found,
                   part if keep else None)


def bin_counts(part: ValueCounts, inner: np.ndarray, right_closed: bool) -> np.ndarray:
    """Pass 3 on a part: reference and current counts per bin, as a ``(2, bins)`` array.

    ``right_closed``: bins ``(-inf, e1], (e1, e2], ..., (ek, inf)`` (reference quantiles);
    otherwise ``[a, b)`` with the outer bins open (Evidently's Sturges bins).
    """
    idx = np.searchsorted(inner, part.values, side="left" if right_closed else "right")
    size = inner.size + 1
    return np.stack((np.bincount(idx, weights=part.ref, minlength=size),
                     np.bincount(idx, weights=part.cur, minlength=size))).astype(np.int64)


def lerp_quantile(low: float, high: float, t: float) -> float:
    """numpy's linear interpolation between two order statistics, with its rounding."""
    diff = high - low
    return high - diff * (1 - t) if t >= 0.5 else low + diff * t


def quantile_ranks(n_ref: int, n_bins: int) -> list[tuple[int, int, float]]:
    """For each inner quantile ``q = k / n_bins``: (low rank, high rank, weight of high)."""
    out = []
    for q in np.linspace(0.0, 1.0, n_bins + 1)[1:-1]:
        virtual = q * (n_ref - 1)
        lo = int(math.floor(virtual))
        out.append((lo, min(lo + 1, n_ref - 1), float(virtual - lo)))
    return out


@dataclass(frozen=True, slots=True)
class NumericCountStats:
    """Every numeric drift statistic of one column, from its counts per distinct value.

    ``stats`` uses the keys of :func:`~governance_app.analytics.drift_columns.score_of`
    (``ks_statistic``, ``ks_p_value``, ``wasserstein``, ``wasserstein_raw``, ``psi``,
    ``jensenshannon``, ``chisquare_*``, ``z_*``); the counts themselves are kept for the record.
    """

    n_ref: int
    n_cur: int
    n_unique_ref: int
    n_unique: int
    std: float
    stats: dict[str, float]
    bins: dict[str, Any]


MapParts = Callable[[Callable[[ValueCounts, int], Any]], list[Any]]
"""Runs a function on every part (with the part's index), returning results in value order."""


def numeric_statistics(map_parts: MapParts, *, n_bins: int = DEFAULT_N_BINS,
                       binning: str = "quantile") -> NumericCountStats:
    """Drive the passes over the parts and combine their results.

    Args:
        map_parts: the engine's way of running a function on every part (a loop over record
            batches, a Spark ``mapPartitionsWithIndex``); parts are in increasing value order.
        n_bins: quantile bins of the reference for PSI and Jensen-Shannon.
        binning: ``"quantile"`` (reference deciles) or ``"evidently"`` (Sturges bins).

    Raises:
        ValueError: either sample has no finite value.
    """
    from governance_app.analytics import drift_stats as st

    totals: list[Totals] = map_parts(lambda part, _i: part_totals(part))
    offs = offsets_of(totals)
    n_ref, n_cur = offs[0].n_ref if offs else 0, offs[0].n_cur if offs else 0
    if n_ref == 0 or n_cur == 0:
        raise ValueError("no finite value in the reference" if n_ref == 0 else
                         "no finite current value")
    mean = math.fsum(t[4] for t in totals) / n_ref
    n_unique_ref = sum(t[2] for t in totals)
    n_unique = n_unique_ref if n_unique_ref > 5 else sum(t[3] for t in totals)
    discrete = n_unique_ref <= DISCRETE_MAX_UNIQUE
    ranks = quantile_ranks(n_ref, n_bins) if n_bins > 1 and not discrete else []
    wanted = sorted({r for lo, hi, _ in ranks for r in (lo, hi)})
    parts: list[CdfPart] = map_parts(lambda part, i: cdf_part(part, offs[i], wanted, mean,
                                                              discrete))
    stats = combine(parts, n_ref, n_cur)
    std = math.sqrt(math.fsum(p.squared for p in parts) / n_ref)
    stats["wasserstein"] = stats["wasserstein_raw"] / max(std, STD_FLOOR)
    at = {r: v for p in parts for r, v in p.at_ranks.items()}
    if discrete:
        kept = [p.kept for p in parts if p.kept is not None]
        rb = np.concatenate([k.ref for k in kept])
        cb = np.concatenate([k.cur for k in kept])
        bins: dict[str, Any] = {"kind": "values", "values": [float(v) for k in kept
                                                            for v in k.values]}
        stats["chisquare_statistic"], stats["chisquare_p_value"] = st.chisquare(rb, cb)
        z, stats["z_p_value"] = st.z_test(rb, cb)
        if z is not None:
            stats["z_statistic"] = z
    else:
        if binning == "evidently":
            total = n_ref + n_cur
            first, last = parts[0].first, parts[-1].last
            if first == last:
                first, last = first - 0.5, last + 0.5
            inner = np.linspace(first, last, int(math.ceil(math.log2(total) + 1)) + 1)[1:-1]
            right_closed = False
        else:
            inner = np.unique([lerp_quantile(at[lo], at[hi], t) for lo, hi, t in ranks])
            right_closed = True
        summed = sum(map_parts(lambda part, _i: bin_counts(part, inner, right_closed)))
        rb, cb = summed[0], summed[1]
        bins = {"kind": binning, "inner_edges": [float(e) for e in inner]}
    stats["psi"] = st.psi(rb, cb)
    stats["jensenshannon"] = st.jensenshannon(rb, cb)
    bins |= {"reference": rb.tolist(), "current": cb.tolist()}
    return NumericCountStats(n_ref, n_cur, n_unique_ref, n_unique, std, stats, bins)


def combine(parts: Sequence[CdfPart], n_ref: int, n_cur: int) -> dict[str, float]:
    """KS statistic and raw Wasserstein-1 from every part's pass-2 result.

    The Wasserstein interval from one part's last value to the next part's first value has the
    gap after the last value; it is added here, the one piece no part can see alone.
    """
    scale = float(n_ref) * float(n_cur)
    terms = [p.area for p in parts]
    for a, b in zip(parts, parts[1:], strict=False):
        terms.append(float(a.last_gap) * (b.first - a.last) / scale)
    max_gap = max(p.max_gap for p in parts)
    return {"ks_statistic": _as_fraction(max_gap, n_ref, n_cur),
            "wasserstein_raw": math.fsum(terms)}


def ks_p_value(stats: NumericCountStats) -> float:
    """The KS test's p-value (scipy's ``method="auto"``): asked for only when a verdict needs
    it, since the exact distribution costs far more than the statistic on samples of up to
    10,000 values."""
    return pv.ks_p_value(stats.stats["ks_statistic"], stats.n_ref, stats.n_cur)


def _as_fraction(gap: int, n_ref: int, n_cur: int) -> float:
    """``gap / (n_ref n_cur)`` correctly rounded: ``h / lcm`` as scipy's lattice gives it."""
    g = math.gcd(n_ref, n_cur)
    lcm = n_ref // g * n_cur
    return (gap // g) / lcm if lcm < 2**53 else gap / (n_ref * n_cur)


def iterate_parts(parts: Callable[[], Any]) -> MapParts:
    """A :data:`MapParts` over parts produced by ``parts()`` (a list, or a fresh iterator of
    record batches for every pass): DuckDB's and the in-memory engine's way."""

    def run(fn: Callable[[ValueCounts, int], Any]) -> list[Any]:
        out: list[Any] = []
        for part in parts():
            if part.values.size:
                out.append(fn(part, len(out)))
        return out

    return run
