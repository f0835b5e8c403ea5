"""Slice finder: the conjunctions of ``column = value`` conditions where the model does worst.

Searches every slice of up to ``max_conditions`` (default 3) conditions on distinct columns,
numeric columns cut into quantile bins, for slices where an error metric is significantly
higher than on the rest of the data (one-sided two-proportion z-test), corrects the p-values of
all slices tested together (Benjamini-Hochberg, false discovery rate), and returns the top-k by
effect size.

Like the fairness metrics it works from counts: per combination of columns one
``np.bincount`` over ``(combined level code) * 4 + label * 2 + prediction`` gives the confusion
counts of every slice of that combination at once, and the complement of each slice is the
total minus the slice. 8 columns give 8 + 28 + 56 = 92 bincounts, about a second on 1M rows.

Reported slices are not redundant. Slices are accepted from the most general down (fewer
conditions first, as in Slice Finder's lattice search, Chung et al. 2019); a refinement of an
accepted slice is reported only when it is itself significantly worse than the rest of that
slice (Bonferroni-corrected over those checks), so noise in a sub-slice of a genuinely weak
slice is not reported as a finding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from governance_app.analytics.fairness_counts import binary_outcomes
from governance_app.domain.fairness import SliceCondition, SliceReport, SliceResult
from governance_app.errors import GovernanceError, InputError

_TN, _FP, _FN, _TP = range(4)
SLICE_METRICS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "error_rate": ((_FP, _FN), (_TN, _FP, _FN, _TP)),
    "false_positive_rate": ((_FP,), (_TN, _FP)),
    "false_negative_rate": ((_FN,), (_FN, _TP)),
    "false_discovery_rate": ((_FP,), (_FP, _TP)),
    "false_omission_rate": ((_FN,), (_TN, _FN)),
}
"""Metric -> (numerator cells, denominator cells); higher is worse for each."""
ALIASES = {"accuracy": "error_rate", "accuracy_score": "error_rate", "fpr": "false_positive_rate",
           "fnr": "false_negative_rate", "precision": "false_discovery_rate",
           "precision_score": "false_discovery_rate", "npv": "false_omission_rate"}
"""A "worse accuracy" is a higher error rate, a worse precision a higher false discovery rate."""
MISSING = "(missing)"
OTHER = "(other)"


class SliceSearchCancelled(GovernanceError):
    """``is_cancelled()`` became true during a slice search; nothing was returned."""


def _quantile_bins(values: np.ndarray, n_bins: int) -> tuple[np.ndarray, tuple[str, ...]]:
    nan = np.isnan(values)
    edges = np.unique(np.quantile(values[~nan], np.linspace(0, 1, n_bins + 1)))
    inner = edges[1:-1]
    codes = np.searchsorted(inner, values, side="right")
    labels = [f"[{a:.4g}, {b:.4g}{']' if i == len(edges) - 2 else ')'}"
              for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True))]
    if len(edges) == 1:
        labels = [f"{edges[0]:.4g}"]
    if nan.any():
        codes[nan] = len(labels)
        labels.append(MISSING)
    return codes.astype(np.int64), tuple(labels)


def encode_feature(series: pd.Series, n_bins: int = 5,
                   max_levels: int = 30) -> tuple[np.ndarray, tuple[str, ...]]:
    """Level codes and labels for one column: quantile bins for numbers, values otherwise.

    Missing values become their own level, ``(missing)``: where data is missing is a slice worth
    seeing, not something to drop. Categorical columns keep their ``max_levels - 1`` most
    frequent values and pool the rest as ``(other)``, so an ID-like column cannot explode the
    search.
    """
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=np.float64)
        if len(np.unique(values[~np.isnan(values)])) > n_bins:
            return _quantile_bins(values, n_bins)
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=False)
    labels = [MISSING if pd.isna(u) else str(u) for u in uniques]
    if len(labels) > max_levels:
        freq = np.bincount(codes, minlength=len(labels))
        keep = np.sort(np.argsort(-freq, kind="stable")[: max_levels - 1])
        remap = np.full(len(labels), len(keep), dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
        labels = [labels[i] for i in keep] + [OTHER]
    return codes.astype(np.int64), tuple(labels)


def _erfc(x: np.ndarray) -> np.ndarray:
    return np.frompyfunc(math.erfc, 1, 1)(x).astype(np.float64)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (the smallest FDR at which each is significant)."""
    p = np.asarray(p_values, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _worse_than_rest(num: float, den: float, parent_num: float, parent_den: float,
                     alpha: float) -> bool:
    """Is a refinement significantly worse than the rest of its parent slice (one-sided z)?"""
    rest_num, rest_den = parent_num - num, parent_den - den
    if rest_den <= 0:
        return False  # the refinement is the parent itself
    pooled = parent_num / parent_den
    se = math.sqrt(pooled * (1 - pooled) * (1 / den + 1 / rest_den))
    if se == 0:
        return False
    z = (num / den - rest_num / rest_den) / se
    return 0.5 * math.erfc(z / math.sqrt(2)) <= alpha


def find_slices(
    frame: pd.DataFrame,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    columns: Sequence[str] | None = None,
    metric: str = "error_rate",
    max_conditions: int = 3,
    min_size: int = 50,
    n_bins: int = 5,
    max_levels: int = 30,
    alpha: float = 0.05,
    top_k: int = 10,
    positive_label: object | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    source: str = "prediction table",
) -> SliceReport:
    """The top-k slices where ``metric`` is significantly worse than on the rest of the rows.

    Args:
        frame: the prediction table.
        label / prediction / score / threshold / positive_label: as for the fairness counts.
        columns: columns to slice on; default every column but label, prediction and score.
        metric: one of :data:`SLICE_METRICS` (or an alias such as ``"accuracy"``).
        max_conditions: at most this many ``column = value`` conditions per slice (1-3).
        min_size: slices with fewer rows are not tested (too small to be convincing).
        n_bins: quantile bins per numeric column.
        max_levels: levels kept per categorical column.
        alpha: false discovery rate for Benjamini-Hochberg.
        top_k: how many slices to return.
        progress: called as ``progress(done, total, message)`` after each column combination.
        is_cancelled: polled between column combinations.

    Raises:
        InputError: bad input (see :func:`~.fairness_counts.binary_outcomes`), unknown columns
            or metric, bad search parameters.
        SliceSearchCancelled: ``is_cancelled()`` returned true.
    """
    name = check_metric(metric, max_conditions)
    outcomes = binary_outcomes(frame, label=label, prediction=prediction, score=score,
                               threshold=threshold, positive_label=positive_label, source=source)
    used = {c for c in (label, prediction, score) if c is not None}
    columns = list(columns) if columns is not None else [c for c in frame.columns
                                                         if c not in used]
    missing = [c for c in columns if c not in frame.columns]
    if missing or not columns:
        raise InputError(source, f"slice columns {missing or 'none'} not in the table",
                         location="columns", expected=f"columns of {list(frame.columns)[:30]}")
    cell = outcomes.label.astype(np.int64) * 2 + outcomes.prediction
    encoded = [encode_feature(frame[c], n_bins, max_levels) for c in columns]

    def combo_counts(combo: tuple[int, ...]) -> np.ndarray:
        code = encoded[combo[0]][0]
        for i in combo[1:]:
            code = code * len(encoded[i][1]) + encoded[i][0]
        size = int(np.prod([len(encoded[i][1]) for i in combo]))
        return np.bincount(code * 4 + cell, minlength=size * 4).reshape(-1, 4)

    return search_slices(name, columns, [labels for _, labels in encoded],
                         np.bincount(cell, minlength=4), combo_counts,
                         max_conditions=max_conditions, min_size=min_size, alpha=alpha,
                         top_k=top_k, progress=progress, is_cancelled=is_cancelled)


def check_metric(metric: str, max_conditions: int) -> str:
    """The canonical slice metric name, or an InputError for a bad metric or depth."""
    name = ALIASES.get(metric, metric)
    if name not in SLICE_METRICS:
        raise InputError("--metric", f"unknown slice metric {metric!r}",
                         expected=f"one of {sorted(SLICE_METRICS) + sorted(ALIASES)}")
    if not 1 <= max_conditions <= 3:
        raise InputError("--max-conditions", f"{max_conditions}", expected="1, 2 or 3")
    return name


def search_slices(
    name: str,
    columns: Sequence[str],
    labels: Sequence[tuple[str, ...]],
    total: np.ndarray,
    combo_counts: Callable[[tuple[int, ...]], np.ndarray],
    *,
    max_conditions: int = 3,
    min_size: int = 50,
    alpha: float = 0.05,
    top_k: int = 10,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> SliceReport:
    """The search itself, from counts: the one path whoever counted (rows in memory, an engine).

    Args:
        name: a canonical metric of :data:`SLICE_METRICS`.
        columns / labels: the slice columns and each one's level labels.
        total: the overall ``[tn, fp, fn, tp]``.
        combo_counts: for a tuple of column positions, the ``(levels..., 4)`` confusion counts
            of every slice of that combination, flattened to ``(slices, 4)`` in row-major order.

    Raises:
        SliceSearchCancelled: ``is_cancelled()`` returned true.
    """
    num_idx, den_idx = SLICE_METRICS[name]
    total_num, total_den = total[list(num_idx)].sum(), total[list(den_idx)].sum()
    encoded = [(None, lv) for lv in labels]
    combos = [c for k in range(1, max_conditions + 1)
              for c in combinations(range(len(columns)), k)]
    found: list[tuple[int, np.ndarray, np.ndarray]] = []  # (combo, flat slice idx, stats)
    for done, combo in enumerate(combos):
        if is_cancelled is not None and is_cancelled():
            raise SliceSearchCancelled("slice search cancelled")
        counts = combo_counts(combo)
        size = counts.sum(axis=1)
        num = counts[:, list(num_idx)].sum(axis=1)
        den = counts[:, list(den_idx)].sum(axis=1)
        ok = np.flatnonzero((size >= min_size) & (den > 0) & (total_den - den > 0))
        stats = np.stack([size[ok], num[ok], den[ok]], axis=1)
        found.append((done, ok, stats))
        if progress is not None:
            progress(done + 1, len(combos), f"sliced by {', '.join(columns[i] for i in combo)}")

    overall = float(total_num / total_den) if total_den else float("nan")
    if not any(len(ok) for _, ok, _ in found):
        return SliceReport(name, overall, 0, alpha)
    combo_of = np.concatenate([np.full(len(ok), c) for c, ok, _ in found])
    flat_of = np.concatenate([ok for _, ok, _ in found])
    size, num, den = np.concatenate([s for _, _, s in found]).T.astype(np.float64)
    p1 = num / den
    p2 = (total_num - num) / (total_den - den)
    pooled = total_num / total_den
    se = np.sqrt(pooled * (1 - pooled) * (1 / den + 1 / (total_den - den)))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (p1 - p2) / se, 0.0)
    p_value = np.where(se > 0, 0.5 * _erfc(z / math.sqrt(2)), 1.0)
    adjusted = benjamini_hochberg(p_value)

    candidates = np.flatnonzero((adjusted <= alpha) & (p1 > p2))
    n_conditions = np.array([len(combos[c]) for c in combo_of[candidates]])
    candidates = candidates[np.lexsort((-(p1 - p2)[candidates], n_conditions))]
    strict = alpha / max(len(candidates), 1)  # Bonferroni over the refinement checks
    accepted: dict[frozenset[SliceCondition], tuple[int, SliceResult]] = {}
    for j in candidates:
        combo = combos[combo_of[j]]
        levels = np.unravel_index(flat_of[j], tuple(len(encoded[i][1]) for i in combo))
        conditions = tuple(SliceCondition(columns[i], encoded[i][1][lv])
                           for i, lv in zip(combo, levels, strict=True))
        ancestors = [a for cond, (a, _) in accepted.items() if cond < set(conditions)]
        if not all(_worse_than_rest(num[j], den[j], num[a], den[a], strict) for a in ancestors):
            continue  # a reported, more general slice already explains it
        accepted[frozenset(conditions)] = (j, SliceResult(
            conditions, int(size[j]), float(p1[j]), float(p2[j]), float(p1[j] - p2[j]),
            float(z[j]), float(p_value[j]), float(adjusted[j])))
    ranked = sorted((r for _, r in accepted.values()), key=lambda r: (-r.effect_size, -r.size))
    chosen = ranked[:top_k]
    return SliceReport(name, overall, len(size), alpha, tuple(chosen))
