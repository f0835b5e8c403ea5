"""The rules of findings: who may decide them, when exceptions and conditions lapse, and which
open findings block a gate.

Effective challenge means the person answerable for a model cannot close its findings: a
finding is closed, or accepted as a policy exception until a date, only by a member holding a
role the risk policy names (``closers``, by default ``validator``), and never by the finding's
owner. These functions are pure, so the act that records a decision and the replay that
re-checks it later apply exactly the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from governance_app.domain.risk import (
    ApprovalTerms,
    Finding,
    FindingRules,
    FindingStatus,
    Lapse,
    Severity,
)
from governance_app.governance.people import same_person


def decision_refusal(finding: Finding, member: str, roles: Sequence[str], rules: FindingRules,
                     *, action: str, until: date | None = None, today: date | None = None
                     ) -> str | None:
    """Why ``member`` may not close or accept ``finding`` (``action`` is ``close`` or
    ``accept``), or None when they may."""
    if not finding.status.is_open:
        return f"finding #{finding.id} is already {finding.status.value}"
    if same_person(member, finding.owner):
        return (f"{member} owns finding #{finding.id}; its owner may respond but never "
                f"{action} it (effective challenge)")
    if not set(roles) & set(rules.closers):
        return (f"{member} holds none of the roles that may {action} findings "
                f"({', '.join(rules.closers)})")
    if action == "accept":
        if until is None:
            return "an exception needs an expiry date (--until DATE)"
        day = today or date.today()
        if until <= day:
            return f"the exception's expiry {until.isoformat()} is not after {day.isoformat()}"
        if rules.max_exception_days is not None and until > day + timedelta(
                days=rules.max_exception_days):
            return (f"an exception may last at most {rules.max_exception_days} days "
                    f"(until {(day + timedelta(days=rules.max_exception_days)).isoformat()})")
    return None


def terms_refusal(model: str, version: int, conditions: Sequence[tuple[Finding | None,
                                                                      date | None]],
                  expires: date | None, today: date) -> str | None:
    """Why an approval of ``model:version`` signed on ``today`` may not carry these terms, or
    None when it may. ``conditions`` pairs each named finding (None: not on the board) with
    the day it is to be closed by (None: it has no due date and none was given).

    The act that records the signature refuses with this reason, and the Sign dialog says it
    before the passphrase is typed: a condition names an open finding of the version (or of
    the model as a whole) and a day after today; an expiry is after today.
    """
    for finding, by in conditions:
        if finding is None or finding.model != model or finding.version not in (None, version):
            return "a condition names a finding that is not of this model version"
        if not finding.is_open_on(today):
            return (f"finding #{finding.id} is {finding.status.value}: a condition names an "
                    "open finding")
        if by is None:
            return (f"finding #{finding.id} has no due date: a condition needs the day it is "
                    "to be closed by")
        if by <= today:
            return (f"condition on finding #{finding.id}: {by.isoformat()} is not after "
                    f"{today.isoformat()}")
    if expires is not None and expires <= today:
        return f"the approval's expiry {expires.isoformat()} is not after {today.isoformat()}"
    return None


def status_after_comment(finding: Finding, member: str) -> FindingStatus:
    """The owner's response to an open finding proposes its remediation; anyone else's
    comment (a validator's question) leaves the status as it is."""
    if finding.status is FindingStatus.OPEN and same_person(member, finding.owner):
        return FindingStatus.REMEDIATION_PROPOSED
    return finding.status


def as_it_stood(finding: Finding, moment: datetime) -> Finding:
    """The finding as it stood just before ``moment`` (a reported period's end), so a report
    of a past period judges it by that day's facts, not today's.

    A decision (closing, an exception) signed at or after ``moment`` had not been taken: the
    finding was still open then — ``remediation proposed`` if its owner had answered in the
    thread by then — and the thread holds only what was said before ``moment``. (The chain
    keeps a finding's last decision only: an exception later followed by a closing reads as
    open before the closing.)
    """
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    thread = tuple(c for c in finding.thread if _aware(c.at) < moment)
    decided = finding.decided_at
    if decided is None or _aware(decided) < moment:
        return finding if len(thread) == len(finding.thread) else replace(finding, thread=thread)
    status = FindingStatus.OPEN
    for comment in thread:
        status = status_after_comment(replace(finding, status=status), comment.member)
    return replace(finding, status=status, thread=thread, resolution="", decided_by="",
                   decided_at=None, exception_until=None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def blocking_findings(findings: Iterable[Finding], rules: FindingRules, model: str,
                      version: int, day: date) -> list[Finding]:
    """Open findings of the model (or of this version) at or above the blocking severity."""
    if rules.blocking_severity is None:
        return []
    return [f for f in findings if f.model == model and f.version in (None, version)
            and f.severity.at_least(rules.blocking_severity) and f.is_open_on(day)]


def blocking_check(finding: Finding) -> dict[str, object]:
    """The finding as a failed blocking check of a review's evidence."""
    return {
        "check": {"kind": "finding", "name": f"finding #{finding.id}", "blocking": True},
        "label": f"no open {finding.severity.value} finding",
        "inputs": {"finding_id": finding.id, "severity": finding.severity.value,
                   "status": finding.status.value},
        "value": None, "threshold": {}, "result": "fail",
        "detail": f"finding #{finding.id} ({finding.severity.value}) is {finding.status.value}: "
                  f"{finding.title}",
        "sources": {},
    }


def lapses(terms: ApprovalTerms, findings_by_id: dict[int, Finding], day: date) -> list[Lapse]:
    """Why an approval given with ``terms`` no longer stands on ``day`` (empty: it stands).

    An approval lapses when it expires, or when a condition's date passes with its finding
    still open (closed after the date is too late: the lapse stays on the record).
    """
    out: list[Lapse] = []
    if terms.expires is not None and day > terms.expires:
        out.append(Lapse(f"the approval expired on {terms.expires.isoformat()}",
                         terms.expires + timedelta(days=1)))
    for condition in terms.conditions:
        finding = findings_by_id.get(condition.finding_id)
        if day <= condition.by:
            continue
        met = (finding is not None and finding.status is FindingStatus.CLOSED
               and finding.decided_at is not None
               and finding.decided_at.date() <= condition.by)
        if not met:
            out.append(Lapse(f"finding #{condition.finding_id} was not closed by "
                             f"{condition.by.isoformat()}", condition.by + timedelta(days=1)))
    return out


def open_counts(findings: Iterable[Finding], day: date) -> dict[str, int]:
    """Severity → number of findings open on ``day`` (every severity present, zero or not)."""
    counts = {s.value: 0 for s in Severity}
    for finding in findings:
        if finding.opened_at.date() <= day and finding.is_open_on(day):
            counts[finding.severity] += 1  # a StrEnum member finds its text's key
    return counts
