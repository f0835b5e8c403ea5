"""Column drift verdicts from an engine's counts: the same :class:`ColumnDrift` the row path gives.

An engine hands over, per column, either the numeric parts of :mod:`ks_from_counts` or the
categories with each sample's count; this module picks the method and threshold exactly as the
in-memory path does (:func:`~governance_app.analytics.drift_select.choose`, Evidently's
defaults unless a policy says otherwise), computes every statistic from the counts and judges
the column. Every statistic computed is kept in ``details``, and the counts that produced the
bins are returned beside it so that they can be stored with the result: a policy that later
asks for another method or threshold is answered from them, without the rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from governance_app.analytics import drift_stats as st
from governance_app.analytics.drift_categories import sorted_order
from governance_app.analytics.drift_columns import score_of, verdict
from governance_app.analytics.drift_select import DriftPolicy, choose
from governance_app.analytics.ks_from_counts import MapParts, ks_p_value, numeric_statistics
from governance_app.domain.drift import ColumnDrift, ColumnType


@dataclass(frozen=True, slots=True)
class CategoryTally:
    """One categorical column counted by an engine.

    Attributes:
        labels: every non-null category seen in either sample.
        ref / cur: each sample's count of each label.
        nulls_ref / nulls_cur: null values counted apart.
    """

    labels: list[Any]
    ref: np.ndarray
    cur: np.ndarray
    nulls_ref: int
    nulls_cur: int


def _judged(name: str, kind: ColumnType, method: str, threshold: float,
            stats: dict[str, float], n_ref: int, n_cur: int, nulls: tuple[int, int],
            unseen: tuple[str, ...]) -> ColumnDrift:
    try:
        score, statistic, p_value = score_of(method, stats)
    except KeyError:
        score = statistic = p_value = None
    if score is None or math.isnan(score):
        return ColumnDrift(name, kind, method, threshold, None, None, None, False, n_ref, n_cur,
                           nulls[0], nulls[1], unseen, {},
                           f"{method} is undefined for these samples")
    return ColumnDrift(name, kind, method, threshold, float(score),
                       None if statistic is None else float(statistic),
                       None if p_value is None else float(p_value),
                       verdict(method, score, threshold), n_ref, n_cur, nulls[0], nulls[1],
                       unseen, {k: float(v) for k, v in stats.items()})


def _empty_current(name: str, kind: ColumnType, policy: DriftPolicy, n_ref: int, n_unique: int,
                   nulls: tuple[int, int], unseen: tuple[str, ...] = ()) -> ColumnDrift:
    method, threshold = choose(policy, name, kind, n_ref, n_unique)
    return ColumnDrift(name, kind, method, threshold, None, None, None, False, n_ref, 0,
                       nulls[0], nulls[1], unseen, {}, "no non-null current value")


def numeric_column(name: str, map_parts: MapParts, nulls: tuple[int, int], n_ref: int,
                   n_cur: int, n_unique_ref: int,
                   policy: DriftPolicy) -> tuple[ColumnDrift, dict[str, Any]]:
    """Judge a numeric column from its parts; returns the verdict and the counts to store.

    ``n_ref``, ``n_cur`` (finite values) and ``n_unique_ref`` come from the engine's first
    summary of the column, so an empty current sample is judged without a pass.
    """
    if n_cur == 0:
        return _empty_current(name, ColumnType.NUMERICAL, policy, n_ref, n_unique_ref,
                              nulls), {}
    result = numeric_statistics(map_parts, n_bins=policy.n_bins, binning=policy.binning)
    method, threshold = choose(policy, name, ColumnType.NUMERICAL, result.n_ref,
                               result.n_unique)
    if method == "ks" or policy.all_statistics:
        result.stats["ks_p_value"] = ks_p_value(result)
    column = _judged(name, ColumnType.NUMERICAL, method, threshold, result.stats,
                     result.n_ref, result.n_cur, nulls, ())
    record = {"std": result.std, "n_unique_ref": result.n_unique_ref,
              "n_unique": result.n_unique, "bins": result.bins}
    return column, record


def categorical_column(name: str, tally: CategoryTally,
                       policy: DriftPolicy) -> tuple[ColumnDrift, dict[str, Any]]:
    """Judge a categorical column from its category counts; returns the verdict and the counts."""
    in_ref = tally.ref > 0
    unseen = tuple(str(label) for label, seen, c in zip(tally.labels, in_ref, tally.cur,
                                                         strict=True) if not seen and c > 0)
    keep = (tally.ref > 0) | (tally.cur > 0)
    labels = [label for label, k in zip(tally.labels, keep, strict=True) if k]
    order = sorted_order(labels)
    labels = [labels[i] for i in order]
    ref, cur = tally.ref[keep][order], tally.cur[keep][order]
    n_ref, n_cur = int(ref.sum()), int(cur.sum())
    nulls = (tally.nulls_ref, tally.nulls_cur)
    record = {"labels": [str(v) for v in labels], "reference": ref.tolist(),
              "current": cur.tolist()}
    n_labels = len(labels)
    if n_cur == 0:
        return _empty_current(name, ColumnType.CATEGORICAL, policy, n_ref, n_labels, nulls,
                              unseen), record
    method, threshold = choose(policy, name, ColumnType.CATEGORICAL, n_ref, n_labels)
    stats = {"psi": st.psi(ref, cur), "jensenshannon": st.jensenshannon(ref, cur)}
    stats["chisquare_statistic"], stats["chisquare_p_value"] = st.chisquare(ref, cur)
    z, stats["z_p_value"] = st.z_test(ref, cur)
    if z is not None:
        stats["z_statistic"] = z
    return _judged(name, ColumnType.CATEGORICAL, method, threshold, stats, n_ref, n_cur,
                   nulls, unseen), record


def labels_of(values: Sequence[Any]) -> list[Any]:
    """Category labels as Python values (numpy scalars unwrapped), for matching and sorting."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]

