"""The Reports view's tables: the reports generated in the workspace, and a PDF's checks.

Generated reports come from the audit trail (``report.generated`` events), so the list is the
same on every machine sharing the workspace; the file column names where the producer wrote it,
which may not exist here. A verification check shows a glyph and a word, never colour alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.ui.item_models import Column, RecordTableModel, format_local_time, full_time
from governance_app.ui.report_tasks import (
    MODEL_CARD,
    VALIDATION_REPORT,
    VERSION_KINDS,
    describe_period,
)
from governance_app.ui.review_models import FAIL_COLOUR, PASS_COLOUR

KIND_WORDS = {MODEL_CARD: "Model card", VALIDATION_REPORT: "Validation report",
              "audit-report": "Audit report", "audit": "Audit report"}


def kind_word(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


def report_scope(kind: str, parameters: dict[str, Any]) -> str:
    """``credit_default:4`` for a card or a validation report; model and period for an audit
    report."""
    if kind in VERSION_KINDS:
        return f"{parameters.get('model')}:{parameters.get('version')}"
    return describe_period(parameters.get("model"), parameters.get("date_from")
                           or parameters.get("from"),
                           parameters.get("date_to") or parameters.get("to"))


def producer_name(report: Any) -> str:
    producer = report.producer
    if isinstance(producer, dict):
        return str(producer.get("member") or producer.get("name") or "")
    return str(producer or "")


def _file_tip(report: Any) -> str:
    path = Path(report.path)
    state = "" if path.exists() else " (not on this computer)"
    return f"{path}{state}\nSHA-256 {report.sha256}"


class GeneratedReportTableModel(RecordTableModel):
    """One row per generated report, newest first by default."""

    columns = [
        Column("Kind", lambda r: kind_word(r.kind)),
        Column("Scope", lambda r: report_scope(r.kind, dict(r.parameters or {})),
               tooltip=lambda r: ", ".join(f"{k}={v}" for k, v in
                                           sorted(dict(r.parameters or {}).items()))),
        Column("Generated", lambda r: format_local_time(r.at), sort_key=lambda r: -r.seq,
               tooltip=lambda r: f"{full_time(r.at)}; audit event #{r.seq}"),
        Column("By", producer_name),
        Column("File", lambda r: Path(r.path).name, tooltip=_file_tip, copy=lambda r: str(r.path),
               foreground=lambda r: None if Path(r.path).exists() else "#808080"),
    ]

    def row_for_path(self, path: str | Path) -> int:
        """The row of the report written to ``path`` (the newest such), or -1."""
        target = str(Path(path))
        return next((i for i, r in enumerate(self.rows()) if str(Path(r.path)) == target), -1)


class CheckOutcomeTableModel(RecordTableModel):
    """Each verification check of one PDF: holds or fails, its name, what was found."""

    columns = [
        Column("Result", lambda c: "✓ holds" if c.ok else "✕ fails",
               sort_key=lambda c: c.ok,
               foreground=lambda c: PASS_COLOUR if c.ok else FAIL_COLOUR,
               bold=lambda c: not c.ok),
        Column("Check", lambda c: c.name),
        Column("Detail", lambda c: c.detail, tooltip=lambda c: c.detail),
    ]
