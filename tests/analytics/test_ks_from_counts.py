"""Drift statistics from counts per distinct value equal scipy's, however the counts are split."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from governance_app.analytics.drift_stats import prepare_numeric, quantile_counts
from governance_app.analytics.fairness_counts import weighted_histogram
from governance_app.analytics.fairness_metrics import roc_auc_from_histogram
from governance_app.analytics.ks_from_counts import (
    ValueCounts,
    iterate_parts,
    ks_p_value,
    numeric_statistics,
)
from governance_app.analytics.sufficient_stats import rounding_bound


def _split(counts: ValueCounts, parts: int) -> list[ValueCounts]:
    return [ValueCounts(counts.values[i], counts.ref[i], counts.cur[i])
            for i in np.array_split(np.arange(counts.values.size), parts)]


@pytest.mark.parametrize(("n_ref", "n_cur", "decimals"), [(800, 600, 2), (12_000, 9_000, 1)])
def test_ks_and_wasserstein_equal_scipy_for_any_split(n_ref: int, n_cur: int,
                                                      decimals: int) -> None:
    rng = np.random.default_rng(7)
    ref = np.round(rng.normal(size=n_ref), decimals)  # ties on purpose
    cur = np.round(rng.normal(0.2, 1.3, size=n_cur), decimals)
    counts = ValueCounts.from_samples(ref, cur)
    whole = numeric_statistics(iterate_parts(lambda: [counts]))
    oracle = stats.ks_2samp(ref, cur)
    assert whole.stats["ks_statistic"] == pytest.approx(oracle.statistic, rel=1e-12)
    assert ks_p_value(whole) == pytest.approx(oracle.pvalue, rel=1e-12, abs=1e-300)
    assert whole.stats["wasserstein_raw"] == pytest.approx(
        stats.wasserstein_distance(ref, cur), rel=1e-12)
    assert whole.std == pytest.approx(np.std(ref), rel=1e-12)
    prepared = prepare_numeric(ref)
    rb, cb = quantile_counts(prepared, np.sort(cur))
    assert whole.bins["reference"] == rb.tolist() and whole.bins["current"] == cb.tolist()
    for parts in (2, 7):
        split = numeric_statistics(iterate_parts(lambda p=parts: _split(counts, p)))
        assert split.stats["ks_statistic"] == whole.stats["ks_statistic"]
        assert split.stats["wasserstein_raw"] == pytest.approx(whole.stats["wasserstein_raw"],
                                                               rel=1e-14)
        assert split.bins == whole.bins and split.stats["psi"] == whole.stats["psi"]


def test_all_equal_values_and_64_bit_integers() -> None:
    same = ValueCounts.from_samples(np.full(50, 3.0), np.full(40, 3.0))
    result = numeric_statistics(iterate_parts(lambda: [same]))
    assert result.stats["ks_statistic"] == 0.0 and result.stats["wasserstein_raw"] == 0.0
    assert result.n_unique == 1 and result.bins["kind"] == "values"
    big = np.array([2**62, 2**62 + 2**12, 2**62 + 2**13], dtype=np.int64)
    ref, cur = big[[0, 1, 1]].astype(np.float64), big[[1, 2]].astype(np.float64)
    counts = ValueCounts.from_samples(ref, cur)
    result = numeric_statistics(iterate_parts(lambda: [counts]))
    oracle = stats.ks_2samp(ref, cur).statistic
    assert result.stats["ks_statistic"] == pytest.approx(oracle, rel=1e-12)
    assert result.stats["wasserstein_raw"] == pytest.approx(stats.wasserstein_distance(ref, cur),
                                                            rel=1e-12)


def test_an_empty_sample_is_refused() -> None:
    counts = ValueCounts(np.array([1.0]), np.array([3]), np.array([0]))
    with pytest.raises(ValueError, match="no finite current value"):
        numeric_statistics(iterate_parts(lambda: [counts]))


def test_rounding_bound_covers_the_change_of_auc() -> None:
    rng = np.random.default_rng(3)
    group = rng.integers(0, 2, 5000)
    label = rng.integers(0, 2, 5000)
    score = np.clip(rng.normal(0.5 + 0.1 * label, 0.2), 0, 1)
    ones = np.ones(5000, dtype=np.int64)

    def hist(s: np.ndarray):  # noqa: ANN202
        return weighted_histogram(2, group, s, ones * label, ones * (1 - label))

    exact = roc_auc_from_histogram(hist(score))
    rounded = hist(np.round(score, 2))
    change = np.abs(exact - roc_auc_from_histogram(rounded))
    bound = rounding_bound(rounded)
    assert np.all(change > 0) and np.all(change <= bound)
