"""An engine's fairness counts -> the confusion counts and score histogram of the analytics.

DuckDB and Spark reduce a prediction table to one small table of counts:
``GROUP BY (sensitive attributes…, label, prediction, score)`` with the number of rows of each
combination. That table is the sufficient statistic of every fairness number: confusion counts
per group are its sums over the score, the score histogram per group (exact ROC AUC, threshold
sweeps) its sums over the prediction. This module validates it (labels and predictions binary,
no missing value anywhere, rows counted) and turns it into the :class:`GroupCounts` and
:class:`ScoreHistogram` that :func:`~.fairness_metrics.reports_from_counts` and the bootstrap
read, so every engine's counts take the one path to the reported numbers.

Distinct scores: the histogram is exact while the table has at most :data:`MAX_EXACT_SCORES`
distinct scores. Above that the engine rounds scores before counting, to the most decimals of
:data:`SCORE_DECIMALS_TRIED` at which the scores' range holds at most that many rounded levels
(:func:`choose_decimals`), and says so: the histogram stays small (at most that many levels
per group) to store and to sweep. The ROC AUC never comes from a rounded histogram: the engine
returns exact rank sums per group (:mod:`~.roc_auc_ranks`). Rounding is monotone, so a
threshold recompute from the rounded histogram can misplace only the rows at the rounded level
nearest the threshold (:func:`threshold_bound`); :func:`rounding_bound` states how far an AUC
recomputed from the rounded histogram could be from the exact one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from governance_app.analytics import roc_auc_ranks as ranks
from governance_app.analytics.fairness_counts import (
    GroupCounts,
    ScoreHistogram,
    encode_groups,
    weighted_histogram,
)
from governance_app.analytics.roc_auc_ranks import RankSums
from governance_app.errors import InputError

MAX_EXACT_SCORES = 10_000
"""Distinct scores (the table's, approximately counted) kept exactly in the stored histogram;
above it the scores are rounded (the ROC AUC stays exact: it comes from rank sums)."""
SCORE_DECIMALS_TRIED = tuple(range(6, -7, -1))
"""Decimals tried, most first, for a histogram of at most MAX_EXACT_SCORES distinct scores."""
SCORE_DECIMALS = SCORE_DECIMALS_TRIED[0]
COUNT = "__n"
LABEL = "__label"
PREDICTION = "__prediction"
SCORE = "__score"


@dataclass(frozen=True, slots=True)
class FairnessCounts:
    """A prediction table reduced: counts, row count and how the scores were counted.

    Attributes:
        counts: confusion counts over the full intersection of the attributes.
        scores: positives and negatives per (group, distinct score); ``None`` without a score.
        rows: rows in the table.
        score_decimals: ``None`` when scores were counted exactly, else the rounding used.
        rank_sums: exact ROC AUC rank sums per attribute set (``()`` overall), when the
            engine computed them.
    """

    counts: GroupCounts
    scores: ScoreHistogram | None
    rows: int
    score_decimals: int | None
    rank_sums: dict[tuple[str, ...], RankSums] | None = None

    def record(self) -> dict[str, Any]:
        """The sufficient statistics as plain JSON, to be stored with the result."""
        out: dict[str, Any] = {
            "attributes": list(self.counts.attributes),
            "levels": [list(lv) for lv in self.counts.levels],
            "cells": self.counts.flat().tolist(), "rows": self.rows,
            "score_decimals": self.score_decimals,
        }
        if self.scores is not None:
            out["scores"] = {"group": self.scores.group.tolist(),
                             "score": self.scores.score.tolist(),
                             "positives": self.scores.positives.tolist(),
                             "negatives": self.scores.negatives.tolist()}
            if self.score_decimals is not None:
                out["roc_auc_bound"] = rounding_bound(self.scores).tolist()
        if self.rank_sums is not None:
            out["roc_auc_rank_sums"] = ranks.record_of(self.rank_sums)
        return out


def _missing(frame: pd.DataFrame, column: str, name: str, source: str) -> None:
    nan = frame[column].isna().to_numpy()
    if nan.any():
        rows = int(frame[COUNT].to_numpy()[nan].sum())
        raise InputError(source, f"{rows} missing value(s) in {name!r}",
                         location=f"column {name!r}", expected="a value on every row")


def binary_column(frame: pd.DataFrame, column: str, name: str, source: str,
            positive: object | None) -> np.ndarray:
    _missing(frame, column, name, source)
    values = frame[column]
    if positive is not None:
        distinct = pd.unique(values)
        if len(distinct) > 2:
            raise InputError(source, f"{name!r} has {len(distinct)} distinct values "
                             f"{list(distinct[:5])}", location=f"column {name!r}",
                             expected=f"two classes, one of them {positive!r}")
        return (values.to_numpy() == positive).astype(np.int64)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool).astype(np.int64)
    if pd.api.types.is_numeric_dtype(values.dtype):
        arr = values.to_numpy()
        bad = (arr != 0) & (arr != 1)
        if not bad.any():
            return arr.astype(np.int64)
        found = list(pd.unique(arr[bad])[:5])
    else:
        found = list(pd.unique(values)[:5])
    raise InputError(source, f"{name!r} is not binary: found {found}", location=f"column {name!r}",
                     expected="0/1 or true/false values (or name the positive class)")


def from_count_frame(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    label: str,
    prediction: str | None,
    score: str | None,
    bins: Mapping[str, Sequence[float]] | None = None,
    positive_label: object | None = None,
    score_decimals: int | None = None,
    source: str = "prediction table",
) -> FairnessCounts:
    """Validate an engine's count table and build the analytics' counts from it.

    ``frame`` has the attribute columns (named as in the table), ``__label``,
    ``__prediction`` (computed from the score and threshold by the engine when the table has
    no prediction column), ``__score`` when a score is analysed, and ``__n``.

    Raises:
        InputError: an empty table, missing values, non-binary labels or predictions, too many
            groups or values outside declared bins, naming the column.
    """
    if len(frame) == 0 or int(frame[COUNT].sum()) == 0:
        raise InputError(source, "the table has no rows", expected="at least one row")
    weights = frame[COUNT].to_numpy(dtype=np.int64)
    y = binary_column(frame, LABEL, label, source, positive_label)
    if score is not None and SCORE in frame:  # a missing score is named, not the prediction
        _missing(frame, SCORE, score, source)  # the engine derived from it
    pred_name = prediction or f"{score} >= threshold"
    p = binary_column(frame, PREDICTION, pred_name, source, positive_label if prediction else None)
    for attribute in attributes:
        _missing(frame, attribute, f"sensitive attribute {attribute}", source)
    groups = encode_groups(frame, list(attributes), bins=bins, source=source)
    n_groups = int(np.prod(groups.shape))
    cells = np.bincount(groups.codes * 4 + y * 2 + p, weights=weights,
                        minlength=n_groups * 4).astype(np.int64).reshape(*groups.shape, 4)
    counts = GroupCounts(groups.attributes, groups.levels, cells)
    hist = None
    if score is not None:
        _missing(frame, SCORE, score, source)
        hist = weighted_histogram(n_groups, groups.codes, frame[SCORE].to_numpy(np.float64),
                                  weights * y, weights * (1 - y))
    return FairnessCounts(counts, hist, int(weights.sum()), score_decimals)


def rounding_bound(hist: ScoreHistogram) -> np.ndarray:
    """Per group, the largest change rounding the scores can have made to its ROC AUC.

    Rounding never reverses a positive-negative pair; it can only turn a strictly ordered pair
    into a tie, worth one half instead of 0 or 1. At most the pairs tied after rounding were
    affected, so ``|AUC_exact - AUC_rounded| <= sum(pos_k neg_k) / (2 P N)`` over the rounded
    score levels ``k`` of the group. ``NaN`` for a group without both classes.
    """
    pos = hist.positives.astype(np.float64)
    neg = hist.negatives.astype(np.float64)
    tied = np.bincount(hist.group, pos * neg, minlength=hist.n_groups)
    p = np.bincount(hist.group, pos, minlength=hist.n_groups)
    n = np.bincount(hist.group, neg, minlength=hist.n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((p > 0) & (n > 0), tied / (2 * p * n), np.nan)


def counts_at_threshold(counts: GroupCounts, scores: ScoreHistogram,
                        threshold: float) -> GroupCounts:
    """Confusion counts per group for the rule ``score >= threshold``, from the histogram alone.

    The stored score histogram makes a threshold sweep (or a board asking "and at 0.6?") a
    cumulative sum over distinct scores: no second pass over the rows. ``counts`` supplies the
    groups' attributes and levels (its cells are not used).
    """
    above = scores.score >= threshold
    g = scores.group
    pos, neg = scores.positives, scores.negatives
    n = scores.n_groups
    tp = np.bincount(g, pos * above, minlength=n)
    fp = np.bincount(g, neg * above, minlength=n)
    fn = np.bincount(g, pos * ~above, minlength=n)
    tn = np.bincount(g, neg * ~above, minlength=n)
    cells = np.stack([tn, fp, fn, tp], axis=1).astype(np.int64)
    return GroupCounts(counts.attributes, counts.levels, cells.reshape(counts.cells.shape))


def from_record(record: dict[str, Any]) -> FairnessCounts:
    """The stored sufficient statistics (:meth:`FairnessCounts.record`) back as counts."""
    levels = tuple(tuple(lv) for lv in record["levels"])
    shape = (*(len(lv) for lv in levels), 4)
    counts = GroupCounts(tuple(record["attributes"]), levels,
                         np.asarray(record["cells"], dtype=np.int64).reshape(shape))
    hist = None
    if "scores" in record:
        h = record["scores"]
        hist = ScoreHistogram(int(np.prod(shape[:-1])), np.asarray(h["group"], dtype=np.int64),
                              np.asarray(h["score"], dtype=np.float64),
                              np.asarray(h["positives"], dtype=np.int64),
                              np.asarray(h["negatives"], dtype=np.int64))
    sums = record.get("roc_auc_rank_sums")
    return FairnessCounts(counts, hist, int(record["rows"]), record.get("score_decimals"),
                          ranks.from_record(sums) if sums is not None else None)


def choose_decimals(low: float, high: float) -> int:
    """The most decimals (of :data:`SCORE_DECIMALS_TRIED`) at which scores in ``[low, high]``
    round to at most :data:`MAX_EXACT_SCORES` levels (``(high - low) * 10**d + 2`` at most, a
    bound that needs no distinct count); the fewest tried when none does."""
    for decimals in SCORE_DECIMALS_TRIED:
        if (high - low) * 10.0 ** decimals + 2 <= MAX_EXACT_SCORES:
            return decimals
    return SCORE_DECIMALS_TRIED[-1]


def threshold_bound(hist: ScoreHistogram, threshold: float, decimals: int | None) -> np.ndarray:
    """Per group, the rows whose side of ``threshold`` a rounded histogram cannot tell.

    With scores rounded to ``decimals``, only the rows at the rounded level nearest the threshold
    (``round(threshold, decimals)``) may lie on either side of it; every other level is wholly
    above or below. ``0`` everywhere for an exact histogram (``decimals`` ``None``).
    """
    out = np.zeros(hist.n_groups, dtype=np.int64)
    if decimals is None:
        return out
    unit = 10.0 ** -decimals
    near = np.abs(hist.score - threshold) <= unit / 2 * (1 + 1e-9)
    np.add.at(out, hist.group[near], (hist.positives + hist.negatives)[near])
    return out
