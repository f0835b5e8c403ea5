"""Method choice, overrides, dataset verdict, Evidently's own values, and bad tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics.drift_select import (
    ColumnRule,
    DriftPolicy,
    compare_tables,
    dataset_drift,
    default_method,
)
from governance_app.domain.drift import METHOD_LABELS, ColumnType, method_for_label
from governance_app.errors import ImportCancelled, InputError

EVIDENTLY = Path(__file__).resolve().parents[1] / "fixtures" / "evidently"


@pytest.mark.parametrize(
    "kind,n_ref,n_unique,method",
    [
        (ColumnType.NUMERICAL, 1000, 6, "ks"),
        (ColumnType.NUMERICAL, 1000, 5, "chisquare"),
        (ColumnType.NUMERICAL, 1000, 2, "z"),
        (ColumnType.CATEGORICAL, 1000, 3, "chisquare"),
        (ColumnType.CATEGORICAL, 1000, 2, "z"),
        (ColumnType.NUMERICAL, 1001, 6, "wasserstein"),
        (ColumnType.NUMERICAL, 1001, 5, "jensenshannon"),
        (ColumnType.CATEGORICAL, 1001, 2, "jensenshannon"),
    ],
)
def test_default_method_follows_evidently(kind: ColumnType, n_ref: int, n_unique: int,
                                          method: str) -> None:
    assert default_method(kind, n_ref, n_unique) == method


@pytest.mark.parametrize("week", range(1, 9))
def test_reproduces_evidently_on_its_own_fixture(week: int) -> None:
    """Evidently 0.7.23's DataDriftPreset values (expected.json), to 1e-9."""
    expected = json.loads((EVIDENTLY / "expected.json").read_text())["weeks"][week - 1]
    reference = pd.read_csv(EVIDENTLY / "reference.csv")
    current = pd.read_csv(EVIDENTLY / f"window-{week:02d}.csv")
    result = compare_tables(reference, current)
    assert [c.column for c in result.columns] == list(expected["columns"])
    for name, oracle in expected["columns"].items():
        ours = result.column(name)
        assert METHOD_LABELS[ours.method] == oracle["method"]
        assert method_for_label(oracle["method"]) == ours.method
        assert ours.threshold == oracle["threshold"]
        assert ours.score == pytest.approx(oracle["value"], abs=1e-9)
        assert ours.drifted == (oracle["value"] >= oracle["threshold"])
        assert ours.n_cur == expected["rows"]
    drifted = sum(v["value"] >= v["threshold"] for v in expected["columns"].values())
    assert result.share_drifted == pytest.approx(drifted / len(expected["columns"]))
    assert result.drifted == (drifted / len(expected["columns"]) >= 0.5)


def test_all_statistics_are_reported_in_details() -> None:
    reference = pd.read_csv(EVIDENTLY / "reference.csv")
    current = pd.read_csv(EVIDENTLY / "window-05.csv")
    result = compare_tables(reference, current, DriftPolicy(all_statistics=True))
    income = result.column("income")
    assert {"ks_statistic", "ks_p_value", "wasserstein", "wasserstein_raw", "psi",
            "jensenshannon"} <= set(income.details)
    assert income.details["wasserstein"] == income.score
    region = result.column("region")
    assert {"psi", "jensenshannon", "chisquare_statistic", "chisquare_p_value"} <= set(
        region.details)


def test_per_feature_overrides_win_over_the_global_policy() -> None:
    reference = pd.read_csv(EVIDENTLY / "reference.csv")
    current = pd.read_csv(EVIDENTLY / "window-06.csv")
    policy = DriftPolicy.from_mapping({
        "method": "psi",
        "threshold": 0.2,
        "drift_share": 0.9,
        "columns": {"income": {"method": "ks"}, "region": {"threshold": 0.01}},
    })
    result = compare_tables(reference, current, policy)
    income, region, age = (result.column(n) for n in ("income", "region", "age"))
    assert (income.method, income.threshold) == ("ks", 0.2)
    assert income.p_value == income.score
    assert (region.method, region.threshold) == ("psi", 0.01)
    assert (age.method, age.threshold) == ("psi", 0.2)
    assert result.threshold == 0.9


@pytest.mark.parametrize(
    "data,location",
    [
        ({"method": "magic"}, "method"),
        ({"columns": {"age": {"threshold": "high"}}}, "columns.age.threshold"),
        ({"columns": ["age"]}, "columns"),
        ({"drift_share": True}, "drift_share"),
    ],
)
def test_bad_policy_names_the_field(data: dict, location: str) -> None:
    with pytest.raises(InputError) as err:
        DriftPolicy.from_mapping(data, source="gate.yaml")
    assert err.value.location == location
    assert "gate.yaml" in str(err.value)


def test_numeric_method_on_a_categorical_column_is_refused() -> None:
    reference = pd.DataFrame({"c": ["a", "b"] * 10})
    policy = DriftPolicy(per_column={"c": ColumnRule(method="wasserstein")})
    with pytest.raises(InputError, match="categorical"):
        compare_tables(reference, reference, policy)


def test_dataset_share_rule() -> None:
    reference = pd.DataFrame({"x": np.arange(2000.0), "y": np.arange(2000.0)})
    current = pd.DataFrame({"x": np.arange(2000.0) + 5000, "y": np.arange(2000.0)})
    result = compare_tables(reference, current)
    assert result.share_drifted == 0.5
    assert result.drifted  # 0.5 >= 0.5, as Evidently
    assert not dataset_drift(result.columns, 0.6).drifted
    assert not dataset_drift((), 0.5).drifted


def test_mismatched_schemas_name_the_columns() -> None:
    reference = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]})
    current = pd.DataFrame({"a": [1.0, 2.0], "c": [1.0, 2.0]})
    with pytest.raises(InputError) as err:
        compare_tables(reference, current, sources=("ref.csv", "cur.csv"))
    assert err.value.source == "cur.csv"
    assert "missing ['b']" in str(err.value) and "unexpected ['c']" in str(err.value)
    with pytest.raises(InputError, match="no column 'z'"):
        compare_tables(reference, current, columns=["a", "z"])


def test_all_null_reference_column_is_an_input_error() -> None:
    reference = pd.DataFrame({"a": [np.nan, np.nan], "b": [1.0, 2.0]})
    with pytest.raises(InputError) as err:
        compare_tables(reference, reference, sources=("ref.csv", "cur.csv"))
    assert err.value.source == "ref.csv"
    assert err.value.location == "column a"


def test_all_null_current_column_is_an_explicit_undefined_result() -> None:
    rng = np.random.default_rng(1)
    reference = pd.DataFrame({"a": rng.normal(size=50), "c": ["x", "y"] * 25})
    current = pd.DataFrame({"a": [np.nan] * 10, "c": [None] * 10})
    result = compare_tables(reference, current)
    for col in result.columns:
        assert col.score is None and not col.drifted
        assert col.reason == "no non-null current value"
        assert col.nulls_cur == 10 and col.n_cur == 0
    assert result.share_drifted == 0.0 and not result.drifted


def test_nulls_and_unseen_categories_are_reported() -> None:
    reference = pd.DataFrame({"c": ["a", "b", None] * 20, "x": [1.0, 2.0, np.nan] * 20})
    current = pd.DataFrame({"c": ["a", "new", "new", None], "x": [1.0, np.nan, np.nan, 2.0]})
    result = compare_tables(reference, current)
    c, x = result.column("c"), result.column("x")
    assert c.unseen_categories == ("new",)
    assert (c.nulls_ref, c.nulls_cur, c.n_ref, c.n_cur) == (20, 1, 40, 3)
    assert c.method == "chisquare" and c.p_value is not None and c.drifted
    assert (x.nulls_ref, x.nulls_cur, x.n_cur) == (20, 2, 2)


def test_text_where_the_reference_has_numbers_is_an_input_error() -> None:
    reference = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    current = pd.DataFrame({"x": ["1", "two", "3"]})
    with pytest.raises(InputError, match="not numeric"):
        compare_tables(reference, current)


def test_progress_and_cancel() -> None:
    reference = pd.DataFrame({f"c{i}": np.arange(10.0) for i in range(4)})
    seen: list[tuple[int, int, str]] = []
    compare_tables(reference, reference, workers=1, progress=lambda *a: seen.append(a))
    assert seen == [(i + 1, 4, f"c{i}") for i in range(4)]
    with pytest.raises(ImportCancelled):
        compare_tables(reference, reference, is_cancelled=lambda: True)
