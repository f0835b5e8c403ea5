"""The model inventory as of a day: tier, owner, decisions, due dates, findings and lapses.

A model-risk team's first question is "what needs attention?", so the rows come overdue first,
then those expiring within the warning window, then by tier (most material first) and name.
The inputs are plain records gathered by the services layer; nothing here reads a database,
so the same rows serve the Inventory view, ``inventory --json``, its CSV export and the audit
report's inventory section.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from governance_app.domain.risk import (
    ApprovalTerms,
    Finding,
    InventoryRow,
    RevalidationRule,
    TierAssignment,
)
from governance_app.governance.finding_rules import lapses, open_counts
from governance_app.governance.revalidation import (
    DriftAlert,
    NewVersion,
    drift_alerts,
    revalidation_due,
)
from governance_app.governance.risk_state import FindingFacts

WARNING_DAYS = 30
"""How far ahead a due date, condition or expiry counts as "expiring"."""

CSV_COLUMNS = ("model", "owner", "use", "tier", "approved_version", "approved_gate",
               "last_validated", "next_due", "due_reason", "open_high", "open_medium",
               "open_low", "active_conditions", "lapses", "drift_alerts", "overdue", "expiring",
               "tier_rationale")


@dataclass(frozen=True, slots=True)
class Approval:
    """A gate granted to a version by an approved review, with the terms it was given under."""

    version: int
    gate: str
    day: date
    terms: ApprovalTerms = ApprovalTerms()


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """Everything the inventory needs about one registered model (gathered by services)."""

    name: str
    owner: str = ""
    use: str = ""
    tiers: Sequence[TierAssignment] = ()
    approvals: Sequence[Approval] = ()
    validations: Sequence[date] = ()
    """Days the model was validated (an approved review or a validation report)."""
    drift: Sequence[DriftAlert] = ()
    versions: Sequence[NewVersion] = ()
    findings: Sequence[Finding | FindingFacts] = field(default_factory=tuple)
    """Domain findings, or the lighter :class:`FindingFacts` of a large board's replay."""


def inventory_row(record: ModelRecord, rule: RevalidationRule | None, as_of: date
                  ) -> InventoryRow:
    """One model's row as of ``as_of`` (records after that day are not seen)."""
    tiers = [t for t in record.tiers if t.at.date() <= as_of]
    tier = max(tiers, key=lambda t: t.at) if tiers else None
    validations = [d for d in record.validations if d <= as_of]
    last = max(validations) if validations else None
    findings = [f for f in record.findings if f.opened_at.date() <= as_of]
    approvals = sorted((a for a in record.approvals if a.day <= as_of), key=lambda a: a.day)
    latest = approvals[-1] if approvals else None
    by_id: dict[int, Any] = {f.id: f for f in record.findings}
    lapsed = lapses(latest.terms, by_id, as_of) if latest else []
    due = revalidation_due(record.name, tier.tier if tier else None, rule,
                           last_validated=last, as_of=as_of,
                           tiered_on=tier.at.date() if tier else None, drift=record.drift,
                           versions=record.versions, findings=findings)
    horizon = as_of + timedelta(days=WARNING_DAYS)
    active = [c for c in (latest.terms.conditions if latest else ())
              if not _condition_met(c.finding_id, by_id) and c.by >= as_of]
    overdue = (due.overdue_on(as_of) or bool(lapsed)
               or any(f.is_overdue_on(as_of) for f in findings))
    expiring = not overdue and (
        (due.due is not None and due.due <= horizon)
        or any(c.by <= horizon for c in active)
        or (latest is not None and latest.terms.expires is not None
            and latest.terms.expires <= horizon))
    terms = [f"finding #{c.finding_id} to be closed by {c.by.isoformat()}" for c in active]
    if latest is not None and latest.terms.expires is not None and not lapsed:
        terms.append(f"the approval expires on {latest.terms.expires.isoformat()}")
    return InventoryRow(
        model=record.name, owner=record.owner, use=record.use,
        tier=tier.tier if tier else None, tier_rationale=tier.rationale if tier else "",
        approved_version=latest.version if latest else None,
        approved_gate=latest.gate if latest else None, last_validated=last,
        next_due=due.due, due_reason=due.reason, open_findings=open_counts(findings, as_of),
        active_conditions=len(active), terms=tuple(terms),
        lapses=tuple(lapse.reason for lapse in lapsed),
        drift_alerts=len(drift_alerts(rule, record.drift, last, as_of)),
        overdue=overdue, expiring=expiring)


def _condition_met(finding_id: int, by_id: dict[int, Finding | FindingFacts]) -> bool:
    finding = by_id.get(finding_id)
    return finding is not None and not finding.status.is_open


def build_inventory(records: Iterable[ModelRecord], rule: RevalidationRule | None,
                    as_of: date, *, overdue_only: bool = False) -> list[InventoryRow]:
    """Every model's row, overdue first, then expiring, then by tier and name."""
    rows = [inventory_row(r, rule, as_of) for r in records]
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return sorted(rows, key=lambda r: (not r.overdue, not r.expiring,
                                       r.tier if r.tier is not None else 99, r.model))


def inventory_csv(rows: Iterable[InventoryRow]) -> str:
    """The rows as CSV with a header (the same fields as ``inventory --json``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        d = row.as_dict()
        writer.writerow([
            d["model"], d["owner"], d["use"], "" if d["tier"] is None else d["tier"],
            "" if d["approved_version"] is None else d["approved_version"],
            d["approved_gate"] or "", d["last_validated"] or "", d["next_due"] or "",
            d["due_reason"], d["open_findings"]["high"], d["open_findings"]["medium"],
            d["open_findings"]["low"], d["active_conditions"], "; ".join(d["lapses"]),
            d["drift_alerts"], str(d["overdue"]).lower(), str(d["expiring"]).lower(),
            d["tier_rationale"],
        ])
    return out.getvalue()
