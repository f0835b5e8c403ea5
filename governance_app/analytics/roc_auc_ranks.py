"""Exact per-group ROC AUC from rank sums: a few integers per group, whatever the table's size.

ROC AUC is the Mann–Whitney U of the positives' scores over the negatives' divided by
``P * N``, with tied scores counting one half (average ranks). Twice U is an integer,
``2U = sum_k pos_k * (2 * neg_below_k + neg_k)`` over a group's distinct scores ``k`` in
increasing order, so an engine can compute it where the rows are (a window sum over the
distinct scores of each group) and send back three integers per group: ``2U``, ``P`` and ``N``.
The AUC is then one correctly rounded division of Python integers, exact however many distinct
scores there are; the score histogram kept for threshold sweeps may be rounded without touching
it (:mod:`~.sufficient_stats`).

The in-memory path computes the same integers from its exact histogram
(:func:`rank_sums_from_histogram`); both give bit-for-bit the value of
:func:`~.fairness_metrics.roc_auc_from_histogram` and scikit-learn's ``roc_auc_score`` (to
rounding).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from governance_app.analytics.fairness_counts import GroupCounts, ScoreHistogram
from governance_app.errors import InputError

if TYPE_CHECKING:  # frames come from the engines; `fairness FILE` on Parquet loads no pandas
    import pandas as pd

TWICE_U = "__twice_u"
POSITIVES = "__positives"
NEGATIVES = "__negatives"


@dataclass(frozen=True, slots=True)
class RankSums:
    """Twice the Mann–Whitney U, positives and negatives of every group of one attribute set.

    Groups are in the row-major order of the attribute set's levels (as
    :meth:`~.fairness_counts.GroupCounts.keys`); ``twice_u`` holds Python integers, which do not
    overflow however many rows a group has.
    """

    twice_u: tuple[int, ...]
    positives: tuple[int, ...]
    negatives: tuple[int, ...]

    def auc(self) -> np.ndarray:
        """Per group ``2U / (2 P N)``, correctly rounded; ``NaN`` without both classes."""
        return np.array([u / (2 * p * n) if p > 0 and n > 0 else np.nan
                         for u, p, n in zip(self.twice_u, self.positives, self.negatives,
                                            strict=True)], dtype=np.float64)

    def record(self) -> dict[str, list[int]]:
        """Plain JSON, stored with the result."""
        return {"twice_u": list(self.twice_u), "positives": list(self.positives),
                "negatives": list(self.negatives)}

    @classmethod
    def from_record(cls, record: Mapping[str, Sequence[int]]) -> RankSums:
        """The stored form back."""
        return cls(tuple(int(v) for v in record["twice_u"]),
                   tuple(int(v) for v in record["positives"]),
                   tuple(int(v) for v in record["negatives"]))


def _sums_sorted(n_groups: int, g: np.ndarray, pos: np.ndarray, neg: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(2U, P, N)`` per group from one row per (group, distinct score), sorted by both."""
    twice = np.zeros(n_groups, dtype=np.int64)
    p = np.zeros(n_groups, dtype=np.int64)
    n = np.zeros(n_groups, dtype=np.int64)
    if len(g) == 0:
        return twice, p, n
    start = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    before = np.cumsum(neg) - neg  # negatives at lower scores, counted from the first row
    below = before - np.repeat(before[start], np.diff(np.append(start, len(g))))
    groups = g[start]
    # exact in int64 below 2**63 (about three billion rows a group)
    twice[groups] = np.add.reduceat(pos * (2 * below + neg), start)
    p[groups] = np.add.reduceat(pos, start)
    n[groups] = np.add.reduceat(neg, start)
    return twice, p, n


def rank_sums_from_histogram(hist: ScoreHistogram) -> RankSums:
    """The rank sums of every group of an exact score histogram (sorted by group, then score)."""
    twice, p, n = _sums_sorted(hist.n_groups, hist.group, hist.positives.astype(np.int64),
                               hist.negatives.astype(np.int64))
    return RankSums(tuple(twice.tolist()), tuple(p.tolist()), tuple(n.tolist()))


@dataclass(frozen=True, slots=True)
class ScoreOrder:
    """Count rows put in increasing score order once, for the rank sums of many groupings.

    Attributes:
        order: the permutation taking the rows into score order (equal scores in any order).
        positives / negatives: the rows' counts (int64) in that order.
        tied: positions, in that order, of the only rows where a tie can count one half: those
            whose score another row shares, and those holding both positives and negatives.
        run: for each tied position, the index of its run of equal scores (increasing).
    """

    order: np.ndarray
    positives: np.ndarray
    negatives: np.ndarray
    tied: np.ndarray
    run: np.ndarray


def score_order(score: np.ndarray, positives: np.ndarray, negatives: np.ndarray) -> ScoreOrder:
    """Sort the count rows by score once (an unstable sort: ties are settled apart)."""
    order = np.argsort(score)
    s = score[order]
    counts = _narrow(positives, negatives)
    pos = positives[order].astype(counts, copy=False)
    neg = negatives[order].astype(counts, copy=False)
    tied = (pos > 0) & (neg > 0)
    if len(s) > 1:
        same = s[1:] == s[:-1]
        tied[1:] |= same
        tied[:-1] |= same
    at = np.flatnonzero(tied)
    run = np.zeros(len(at), dtype=np.int64)
    if len(at) > 1:
        np.cumsum(s[at][1:] != s[at][:-1], out=run[1:])
    return ScoreOrder(order, pos, neg, at, run)


def _narrow(*counts: np.ndarray) -> type:
    """int32 for counts that fit (half the bytes to move per grouping), else int64; every sum
    of them is taken in int64."""
    fits = all(len(c) == 0 or (int(c.min()) >= 0 and int(c.max()) < 2**31) for c in counts)
    return np.int32 if fits else np.int64


def group_code_type(n_groups: int) -> type:
    """The narrowest type holding group codes below ``n_groups`` that numpy's stable sort
    radix-sorts (8 or 16 bits), else int64."""
    if n_groups <= 2**8:
        return np.uint8
    return np.uint16 if n_groups <= 2**16 else np.int64


def rank_sums_in_order(ordered: ScoreOrder, code: np.ndarray, n_groups: int
                       ) -> tuple[list[int], np.ndarray, np.ndarray]:
    """``(2U, P, N)`` per group from :func:`score_order`'s rows, ``code`` in that order.

    A stable sort by group keeps each group's rows in score order; a positive row then counts
    the group's negatives before it (a cumulative sum), which are those at lower scores plus
    any at its own score placed before it. The second part, and the half-counted ties, are
    settled on the tied rows alone: per run of equal scores in a group, ``2U`` gains ``P * N``
    and loses twice what the run's order counted. ``2U`` comes back as Python integers.
    """
    p_all = np.zeros(n_groups, dtype=np.int64)
    n_all = np.zeros(n_groups, dtype=np.int64)
    twice = [0] * n_groups
    if len(code) == 0:
        return twice, p_all, n_all
    code = code.astype(group_code_type(n_groups), copy=False)
    if n_groups == 1:  # one group: already in its order
        pos, neg = ordered.positives, ordered.negatives
    else:
        perm = np.argsort(code, kind="stable")
        pos, neg = ordered.positives[perm], ordered.negatives[perm]
    below = np.cumsum(neg, dtype=np.int64)
    below -= neg  # the group's negatives earlier in its order, plus earlier groups' negatives
    sizes = np.bincount(code, minlength=n_groups)
    present = np.flatnonzero(sizes)
    starts = (np.cumsum(sizes) - sizes)[present]
    p_all[present] = np.add.reduceat(pos, starts, dtype=np.int64)
    n_all[present] = np.add.reduceat(neg, starts, dtype=np.int64)
    # exact in int64 below 2**63 (about three billion rows in the table)
    counted = np.add.reduceat(pos * below, starts) - p_all[present] * below[starts]
    for g, value in zip(present.tolist(), counted.tolist(), strict=True):
        twice[g] = 2 * value
    if len(ordered.tied):
        for g, value in _tie_terms(ordered, code[ordered.tied], n_groups).items():
            twice[g] += value
    return twice, p_all, n_all


def _tie_terms(ordered: ScoreOrder, code: np.ndarray, n_groups: int) -> dict[int, int]:
    """Per group with ties: ``sum P * N`` over its runs of equal scores, less twice the
    negatives each positive row found before it inside its run."""
    perm = np.argsort(code, kind="stable")  # runs stay in score order
    g, run = code[perm], ordered.run[perm]
    at = ordered.tied[perm]
    pos, neg = ordered.positives[at], ordered.negatives[at]
    new = np.empty(len(g), dtype=bool)
    new[0] = True
    new[1:] = (g[1:] != g[:-1]) | (run[1:] != run[:-1])
    starts = np.flatnonzero(new)
    before = np.cumsum(neg, dtype=np.int64)
    before -= neg
    p_run = np.add.reduceat(pos, starts, dtype=np.int64)
    within = np.add.reduceat(pos * before, starts) - p_run * before[starts]
    term = p_run * np.add.reduceat(neg, starts, dtype=np.int64) - 2 * within
    groups = g[starts]
    first = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    return dict(zip(groups[first].tolist(), np.add.reduceat(term, first).tolist(), strict=True))


def _level_index(values: pd.Series, levels: tuple[str, ...], binned: bool, attribute: str,
                 source: str) -> np.ndarray:
    """Each engine row's level index: a bin code as it is, any other value by its text (the
    text :func:`~.fairness_counts.encode_groups` gave the levels)."""
    if binned:
        return values.to_numpy(dtype=np.int64)
    index = {text: i for i, text in enumerate(levels)}
    found = np.array([index.get(str(v), -1) for v in values.tolist()], dtype=np.int64)
    if (found < 0).any():
        stray = values[found < 0].iloc[0]
        raise InputError(source, f"group {stray!r} of {attribute!r} was ranked but not counted",
                         location=f"column {attribute!r}",
                         expected=f"one of the counted groups {list(levels)[:10]}")
    return found


def rank_sums_from_frame(frame: pd.DataFrame, counts: GroupCounts, names: Sequence[str],
                         binned: Sequence[str] = (), source: str = "prediction table"
                         ) -> RankSums:
    """An engine's rows for one attribute set (the attribute columns, :data:`TWICE_U` as text,
    :data:`POSITIVES`, :data:`NEGATIVES`) placed on that set's groups; groups without a row
    have no positive and no negative.

    Raises:
        InputError: a row whose group is not among the counted levels.
    """
    sizes = [len(counts.levels[counts.attributes.index(a)]) for a in names]
    n_groups = int(np.prod(sizes)) if names else 1
    code = np.zeros(len(frame), dtype=np.int64)
    for name, size in zip(names, sizes, strict=True):
        levels = counts.levels[counts.attributes.index(name)]
        code = code * size + _level_index(frame[name], levels, name in binned, name, source)
    twice = [0] * n_groups
    p = [0] * n_groups
    n = [0] * n_groups
    for c, u, pos, neg in zip(code.tolist(), frame[TWICE_U].tolist(),
                              frame[POSITIVES].tolist(), frame[NEGATIVES].tolist(), strict=True):
        twice[c] += int(u)
        p[c] += int(pos)
        n[c] += int(neg)
    return RankSums(tuple(twice), tuple(p), tuple(n))


def subsets_of(attributes: Sequence[str]) -> list[tuple[str, ...]]:
    """Every attribute set a report covers (each attribute, every intersection) and ``()``,
    overall, in :func:`~.fairness_metrics.reports_from_counts`' order."""
    from itertools import combinations

    out: list[tuple[str, ...]] = [()]
    for size in range(1, len(attributes) + 1):
        out += [tuple(c) for c in combinations(attributes, size)]
    return out


def record_of(sums: Mapping[tuple[str, ...], RankSums]) -> dict[str, Any]:
    """Rank sums keyed by their attribute set joined with commas (``""`` is overall)."""
    return {",".join(k): v.record() for k, v in sums.items()}


def from_record(record: Mapping[str, Any]) -> dict[tuple[str, ...], RankSums]:
    """:func:`record_of` back."""
    return {tuple(k.split(",")) if k else (): RankSums.from_record(v) for k, v in record.items()}
