"""What the Reviews view shows of the model-risk cycle: findings and approval terms beside the
evidence, and the revalidations due beside the agenda.

A review's frozen evidence is what the board signs over; the findings are live (a finding
opened or closed after the review opened still decides whether approval is allowed), so they are
a section of their own, judged today: each open finding of the version or its model as a check,
failing and blocking when the risk policy makes its severity block a gate. The worker targets
take a workspace URL and return plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

from governance_app.domain.risk import Finding, InventoryRow
from governance_app.services.workspace import Workspace
from governance_app.ui.finding_models import (
    FAIL_COLOUR,
    PASS_COLOUR,
    WARN_COLOUR,
    finding_check,
    model_risk,
)
from governance_app.ui.item_models import MISSING, Column, RecordTableModel

DUE_WINDOW_DAYS = 30
"""Revalidations due within this many days are on the agenda (the inventory's warning window)."""


@dataclass(frozen=True, slots=True)
class ReviewRisk:
    """The findings section of one review's detail."""

    review_id: int
    checks: list[dict[str, Any]]
    """Each open finding as a check: failing and blocking, or a warning."""
    blocking: int
    terms: list[str] = field(default_factory=list)
    """This review's conditions and expiry, in words (empty: unconditional or not approved)."""
    lapses: list[str] = field(default_factory=list)
    approval: InventoryRow | None = None
    rule: str = ""
    open_findings: tuple[Finding, ...] = ()
    """The open findings of the version and its model: what an approval may be conditional on
    (the Sign dialog offers them)."""


def review_risk(ws: Workspace, review_id: int, model: str, version: int, day: date
                ) -> ReviewRisk:
    """The version's open findings as checks, and the review's approval terms and lapses."""
    from governance_app.governance.finding_rules import lapses
    from governance_app.services import risk

    found = model_risk(ws, model, version, day)
    blocking_ids = {f.id for f in found.blocking}
    open_findings = tuple(f for f in found.findings if f.is_open_on(day))
    checks = [finding_check(f, f.id in blocking_ids) for f in open_findings]
    terms = risk.risk_state(ws).terms_of(review_id)
    words = terms.words()
    by_id = {f.id: f for f in risk.list_findings(ws, model, day=day)}
    lapsed = [lapse.reason for lapse in lapses(terms, by_id, day)]
    severity = found.rules.blocking_severity
    rule = (f"The risk policy blocks approval while a finding of severity {severity.value} or "
            "above is open." if severity is not None
            else "No risk policy makes open findings block a gate.")
    return ReviewRisk(review_id, checks, len(blocking_ids), words, lapsed, found.row, rule,
                      open_findings)


def load_review_risk(url: str, review_id: int, model: str, version: int, day: date
                     ) -> ReviewRisk:
    """Worker target: :func:`review_risk` on the workspace at ``url``."""
    with Workspace.open(url, upgrade=False) as ws:
        return review_risk(ws, review_id, model, version, day)


def terms_html(risk: ReviewRisk, approved: bool) -> str:
    """The rule, this review's terms (or lapses), and the model's latest approval."""
    parts = [escape(risk.rule)]
    if risk.blocking:
        parts.append(f"<span style='color:{FAIL_COLOUR}'><b>✕ {risk.blocking} open finding"
                     f"{'s' if risk.blocking > 1 else ''} block approval</b></span>")
    elif risk.checks:
        parts.append(f"<span style='color:{WARN_COLOUR}'>⚠ open findings, none blocking: "
                     "they may be made conditions of an approval</span>")
    else:
        parts.append(f"<span style='color:{PASS_COLOUR}'>✓ no open findings</span>")
    if risk.lapses:
        parts.append(f"<span style='color:{FAIL_COLOUR}'><b>✕ This approval lapsed:</b> "
                     + "; ".join(escape(r) for r in risk.lapses) + "</span>")
    elif risk.terms:
        lead = "Approved on condition" if approved else "Conditions signed so far"
        parts.append(f"<b>◔ {lead}:</b> " + "; ".join(escape(t) for t in risk.terms))
    elif approved:
        parts.append("Approved without conditions or expiry.")
    row = risk.approval
    if row is not None and row.approved_version is not None:
        latest = f"v{row.approved_version} → {escape(row.approved_gate or '')}"
        if row.lapses:
            latest += (f" <span style='color:{FAIL_COLOUR}'><b>✕ lapsed</b>: "
                       + "; ".join(escape(r) for r in row.lapses) + "</span>")
        elif row.terms:
            latest += " — " + "; ".join(escape(t) for t in row.terms)
        parts.append(f"Latest approval of {escape(row.model)}: {latest}")
    return "<br>".join(parts)


# -- revalidations on the agenda ---------------------------------------------------------------


def due_revalidations(rows: dict[str, InventoryRow] | list[InventoryRow], day: date
                      ) -> list[InventoryRow]:
    """Models whose revalidation is overdue, triggered or due within the window, soonest first."""
    values = list(rows.values()) if isinstance(rows, dict) else list(rows)
    horizon = day + timedelta(days=DUE_WINDOW_DAYS)
    due = [r for r in values if r.next_due is not None and r.next_due <= horizon]
    return sorted(due, key=lambda r: (r.next_due, r.tier or 99, r.model))


def _due_now(row: InventoryRow) -> bool:
    """Due today or before (a trigger makes a revalidation due on its own day)."""
    return row.next_due is not None and row.next_due <= datetime.now(UTC).date()


def _due_word(row: InventoryRow) -> str:
    return "✕ due now" if _due_now(row) else "! due soon"


class RevalidationTableModel(RecordTableModel):
    """Revalidations due or triggered, with the reason (a cadence date or a trigger)."""

    columns = [
        Column("Due", _due_word,
               foreground=lambda r: FAIL_COLOUR if _due_now(r) else WARN_COLOUR,
               bold=_due_now, sort_key=lambda r: (not _due_now(r), r.next_due),
               tooltip=lambda r: f"revalidation of {r.model} due {r.next_due}: {r.due_reason}"),
        Column("Model", lambda r: r.model),
        Column("Tier", lambda r: MISSING if r.tier is None else str(r.tier), numeric=True,
               sort_key=lambda r: 99 if r.tier is None else r.tier),
        Column("On", lambda r: r.next_due.isoformat() if r.next_due else MISSING,
               sort_key=lambda r: r.next_due or date.max),
        Column("Reason", lambda r: r.due_reason, tooltip=lambda r: r.due_reason),
    ]

    def row_for_model(self, model: str) -> int:
        return next((i for i, r in enumerate(self.rows()) if r.model == model), -1)
