"""Counts -> metrics and disparities: Fairlearn's own numbers, hand-computed tables, properties."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_app.analytics.fairness_counts import GroupCounts, confusion_counts
from governance_app.analytics.fairness_metrics import (
    METRICS,
    analyse_table,
    fairness_report,
    metric_arrays,
)
from governance_app.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fairness"
FAIRLEARN_NAMES = {"accuracy": "accuracy_score", "precision": "precision_score",
                   "balanced_accuracy": "balanced_accuracy_score"}
SUMMARY = ("demographic_parity_difference", "demographic_parity_ratio",
           "equalized_odds_difference", "equalized_odds_ratio")


@pytest.fixture(scope="module")
def titanic() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "predictions.csv")


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def test_equals_fairlearn_on_titanic(titanic, expected) -> None:
    reports = analyse_table(titanic, attributes=["gender", "class"], label="label",
                            prediction="prediction", convention="fairlearn")
    assert expected["rows"] == len(titanic)
    for name, block in expected["by_attribute"].items():
        report = reports[tuple(name.split("&"))]
        assert len(report.groups) == len(block["groups"])
        for key, metrics in block["groups"].items():
            row = report.group(tuple(key.split("|")))
            for metric, value in metrics.items():
                ours = row.metrics[FAIRLEARN_NAMES.get(metric, metric)]
                if value is None:  # an empty intersection: NaN in Fairlearn, undefined here
                    assert row.count == 0 and ours.value is None and ours.reason
                else:
                    assert ours.value == pytest.approx(value, abs=1e-12), (name, key, metric)
        for metric, value in block["overall"].items():
            ours = report.overall.metrics[FAIRLEARN_NAMES.get(metric, metric)].value
            assert ours == pytest.approx(value, abs=1e-12)
        for summary in SUMMARY:
            assert report.summary[summary].value == pytest.approx(block[summary], abs=1e-12)


def test_strict_convention_agrees_where_defined_and_says_why_elsewhere(titanic) -> None:
    strict = analyse_table(titanic, attributes=["gender", "class"], label="label",
                           prediction="prediction")[("gender", "class")]
    loose = analyse_table(titanic, attributes=["gender", "class"], label="label",
                          prediction="prediction", convention="fairlearn")[("gender", "class")]
    staff = strict.group(("female", "restaurant staff"))  # only positives, all missed
    assert staff.metrics["false_positive_rate"].value is None
    assert "no negatives" in staff.metrics["false_positive_rate"].reason
    assert staff.metrics["precision_score"].value is None
    assert loose.group(("female", "restaurant staff")).metrics["false_positive_rate"].value == 0
    for a, b in zip(strict.groups, loose.groups, strict=True):
        for m in METRICS:
            if a.metrics[m].defined:
                assert a.metrics[m].value == b.metrics[m].value


def test_roc_auc_per_group_equals_pairwise_definition(titanic) -> None:
    report = analyse_table(titanic, attributes=["gender"], label="label",
                           prediction="prediction", score="score")[("gender",)]
    for key in (("female",), ("male",)):
        part = titanic[titanic["gender"] == key[0]]
        pos = part.loc[part.label == 1, "score"].to_numpy()[:, None]
        neg = part.loc[part.label == 0, "score"].to_numpy()[None, :]
        pairwise = ((pos > neg) + 0.5 * (pos == neg)).mean()
        assert report.group(key).metrics["roc_auc_score"].value == pytest.approx(pairwise,
                                                                                  abs=1e-12)
    assert report.overall.metrics["roc_auc_score"].value == pytest.approx(0.8111067716156943,
                                                                           abs=1e-12)


def test_roc_auc_ties_count_half() -> None:
    frame = pd.DataFrame({"g": ["a"] * 4, "label": [1, 0, 1, 0], "score": [0.5, 0.5, 0.7, 0.1]})
    report = analyse_table(frame, attributes=["g"], label="label", score="score",
                           threshold=0.5)[("g",)]
    assert report.group(("a",)).metrics["roc_auc_score"].value == 0.875  # scikit-learn's value


def hand_counts() -> GroupCounts:
    #              tn fp fn tp
    cells = np.array([[40, 10, 20, 30],   # a: 100 rows
                      [30, 5, 5, 10],     # b: 50 rows
                      [0, 0, 3, 1]])      # c: 4 rows, positives only
    return GroupCounts(("g",), (("a", "b", "c"),), cells)


def test_hand_computed_metrics_and_disparities() -> None:
    report = fairness_report(hand_counts(), min_group_size=10)
    a, b, c = report.groups
    assert a.metrics["selection_rate"].value == 0.4
    assert a.metrics["true_positive_rate"].value == 0.6
    assert a.metrics["false_positive_rate"].value == 0.2
    assert a.metrics["precision_score"].value == 0.75
    assert a.metrics["negative_predictive_value"].value == 40 / 60
    assert a.metrics["false_omission_rate"].value == 20 / 60
    assert a.metrics["balanced_accuracy_score"].value == pytest.approx(0.7)
    assert b.metrics["selection_rate"].value == 0.3
    assert c.below_minimum and not a.below_minimum
    assert c.metrics["false_positive_rate"].value is None
    # c is below the minimum size: it takes no part in differences and ratios
    assert report.summary["demographic_parity_difference"].value == pytest.approx(0.1)
    assert report.summary["demographic_parity_ratio"].value == pytest.approx(0.75)
    tpr_a, tpr_b, fpr_a, fpr_b = 0.6, 10 / 15, 0.2, 5 / 35
    assert report.summary["equal_opportunity_difference"].value == pytest.approx(tpr_b - tpr_a)
    assert report.summary["equalized_odds_difference"].value == pytest.approx(
        max(tpr_b - tpr_a, fpr_a - fpr_b))
    assert report.summary["equalized_odds_ratio"].value == pytest.approx(
        min(tpr_a / tpr_b, fpr_b / fpr_a))
    # the reference is the largest group; b against a
    assert report.reference == ("a",)
    sel = report.disparities["selection_rate"].to_reference
    assert sel[1].ratio.value == pytest.approx(0.75)
    assert sel[1].difference.value == pytest.approx(-0.1)
    assert sel[2].ratio.value is None and sel[2].ratio.reason


def test_reference_group_choice_and_unknown_reference() -> None:
    report = fairness_report(hand_counts(), reference="b")
    assert report.reference == ("b",)
    assert report.disparities["selection_rate"].to_reference[0].ratio.value == pytest.approx(4 / 3)
    with pytest.raises(InputError, match="reference group"):
        fairness_report(hand_counts(), reference="zzz")


def test_ratio_undefined_when_every_group_is_zero() -> None:
    cells = np.array([[10, 0, 5, 0], [7, 0, 3, 0]])  # nobody selected anywhere
    report = fairness_report(GroupCounts(("g",), (("a", "b"),), cells))
    assert report.summary["demographic_parity_difference"].value == 0.0
    assert report.summary["demographic_parity_ratio"].value is None
    assert "0" in report.summary["demographic_parity_ratio"].reason


def test_metric_arrays_broadcast_over_leading_dimensions() -> None:
    cells = np.stack([hand_counts().flat()] * 3)
    arrays = metric_arrays(cells)
    assert arrays["accuracy_score"].shape == (3, 3)


# -- properties ------------------------------------------------------------------------------

tables = st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from("abc"), min_size=n, max_size=n),
    st.lists(st.sampled_from("xy"), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
))


def _frame(t) -> pd.DataFrame:
    return pd.DataFrame({"g": t[0], "h": t[1], "label": t[2], "pred": t[3]})


@settings(max_examples=80, deadline=None)
@given(tables, st.sampled_from(["strict", "fairlearn"]), st.randoms())
def test_properties(table, convention, rnd) -> None:
    frame = _frame(table)
    reports = analyse_table(frame, attributes=["g", "h"], label="label", prediction="pred",
                            convention=convention)
    for report in reports.values():
        assert sum(row.count for row in report.groups) == len(frame)
        assert report.overall.count == len(frame)
        for d in report.disparities.values():
            if d.ratio.defined:
                assert 0.0 <= d.ratio.value <= 1.0
            if d.difference.defined:
                assert d.difference.value >= 0.0
        for name in ("equalized_odds_ratio", "demographic_parity_ratio"):
            value = report.summary[name]
            assert not value.defined or 0.0 <= value.value <= 1.0
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = analyse_table(frame.iloc[order], attributes=["g", "h"], label="label",
                             prediction="pred", convention=convention)
    assert shuffled == reports


def test_every_key_of_the_cross_product_is_reported() -> None:
    frame = pd.DataFrame({"g": ["a", "b"], "h": ["x", "y"], "label": [0, 1], "pred": [1, 1]})
    counts = confusion_counts(frame, attributes=["g", "h"], label="label", prediction="pred")
    report = fairness_report(counts)
    assert [row.key for row in report.groups] == list(product("ab", "xy"))
    empty = report.group(("a", "y"))
    assert empty.count == 0
    assert all(v.value is None and v.reason == "no rows in the group"
               for v in empty.metrics.values())
