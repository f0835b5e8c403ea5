"""The terms an approval may carry, as the Sign dialog asks them (issue 19).

An approval may be conditional on open findings being closed by their due dates, and may
expire. The form lists the version's (and its model's) open findings to tick, each with its
severity and due date, and an optional expiry. What it returns is what ``governance-app sign``
takes (``finding:ID`` conditions, an ISO expiry), so the dialog and the CLI sign the same act;
whether the terms are allowed is judged by the rule the act itself applies
(:func:`governance_app.governance.finding_rules.terms_refusal`), before the passphrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from governance_app.domain.risk import ApprovalTerms, Condition, Finding
from governance_app.governance.finding_rules import terms_refusal
from governance_app.ui.finding_models import SEVERITY_STYLE, scope_text
from governance_app.ui.widgets import OptionalDate, selectable

DEFAULT_EXPIRY_DAYS = 365
"""The expiry a ticked box proposes: a year, the shortest revalidation cadence of the templates."""
VISIBLE_ROWS = 4
"""Rows the findings list shows before it scrolls."""


class ApprovalTermsForm(QWidget):
    """Conditions (open findings to tick) and an optional expiry of one approval.

    Args:
        findings: the open findings of the version and its model; None when they are not
            known yet (the form says so and offers no conditions).
        today: the signing day, for the expiry's default.
    """

    sig_changed = Signal()

    def __init__(self, findings: Sequence[Finding] | None, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.findings = list(findings or ())
        self.conditions_list = QListWidget()
        self.conditions_list.setAccessibleName("Conditions: findings to close by their due date")
        self.conditions_list.setSpacing(2)  # a tick box per row needs air to be hit
        # A long title is elided (whole in the tooltip), never scrolled sideways: a horizontal
        # scroll bar would cover the only row of a one-finding list.
        self.conditions_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conditions_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        for finding in self.findings:
            self.conditions_list.addItem(_condition_item(finding))
        rows = min(len(self.findings), VISIBLE_ROWS)
        if rows:  # as many rows as there are findings, up to VISIBLE_ROWS; then it scrolls
            self.conditions_list.setFixedHeight(
                rows * (self.conditions_list.sizeHintForRow(0) + 2 * 2)
                + 2 * self.conditions_list.frameWidth() + 2)
        self.conditions_list.itemChanged.connect(lambda _i: self.sig_changed.emit())
        self.conditions_note = selectable(QLabel(_conditions_note(findings)))
        self.conditions_note.setStyleSheet("QLabel { color: #555555; }")
        self.expiry = OptionalDate("Expires on", today + timedelta(days=DEFAULT_EXPIRY_DAYS),
                                   checked=False, without="no expiry")
        self.expiry.setAccessibleName("Expiry of the approval")
        self.expiry.setToolTip("Tick to make the approval lapse after this day; without an "
                               "expiry it stands until withdrawn or superseded (or a condition "
                               "goes unmet)")
        self.expiry.sig_changed.connect(self.sig_changed.emit)
        conditions = QWidget()
        layout = QVBoxLayout(conditions)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.conditions_list)
        layout.addWidget(self.conditions_note)
        self.conditions_list.setHidden(not self.findings)  # once in its layout: never a window
        self.conditions_field = conditions

    # -- what was chosen -------------------------------------------------------------------------

    def chosen(self) -> list[Finding]:
        """The ticked findings, in the list's order."""
        return [self.findings[i] for i in range(self.conditions_list.count())
                if self.conditions_list.item(i).checkState() == Qt.CheckState.Checked]

    def choose(self, finding_ids: Sequence[int]) -> None:
        """Tick exactly the findings ``finding_ids`` (the others are unticked)."""
        for i, finding in enumerate(self.findings):
            self.conditions_list.item(i).setCheckState(
                Qt.CheckState.Checked if finding.id in finding_ids else Qt.CheckState.Unchecked)

    def condition_refs(self) -> list[str]:
        """The conditions as ``governance-app sign --condition`` takes them."""
        return [f"finding:{f.id}" for f in self.chosen()]

    def expires(self) -> date | None:
        return self.expiry.value()

    def problem(self, model: str, version: int, today: date) -> str | None:
        """Why these terms would be refused (the act's own rule), or None."""
        return terms_refusal(model, version, [(f, f.due) for f in self.chosen()],
                             self.expires(), today)

    def words(self) -> str:
        """The chosen terms in the words the record states (empty: none; a finding without a
        due date is left out, the problem says why)."""
        return "; ".join(ApprovalTerms(
            tuple(Condition(f.id, f.due) for f in self.chosen() if f.due is not None),
            self.expires()).words())


def _condition_item(finding: Finding) -> QListWidgetItem:
    word, _ = SEVERITY_STYLE[finding.severity]  # the word and its symbol: legible on any row
    due = f"due {finding.due.isoformat()}" if finding.due else "no due date"
    # The due date before the title: an elided title must not hide the day a condition takes.
    item = QListWidgetItem(f"#{finding.id}  {word} · {due} · {scope_text(finding)} · "
                           f"{finding.title}")
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    item.setToolTip(f"#{finding.id} {finding.title}\nApprove on condition that it "
                    f"({finding.status.value}, owner {finding.owner or '—'}) is closed by its "
                    "due date"
                    + ("" if finding.due else ": it has none, so it cannot be a condition"))
    item.setData(Qt.ItemDataRole.UserRole, finding.id)
    return item


def _conditions_note(findings: Sequence[Finding] | None) -> str:
    if findings is None:
        return ("The version's findings are still loading: close and reopen this dialog to "
                "make them conditions.")
    if not findings:
        return "No open findings of this version or its model: nothing to make a condition."
    return ("Tick a finding to approve on condition that it is closed by its due date; an "
            "unmet condition makes the approval lapse (never silently removed).")
