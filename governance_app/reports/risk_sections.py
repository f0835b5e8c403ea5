"""Model-risk sections every report shares: findings with their threads, approval terms and
lapses, the inventory, and the signed model-risk acts.

The model card, the audit report and the validation report print the same records the same
way, so a reader who learnt one report reads the others; the values are gathered by
``services.risk_report`` (nothing here reads the workspace). A finding's thread is the
effective-challenge record SR 26-2 asks for: the validator's questions, the owner's responses
and the decision, each with who and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph

from governance_app.domain.risk import Finding, FindingStatus, InventoryRow, Lapse
from governance_app.governance.keys import grouped
from governance_app.reports.document import (
    FAIL,
    INFO,
    WARN,
    data_table,
    para,
    spacer,
    styles,
    text,
    verdict,
)

SEVERITY_MARKS = {"high": (FAIL, "▲"), "medium": (WARN, "●"), "low": (INFO, "▽")}


@dataclass(frozen=True, slots=True)
class ConditionLine:
    """One condition of an approval: the finding to close, by when, and where it stands."""

    finding_id: int
    by: date
    state: str
    """In words: ``closed 2026-11-20 (met)``, ``open`` …"""


@dataclass(frozen=True, slots=True)
class ApprovalTermsLine:
    """A granted gate and the terms its approvers gave it, judged on ``as_of``."""

    review_id: int
    ref: str
    gate: str
    granted_on: date
    conditions: tuple[ConditionLine, ...]
    expires: date | None
    lapses: tuple[Lapse, ...]
    as_of: date

    @property
    def unconditional(self) -> bool:
        return not self.conditions and self.expires is None


@dataclass(frozen=True, slots=True)
class RiskActLine:
    """A signed model-risk act as its manifestation prints it (who, role, when, meaning)."""

    member: str
    roles: tuple[str, ...]
    signed_at: datetime
    meaning: str
    fingerprint: str


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def local(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def severity(word: str) -> str:
    """A severity as a coloured word with its own symbol (never colour alone)."""
    tint, mark = SEVERITY_MARKS.get(word, ("#666666", "–"))
    return f'<font color="{tint}">{mark} {text(word)}</font>'


def status_words(finding: Finding, as_of: date) -> str:
    """The status as a reader needs it on ``as_of``, with an exception's expiry."""
    status = finding.status.value
    if finding.status is FindingStatus.ACCEPTED and finding.exception_until is not None:
        status += f" until {finding.exception_until.isoformat()}"
        if as_of > finding.exception_until:
            status += " (expired: open again)"
    elif finding.status.is_open and finding.due is not None and as_of > finding.due:
        status += " (overdue)"
    return status


def findings_table(findings: Sequence[Finding], frame: float, as_of: date) -> Flowable:
    """One row per finding: id, scope, severity, status, owner, opened, due, title (its type
    is in its thread)."""
    rows = [[f"#{f.id}", text(f.ref), severity(f.severity.value),
             text(status_words(f, as_of)), text(f.owner or "—"),
             text(f.opened_at.astimezone().date().isoformat()),
             text(f.due.isoformat() if f.due else "—"), text(f.title)] for f in findings]
    return data_table(["#", "Scope", "Severity", "Status", "Owner", "Opened", "Due", "Title"],
                      rows, [0.05, 0.17, 0.13, 0.12, 0.12, 0.12, 0.12, 0.17], frame,
                      markup=True)


def finding_threads(findings: Sequence[Finding], frame: float) -> list[Flowable]:
    """Each finding's effective-challenge record: what was found, the thread, the decision."""
    st = styles()
    out: list[Flowable] = []
    for f in findings:
        head: list[Flowable] = [
            CondPageBreak(90),
            Paragraph(f"Finding #{f.id} · {severity(f.severity.value)} · {text(f.title)}",
                      st.h2),
            para(f"{f.type.value} on {f.ref}, opened by {f.opened_by} at "
                 f"{local(f.opened_at)}; owner {f.owner or '—'}; due "
                 f"{f.due.isoformat() if f.due else '—'}."
                 + (f" Evidence: {', '.join(f.evidence)}." if f.evidence else ""), st.small)]
        if f.description:
            head.append(para(f.description))
        out.append(KeepTogether(head))
        if f.thread:
            rows = [[text(local(c.at)), text(c.member), text(c.text)] for c in f.thread]
            out.append(data_table(["When", "Who", "Question or response"], rows,
                                  [0.2, 0.18, 0.62], frame, markup=True))
        else:
            out.append(para("No questions or responses on this finding.", st.empty))
        out.append(para(_decision(f), st.small))
        out.append(spacer(2))
    return out


def _decision(f: Finding) -> str:
    if f.status is FindingStatus.CLOSED:
        return f"Closed by {f.decided_by} at {local(f.decided_at)}: “{f.resolution}”"
    if f.status is FindingStatus.ACCEPTED:
        until = f.exception_until.isoformat() if f.exception_until else "—"
        return (f"Accepted as a policy exception until {until} by {f.decided_by} at "
                f"{local(f.decided_at)}: “{f.resolution}”")
    return f"Not decided: {f.status.value}."


def terms_table(lines: Sequence[ApprovalTermsLine], frame: float) -> Flowable:
    """Each granted gate with its conditions, expiry and whether it still stands (a lapse is
    printed, never left out)."""
    rows = []
    for line in lines:
        conditions = "<br/>".join(
            f"finding #{c.finding_id} closed by {c.by.isoformat()}: {text(c.state)}"
            for c in line.conditions) or "none"
        if line.lapses:
            standing = verdict("fail").replace("fail", "lapsed") + "<br/>" + "<br/>".join(
                text(f"{lapse.reason} (since {lapse.since.isoformat()})")
                for lapse in line.lapses)
        else:
            standing = verdict("pass").replace("pass", "stands")
        rows.append([f"#{line.review_id}", text(line.ref), text(line.gate),
                     text(line.granted_on.isoformat()), conditions,
                     text(line.expires.isoformat() if line.expires else "—"), standing])
    return data_table(["Review", "Version", "Gate", "Granted", "Conditions", "Expires",
                       "On the as-of day"], rows,
                      [0.09, 0.15, 0.13, 0.12, 0.2, 0.12, 0.19], frame, markup=True)


def inventory_table(rows: Sequence[InventoryRow], frame: float) -> Flowable:
    """The inventory as the Inventory view lists it (overdue and expiring first), in 7 pt
    cells: nine columns must fit a portrait page without breaking a date."""
    style = ParagraphStyle("inventory_cell", parent=styles().cell, fontSize=7, leading=8.6)
    body = []
    for r in rows:
        counts = r.open_findings
        flag = (verdict("fail").replace("fail", "overdue") if r.overdue else
                verdict("warning").replace("warning", "expiring") if r.expiring else "—")
        due = r.next_due.isoformat() if r.next_due else "—"
        terms = [*r.terms, *(f"lapsed: {lapse}" for lapse in r.lapses)]
        cells = [
            text(r.model), text(r.tier if r.tier is not None else "—"), text(r.owner or "—"),
            text(f"v{r.approved_version} {r.approved_gate}" if r.approved_version else "—"),
            text(r.last_validated.isoformat() if r.last_validated else "never"),
            text(due) + (f"<br/>{text(r.due_reason)}" if r.due_reason else ""),
            text(f"{counts.get('high', 0)} / {counts.get('medium', 0)} / "
                 f"{counts.get('low', 0)}"),
            "<br/>".join(text(t) for t in terms) or "—", flag]
        body.append([Paragraph(cell, style) for cell in cells])
    return data_table(["Model", "Tier", "Owner", "Approved", "Validated", "Next due",
                       "Open H/M/L", "Conditions, expiry, lapses", "Flag"], body,
                      [0.13, 0.06, 0.09, 0.12, 0.12, 0.15, 0.09, 0.15, 0.09], frame)


def acts_table(acts: Sequence[RiskActLine], frame: float) -> Flowable:
    """The signed model-risk acts' manifestations: printed name, role, when, meaning, key."""
    rows = [[text(a.member), text(", ".join(a.roles) or "member"), text(local(a.signed_at)),
             text(a.meaning),
             f'<font name="DejaVuSansMono" size="7">{text(grouped(a.fingerprint))}</font>']
            for a in acts]
    return data_table(["Printed name", "Role", "Signed at", "Meaning", "Key fingerprint"],
                      rows, [0.16, 0.12, 0.2, 0.26, 0.26], frame, markup=True)

