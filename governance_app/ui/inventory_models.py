"""The Inventory view's table models and worker targets (plain values in and out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from governance_app.domain.risk import Finding, InventoryRow
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import MISSING, Column, RecordTableModel

PASS_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
WARN_COLOUR = "#E69F00"
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def status_word(row: InventoryRow) -> str:
    """A word and a symbol, never colour alone."""
    if row.lapses:
        return "✕ lapsed"
    if row.overdue:
        return "✕ overdue"
    if row.expiring:
        return "! due soon"
    return "✓ in date" if row.tier is not None else "— not tiered"


def _status_colour(row: InventoryRow) -> str | None:
    if row.lapses or row.overdue:
        return FAIL_COLOUR
    if row.expiring:
        return WARN_COLOUR
    return PASS_COLOUR if row.tier is not None else None


def _status_tip(row: InventoryRow) -> str:
    parts = list(row.lapses)
    if row.next_due is not None:
        parts.append(f"next validation due {row.next_due.isoformat()}: {row.due_reason}")
    elif row.tier is None:
        parts.append("no risk tier yet: assess or set one (tier assess / tier set)")
    return "\n".join(parts) or "nothing due"


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else MISSING


def _findings(row: InventoryRow) -> str:
    counts = row.open_findings
    return f"{counts.get('high', 0)} / {counts.get('medium', 0)} / {counts.get('low', 0)}"


class InventoryTableModel(RecordTableModel):
    """One row per registered model; the status column says why it needs attention."""

    columns = [
        Column("Status", status_word, tooltip=_status_tip, foreground=_status_colour,
               bold=lambda r: bool(r.lapses or r.overdue),
               sort_key=lambda r: (not r.lapses, not r.overdue, not r.expiring)),
        Column("Model", lambda r: r.model),
        Column("Tier", lambda r: MISSING if r.tier is None else str(r.tier), numeric=True,
               sort_key=lambda r: 99 if r.tier is None else r.tier,
               tooltip=lambda r: r.tier_rationale or "not tiered"),
        Column("Owner", lambda r: r.owner or MISSING),
        Column("Use", lambda r: r.use or MISSING),
        Column("Approved", lambda r: f"v{r.approved_version} → {r.approved_gate}"
               if r.approved_version is not None else MISSING),
        Column("Validated", lambda r: _day(r.last_validated),
               sort_key=lambda r: r.last_validated or date.min),
        Column("Next due", lambda r: _day(r.next_due), tooltip=lambda r: r.due_reason,
               sort_key=lambda r: r.next_due or date.max,
               foreground=lambda r: FAIL_COLOUR if r.overdue and r.next_due else None),
        Column("Findings H/M/L", _findings,
               tooltip=lambda r: "open findings: high / medium / low",
               sort_key=lambda r: tuple(-r.open_findings.get(s, 0)
                                        for s in ("high", "medium", "low")),
               foreground=lambda r: FAIL_COLOUR if r.open_findings.get("high") else None),
        Column("Conditions", lambda r: str(r.active_conditions), numeric=True,
               sort_key=lambda r: r.active_conditions),
        Column("Drift", lambda r: str(r.drift_alerts), numeric=True,
               sort_key=lambda r: r.drift_alerts,
               tooltip=lambda r: "drift results above the policy's trigger since the last "
               "validation"),
    ]


def _finding_status(f: Finding) -> str:
    if f.status.value == "accepted" and f.exception_until:
        return f"accepted until {f.exception_until.isoformat()}"
    return f.status.value


class FindingTableModel(RecordTableModel):
    """A model's findings, most severe first."""

    columns = [
        Column("#", lambda f: str(f.id), numeric=True, sort_key=lambda f: f.id),
        Column("Severity", lambda f: {"high": "▲ high", "medium": "■ medium",
                                      "low": "▽ low"}[f.severity.value],
               sort_key=lambda f: SEVERITY_RANK[f.severity.value],
               foreground=lambda f: FAIL_COLOUR if f.severity.value == "high" else None),
        Column("Status", _finding_status),
        Column("Title", lambda f: f.title if f.version is None else f"v{f.version}: {f.title}",
               tooltip=lambda f: f"{f.title}\nowner: {f.owner or '—'}\n{f.description}"),
        Column("Due", lambda f: _day(f.due), sort_key=lambda f: f.due or date.max),
    ]


@dataclass(frozen=True, slots=True)
class InventoryData:
    rows: list[InventoryRow]
    findings: list[Finding]
    as_of: date


def load_inventory(url: str, as_of: date, overdue_only: bool) -> InventoryData:
    """Worker target: the inventory rows and every finding, as of ``as_of``."""
    from governance_app.services import risk  # SQLAlchemy and the replay: not at start-up

    with Workspace.open(url, upgrade=False) as ws:
        return InventoryData(risk.inventory(ws, as_of, overdue_only=overdue_only),
                             risk.list_findings(ws, day=as_of), as_of)
