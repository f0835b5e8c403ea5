"""The Sign dialog, and the two small dialogs that open and withdraw a review.

Signing is an electronic signature that an auditor checks years later, so the dialog says what
will be recorded before anything happens: the member, the decision's meaning verbatim, the
comment, the evidence digest, the time and the audit chain head. An approval may carry terms
(issue 19): open findings to be closed by their due dates, and an expiry; the dialog judges them
by the act's own rule before the passphrase, and signs them through the same service function as
``governance-app sign --condition finding:ID --expires DATE``, so both sign the same act. The
passphrase is asked every time (echo off) and handed to a worker: unlocking the key runs
scrypt, which is slow on purpose.
Afterwards the dialog shows the manifestation that was recorded; a refusal goes to the shared
error dialog with its reason and the dialog stays open for another try.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.audit import Member
from governance_app.domain.governance import Decision, Review, Signature
from governance_app.domain.risk import ApprovalTerms, Finding
from governance_app.services.evidence_sources import Blocker, blockers, contradictions
from governance_app.ui.approval_terms_form import ApprovalTermsForm
from governance_app.ui.error_dialog import show_error
from governance_app.ui.passphrase_field import PassphraseField
from governance_app.ui.review_models import (
    DECISION_STYLE,
    FAIL_COLOUR,
    STATE_STYLE,
    describe_quorum,
    manifestation_html,
    sign_task,
)
from governance_app.ui.signing_pages import entry_and_done_pages, sign_buttons
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import selectable
from governance_app.ui.workers import Worker


class SignDialog(QDialog):
    """Sign one open review as one board member.

    Args:
        finding_blockers: open findings the risk policy makes blocking, in words.
        open_findings: the version's and its model's open findings, which an approval may be
            made conditional on (None: not loaded yet).
    """

    sig_signed = Signal(object, object)
    """Emitted with the updated :class:`Review` and the recorded :class:`Signature`."""
    sig_failed = Signal(object)
    """Emitted with the exception when signing was refused or failed."""

    def __init__(self, ctx: ViewContext, review: Review, members: Sequence[Member],
                 parent: QWidget | None = None, *, finding_blockers: Sequence[str] = (),
                 open_findings: Sequence[Finding] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SignDialog")
        self.ctx = ctx
        self.review = review
        self.signature: Signature | None = None
        self.terms: ApprovalTerms | None = None
        """The terms the signature was recorded with (after signing)."""
        self.error_dialog: QDialog | None = None
        self.setWindowTitle(f"Sign review #{review.id} — {review.ref}")
        self.setMinimumWidth(600)

        title = QLabel(f"<h3>Review #{review.id}: {review.ref} for "
                       f"<i>{review.policy.gate}</i></h3>")
        self.member_combo = QComboBox()
        for member in members:
            if member.active:
                self.member_combo.addItem(f"{member.name} ({', '.join(member.roles)})",
                                          member.name)
        self.approve_radio = QRadioButton("Approve")
        self.reject_radio = QRadioButton("Reject")
        self.blockers = blockers(review.evidence, review.ref)
        # Said before any passphrase is typed: what forbids approval, and what would lift it.
        self.blockers_label = selectable(QLabel(blockers_html(self.blockers, review.ref)))
        self.blockers_label.setObjectName("SignBlockers")
        self.blockers_label.setTextFormat(Qt.TextFormat.RichText)
        self.blockers_label.setStyleSheet(
            f"QLabel {{ padding: 6px; border: 1px solid {FAIL_COLOUR}; }}")
        self.blockers_label.setVisible(bool(self.blockers))
        # Open findings the risk policy makes blocking (live, not frozen): said before the
        # passphrase too, with what lifts them (issue 19).
        self.finding_blockers = list(finding_blockers)
        self.findings_label = selectable(QLabel(finding_blockers_html(self.finding_blockers)))
        self.findings_label.setObjectName("SignFindingBlockers")
        self.findings_label.setTextFormat(Qt.TextFormat.RichText)
        self.findings_label.setStyleSheet(
            f"QLabel {{ padding: 6px; border: 1px solid {FAIL_COLOUR}; }}")
        self.findings_label.setVisible(bool(self.finding_blockers))
        blocked = bool(self.blockers or self.finding_blockers)
        self.approval_blocked = blocked
        # Not blocking, but what a signer must have seen: numbers that contradict each other.
        disputed = contradictions(review.evidence)
        self.contradiction_label = selectable(QLabel(contradictions_html(disputed)))
        self.contradiction_label.setObjectName("SignContradictions")
        self.contradiction_label.setVisible(bool(disputed))
        self.approve_radio.setEnabled(not blocked)
        if blocked:
            self.approve_radio.setToolTip("Blocked by a failing check or an open finding: see "
                                          "above")
        (self.reject_radio if blocked else self.approve_radio).setChecked(True)
        self.decision_group = QButtonGroup(self)
        decisions = QHBoxLayout()
        for radio in (self.approve_radio, self.reject_radio):
            self.decision_group.addButton(radio)
            decisions.addWidget(radio)
        decisions.addStretch(1)
        self.meaning_label = QLabel()  # one line: no word wrap, so no reserved empty height
        self.meaning_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meaning_label.setAccessibleName("Meaning of the signature")
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setPlaceholderText("Why you decide so (recorded and signed)")
        self.comment_edit.setFixedHeight(64)
        self.terms_form = ApprovalTermsForm(open_findings, self.today())
        self.terms_problem_label = selectable(QLabel())
        self.terms_problem_label.setWordWrap(False)  # one line: no reserved empty height
        self.terms_problem_label.setObjectName("SignTermsProblem")
        self.terms_problem_label.setStyleSheet(f"QLabel {{ color: {FAIL_COLOUR}; }}")
        self.passphrase = PassphraseField(_demo_passphrases(ctx), "asked for every signature")
        self.passphrase_edit, self.demo_label = self.passphrase.edit, self.passphrase.demo_label
        self.record_label = selectable(QLabel())
        self.record_label.setTextFormat(Qt.TextFormat.PlainText)  # the comment is user text
        self.record_label.setStyleSheet("QLabel { padding: 6px; border: 1px solid palette(mid); }")
        self.status_label = selectable(QLabel())

        form = QFormLayout()
        form.addRow("Member", self.member_combo)
        form.addRow("Decision", decisions)
        form.addRow("Meaning", self.meaning_label)
        # An approval's terms, shown only while Approve is chosen (a rejection carries none).
        form.addRow("Conditions", self.terms_form.conditions_field)
        form.addRow("Expiry", self.terms_form.expiry)
        form.addRow("", self.terms_problem_label)
        form.addRow("Comment", self.comment_edit)
        form.addRow("Passphrase", self.passphrase)
        self.form = form
        entry = QWidget()
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addLayout(form)
        entry_layout.addWidget(QLabel("<b>Signing will record:</b>"))
        entry_layout.addWidget(self.record_label)
        entry_layout.addWidget(self.status_label)
        entry_layout.addStretch(1)  # spare height below the record, not between form rows
        self.entry_page = entry

        self.pages, self.done_page, self.result_label = entry_and_done_pages(entry)

        self.buttons, self.sign_button, self.close_button = sign_buttons(
            self._on_sign_button_clicked, self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.blockers_label)
        layout.addWidget(self.findings_label)
        layout.addWidget(self.contradiction_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)

        self.member_combo.currentIndexChanged.connect(self._update)
        self.decision_group.buttonToggled.connect(self._update)
        self.comment_edit.textChanged.connect(self._update)
        self.passphrase_edit.textChanged.connect(self._update)
        self.terms_form.sig_changed.connect(self._update)
        self._update()

    # -- state -------------------------------------------------------------------------------

    def decision(self) -> Decision:
        return Decision.APPROVE if self.approve_radio.isChecked() else Decision.REJECT

    def member_name(self) -> str:
        return str(self.member_combo.currentData() or "")

    def meaning(self) -> str:
        """The meaning exactly as it will be signed (the policy's words)."""
        return self.review.policy.meaning(self.decision())

    @staticmethod
    def today() -> date:
        """The signing day as the act dates it (UTC)."""
        return datetime.now(UTC).date()

    def terms_problem(self) -> str | None:
        """Why the chosen terms would be refused (None: allowed, or not an approval)."""
        if self.decision() is not Decision.APPROVE:
            return None
        return self.terms_form.problem(self.review.model, self.review.version, self.today())

    def _update(self, *_: object) -> None:
        colour = DECISION_STYLE[self.decision()][1]
        self.meaning_label.setText(
            f"<span style='color:{colour}; font-size:large'><b>{self.meaning()}</b></span>")
        approving = self.decision() is Decision.APPROVE
        for field in (self.terms_form.conditions_field, self.terms_form.expiry):
            self.form.setRowVisible(field, approving)
        problem = self.terms_problem()
        self.terms_problem_label.setText(f"✕ {problem}" if problem else "")
        self.form.setRowVisible(self.terms_problem_label, bool(problem))
        comment = self.comment_edit.toPlainText().strip()
        terms = self.terms_form.words() if approving else ""
        self.record_label.setText(
            f"{self.member_name() or 'no active member'} signs review #{self.review.id} of "
            f"{self.review.ref} with the meaning “{self.meaning()}”"
            f"{' and the terms: ' + terms if terms else ''}"
            f"{', comment “' + comment + '”' if comment else ', no comment'}; over the evidence "
            f"digest {self.review.evidence_digest[:16]}…, the time now (UTC) and the audit chain "
            "head. The passphrase unlocks the member's key for this one signature; it is not "
            "stored.")
        self.sign_button.setEnabled(bool(self.member_name() and self.passphrase_edit.text())
                                    and problem is None)
        self.passphrase.show_member(self.member_name())

    # -- signing -----------------------------------------------------------------------------

    def _on_sign_button_clicked(self) -> None:
        if not self.passphrase_edit.text() or not self.member_name() or self.terms_problem():
            return
        passphrase = self.passphrase.take()  # kept no longer than the worker needs it
        approving = self.decision() is Decision.APPROVE
        expires = self.terms_form.expires() if approving else None
        self._set_busy(True)
        worker = Worker(sign_task, self.ctx.workspace.url, self.review.id, self.member_name(),
                        self.decision().value, passphrase, self.comment_edit.toPlainText().strip(),
                        self.terms_form.condition_refs() if approving else [],
                        expires.isoformat() if expires else None,
                        description=f"Signing review #{self.review.id}")
        worker.signals.sig_finished.connect(self._on_signed)
        worker.signals.sig_errored.connect(self._on_refused)
        self.ctx.runner.start(worker)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.member_combo, self.approve_radio, self.reject_radio,
                       self.comment_edit, self.passphrase_edit, self.terms_form.conditions_field,
                       self.terms_form.expiry):
            widget.setEnabled(not busy)
        self.approve_radio.setEnabled(not busy and not self.approval_blocked)
        self.sign_button.setEnabled(not busy and bool(self.passphrase_edit.text()))
        self.status_label.setText("Unlocking the key and signing…" if busy else "")

    def _on_signed(self, result: tuple[Review, Signature, ApprovalTerms]) -> None:
        review, signature, terms = result
        self.review, self.signature, self.terms = review, signature, terms
        state_word, state_colour = STATE_STYLE[review.state]
        self.result_label.setText(
            "<h3>Signature recorded</h3>" + manifestation_html(signature)
            + (f"<p>{terms_recorded_html(terms)}</p>"
               if signature.decision is Decision.APPROVE else "")
            + f"<p>Review #{review.id} is now <span style='color:{state_colour}'><b>"
            f"{state_word}</b></span>; quorum {describe_quorum(review.progress())}.</p>")
        self.pages.setCurrentWidget(self.done_page)
        self.sign_button.hide()
        self.close_button.setText("Close")
        self.sig_signed.emit(review, signature)

    def _on_refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status_label.setText(f"<span style='color:{FAIL_COLOUR}'><b>✕ Not signed:</b> "
                                  f"{_escape(str(exc))}</span>")
        self.error_dialog = show_error(self, exc, f"Signing review #{self.review.id}")
        self.sig_failed.emit(exc)


class OpenReviewDialog(QDialog):
    """Choose the model version and the policy of a new review."""

    def __init__(self, refs: Sequence[str], policies: Sequence[tuple[str, str]],
                 current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open a review")
        self.version_combo = QComboBox()
        self.version_combo.addItems(list(refs))
        if current and current in refs:
            self.version_combo.setCurrentText(current)
        self.policy_combo = QComboBox()
        for name, gate in policies:
            self.policy_combo.addItem(f"{name} (gate: {gate})", name)
        note = selectable(QLabel(
            "Opening evaluates every check of the policy now and freezes the evidence; members "
            "then sign against that frozen evidence. The opening is recorded in the audit trail."))
        form = QFormLayout()
        form.addRow("Model version", self.version_combo)
        form.addRow("Policy", self.policy_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open review")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(refs) and bool(policies))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def ref(self) -> str:
        return self.version_combo.currentText()

    def policy(self) -> str:
        return str(self.policy_combo.currentData() or "")


class ReasonDialog(QDialog):
    """Ask for the reason of a withdrawal (recorded in the audit trail)."""

    def __init__(self, review: Review, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Withdraw review #{review.id}")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("why the board stops reviewing this version")
        note = selectable(QLabel(
            f"Withdrawing closes review #{review.id} of {review.ref} without a decision; its "
            "signatures stay on record. The reason is recorded in the audit trail."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Withdraw")
        self.ok_button.setEnabled(False)
        self.reason_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)

    def reason(self) -> str:
        return self.reason_edit.text().strip()


def blockers_html(found: Sequence[Blocker], ref: str) -> str:
    """What forbids approval and what would lift it, said before the passphrase step."""
    if not found:
        return ""
    items = "".join(
        f"<li><b>✕ {_escape(b.label)}</b> ({_escape(b.result)}): {_escape(b.detail)}.<br/>"
        f"To unblock: {_escape(b.remedy)}.</li>" for b in found)
    return (f"<b>Approval is blocked</b> by {len(found)} failing blocking "
            f"check{'s' if len(found) > 1 else ''}:<ul style='margin:2px'>{items}</ul>"
            "The evidence was frozen when this review opened: after fixing, withdraw this "
            f"review and open a new one of {_escape(ref)}. <b>Reject</b> stays available.")


def finding_blockers_html(found: Sequence[str]) -> str:
    """Open findings that block approval by the risk policy, and what lifts them."""
    if not found:
        return ""
    items = "".join(f"<li><b>✕</b> {_escape(text)}</li>" for text in found)
    return (f"<b>Approval is blocked by the risk policy</b>: {len(found)} open finding"
            f"{'s' if len(found) > 1 else ''}<ul style='margin:2px'>{items}</ul>"
            "To unblock: a validator who does not own it closes it, or accepts it as an "
            "exception (the Findings tab of the Models view); this review stays open. "
            "<b>Reject</b> stays available.")


def contradictions_html(found: Sequence[tuple[str, dict[str, float]]]) -> str:
    """The checks whose computed and declared numbers disagree, both numbers named."""
    if not found:
        return ""
    lines = "; ".join(
        f"{_escape(label)}: declared {numbers['declared']:.4g}, computed "
        f"{numbers['computed']:.4g}" for label, numbers in found)
    return (f"<span style='color:#B35900'>⚠ <b>The evidence contradicts itself</b> — "
            f"{lines}. The check judged one of them; see the review's evidence.</span>")


def terms_recorded_html(terms: ApprovalTerms) -> str:
    """The terms the signature was recorded with, in words."""
    if terms.unconditional:
        return "Recorded without conditions or expiry."
    return "<b>Recorded on condition:</b> " + _escape("; ".join(terms.words())) + "."


def _demo_passphrases(ctx: ViewContext) -> dict[str, str]:
    from governance_app.services.demo import demo_passphrases

    return demo_passphrases(ctx.workspace.url)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
