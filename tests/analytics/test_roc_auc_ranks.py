"""Rank sums give bit for bit the AUC of the score histogram, for rows in any order."""

from __future__ import annotations

import numpy as np
import pytest

from governance_app.analytics.fairness_counts import weighted_histogram
from governance_app.analytics.fairness_metrics import roc_auc_from_histogram
from governance_app.analytics.roc_auc_ranks import (
    RankSums,
    rank_sums_from_histogram,
    rank_sums_in_order,
    score_order,
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


@pytest.mark.parametrize("ties", ["heavy", "none", "pure rows"])
def test_rows_in_any_order_give_the_histograms_sums_for_every_grouping(ties: str) -> None:
    group, score, pos, neg = _rows(2)
    rng = np.random.default_rng(3)
    if ties == "none":
        score = rng.permutation(len(score)) / len(score)  # every score once
    if ties != "heavy":  # each row positives or negatives, as an engine's count rows are
        positive = rng.random(len(score)) < 0.4
        pos, neg = np.where(positive, pos, 0), np.where(positive, 0, neg)
    shuffle = rng.permutation(len(score))
    group, score, pos, neg = group[shuffle], score[shuffle], pos[shuffle], neg[shuffle]
    ordered = score_order(score, pos, neg)
    for code, n_groups in ((group, 8), (group % 3, 3), (np.zeros_like(group), 1)):
        twice, p, n = rank_sums_in_order(ordered, code[ordered.order], n_groups)
        sums = rank_sums_from_histogram(weighted_histogram(n_groups, code, score, pos, neg))
        assert (tuple(twice), tuple(p.tolist()), tuple(n.tolist())) == (
            sums.twice_u, sums.positives, sums.negatives)


def test_no_rows_give_no_positives_and_no_negatives() -> None:
    empty = np.zeros(0)
    twice, p, n = rank_sums_in_order(score_order(empty, empty, empty), empty.astype(int), 2)
    assert (twice, p.tolist(), n.tolist()) == ([0, 0], [0, 0], [0, 0])
