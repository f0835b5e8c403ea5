"""Rows -> confusion counts: hand-computed tables and every bad input the issue names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics.fairness_counts import (
    binary_outcomes,
    confusion_counts,
    encode_groups,
    marginal_histogram,
    score_histogram,
)
from governance_app.errors import InputError


def small() -> pd.DataFrame:
    # group a: tn fp fn tp = 1 1 1 2 ; group b: 2 0 1 0
    return pd.DataFrame({
        "g": ["a", "a", "a", "a", "a", "b", "b", "b"],
        "h": ["x", "y", "x", "y", "x", "x", "y", "y"],
        "label": [0, 0, 1, 1, 1, 0, 0, 1],
        "pred": [0, 1, 0, 1, 1, 0, 0, 0],
        "score": [0.1, 0.7, 0.4, 0.9, 0.6, 0.2, 0.3, 0.45],
    })


def test_counts_by_hand() -> None:
    counts = confusion_counts(small(), attributes=["g"], label="label", prediction="pred")
    assert counts.keys() == [("a",), ("b",)]
    assert counts.flat().tolist() == [[1, 1, 1, 2], [2, 0, 1, 0]]
    assert counts.total().tolist() == [3, 1, 2, 2]


def test_intersection_and_marginal_agree_with_direct_counts() -> None:
    frame = small()
    both = confusion_counts(frame, attributes=["g", "h"], label="label", prediction="pred")
    assert both.keys() == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]
    assert both.flat().tolist() == [[1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 0, 0], [1, 0, 1, 0]]
    for attrs in (["g"], ["h"], ["h", "g"]):
        direct = confusion_counts(frame, attributes=attrs, label="label", prediction="pred")
        marginal = both.marginal(attrs)
        assert marginal.keys() == direct.keys()
        assert np.array_equal(marginal.flat(), direct.flat())


def test_score_and_threshold_make_the_prediction() -> None:
    out = binary_outcomes(small(), label="label", score="score", threshold=0.5)
    assert out.prediction.tolist() == [0, 1, 0, 1, 1, 0, 0, 0]
    at = binary_outcomes(small(), label="label", score="score", threshold=0.45)
    assert at.prediction[-1] == 1  # at the threshold counts as positive


def test_boolean_and_named_positive_labels() -> None:
    frame = pd.DataFrame({"g": ["a", "b"], "y": [True, False]})
    out = binary_outcomes(frame, label="y", prediction="y")
    assert out.label.tolist() == [1, 0]
    named = binary_outcomes(frame.assign(y=["yes", "no"]), label="y", prediction="y",
                            positive_label="yes")
    assert named.label.tolist() == [1, 0]


def test_numeric_attribute_bucketed_by_declared_bins() -> None:
    frame = pd.DataFrame({"age": [5, 17.9, 18, 64, 65, 90], "label": [0, 1, 0, 1, 0, 1],
                          "pred": [0, 1, 1, 1, 0, 0]})
    counts = confusion_counts(frame, attributes=["age"], label="label", prediction="pred",
                              bins={"age": [0, 18, 65, 90]})
    assert counts.keys() == [("[0, 18)",), ("[18, 65)",), ("[65, 90]",)]
    assert counts.flat().sum(axis=1).tolist() == [2, 2, 2]
    with pytest.raises(InputError, match=r"row 6: 1 value\(s\) of 'age' outside the declared bins"):
        confusion_counts(frame, attributes=["age"], label="label", prediction="pred",
                         bins={"age": [0, 18, 65]})
    with pytest.raises(InputError, match="increasing edges"):
        encode_groups(frame, ["age"], bins={"age": [10, 5]})


def test_score_histogram_and_its_marginal() -> None:
    frame = small()
    codes = encode_groups(frame, ["g", "h"])
    out = binary_outcomes(frame, label="label", prediction="pred", score="score")
    hist = score_histogram(codes, out)
    assert hist.positives.sum() + hist.negatives.sum() == len(frame)
    overall = marginal_histogram(hist, codes.shape, ())
    assert overall.n_groups == 1 and np.all(np.diff(overall.score) > 0)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (lambda f: f.drop(columns="label"), {}, r"missing column 'label'"),
        (lambda f: f.drop(columns=["g", "pred"]), {}, r"missing columns 'pred', 'g'"),
        (lambda f: f.iloc[:0], {}, "no rows"),
        (lambda f: f.assign(label=[0, 1, 2, 1, 1, 0, 0, 1]), {}, r"'label' is not binary.*2"),
        (lambda f: f.assign(pred=[0.5] * 8), {}, r"'pred' is not binary"),
        (lambda f: f.assign(label=["n", "y"] * 4), {}, r"'label' is not binary"),
        (lambda f: f.assign(label=[0, 1, np.nan, 1, 1, 0, 0, 1]), {},
         r"column 'label', row 3: 1 missing value"),
        (lambda f: f.assign(pred=[0, 1, 0, None, 1, 0, 0, 0]), {}, r"missing value.*'pred'"),
        (lambda f: f.assign(g=["a", None, "a", "a", "a", "b", "b", "b"]), {},
         r"column 'g', row 2: .*missing.*sensitive attribute 'g'"),
        (lambda f: f, {"prediction": None}, "no prediction column"),
        (lambda f: f.assign(score=[0.1] * 7 + [np.nan]), {"prediction": None, "score": "score",
                                                           "threshold": 0.5},
         r"row 8: 1 missing score"),
        (lambda f: f.assign(score=["x"] * 8), {"prediction": None, "score": "score",
                                               "threshold": 0.5}, "not numeric"),
    ],
)
def test_bad_input_is_a_clear_input_error(change, kwargs, message) -> None:
    args = {"attributes": ["g"], "label": "label", "prediction": "pred"} | kwargs
    with pytest.raises(InputError, match=message) as caught:
        confusion_counts(change(small()), source="preds.csv", **args)
    assert str(caught.value).startswith("preds.csv")
    assert caught.value.expected


def test_too_many_levels_asks_for_bins() -> None:
    frame = pd.DataFrame({"x": np.arange(100.0), "label": [0, 1] * 50, "pred": [1, 0] * 50})
    with pytest.raises(InputError, match="declared bins"):
        confusion_counts(frame, attributes=["x"], label="label", prediction="pred")


def test_empty_intersections_are_kept_as_zero_counts() -> None:
    both = confusion_counts(small().iloc[[0, 6]], attributes=["g", "h"], label="label",
                            prediction="pred")
    assert both.keys() == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]
    assert both.flat().sum(axis=1).tolist() == [1, 0, 0, 1]
