"""Stored drift results judged again under a policy: thresholds, methods, share, errors."""

from __future__ import annotations

import pytest

from governance_app.analytics.drift_rejudge import rejudge
from governance_app.analytics.drift_select import DriftPolicy
from governance_app.domain.drift import ColumnDrift, ColumnType, DatasetDrift
from governance_app.errors import InputError

NUM, CAT = ColumnType.NUMERICAL, ColumnType.CATEGORICAL


def _stored() -> DatasetDrift:
    def col(name: str, kind: ColumnType, method: str, score: float | None,
            details: dict[str, float] | None = None) -> ColumnDrift:
        drifted = score is not None and score >= 0.1
        return ColumnDrift(name, kind, method, 0.1, score, score, None, drifted, 100, 100, 0, 0,
                           (), details or {}, None if score is not None else "no values")

    columns = (
        col("income", NUM, "wasserstein", 0.4, {"psi": 0.05, "ks_p_value": 0.2,
                                                "ks_statistic": 0.1, "wasserstein": 0.4}),
        col("age", NUM, "wasserstein", 0.02),
        col("region", CAT, "jensenshannon", 0.3),
        col("empty", NUM, "wasserstein", None),
    )
    return DatasetDrift(columns, 2 / 3, 0.5, True)


def test_thresholds_and_the_share_apply_to_the_stored_scores() -> None:
    policy = DriftPolicy.from_mapping({"columns": {"region": {"threshold": 0.35}},
                                       "drift_share": 0.3})
    again = rejudge(_stored(), policy, 0.3)
    by_name = {c.column: c for c in again.columns}
    assert by_name["region"].threshold == 0.35 and not by_name["region"].drifted
    assert by_name["income"].drifted and by_name["income"].threshold == 0.1
    assert by_name["empty"].score is None and not by_name["empty"].drifted
    assert again.share_drifted == pytest.approx(1 / 3) and again.threshold == 0.3
    assert again.drifted  # 1/3 >= 0.3


def test_another_method_reads_its_stored_score() -> None:
    policy = DriftPolicy.from_mapping({"columns": {"income": {"method": "ks",
                                                              "threshold": 0.05}}})
    income = rejudge(_stored(), policy).column("income")
    assert (income.method, income.score, income.statistic, income.p_value) == (
        "ks", 0.2, 0.1, 0.2)
    assert not income.drifted  # p = 0.2 > 0.05
    assert rejudge(_stored(), policy).threshold == 0.5  # no share in the policy: kept


def test_a_method_without_a_stored_score_is_an_error_naming_the_column() -> None:
    policy = DriftPolicy.from_mapping({"columns": {"age": {"method": "psi"}}}, source="p.yaml")
    with pytest.raises(InputError) as err:
        rejudge(_stored(), policy)
    assert err.value.location == "drift.columns.age.method"
    assert "judged 'age' with wasserstein and holds no psi score" in str(err.value)
    assert str(err.value).startswith("p.yaml")


def test_a_rule_for_an_absent_column_is_an_error() -> None:
    policy = DriftPolicy.from_mapping({"columns": {"agee": {"threshold": 0.2}}})
    with pytest.raises(InputError, match="no column 'agee'"):
        rejudge(_stored(), policy)
