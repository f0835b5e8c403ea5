"""Slice finder: finds a planted weak slice, corrects for multiple tests, fails cleanly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics.slice_finder import (
    SliceSearchCancelled,
    benjamini_hochberg,
    encode_feature,
    find_slices,
)
from governance_app.domain.fairness import SliceCondition
from governance_app.errors import InputError


def planted(rows: int = 20_000, seed: int = 5) -> pd.DataFrame:
    """Errors at 10% everywhere except colour=red & size=L, where they are 45%."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "colour": rng.choice(["red", "green", "blue"], rows),
        "size": rng.choice(["S", "M", "L"], rows),
        "shop": rng.choice(["n", "s"], rows),
        "weight": rng.normal(50, 10, rows),
        "label": rng.integers(0, 2, rows),
    })
    bad = (frame["colour"] == "red") & (frame["size"] == "L")
    flip = rng.random(rows) < np.where(bad, 0.45, 0.10)
    frame["pred"] = np.where(flip, 1 - frame["label"], frame["label"])
    return frame


def test_finds_the_planted_slice_first() -> None:
    report = find_slices(planted(), label="label", prediction="pred", min_size=100, top_k=5)
    top = report.slices[0]
    assert set(top.conditions) == {SliceCondition("colour", "red"), SliceCondition("size", "L")}
    assert top.metric_value == pytest.approx(0.45, abs=0.03)
    assert top.complement_value == pytest.approx(0.10, abs=0.02)
    assert top.effect_size == pytest.approx(top.metric_value - top.complement_value)
    assert top.p_adjusted < 1e-10 and top.p_value <= top.p_adjusted
    assert report.slices_tested > 20
    # no reported slice is a refinement of one reported before it
    for i, later in enumerate(report.slices):
        for earlier in report.slices[:i]:
            assert not set(earlier.conditions) < set(later.conditions)
    assert [s.effect_size for s in report.slices] == sorted(
        (s.effect_size for s in report.slices), reverse=True)


def test_nothing_significant_in_pure_noise() -> None:
    rng = np.random.default_rng(0)
    n = 5_000
    frame = pd.DataFrame({"a": rng.choice(list("abcd"), n), "b": rng.choice(list("xyz"), n),
                          "label": rng.integers(0, 2, n)})
    frame["pred"] = np.where(rng.random(n) < 0.2, 1 - frame["label"], frame["label"])
    report = find_slices(frame, label="label", prediction="pred", min_size=50)
    assert report.slices == ()


def test_other_metrics_and_aliases() -> None:
    frame = planted()
    fpr = find_slices(frame, label="label", prediction="pred", metric="fpr", min_size=100)
    assert fpr.metric == "false_positive_rate"
    assert fpr.slices and {c.column for c in fpr.slices[0].conditions} == {"colour", "size"}
    acc = find_slices(frame, label="label", prediction="pred", metric="accuracy", min_size=100)
    assert acc.metric == "error_rate"


def test_benjamini_hochberg_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # sorted 0.01 0.03 0.04 0.5 -> *4/rank = 0.04 0.06 0.0533 0.5 -> running min from the top
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.0533333, 0.0533333, 0.5])


def test_z_test_by_hand() -> None:
    # slice: 40 errors of 100; rest: 100 errors of 900. pooled 140/1000.
    frame = pd.DataFrame({"c": ["in"] * 100 + ["out"] * 900, "label": 0,
                          "pred": [1] * 40 + [0] * 60 + [1] * 100 + [0] * 800})
    report = find_slices(frame, label="label", prediction="pred", min_size=10, max_conditions=1)
    top = report.slices[0]
    z = (0.4 - 100 / 900) / math.sqrt(0.14 * 0.86 * (1 / 100 + 1 / 900))
    assert top.z == pytest.approx(z)
    assert top.p_value == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))


def test_numeric_columns_are_quantile_binned_and_missing_is_a_level() -> None:
    codes, labels = encode_feature(pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, np.nan, 10]), n_bins=2)
    assert len(labels) == 3 and labels[-1] == "(missing)"
    assert codes[8] == 2
    codes, labels = encode_feature(pd.Series([f"id{i}" for i in range(40)] + ["id0"] * 10),
                                   max_levels=5)
    assert len(labels) == 5 and labels[-1] == "(other)"


def test_progress_and_cancel() -> None:
    seen = []
    find_slices(planted(2000), label="label", prediction="pred", columns=["colour", "size"],
                progress=lambda done, total, msg: seen.append((done, total)))
    assert seen[-1] == (3, 3)
    with pytest.raises(SliceSearchCancelled):
        find_slices(planted(2000), label="label", prediction="pred", is_cancelled=lambda: True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "nope"}, "unknown slice metric"),
        ({"max_conditions": 4}, "1, 2 or 3"),
        ({"columns": ["colour", "missing"]}, "not in the table"),
        ({"label": "absent"}, "missing column 'absent'"),
    ],
)
def test_bad_input(kwargs, message) -> None:
    args = {"label": "label", "prediction": "pred"} | kwargs
    with pytest.raises(InputError, match=message):
        find_slices(planted(500), **args)


def test_empty_table_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no rows"):
        find_slices(planted(10).iloc[:0], label="label", prediction="pred")
