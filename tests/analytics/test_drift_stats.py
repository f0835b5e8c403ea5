"""Drift statistics against scipy, hand-worked values and properties that must always hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats
from scipy.spatial import distance

from governance_app.analytics import drift_categories as cats
from governance_app.analytics import drift_stats as st


def _ours(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    ref = st.prepare_numeric(a)
    cur, _ = st.sort_numeric(b)
    d, w = st.ks_and_wasserstein(ref, cur)
    return d, st.ks_p_value(d, ref.values, cur), w


def _cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20260125)
    cases = []
    for i in range(60):
        n1, n2 = (int(x) for x in rng.integers(1, 400, size=2))
        if i % 3 == 0:  # heavy ties, integer-valued, different supports
            a = rng.integers(0, 5, n1).astype(float)
            b = rng.integers(1, 7, n2).astype(float)
        elif i % 3 == 1:  # continuous, shifted and scaled
            a = rng.normal(0, 10, n1)
            b = rng.normal(rng.normal(), 12, n2)
        else:  # ties between the samples: rounded values
            a = np.round(rng.exponential(3, n1), 1)
            b = np.round(rng.exponential(3.3, n2), 1)
        cases.append((a, b))
    cases.append((np.array([1.0]), np.array([1.0])))
    cases.append((np.array([1.0, 2.0, 3.0]), np.array([10.0, 11.0])))
    cases.append((rng.normal(size=12_000), rng.normal(0.05, 1, size=15_000)))  # asymptotic
    cases.append((rng.normal(size=10_000), rng.normal(0.02, 1, size=10_000)))  # exact, equal n
    return cases


@pytest.mark.parametrize("a,b", _cases())
def test_ks_and_wasserstein_equal_scipy(a: np.ndarray, b: np.ndarray) -> None:
    d, p, w = _ours(a, b)
    expected = stats.ks_2samp(a, b)
    assert d == pytest.approx(expected.statistic, abs=1e-12)
    assert p == pytest.approx(expected.pvalue, abs=1e-9)
    assert w == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9, abs=1e-12)


def test_inputs_in_any_order_and_with_nulls_are_sorted_and_counted() -> None:
    values = [3.0, float("nan"), 1.0, None, float("inf"), 2.0]
    ordered, nulls = st.sort_numeric(values)
    assert ordered.tolist() == [1.0, 2.0, 3.0]
    assert nulls == 3


def test_normed_wasserstein_divides_by_reference_std_with_evidently_floor() -> None:
    assert st.normed_wasserstein(0.5, 2.0) == 0.25
    assert st.normed_wasserstein(0.5, 0.0) == 500.0  # max(std, 0.001)


def test_psi_hand_checked() -> None:
    got = st.psi(np.array([50, 30, 20]), np.array([40, 40, 20]))
    assert got == pytest.approx(0.1 * math.log(0.5 / 0.4) - 0.1 * math.log(0.3 / 0.4), abs=1e-15)


def test_psi_fills_empty_bins_like_evidently() -> None:
    # Reference has an empty bin; its smallest non-zero share (1.0) is > 1e-4, so 1e-4.
    got = st.psi(np.array([10, 0]), np.array([5, 5]))
    expected = (1 - 0.5) * math.log(1 / 0.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5)
    assert got == pytest.approx(expected, rel=1e-12)
    # Smallest non-zero share 1e-5 <= 1e-4: zeros become 1e-5 / 1e6.
    ref = np.array([99_999, 1, 0])
    cur = np.array([1, 1, 1])
    r = np.array([0.99999, 1e-5, 1e-11])
    c = np.array([1, 1, 1]) / 3
    assert st.psi(ref, cur) == pytest.approx(float(np.sum((r - c) * np.log(r / c))), rel=1e-12)


def test_jensenshannon_hand_checked_and_equal_scipy() -> None:
    assert st.jensenshannon(np.array([1, 0]), np.array([0, 1])) == pytest.approx(
        math.sqrt(math.log(2)), abs=1e-15)
    kl_p = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    kl_q = math.log(1 / 0.75)
    assert st.jensenshannon(np.array([5, 5]), np.array([4, 0])) == pytest.approx(
        math.sqrt((kl_p + kl_q) / 2), abs=1e-15)
    rng = np.random.default_rng(7)
    for _ in range(20):
        p, q = rng.integers(0, 50, 8), rng.integers(0, 50, 8)
        p[0] += 1
        q[0] += 1
        assert st.jensenshannon(p, q) == pytest.approx(distance.jensenshannon(p, q), abs=1e-12)


def test_chisquare_equals_scipy_with_evidently_expected_counts() -> None:
    ref, cur = np.array([300, 500, 200]), np.array([40, 45, 15])
    stat, p = st.chisquare(ref, cur)
    expected = stats.chisquare(cur, ref * (cur.sum() / ref.sum()))
    assert stat == pytest.approx(expected.statistic, rel=1e-12)
    assert p == pytest.approx(expected.pvalue, abs=1e-12)


def test_chisquare_category_only_in_current_is_certain_drift() -> None:
    _, p = st.chisquare(np.array([10, 10, 0]), np.array([5, 5, 1]))
    assert p == 0.0


def test_z_test_hand_checked() -> None:
    # ref: 30 of 100 are the second category; cur: 50 of 100.
    z, p = st.z_test(np.array([70, 30]), np.array([50, 50]))
    pooled = 0.4
    z_hand = (0.3 - 0.5) / math.sqrt(pooled * 0.6 * (2 / 100))
    assert z == pytest.approx(z_hand, rel=1e-12)
    assert p == pytest.approx(math.erfc(abs(z_hand) / math.sqrt(2)), abs=1e-12)
    assert st.z_test(np.array([10]), np.array([3])) == (None, 1.0)


def test_quantile_bins_come_from_the_reference_and_catch_values_beyond_it() -> None:
    ref = st.prepare_numeric(np.arange(1.0, 101.0), n_bins=4)
    assert ref.edges.tolist() == [25.75, 50.5, 75.25]
    cur, _ = st.sort_numeric(np.array([-5.0, 30.0, 60.0, 500.0, 501.0]))
    ref_counts, cur_counts = st.quantile_counts(ref, cur)
    assert ref_counts.tolist() == [25, 25, 25, 25]
    assert cur_counts.tolist() == [1, 1, 1, 2]


def test_sturges_bins_equal_numpy_histogram() -> None:
    rng = np.random.default_rng(3)
    a, b = np.sort(rng.normal(size=500)), np.sort(rng.normal(0.3, 1, size=300))
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins="sturges")
    ra, rb = st.sturges_counts(a, b)
    assert ra.tolist() == np.histogram(a, edges)[0].tolist()
    assert rb.tolist() == np.histogram(b, edges)[0].tolist()


def test_unseen_categories_are_counted_not_dropped() -> None:
    ref = cats.prepare_categorical(["a", "b", "a", None])
    counts = cats.count_categories(ref, ["a", "c", "c", None, None])
    assert counts.labels == ["a", "b", "c"]
    assert counts.ref_counts.tolist() == [2, 1, 0]
    assert counts.cur_counts.tolist() == [1, 0, 2]
    assert counts.nulls_cur == 2
    assert counts.unseen == ("c",)
    assert ref.nulls == 1


finite = hs.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
samples = hs.lists(finite, min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(samples)
def test_identical_samples_show_no_drift(values: list[float]) -> None:
    a = np.array(values)
    d, p, w = _ours(a, a.copy())
    assert d == 0.0
    assert p == 1.0
    assert w == pytest.approx(0.0, abs=1e-9 * (1 + np.ptp(a)))
    counts = np.bincount(np.arange(len(values)) % 4)
    assert st.psi(counts, counts) == pytest.approx(0.0, abs=1e-15)
    assert st.jensenshannon(counts, counts) == pytest.approx(0.0, abs=1e-7)


@settings(max_examples=150, deadline=None)
@given(samples, samples)
def test_ks_wasserstein_symmetric_and_equal_scipy(x: list[float], y: list[float]) -> None:
    a, b = np.array(x), np.array(y)
    d_ab, _, w_ab = _ours(a, b)
    d_ba, _, w_ba = _ours(b, a)
    assert d_ab == d_ba
    scale = 1 + max(np.ptp(a), np.ptp(b), abs(a.mean() - b.mean()))
    assert w_ab == pytest.approx(w_ba, rel=1e-9, abs=1e-9 * scale)
    assert w_ab == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9, abs=1e-9 * scale)


counts_pair = hs.integers(1, 12).flatmap(
    lambda k: hs.tuples(hs.lists(hs.integers(0, 1000), min_size=k, max_size=k),
                        hs.lists(hs.integers(0, 1000), min_size=k, max_size=k))
).filter(lambda pq: sum(pq[0]) > 0 and sum(pq[1]) > 0)


@settings(max_examples=200, deadline=None)
@given(counts_pair)
def test_psi_non_negative_and_js_symmetric_bounded(pq: tuple[list[int], list[int]]) -> None:
    p, q = np.array(pq[0]), np.array(pq[1])
    assert st.psi(p, q) >= 0.0
    js = st.jensenshannon(p, q)
    assert js == pytest.approx(st.jensenshannon(q, p), abs=1e-12)
    assert 0.0 <= js <= math.sqrt(math.log(2)) + 1e-12


def test_empty_samples_are_refused() -> None:
    ref = st.prepare_numeric([1.0, 2.0])
    with pytest.raises(ValueError):
        st.ks_and_wasserstein(ref, np.empty(0))
    with pytest.raises(ValueError):
        st.prepare_numeric([float("nan")])
    with pytest.raises(ValueError):
        st.psi(np.array([0, 0]), np.array([1, 1]))
    with pytest.raises(ValueError):
        st.sort_numeric(["a", "b"])
