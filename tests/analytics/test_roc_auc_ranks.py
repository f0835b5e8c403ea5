"""Rank sums give bit for bit the AUC of the score histogram, for rows in any order."""

from __future__ import annotations

import numpy as np

from governance_app.analytics.fairness_counts import weighted_histogram
from governance_app.analytics.fairness_metrics import roc_auc_from_histogram
from governance_app.analytics.roc_auc_ranks import (
    RankSums,
    rank_sums_from_histogram,
    rank_sums_of_sorted,
)


def _rows(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 5000
    group = rng.integers(0, 7, n)
    score = rng.choice(np.round(rng.random(40), 2), n)  # heavy ties
    pos = rng.integers(0, 3, n)
    neg = rng.integers(0, 3, n)
    pos[group == 5] = 0  # a group with negatives only
    score[group == 6] = 0.25  # a group with one score
    return group, score, pos, neg


def test_rank_sums_equal_the_histogram_auc_bit_for_bit() -> None:
    group, score, pos, neg = _rows(1)
    hist = weighted_histogram(8, group, score, pos, neg)  # group 7 has no rows
    sums = rank_sums_from_histogram(hist)
    expected = roc_auc_from_histogram(hist)
    got = sums.auc()
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.array_equal(got[~np.isnan(got)], expected[~np.isnan(expected)])
    assert np.isnan(got[5]) and np.isnan(got[7]) and got[6] == 0.5
    assert RankSums.from_record(sums.record()) == sums


def test_rows_sorted_by_score_alone_give_the_same_sums() -> None:
    group, score, pos, neg = _rows(2)
    order = np.argsort(score, kind="stable")
    twice, p, n = rank_sums_of_sorted(group[order], 8, score[order], pos[order], neg[order])
    sums = rank_sums_from_histogram(weighted_histogram(8, group, score, pos, neg))
    assert (tuple(twice.tolist()), tuple(p.tolist()), tuple(n.tolist())) == (
        sums.twice_u, sums.positives, sums.negatives)
