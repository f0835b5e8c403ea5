"""Revalidation: cadence by tier, triggers, and the as-of day that hides what came later."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from governance_app.domain.risk import (
    Finding,
    FindingStatus,
    FindingType,
    RevalidationRule,
    Severity,
)
from governance_app.governance.revalidation import (
    DriftAlert,
    NewVersion,
    add_months,
    revalidation_due,
)

RULE = RevalidationRule(cadence_months={1: 12, 2: 24, 3: 36}, drift_share_above=0.3,
                        on_new_version=True, finding_severity=Severity.HIGH)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 15), 12, date(2027, 3, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 1), 36, date(2029, 12, 1)),
])
def test_add_months_keeps_the_end_of_month(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("tier", "due"), [(1, date(2026, 3, 1)), (2, date(2027, 3, 1)),
                                           (3, date(2028, 3, 1))])
def test_cadence_follows_the_tier(tier: int, due: date) -> None:
    result = revalidation_due("m", tier, RULE, last_validated=date(2025, 3, 1),
                              as_of=date(2025, 6, 1))
    assert result.due == due and not result.triggered
    assert result.reason == f"tier {tier} cadence: every {RULE.cadence_months[tier]} months"
    assert not result.overdue_on(date(2025, 6, 1))
    assert result.overdue_on(add_months(due, 0).replace(day=2))


def test_never_validated_is_due_now() -> None:
    result = revalidation_due("m", 2, RULE, last_validated=None, as_of=date(2026, 12, 7))
    assert result.due == date(2026, 12, 7) and result.reason == "never validated"


def test_drift_alert_triggers_only_above_the_share_and_after_validation() -> None:
    drift = [DriftAlert(date(2026, 1, 10), 0.6),   # before the validation: ignored
             DriftAlert(date(2026, 5, 1), 0.3),    # not above 0.3
             DriftAlert(date(2026, 6, 2), 0.45)]
    result = revalidation_due("m", 3, RULE, last_validated=date(2026, 2, 1),
                              as_of=date(2026, 12, 1), drift=drift)
    assert result.due == date(2026, 6, 2) and result.triggered
    assert "drift share 0.45 above 0.3" in result.reason
    earlier = revalidation_due("m", 3, RULE, last_validated=date(2026, 2, 1),
                               as_of=date(2026, 6, 1), drift=drift)
    assert earlier.due == date(2029, 2, 1) and not earlier.triggered  # as of 1 June: not yet


def test_new_version_and_high_finding_trigger() -> None:
    finding = Finding(7, "m", None, FindingType.VALIDATION_ISSUE, Severity.HIGH, "leakage",
                      "", "dev", "val", datetime(2026, 4, 3, 9, tzinfo=UTC))
    result = revalidation_due("m", 1, RULE, last_validated=date(2026, 2, 1),
                              as_of=date(2026, 12, 1), versions=[NewVersion(date(2026, 5, 1), 5)],
                              findings=[finding])
    assert result.due == date(2026, 4, 3) and "high finding #7 open: leakage" in result.reason
    closed = Finding(7, "m", None, FindingType.VALIDATION_ISSUE, Severity.HIGH, "leakage",
                     "", "dev", "val", datetime(2026, 4, 3, tzinfo=UTC),
                     status=FindingStatus.CLOSED)
    result = revalidation_due("m", 1, RULE, last_validated=date(2026, 2, 1),
                              as_of=date(2026, 12, 1), versions=[NewVersion(date(2026, 5, 1), 5)],
                              findings=[closed])
    assert result.due == date(2026, 5, 1) and result.reason.startswith("new version 5")


def test_no_tier_means_no_due_date() -> None:
    result = revalidation_due("m", None, RULE, last_validated=None, as_of=date(2026, 1, 1))
    assert result.due is None and "no tier" in result.reason


def test_a_trigger_is_overdue_from_its_own_day_a_cadence_the_day_after() -> None:
    never = revalidation_due("m", 1, RULE, last_validated=None, as_of=date(2026, 12, 7),
                             tiered_on=date(2026, 11, 2))
    assert never.due == date(2026, 11, 2) and never.overdue_on(date(2026, 11, 2))
    cadence = revalidation_due("m", 1, RULE, last_validated=date(2025, 12, 7),
                               as_of=date(2026, 12, 7))
    assert cadence.due == date(2026, 12, 7) and not cadence.overdue_on(date(2026, 12, 7))
    assert cadence.overdue_on(date(2026, 12, 8))
