"""The inventory: rows as of a day, overdue and expiring first, CSV equal to the JSON."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from governance_app.domain.risk import (
    ApprovalTerms,
    Condition,
    Finding,
    FindingType,
    RevalidationRule,
    Severity,
    TierAssignment,
)
from governance_app.governance.inventory import (
    CSV_COLUMNS,
    Approval,
    ModelRecord,
    build_inventory,
    inventory_csv,
)
from governance_app.governance.revalidation import DriftAlert

RULE = RevalidationRule(cadence_months={1: 12, 2: 24, 3: 36}, drift_share_above=0.3,
                        on_new_version=False, finding_severity=Severity.HIGH)


def _tier(model: str, tier: int, day: date) -> TierAssignment:
    return TierAssignment(model, tier, "scorecard", "Ana Lima",
                          datetime.combine(day, datetime.min.time(), UTC))


def _records() -> list[ModelRecord]:
    leak = Finding(1, "fraud_score", 2, FindingType.VALIDATION_ISSUE, Severity.HIGH,
                   "Label leakage", "", "dev", "val", datetime(2026, 10, 1, tzinfo=UTC),
                   due=date(2026, 11, 15))
    return [
        ModelRecord("credit_default", "Risk analytics", "retail credit decisions",
                    tiers=[_tier("credit_default", 1, date(2025, 1, 10))],
                    approvals=[Approval(4, "production", date(2025, 11, 20),
                                        ApprovalTerms(expires=date(2026, 12, 31)))],
                    validations=[date(2025, 11, 20)],
                    drift=[DriftAlert(date(2026, 3, 1), 0.2)]),
        ModelRecord("fraud_score", "Fraud", "card fraud", tiers=[
            _tier("fraud_score", 2, date(2026, 1, 5))],
            approvals=[Approval(2, "production", date(2026, 9, 1),
                                ApprovalTerms(conditions=(Condition(1, date(2026, 11, 30)),)))],
            validations=[date(2026, 9, 1)], findings=[leak]),
        ModelRecord("churn", "Marketing", "retention offers",
                    tiers=[_tier("churn", 3, date(2024, 6, 1))], validations=[date(2024, 6, 1)]),
        ModelRecord("untiered"),
    ]


def test_rows_as_of_a_day_and_their_order() -> None:
    rows = build_inventory(_records(), RULE, date(2026, 12, 7))
    by = {r.model: r for r in rows}
    assert [r.model for r in rows] == ["credit_default", "fraud_score", "churn", "untiered"]
    fraud = by["fraud_score"]
    assert fraud.overdue and fraud.lapses == ("finding #1 was not closed by 2026-11-30",)
    assert fraud.open_findings == {"low": 0, "medium": 0, "high": 1}
    assert fraud.next_due == date(2026, 10, 1)  # the high finding triggered revalidation
    credit = by["credit_default"]
    assert credit.next_due == date(2026, 11, 20) and credit.overdue  # 12-month cadence passed
    assert credit.drift_alerts == 0
    churn = by["churn"]
    assert churn.next_due == date(2027, 6, 1) and not churn.overdue and not churn.expiring
    assert by["untiered"].tier is None and by["untiered"].next_due is None


def test_as_of_an_earlier_day_hides_what_came_later() -> None:
    rows = {r.model: r for r in build_inventory(_records(), RULE, date(2026, 9, 15))}
    fraud = rows["fraud_score"]
    assert fraud.open_findings["high"] == 0 and fraud.lapses == ()
    assert fraud.active_conditions == 1 and fraud.approved_version == 2
    assert not fraud.overdue
    credit = rows["credit_default"]
    assert not credit.overdue
    rows = {r.model: r for r in build_inventory(_records(), RULE, date(2026, 11, 1))}
    assert rows["credit_default"].expiring  # due 20 November: within 30 days


def test_overdue_only_and_csv_equals_json() -> None:
    rows = build_inventory(_records(), RULE, date(2026, 12, 7), overdue_only=True)
    assert [r.model for r in rows] == ["credit_default", "fraud_score"]  # tier 1 first
    every = build_inventory(_records(), RULE, date(2026, 12, 7))
    table = list(csv.DictReader(io.StringIO(inventory_csv(every))))
    assert tuple(table[0]) == CSV_COLUMNS
    for line, row in zip(table, every, strict=True):
        data = row.as_dict()
        assert line["model"] == data["model"]
        assert line["tier"] == ("" if data["tier"] is None else str(data["tier"]))
        assert line["next_due"] == (data["next_due"] or "")
        assert int(line["open_high"]) == data["open_findings"]["high"]
        assert line["overdue"] == str(data["overdue"]).lower()
        assert line["lapses"] == "; ".join(data["lapses"])
