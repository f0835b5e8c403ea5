"""Finding rules: effective challenge, exceptions, conditions that lapse, blocking findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from governance_app.domain.risk import (
    ApprovalTerms,
    Condition,
    Finding,
    FindingRules,
    FindingStatus,
    FindingType,
    Severity,
)
from governance_app.governance.finding_rules import (
    blocking_check,
    blocking_findings,
    decision_refusal,
    lapses,
    open_counts,
    status_after_comment,
)
from governance_app.governance.people import same_person

RULES = FindingRules(closers=("validator",), blocking_severity=Severity.HIGH,
                     max_exception_days=90)
FINDING = Finding(3, "credit_default", 4, FindingType.VALIDATION_ISSUE, Severity.HIGH,
                  "Leakage through application date", "", "jonas.berg", "Malik Osei",
                  datetime(2026, 11, 2, 10, tzinfo=UTC), due=date(2026, 12, 1))


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Jonas Berg", "jonas.berg", True), ("jonas_berg@bank.example", "Jonas Berg", True),
    ("Jonas Berg", "Jonas Bergman", False), ("", "", False),
])
def test_same_person(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_the_owner_may_never_close_even_as_validator() -> None:
    refusal = decision_refusal(FINDING, "Jonas Berg", ["validator"], RULES, action="close")
    assert refusal is not None and "owns finding #3" in refusal


def test_a_member_without_a_closer_role_is_refused() -> None:
    refusal = decision_refusal(FINDING, "Ana Lima", ["chair"], RULES, action="close")
    assert refusal is not None and "(validator)" in refusal
    assert decision_refusal(FINDING, "Malik Osei", ["risk", "validator"], RULES,
                            action="close") is None


def test_exceptions_need_a_future_bounded_expiry() -> None:
    today = date(2026, 12, 7)
    accept = {"action": "accept", "today": today}
    assert "needs an expiry" in (decision_refusal(FINDING, "Malik", ["validator"], RULES,
                                                  **accept) or "")
    assert "not after" in (decision_refusal(FINDING, "Malik", ["validator"], RULES,
                                            until=today, **accept) or "")
    assert "at most 90 days" in (decision_refusal(FINDING, "Malik", ["validator"], RULES,
                                                  until=date(2027, 6, 1), **accept) or "")
    assert decision_refusal(FINDING, "Malik", ["validator"], RULES, until=date(2027, 3, 1),
                            **accept) is None


def test_decided_findings_cannot_be_decided_again() -> None:
    closed = replace(FINDING, status=FindingStatus.CLOSED)
    assert "already closed" in (decision_refusal(closed, "Malik", ["validator"], RULES,
                                                 action="close") or "")


def test_the_owners_response_proposes_remediation() -> None:
    assert status_after_comment(FINDING, "Jonas Berg") is FindingStatus.REMEDIATION_PROPOSED
    assert status_after_comment(FINDING, "Malik Osei") is FindingStatus.OPEN


def test_an_accepted_exception_counts_as_open_again_after_expiry() -> None:
    accepted = replace(FINDING, status=FindingStatus.ACCEPTED, exception_until=date(2027, 1, 31))
    assert not accepted.is_open_on(date(2027, 1, 31))
    assert accepted.is_open_on(date(2027, 2, 1))
    assert open_counts([accepted], date(2027, 2, 1)) == {"low": 0, "medium": 0, "high": 1}


def test_blocking_findings_of_the_model_or_the_version() -> None:
    other_version = replace(FINDING, id=4, version=3)
    whole_model = replace(FINDING, id=5, version=None)
    medium = replace(FINDING, id=6, severity=Severity.MEDIUM)
    found = blocking_findings([FINDING, other_version, whole_model, medium], RULES,
                              "credit_default", 4, date(2026, 12, 7))
    assert [f.id for f in found] == [3, 5]
    check = blocking_check(FINDING)
    assert check["result"] == "fail" and check["check"]["blocking"] is True
    assert "finding #3 (high) is open" in str(check["detail"])


def test_conditional_approval_lapses_when_the_date_passes_unmet() -> None:
    terms = ApprovalTerms(conditions=(Condition(3, date(2026, 12, 15)),),
                          expires=date(2027, 6, 30))
    by_id = {3: FINDING}
    assert lapses(terms, by_id, date(2026, 12, 15)) == []
    lapsed = lapses(terms, by_id, date(2026, 12, 16))
    assert [lapse.reason for lapse in lapsed] == ["finding #3 was not closed by 2026-12-15"]
    closed_late = replace(FINDING, status=FindingStatus.CLOSED,
                          decided_at=datetime(2026, 12, 20, tzinfo=UTC))
    assert len(lapses(terms, {3: closed_late}, date(2027, 1, 5))) == 1  # too late stays lapsed
    closed_in_time = replace(closed_late, decided_at=datetime(2026, 12, 10, tzinfo=UTC))
    assert lapses(terms, {3: closed_in_time}, date(2027, 1, 5)) == []
    expired = lapses(terms, {3: closed_in_time}, date(2027, 7, 1))
    assert [lapse.reason for lapse in expired] == ["the approval expired on 2027-06-30"]
