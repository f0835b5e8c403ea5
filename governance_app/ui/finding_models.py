"""Findings in the Models detail and the Reviews evidence: table models, wording, worker targets.

A finding's severity and status are always a symbol, a word and an Okabe–Ito colour, never
colour alone (UI.md "Verdicts"). The worker targets take a workspace URL, open their own
:class:`Workspace` and return plain values, so they run on the thread pool; they read through
``services.risk`` (the state replay derives), never the tables alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import escape
from typing import Any

from governance_app.domain.risk import (
    Finding,
    FindingRules,
    FindingStatus,
    InventoryRow,
    Severity,
)
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import MISSING, Column, RecordTableModel
from governance_app.ui.registry_models import ModelSummaryTableModel

PASS_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
WARN_COLOUR = "#E69F00"
INFO_COLOUR = "#0072B2"
GREY = "#808080"

SEVERITY_STYLE: dict[Severity, tuple[str, str]] = {
    Severity.HIGH: ("▲ high", FAIL_COLOUR),
    Severity.MEDIUM: ("■ medium", WARN_COLOUR),
    Severity.LOW: ("▽ low", INFO_COLOUR),
}
EVIDENCE_VIEWS = {"fairness": "Fairness", "drift": "Drift", "lineage": "Lineage",
                  "metric": "Models", "models": "Models", "review": "Reviews"}
"""The first part of a cited evidence link (``fairness:credit_default:4``) → its view."""


# -- wording ------------------------------------------------------------------------------------


def status_text(finding: Finding, day: date) -> str:
    """The status in words with its symbol; an exception says until when, or that it expired."""
    if finding.status is FindingStatus.ACCEPTED:
        until = finding.exception_until.isoformat() if finding.exception_until else "—"
        if finding.is_open_on(day):
            return f"✕ exception expired {until}"
        return f"◇ exception until {until}"
    if finding.status is FindingStatus.CLOSED:
        return "✓ closed"
    if finding.status is FindingStatus.REMEDIATION_PROPOSED:
        return "◔ remediation proposed"
    return "● open"


def status_colour(finding: Finding, day: date) -> str:
    if finding.status is FindingStatus.CLOSED:
        return PASS_COLOUR
    if finding.status is FindingStatus.ACCEPTED and not finding.is_open_on(day):
        return GREY
    return FAIL_COLOUR if finding.is_overdue_on(day) or finding.status is \
        FindingStatus.ACCEPTED else INFO_COLOUR


def due_text(finding: Finding, day: date) -> str:
    """The due date, marked ``✕ overdue`` once it passed with the finding still open."""
    if finding.due is None:
        return MISSING
    mark = " ✕ overdue" if finding.is_overdue_on(day) else ""
    return f"{finding.due.isoformat()}{mark}"


def scope_text(finding: Finding) -> str:
    return "whole model" if finding.version is None else f"v{finding.version}"


def evidence_view(link: str) -> str | None:
    """The view a cited evidence link opens (``fairness:credit_default:4`` → Fairness)."""
    return EVIDENCE_VIEWS.get(link.split(":", 1)[0].strip().lower())


def evidence_target(link: str) -> tuple[str | None, str | None, int | None]:
    """The view, model and version a cited link names (``view:model[:version]``)."""
    parts = link.split(":")
    model = parts[1] if len(parts) > 1 and parts[1] else None
    version = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    return evidence_view(link), model, version


def local_time(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def finding_html(finding: Finding, day: date) -> str:
    """One finding for its detail pane: what, who, the cited evidence as links, the thread."""
    word, colour = SEVERITY_STYLE[finding.severity]
    status = status_text(finding, day)
    parts = [
        f"<h3>#{finding.id} {escape(finding.title)}</h3>",
        f"<p><span style='color:{colour}'><b>{escape(word)}</b></span> · "
        f"{escape(finding.type.value)} · <span style='color:{status_colour(finding, day)}'>"
        f"<b>{escape(status)}</b></span> · {escape(scope_text(finding))} of "
        f"{escape(finding.model)}</p>",
        f"<p>Owner <b>{escape(finding.owner or '—')}</b> · due "
        f"{escape(due_text(finding, day))} · opened {escape(local_time(finding.opened_at))} by "
        f"{escape(finding.opened_by)}</p>",
        f"<p>{escape(finding.description)}</p>" if finding.description
        else "<p><i>No description.</i></p>",
    ]
    if finding.evidence:
        links = []
        for link in finding.evidence:
            view = evidence_view(link)
            shown = escape(link) + (f" ({escape(view)} view ↗)" if view else "")
            links.append(f"<a href='evidence:{escape(link)}'>{shown}</a>" if view else shown)
        parts.append("<p><b>Evidence cited:</b> " + ", ".join(links) + "</p>")
    else:
        parts.append("<p><b>Evidence cited:</b> none</p>")
    parts.append("<p><b>Thread</b> (validator questions and developer responses):</p>")
    if finding.thread:
        parts.append("<ul>" + "".join(
            f"<li><b>{escape(c.member)}</b>, {escape(local_time(c.at))}: {escape(c.text)}</li>"
            for c in finding.thread) + "</ul>")
    else:
        parts.append("<p><i>No messages yet.</i></p>")
    if finding.decided_by:
        verb = "Closed" if finding.status is FindingStatus.CLOSED else "Accepted as an exception"
        when = f", {local_time(finding.decided_at)}" if finding.decided_at else ""
        parts.append(f"<p><b>{verb} by {escape(finding.decided_by)}{escape(when)}:</b> "
                     f"{escape(finding.resolution)}</p>")
    return "".join(parts)


def approval_html(row: InventoryRow | None) -> str:
    """The model's latest approval: its gate, its terms, or why it lapsed (never hidden)."""
    if row is None:
        return ""
    if row.approved_version is None:
        return "<b>Approval:</b> — none granted yet"
    text = f"<b>Approval:</b> v{row.approved_version} → {escape(row.approved_gate or '')}"
    if row.lapses:
        reasons = "; ".join(escape(r) for r in row.lapses)
        return (f"{text} <span style='color:{FAIL_COLOUR}'><b>✕ lapsed</b>: {reasons}</span>")
    if row.terms:
        return f"{text} <b>◔ conditional</b>: " + "; ".join(escape(t) for t in row.terms)
    return f"{text} <span style='color:{PASS_COLOUR}'>✓ stands</span>"


def approval_word(row: InventoryRow | None) -> str:
    """The Models table's Approval column: a symbol and words, the lapse never left out."""
    if row is None or row.approved_version is None:
        return MISSING
    gate = f"v{row.approved_version} → {row.approved_gate}"
    if row.lapses:
        return f"✕ lapsed ({gate})"
    if row.terms:
        return f"◔ {gate}, conditional"
    return f"✓ {gate}"


def approval_tooltip(row: InventoryRow | None) -> str | None:
    if row is None or row.approved_version is None:
        return "no approved review of this model yet"
    lines = [f"approval lapsed: {r}" for r in row.lapses] + list(row.terms)
    return "\n".join(lines) or "approved without conditions or expiry"


# -- the table ----------------------------------------------------------------------------------


class FindingTableModel(RecordTableModel):
    """Findings of one version and of its model as a whole, judged on :attr:`day`."""

    day: date = date.min

    def __init__(self, rows: Any = (), parent: Any = None) -> None:
        super().__init__(rows, parent)
        self.day = datetime.now(UTC).date()
        day = lambda: self.day  # noqa: E731 - the columns read the model's current day
        self.columns = [
            Column("#", lambda f: str(f.id), sort_key=lambda f: f.id, numeric=True),
            Column("Severity", lambda f: SEVERITY_STYLE[f.severity][0],
                   sort_key=lambda f: -f.severity.rank,
                   foreground=lambda f: SEVERITY_STYLE[f.severity][1],
                   bold=lambda f: f.severity is Severity.HIGH and f.is_open_on(day())),
            Column("Title", lambda f: f"{scope_text(f)} · {f.title}",
                   tooltip=lambda f: f"{f.ref}: {f.title}\n{f.description}".strip()),
            Column("Status", lambda f: status_text(f, day()),
                   sort_key=lambda f: (not f.is_open_on(day()), f.status.value),
                   foreground=lambda f: status_colour(f, day()),
                   tooltip=lambda f: f.resolution or None),
            Column("Due", lambda f: due_text(f, day()),
                   sort_key=lambda f: f.due or date.max,
                   foreground=lambda f: FAIL_COLOUR if f.is_overdue_on(day()) else None),
            Column("Owner", lambda f: f.owner or MISSING),
            Column("Type", lambda f: f.type.value),
            Column("Exception until", lambda f: f.exception_until.isoformat()
                   if f.exception_until else MISSING,
                   sort_key=lambda f: f.exception_until or date.max),
        ]
        self._titles = [c.title for c in self.columns]

    def row_for_id(self, finding_id: int) -> int:
        return next((i for i, f in enumerate(self.rows()) if f.id == finding_id), -1)


# -- worker targets (Qt-free: plain values in, plain values out) -------------------------------


@dataclass(frozen=True, slots=True)
class ModelRisk:
    """What the Findings tab needs of one model version, read in one worker."""

    model: str
    version: int | None
    findings: list[Finding]
    """The version's findings and the model's own (``version`` None), most urgent first."""
    row: InventoryRow | None
    rules: FindingRules
    day: date
    owner: str = ""
    blocking: list[Finding] = field(default_factory=list)

    def open_count(self) -> int:
        return sum(1 for f in self.findings if f.is_open_on(self.day))


def _urgency(finding: Finding, day: date) -> tuple[bool, int, int]:
    return (not finding.is_open_on(day), -finding.severity.rank, finding.id)


def model_risk(ws: Workspace, model: str, version: int | None, day: date) -> ModelRisk:
    """The findings of ``model:version`` (and of the model as a whole), its inventory row,
    the finding rules in force and which open findings block a gate."""
    from governance_app.governance import finding_rules, risk_acts
    from governance_app.services import board, risk
    from governance_app.services.models import get_model

    state = board.state_of(ws)
    rules = risk_acts.rules(state)
    findings = [f for f in risk.list_findings(ws, model, day=day)
                if version is None or f.version in (None, version)]
    findings.sort(key=lambda f: _urgency(f, day))
    row = next((r for r in risk.inventory(ws, day) if r.model == model), None)
    blocking = (finding_rules.blocking_findings(findings, rules, model, version, day)
                if version is not None else [])
    return ModelRisk(model, version, findings, row, rules, day,
                     owner=get_model(ws, model).owner, blocking=blocking)


def load_model_risk(url: str, model: str, version: int | None, day: date) -> ModelRisk:
    """Worker target: :func:`model_risk` on the workspace at ``url``."""
    with Workspace.open(url, upgrade=False) as ws:
        return model_risk(ws, model, version, day)


def load_approvals(url: str, day: date) -> dict[str, InventoryRow]:
    """Worker target: every model's inventory row (its approval, terms and lapses) on ``day``."""
    from governance_app.services import risk

    with Workspace.open(url, upgrade=False) as ws:
        return {row.model: row for row in risk.inventory(ws, day)}


def finding_check(finding: Finding, blocking: bool) -> dict[str, Any]:
    """An open finding as a check of a review's evidence: a blocking one fails the gate by
    policy; another one is a warning the board must have seen."""
    from governance_app.governance.finding_rules import blocking_check

    if blocking:
        return blocking_check(finding)
    check = blocking_check(finding)
    check["check"] = {**check["check"], "blocking": False}
    check["result"] = "warning"
    check["detail"] = (f"finding #{finding.id} ({finding.severity.value}, "
                       f"{finding.status.value}, not blocking by policy): {finding.title}")
    return check


def open_finding_task(url: str, ref: str, kind: str, severity: str, title: str,
                      description: str, owner: str, due: date | None, evidence: list[str],
                      member: str, passphrase: str) -> Finding:
    """Open a finding on ``ref`` (``MODEL`` or ``MODEL:VERSION``), signed by ``member``."""
    from governance_app.services import risk

    with Workspace.open(url, upgrade=False) as ws:
        return risk.open_finding(ws, ref, type=kind, severity=severity, title=title,
                                 member=member, passphrase=passphrase, owner=owner, due=due,
                                 description=description, evidence=evidence)[0]


def comment_task(url: str, finding_id: int, text: str, member: str, passphrase: str
                 ) -> Finding:
    """Add a message to a finding's thread (a question or a response), signed."""
    from governance_app.services import risk

    with Workspace.open(url, upgrade=False) as ws:
        return risk.comment_finding(ws, finding_id, text, member, passphrase)[0]


def close_task(url: str, finding_id: int, resolution: str, member: str, passphrase: str
               ) -> Finding:
    """Close a finding (a validator who does not own it), signed."""
    from governance_app.services import risk

    with Workspace.open(url, upgrade=False) as ws:
        return risk.close_finding(ws, finding_id, resolution, member, passphrase)[0]


def accept_task(url: str, finding_id: int, until: date, rationale: str, member: str,
                passphrase: str) -> Finding:
    """Accept a finding as a policy exception until ``until``, signed."""
    from governance_app.services import risk

    with Workspace.open(url, upgrade=False) as ws:
        return risk.accept_finding(ws, finding_id, until, rationale, member, passphrase)[0]


class ApprovalSummaryTableModel(ModelSummaryTableModel):
    """The Models table with each model's latest approval: a lapse shows as lapsed, with its
    reason in the tooltip, never silently gone (the approvals arrive from a worker)."""

    def __init__(self, rows: Any = (), parent: Any = None) -> None:
        super().__init__(rows, parent)
        self.approvals: dict[str, InventoryRow] = {}
        self.columns = [*ModelSummaryTableModel.columns, Column(
            "Approval", lambda m: approval_word(self.approvals.get(m.name)),
            tooltip=lambda m: approval_tooltip(self.approvals.get(m.name)),
            foreground=lambda m: _approval_colour(self.approvals.get(m.name)),
            bold=lambda m: bool((r := self.approvals.get(m.name)) and r.lapses),
            sort_key=lambda m: _approval_rank(self.approvals.get(m.name)))]
        self._titles = [c.title for c in self.columns]

    def set_approvals(self, approvals: dict[str, InventoryRow]) -> None:
        self.approvals = dict(approvals)
        if self.rowCount():
            column = len(self.columns) - 1
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))


def _approval_colour(row: InventoryRow | None) -> str | None:
    if row is None or row.approved_version is None:
        return None
    if row.lapses:
        return FAIL_COLOUR
    return WARN_COLOUR if row.terms else PASS_COLOUR


def _approval_rank(row: InventoryRow | None) -> tuple[int, str]:
    if row is None or row.approved_version is None:
        return (3, "")
    return (0 if row.lapses else 1 if row.terms else 2, row.approved_gate or "")
