"""Bootstrap intervals and Aequitas-style parity verdicts (checked against Aequitas's own test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics.fairness_counts import GroupCounts, confusion_counts
from governance_app.analytics.fairness_metrics import fairness_report, metric_arrays, spread
from governance_app.analytics.fairness_uncertainty import (
    bootstrap,
    parity_test,
    resample_counts,
)
from governance_app.domain.fairness import ParityVerdict
from governance_app.errors import InputError

AEQUITAS = Path(__file__).resolve().parents[1] / "fixtures" / "fairness" / "aequitas"


def counts() -> GroupCounts:
    cells = np.array([[400, 100, 200, 300], [300, 50, 50, 100], [3, 1, 0, 1]])
    return GroupCounts(("g",), (("a", "b", "c"),), cells)


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    first = bootstrap(counts(), n_resamples=300, seed=7)
    again = bootstrap(counts(), n_resamples=300, seed=7)
    other = bootstrap(counts(), n_resamples=300, seed=8)
    assert first == again
    assert first != other
    assert first.seed == 7 and first.n_resamples == 300


def test_intervals_bracket_the_estimate_and_shrink_with_size() -> None:
    result = bootstrap(counts(), n_resamples=500, seed=1, min_group_size=30)
    a = result.groups[("a",)]["selection_rate"]
    b = result.groups[("b",)]["selection_rate"]
    assert a.estimate == 0.4 and a.low <= 0.4 <= a.high
    assert (a.high - a.low) < (b.high - b.low)  # 1,000 rows vs 500 rows
    # binomial standard error for a: sqrt(.4 * .6 / 1000) ~ 0.0155 -> 95% half-width ~ 0.03
    assert 0.04 < a.high - a.low < 0.08
    diff = result.disparities["selection_rate"]["difference"]
    assert diff.estimate == pytest.approx(0.1)
    assert diff.low <= 0.1 <= diff.high


def test_small_groups_are_flagged_not_ranked() -> None:
    result = bootstrap(counts(), n_resamples=100, seed=0, min_group_size=30)
    assert result.flagged == (("c",),)
    assert result.ranking["selection_rate"] == (("a",), ("b",))
    assert result.ranking["false_positive_rate"] == (("b",), ("a",))  # lower is better
    c = result.groups[("c",)]["true_positive_rate"]
    assert c.estimate == 1.0


def test_undefined_resamples_are_reported() -> None:
    cells = np.array([[50, 0, 0, 0], [20, 5, 5, 20]])  # a has no positives at all
    result = bootstrap(GroupCounts(("g",), (("a", "b"),), cells), n_resamples=50, seed=0)
    tpr = result.groups[("a",)]["true_positive_rate"]
    assert tpr.estimate is None and tpr.low is None and tpr.undefined_share == 1.0
    assert "undefined" in tpr.reason


def test_every_interval_is_the_percentiles_of_its_own_defined_resamples() -> None:
    """Intervals are taken for all groups at once; each must be what its group alone gives,
    whether every resample defines it, some do (group c) or none does (no empty group)."""
    cells = np.array([[400, 100, 200, 300], [300, 50, 50, 100], [3, 1, 0, 1], [0, 0, 0, 0]])
    grouped = GroupCounts(("g",), (("a", "b", "c", "d"),), cells)
    result = bootstrap(grouped, n_resamples=200, seed=5)
    samples = metric_arrays(resample_counts(cells, 200, 5), "strict")
    shares = set()
    for i, key in enumerate(grouped.keys()[:3]):
        for metric, interval in result.groups[key].items():
            column = samples[metric][:, i]
            defined = column[~np.isnan(column)]
            shares.add(interval.undefined_share)
            assert interval.undefined_share == 1.0 - len(defined) / len(column)
            if len(defined):
                low, high = np.percentile(defined, [50 * (1 - 0.95), 50 * (1 + 0.95)])
                assert (interval.low, interval.high) == (float(low), float(high))
            else:
                assert interval.low is None and interval.high is None
    assert ("d",) not in result.groups
    assert 0.0 in shares and any(0.0 < s < 1.0 for s in shares)
    eligible = cells.sum(axis=1) >= 30
    for metric, bounds in result.disparities.items():
        for kind, column in zip(("difference", "ratio"), spread(samples[metric], eligible),
                                strict=True):
            defined = column[~np.isnan(column)]
            low, high = np.percentile(defined, [50 * (1 - 0.95), 50 * (1 + 0.95)])
            assert (bounds[kind].low, bounds[kind].high) == (float(low), float(high))


def test_resamples_keep_group_sizes() -> None:
    draws = resample_counts(counts().flat(), 20, seed=3)
    assert draws.shape == (20, 3, 4)
    assert (draws.sum(axis=2) == counts().flat().sum(axis=1)).all()


def test_bad_bootstrap_parameters() -> None:
    with pytest.raises(InputError, match="resamples"):
        bootstrap(counts(), n_resamples=0)
    with pytest.raises(InputError, match="level"):
        bootstrap(counts(), level=1.5)
    with pytest.raises(InputError, match="unknown metric"):
        bootstrap(counts(), metrics=["nope"])


def test_parity_matches_aequitas_golden_output() -> None:
    rows = pd.read_csv(AEQUITAS / "test_1.csv")
    bias = pd.read_csv(AEQUITAS / "expected_output_bias_test_1.csv")
    fairness = pd.read_csv(AEQUITAS / "expected_output_fairness_test_1.csv")
    report = fairness_report(
        confusion_counts(rows, attributes=["class"], label="label_value", prediction="score"),
        reference="High")
    ours = {(r.key[0], r.metric): r for r in parity_test(report, tau=0.8)}
    columns = {"selection_rate": ("pprev_disparity", "Impact Parity"),
               "false_positive_rate": ("fpr_disparity", "FPR Parity"),
               "false_negative_rate": ("fnr_disparity", "FNR Parity"),
               "false_discovery_rate": ("fdr_disparity", "FDR Parity"),
               "false_omission_rate": ("for_disparity", "FOR Parity")}
    for metric, (disparity, verdict) in columns.items():
        for (_, b), (_, f) in zip(bias.iterrows(), fairness.iterrows(), strict=True):
            result = ours[(b["attribute_value"], metric)]
            assert result.disparity.value == pytest.approx(b[disparity], abs=1e-12)
            expected = ParityVerdict.PASS if f[verdict] else ParityVerdict.FAIL
            assert result.verdict == expected, (metric, b["attribute_value"])
    group = pd.read_csv(AEQUITAS / "expected_output_group_test_1.csv")
    for _, g in group.iterrows():
        row = report.group((g["attribute_value"],))
        assert (row.cells.tp, row.cells.fp, row.cells.tn, row.cells.fn) == (
            g["tp"], g["fp"], g["tn"], g["fn"])
        assert row.metrics["false_omission_rate"].value == pytest.approx(g["for"], abs=1e-12)


def test_parity_gives_insufficient_data_for_small_groups_and_undefined_values() -> None:
    cells = np.array([[400, 100, 200, 300], [300, 50, 50, 100], [3, 1, 0, 0]])
    report = fairness_report(GroupCounts(("g",), (("a", "b", "c"),), cells), min_group_size=30)
    results = {(r.key, r.metric): r for r in parity_test(report)}
    assert results[(("a",), "selection_rate")].verdict is ParityVerdict.PASS  # the reference
    assert results[(("b",), "selection_rate")].verdict is ParityVerdict.FAIL  # 0.3 / 0.4 < 0.8
    small = results[(("c",), "false_negative_rate")]
    assert small.verdict is ParityVerdict.INSUFFICIENT_DATA and small.disparity.reason
    with pytest.raises(InputError, match="threshold"):
        parity_test(report, tau=1.5)
