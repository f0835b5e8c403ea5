"""The merge-based KS/Wasserstein (large samples) equals scipy and the search-based one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats

from governance_app.analytics import drift_categories as cats
from governance_app.analytics import drift_merge
from governance_app.analytics import drift_stats as st


def _pair(kind: int, n1: int, n2: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    if kind == 0:  # heavy ties, different supports
        return rng.integers(0, 5, n1).astype(float), rng.integers(1, 7, n2).astype(float)
    if kind == 1:  # continuous
        return rng.normal(0, 10, n1), rng.normal(1, 12, n2)
    return np.round(rng.exponential(3, n1), 1), np.round(rng.exponential(3.3, n2), 1)


def _cases() -> list[tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(20260125)
    sizes = [(1, 1), (1, 9), (9, 1), (300, 300), (1000, 333), (333, 1000), (40_000, 50_000)]
    return [_pair(kind, n1, n2, rng) for n1, n2 in sizes for kind in range(3)]


@pytest.mark.parametrize("a,b", _cases())
@pytest.mark.parametrize("block", [7, drift_merge.BLOCK])
def test_merged_equals_scipy(a: np.ndarray, b: np.ndarray, block: int,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    # A block of 7 puts runs of ties across block boundaries.
    monkeypatch.setattr(drift_merge, "BLOCK", block)
    d, w = drift_merge.ks_wasserstein_merged(np.sort(a), np.sort(b))
    assert d == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert w == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("a,b", _cases())
def test_merge_and_search_agree_bit_for_bit_on_ks(a: np.ndarray, b: np.ndarray,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ref, (cur, _) = st.prepare_numeric(a), st.sort_numeric(b)
    monkeypatch.setattr(st, "MERGE_RATIO", 10**12)  # always merge
    merged = st.ks_and_wasserstein(ref, cur)
    monkeypatch.setattr(st, "MERGE_RATIO", 0)  # always search
    searched = st.ks_and_wasserstein(ref, cur)
    assert merged[0] == searched[0]
    assert merged[1] == pytest.approx(searched[1], rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(hs.lists(hs.integers(-3, 3), min_size=1, max_size=40),
       hs.lists(hs.integers(-3, 3), min_size=1, max_size=40))
def test_merged_on_tied_integers_equals_scipy(x: list[int], y: list[int]) -> None:
    a, b = np.array(x, dtype=float), np.array(y, dtype=float)
    d, w = drift_merge.ks_wasserstein_merged(np.sort(a), np.sort(b))
    assert d == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert w == pytest.approx(stats.wasserstein_distance(a, b), abs=1e-12)


def test_empty_sample_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        drift_merge.ks_wasserstein_merged(np.array([1.0]), np.empty(0))


def test_categories_count_alike_from_strings_and_from_codes() -> None:
    values = ["b", None, "a", "b", "c", None, "b"]
    ref = cats.prepare_categorical(["a", "b", "a", "d"])
    from_strings = cats.count_categories(ref, pd.Series(values))
    from_codes = cats.count_categories(ref, pd.Categorical(values))
    for counts in (from_strings, from_codes):
        by_label = dict(zip(counts.labels, counts.cur_counts.tolist(), strict=True))
        assert by_label == {"a": 1, "b": 3, "d": 0, "c": 1}
        assert counts.nulls_cur == 2 and counts.unseen == ("c",)
    # A categorical dtype's unused categories are not categories of the data.
    unused = cats.prepare_categorical(pd.Series(["a", "a"], dtype=pd.CategoricalDtype(["a", "z"])))
    assert list(unused.labels) == ["a"] and unused.counts.tolist() == [2]
