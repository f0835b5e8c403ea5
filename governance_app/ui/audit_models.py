"""The Audit view's table model and the worker targets it loads with (plain values in/out)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from governance_app.domain.audit import AuditEvent, VerificationReport
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import Column, RecordTableModel, format_local_time, full_time

PASS_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
WARN_COLOUR = "#E69F00"


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One event and whether the last verification implicated it."""

    event: AuditEvent
    broken: str = ""
    """The finding's text when verification named this event, else empty."""
    verified: bool = False
    """A verification ran on the trail as loaded."""
    suspect: bool = False
    """After the first broken link: its links can no longer be vouched for."""

    @property
    def payload_text(self) -> str:
        return json.dumps(self.event.payload, indent=2, ensure_ascii=False, sort_keys=True)


def _mark(r: AuditRow) -> str:
    if r.broken:
        return "✕ broken"
    if r.suspect:
        return "? suspect"
    return "✓ holds" if r.verified else "—"


def _mark_tip(r: AuditRow) -> str:
    if r.broken:
        return r.broken
    if r.suspect:
        return "after the first broken link: this event cannot be vouched for"
    return "verified: the chain holds here" if r.verified else "not verified yet (Verify chain)"


def _mark_colour(r: AuditRow) -> str | None:
    if r.broken:
        return FAIL_COLOUR
    if r.suspect:
        return WARN_COLOUR
    return PASS_COLOUR if r.verified else None


class AuditEventTableModel(RecordTableModel):
    """Rows of :class:`AuditRow`, in chain order; a broken link shows in red with a ✕ and why."""

    columns = [
        Column("Check", _mark, tooltip=_mark_tip,
               foreground=_mark_colour, bold=lambda r: bool(r.broken)),
        Column("#", lambda r: str(r.event.seq), sort_key=lambda r: r.event.seq, numeric=True,
               foreground=lambda r: FAIL_COLOUR if r.broken else None),
        Column("When", lambda r: format_local_time(r.event.at),
               sort_key=lambda r: r.event.at.timestamp(), tooltip=lambda r: full_time(r.event.at)),
        Column("Actor", lambda r: r.event.actor),
        Column("Kind", lambda r: r.event.kind),
        Column("Subject", lambda r: r.event.subject),
        Column("Model", lambda r: r.event.model or "—"),
        Column("Hash", lambda r: r.event.hash[:12] + "…", copy=lambda r: r.event.hash,
               tooltip=lambda r: f"hash {r.event.hash}\nprev {r.event.prev_hash}"),
    ]


def load_events(url: str) -> list[AuditEvent]:
    """Worker target: every event of the workspace at ``url`` (filters apply in the view)."""
    from governance_app.services import audit as audit_service  # cryptography: not at start-up

    with Workspace.open(url, upgrade=False) as ws:
        return audit_service.list_events(ws)


def verify(
    url: str, progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> VerificationReport:
    """Worker target: recompute the chain and check every checkpoint and signature."""
    from governance_app.services import audit as audit_service  # cryptography: not at start-up

    with Workspace.open(url, upgrade=False) as ws:
        return audit_service.verify_workspace(ws, progress, is_cancelled)


def broken_rows(events: list[AuditEvent], report: VerificationReport | None) -> list[AuditRow]:
    """Rows with the events the report names marked (its first broken link, and others)."""
    named: dict[int, str] = {}
    if report is not None:
        for finding in report.findings:
            if finding.seq is not None:
                named.setdefault(finding.seq, finding.describe())
    verified = report is not None
    first = report.first_broken if report is not None else None
    after = first.seq if first is not None and first.seq is not None else None
    return [AuditRow(e, named.get(e.seq, ""), verified, after is not None and e.seq > after)
            for e in events]
