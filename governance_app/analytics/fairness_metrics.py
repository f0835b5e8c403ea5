"""Sufficient statistics -> group metrics and disparities, with Fairlearn's names and numbers.

Every function here takes confusion counts (``[..., 4]`` arrays of ``[tn, fp, fn, tp]``, see
:mod:`.fairness_counts`), never rows, so the same code serves counts computed in memory, in SQL,
or resampled by the bootstrap (leading dimensions broadcast).

Two conventions for rates whose denominator is zero:

* ``"strict"`` (default): the value is undefined (``None`` with a reason in the report) and takes
  no part in disparities. A group without negatives has no false positive rate; calling it 0
  would make it look perfect.
* ``"fairlearn"``: what Fairlearn / scikit-learn report (``zero_division=0``; balanced accuracy
  averages the recalls of the classes present). Use it to reproduce Fairlearn exactly.

Groups with no rows are undefined under both, as in Fairlearn (``NaN``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Literal

import numpy as np

from governance_app.analytics.fairness_counts import (
    GroupCounts,
    ScoreHistogram,
    binary_outcomes,
    encode_groups,
    group_counts,
    marginal_histogram,
    require_columns,
    score_histogram,
)
from governance_app.analytics.roc_auc_ranks import RankSums
from governance_app.domain.fairness import (
    ConfusionCells,
    Disparity,
    FairnessReport,
    GroupKey,
    GroupMetrics,
    MetricValue,
    ReferenceComparison,
)
from governance_app.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

Convention = Literal["strict", "fairlearn"]

# metric -> (numerator cells, denominator cells, reason when the denominator is zero)
_TN, _FP, _FN, _TP = range(4)
_RATIOS: dict[str, tuple[tuple[int, ...], tuple[int, ...], str]] = {
    "base_rate": ((_FN, _TP), (0, 1, 2, 3), "no rows"),
    "selection_rate": ((_FP, _TP), (0, 1, 2, 3), "no rows"),
    "true_positive_rate": ((_TP,), (_FN, _TP), "no positives (label 1) in the group"),
    "false_positive_rate": ((_FP,), (_TN, _FP), "no negatives (label 0) in the group"),
    "true_negative_rate": ((_TN,), (_TN, _FP), "no negatives (label 0) in the group"),
    "false_negative_rate": ((_FN,), (_FN, _TP), "no positives (label 1) in the group"),
    "precision_score": ((_TP,), (_FP, _TP), "no predicted positives in the group"),
    "negative_predictive_value": ((_TN,), (_TN, _FN), "no predicted negatives in the group"),
    "false_discovery_rate": ((_FP,), (_FP, _TP), "no predicted positives in the group"),
    "false_omission_rate": ((_FN,), (_TN, _FN), "no predicted negatives in the group"),
    "accuracy_score": ((_TN, _TP), (0, 1, 2, 3), "no rows"),
}
METRICS: tuple[str, ...] = (*_RATIOS, "balanced_accuracy_score")
"""Every confusion-count metric, in display order; ``roc_auc_score`` joins when scores exist."""
NAMED_DISPARITIES = ("demographic_parity", "equalized_odds", "equal_opportunity")


def metric_arrays(cells: np.ndarray, convention: Convention = "strict") -> dict[str, np.ndarray]:
    """Every metric for every group at once; ``NaN`` marks an undefined value.

    Args:
        cells: ``[..., 4]`` counts; any leading shape (groups, bootstrap resamples x groups).
        convention: ``"strict"`` or ``"fairlearn"``, see the module docstring.
    """
    c = np.asarray(cells, dtype=np.float64)
    n = c.sum(axis=-1)
    empty = n == 0
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (num_idx, den_idx, _) in _RATIOS.items():
            num = c[..., list(num_idx)].sum(axis=-1)
            den = c[..., list(den_idx)].sum(axis=-1)
            value = num / den
            if convention == "fairlearn":
                value = np.where(den == 0, 0.0, value)
            out[name] = np.where(empty, np.nan, value)
        tpr, tnr = out["true_positive_rate"], out["true_negative_rate"]
        if convention == "fairlearn":
            has_pos = (c[..., _FN] + c[..., _TP]) > 0
            has_neg = (c[..., _TN] + c[..., _FP]) > 0
            both = (tpr + tnr) / 2
            balanced = np.where(has_pos & has_neg, both, np.where(has_pos, tpr, tnr))
            out["balanced_accuracy_score"] = np.where(empty, np.nan, balanced)
        else:
            out["balanced_accuracy_score"] = (tpr + tnr) / 2
    return out


def _reason(name: str, cells: np.ndarray) -> str:
    if cells.sum() == 0:
        return "no rows in the group"
    if name == "balanced_accuracy_score":
        return "needs both positives and negatives in the group"
    if name == "roc_auc_score":
        return "needs both positives and negatives in the group"
    return _RATIOS[name][2]


def roc_auc_from_histogram(hist: ScoreHistogram) -> np.ndarray:
    """Rank-based ROC AUC per group (ties count one half), equal to scikit-learn's.

    ``AUC = P(score_pos > score_neg) + P(tie) / 2``, summed per distinct score level; ``NaN``
    for a group without positives or without negatives (scikit-learn raises there).
    """
    g, pos, neg = hist.group, hist.positives.astype(np.float64), hist.negatives.astype(np.float64)
    cum_neg = np.cumsum(neg)
    first = np.searchsorted(g, g, side="left")
    below = cum_neg - neg - (cum_neg - neg)[first] if len(g) else cum_neg
    numerator = np.bincount(g, pos * (below + 0.5 * neg), minlength=hist.n_groups)
    n_pos = np.bincount(g, pos, minlength=hist.n_groups)
    n_neg = np.bincount(g, neg, minlength=hist.n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = numerator / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def spread(values: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Difference (max - min) and ratio (min / max) over the last axis, eligible groups only.

    ``NaN`` where no group is eligible and defined, and for a ratio whose max is 0 (as Fairlearn).
    """
    v = np.where(eligible, values, np.nan)
    defined = ~np.isnan(v)
    any_defined = defined.any(axis=-1)
    hi = np.max(np.where(defined, v, -np.inf), axis=-1)
    lo = np.min(np.where(defined, v, np.inf), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.where(any_defined, hi - lo, np.nan)
        ratio = np.where(any_defined & (hi != 0), lo / hi, np.nan)
    return diff, ratio


def _value(x: float, reason: str) -> MetricValue:
    return MetricValue(None, reason) if np.isnan(x) else MetricValue(float(x))


def _disparity(name: str, values: np.ndarray, eligible: np.ndarray, keys: list[GroupKey],
               ref: int) -> Disparity:
    diff, ratio = spread(values, eligible)
    usable = eligible & ~np.isnan(values)
    none = "no group large enough with a defined value"
    hi_key = lo_key = None
    if usable.any():
        idx = np.flatnonzero(usable)
        hi_key = keys[idx[np.argmax(values[idx])]]
        lo_key = keys[idx[np.argmin(values[idx])]]
    ratio_reason = none if not usable.any() else "the largest group value is 0"
    comparisons = []
    ref_value = values[ref]
    for i, key in enumerate(keys):
        if not eligible[i] or np.isnan(values[i]):
            why = "group too small or value undefined"
            comparisons.append(ReferenceComparison(key, MetricValue(None, why),
                                                   MetricValue(None, why)))
        elif np.isnan(ref_value):
            why = "the reference group's value is undefined"
            comparisons.append(ReferenceComparison(key, MetricValue(None, why),
                                                   MetricValue(None, why)))
        else:
            d = MetricValue(float(values[i] - ref_value))
            r = (MetricValue(float(values[i] / ref_value)) if ref_value != 0
                 else MetricValue(None, "the reference group's value is 0"))
            comparisons.append(ReferenceComparison(key, d, r))
    return Disparity(name, _value(diff, none), _value(ratio, ratio_reason), hi_key, lo_key,
                     tuple(comparisons))


def _named(disparities: Mapping[str, Disparity]) -> dict[str, MetricValue]:
    summary: dict[str, MetricValue] = {}
    for name, d in disparities.items():
        summary[f"{name}_difference"] = d.difference
        summary[f"{name}_ratio"] = d.ratio
    sel, tpr, fpr = (disparities[m] for m in
                     ("selection_rate", "true_positive_rate", "false_positive_rate"))
    summary["demographic_parity_difference"] = sel.difference
    summary["demographic_parity_ratio"] = sel.ratio
    summary["equal_opportunity_difference"] = tpr.difference
    summary["equal_opportunity_ratio"] = tpr.ratio
    pairs = {"difference": (tpr.difference, fpr.difference, max),
             "ratio": (tpr.ratio, fpr.ratio, min)}
    for kind, (a, b, pick) in pairs.items():
        if a.defined and b.defined:
            summary[f"equalized_odds_{kind}"] = MetricValue(pick(a.value, b.value))
        else:
            summary[f"equalized_odds_{kind}"] = MetricValue(
                None, f"true or false positive rate {kind} undefined: {a.reason or b.reason}")
    return summary


def _reference_index(counts: GroupCounts, reference: GroupKey | str | None) -> int:
    keys = counts.keys()
    sizes = counts.flat().sum(axis=1)
    if reference is None:
        return int(np.argmax(sizes))  # the largest group; ties go to the first in key order
    key = (reference,) if isinstance(reference, str) else tuple(reference)
    if key not in keys or sizes[keys.index(key)] == 0:
        raise InputError("--reference", f"no rows in reference group {key!r}",
                         expected=f"one of {[k for k, s in zip(keys, sizes, strict=True) if s]}")
    return keys.index(key)


def fairness_report(
    counts: GroupCounts,
    *,
    reference: GroupKey | str | None = None,
    min_group_size: int = 1,
    convention: Convention = "strict",
    scores: ScoreHistogram | None = None,
    overall_scores: ScoreHistogram | None = None,
    roc_auc: np.ndarray | None = None,
    overall_roc_auc: float | None = None,
) -> FairnessReport:
    """Per-group metrics, overall metrics and every disparity, from confusion counts.

    Args:
        counts: the groups' confusion counts.
        reference: the group disparities "to reference" and parity tests compare with; a key
            tuple (or a plain string for one attribute). Default: the largest group.
        min_group_size: groups with fewer rows are flagged ``below_minimum`` and left out of
            differences and ratios. ``1`` keeps every non-empty group, as Fairlearn does.
        convention: ``"strict"`` or ``"fairlearn"``; see the module docstring.
        scores / overall_scores: score histograms over the same groups / over all rows, to add
            ``roc_auc_score``.
        roc_auc / overall_roc_auc: the groups' / overall ROC AUC already computed (exactly,
            from rank sums an engine returned); they take the histograms' place.

    Raises:
        InputError: the reference group does not exist or has no rows.
    """
    flat = counts.flat()
    keys = counts.keys()
    sizes = flat.sum(axis=1)
    arrays = metric_arrays(flat, convention)
    overall_arrays = metric_arrays(counts.total(), convention)
    if roc_auc is not None:
        arrays["roc_auc_score"] = roc_auc
        if overall_roc_auc is not None:
            overall_arrays["roc_auc_score"] = overall_roc_auc
    elif scores is not None:
        arrays["roc_auc_score"] = roc_auc_from_histogram(scores)
        if overall_scores is not None:
            overall_arrays["roc_auc_score"] = roc_auc_from_histogram(overall_scores)[0]
    eligible = (sizes >= max(min_group_size, 1))
    ref = _reference_index(counts, reference)

    def row(key: GroupKey, cells: np.ndarray, values: Mapping[str, np.ndarray | float],
            below: bool) -> GroupMetrics:
        metrics = {name: _value(float(v), _reason(name, cells)) for name, v in values.items()}
        return GroupMetrics(key, int(cells.sum()), ConfusionCells(*map(int, cells)), metrics,
                            below)

    groups = tuple(
        row(k, flat[i], {m: a[i] for m, a in arrays.items()}, bool(0 < sizes[i] < min_group_size))
        for i, k in enumerate(keys)
    )
    overall = row(("overall",), counts.total(), overall_arrays, False)
    disparities = {m: _disparity(m, a, eligible, keys, ref) for m, a in arrays.items()}
    return FairnessReport(counts.attributes, groups, overall, keys[ref], disparities,
                          _named(disparities), convention, min_group_size)


def analyse_table(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    positive_label: object | None = None,
    reference: Mapping[tuple[str, ...], GroupKey] | None = None,
    min_group_size: int = 1,
    convention: Convention = "strict",
    source: str = "prediction table",
) -> dict[tuple[str, ...], FairnessReport]:
    """Reports for each attribute alone and for every intersection, from one pass over the rows.

    The rows are counted once for the full intersection; single attributes and smaller
    intersections are marginals of those counts (and of the score histogram), so adding an
    attribute set costs nothing per row.

    Raises:
        InputError: bad input (see :mod:`.fairness_counts`) or an unknown reference group.
    """
    require_columns(frame, [c for c in (label, prediction, score, *attributes) if c], source)
    outcomes = binary_outcomes(frame, label=label, prediction=prediction, score=score,
                               threshold=threshold, positive_label=positive_label, source=source)
    codes = encode_groups(frame, attributes, bins=bins, source=source)
    full = group_counts(codes, outcomes)
    hist = score_histogram(codes, outcomes) if outcomes.score is not None else None
    return reports_from_counts(full, hist, reference=reference, min_group_size=min_group_size,
                               convention=convention)


def reports_from_counts(
    full: GroupCounts,
    hist: ScoreHistogram | None,
    *,
    reference: Mapping[tuple[str, ...], GroupKey] | None = None,
    min_group_size: int = 1,
    convention: Convention = "strict",
    rank_sums: Mapping[tuple[str, ...], RankSums] | None = None,
) -> dict[tuple[str, ...], FairnessReport]:
    """Reports for each attribute and every intersection from the full intersection's counts.

    This is the one path from sufficient statistics to reports, whichever engine counted:
    smaller attribute sets are marginals of ``full`` (and of the score histogram ``hist``
    over the same groups). ``rank_sums`` (per attribute set, ``()`` overall), when an engine
    computed them, give the exact ROC AUC instead of the histogram, which may then be rounded.

    Raises:
        InputError: an unknown reference group.
    """
    attributes = full.attributes
    shape = tuple(len(lv) for lv in full.levels)
    if rank_sums is not None:
        hist = None
    overall_hist = marginal_histogram(hist, shape, ()) if hist is not None else None
    overall_auc = float(rank_sums[()].auc()[0]) if rank_sums is not None else None
    reports = {}
    for size in range(1, len(attributes) + 1):
        for subset in combinations(range(len(attributes)), size):
            names = tuple(attributes[i] for i in subset)
            sub_hist = hist
            if hist is not None and size < len(attributes):
                sub_hist = marginal_histogram(hist, shape, subset)
            reports[names] = fairness_report(
                full.marginal(names), reference=(reference or {}).get(names),
                min_group_size=min_group_size, convention=convention,
                scores=sub_hist, overall_scores=overall_hist,
                roc_auc=rank_sums[names].auc() if rank_sums is not None else None,
                overall_roc_auc=overall_auc)
    return reports
