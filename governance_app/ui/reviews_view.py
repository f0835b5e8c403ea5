"""The Reviews view: the board meeting's agenda, the evidence, the quorum and the signatures.

Master: the reviews, open ones first, filtered by state and by the shared model version (unless
"Show all versions" is ticked). Detail: the selected review's frozen evidence (each check with
value, threshold and verdict, and a link into the view holding its evidence), its evidence
digest, quorum progress and signatures shown as manifestations. Actions open a review, sign it
(:class:`SignDialog`), withdraw it, and export an approved review's DSSE attestation.

Signatures made on other machines appear without a restart: while the view is visible a timer
reads the audit chain's head (one cheap query through the audit service; every signature,
opening and withdrawal appends an event) and reloads the reviews when it moved. F5 reloads too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.audit import ChainHead
from governance_app.domain.governance import Review, ReviewState
from governance_app.services import audit as audit_service
from governance_app.services import members as member_service
from governance_app.ui.board_act_dialog import ActDialog
from governance_app.ui.error_dialog import show_error
from governance_app.ui.item_models import format_local_time
from governance_app.ui.review_models import (
    FAIL_COLOUR,
    LINK_COLUMN,
    PASS_COLOUR,
    STATE_STYLE,
    CheckTableModel,
    ReviewTableModel,
    SignatureTableModel,
    describe_quorum,
    evidence_view,
    load_reviews,
    open_review_task,
    review_choices,
    withdraw_task,
    write_attestation,
)
from governance_app.ui.review_risk import (
    RevalidationTableModel,
    ReviewRisk,
    due_revalidations,
    load_review_risk,
    terms_html,
)
from governance_app.ui.sign_dialog import OpenReviewDialog, ReasonDialog, SignDialog
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns, selectable
from governance_app.ui.workers import Worker

POLL_MS = 4000
"""How often a visible view looks for signatures made elsewhere."""
ALL_STATES = "All states"


class ReviewsPanel(QWidget):
    """The Reviews view of the open workspace."""

    sig_reviews_shown = Signal(int)
    """Emitted with the number of agenda rows after every load or filter change."""
    sig_review_shown = Signal(object)
    """Emitted with the :class:`Review` shown in the detail (``None`` when none is)."""
    sig_failed = Signal(object)
    sig_risk_shown = Signal(object)
    """Emitted with the :class:`ReviewRisk` of the review shown (findings and terms)."""
    sig_revalidations_shown = Signal(int)
    """Emitted with the number of revalidations due on the agenda after every load."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewsPanel")
        self.ctx = ctx
        self.reviews: list[Review] = []
        self.review: Review | None = None
        self.dialog: QWidget | None = None
        self.act_dialog: QWidget | None = None
        self._loaded = False
        self._generation = 0
        self._seen_head: ChainHead | None = None
        self._want_id: int | None = None

        self.state_combo = QComboBox()
        self.state_combo.addItems([ALL_STATES, *[s.value for s in ReviewState]])
        self.show_all_check = QCheckBox("Show all versions")
        self.show_all_check.setToolTip("Ignore the current model version and list every review")
        self.scope_label = QLabel()
        self.open_button = QPushButton("Open review…")
        self.sign_button = QPushButton("Sign…")
        self.withdraw_button = QPushButton("Withdraw…")
        self.export_button = QPushButton("Export attestation…")
        self.export_button.setToolTip("Write the approved review's DSSE envelope (in-toto)")
        bar = QHBoxLayout()
        for widget in (QLabel("State"), self.state_combo, self.show_all_check, self.scope_label,
                       self.open_button, self.sign_button, self.withdraw_button,
                       self.export_button):
            bar.addWidget(widget, 1 if widget is self.scope_label else 0)
        self.state_combo.currentIndexChanged.connect(lambda *_: self._apply_filters())
        self.show_all_check.toggled.connect(lambda *_: self._apply_filters())
        self.open_button.clicked.connect(self.open_review_dialog)
        self.sign_button.clicked.connect(self.open_sign_dialog)
        self.withdraw_button.clicked.connect(self.open_withdraw_dialog)
        self.export_button.clicked.connect(self._on_export_button_clicked)

        self.agenda_model = ReviewTableModel(parent=self)
        self.agenda = RecordTableView(self.agenda_model)
        self.agenda.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.agenda.selectionModel().selectionChanged.connect(self._on_agenda_selection_changed)

        self.title_label = selectable(QLabel())
        self.info_label = selectable(QLabel())
        self.digest_label = selectable(QLabel())
        self.quorum_label = selectable(QLabel())
        self.check_model = CheckTableModel(parent=self)
        self.checks = RecordTableView(self.check_model, sortable=False)
        self.checks.proxy.sort(-1)  # the policy's order
        self.checks.clicked.connect(self._on_checks_clicked)
        # Issue 19: the version's open findings as checks (live, judged today), the terms and
        # lapses of approvals; and beside the agenda, the revalidations due with their reason.
        self.risk: ReviewRisk | None = None
        self.finding_model = CheckTableModel(parent=self)
        self.finding_checks = RecordTableView(self.finding_model, sortable=False)
        self.finding_checks.setObjectName("ReviewFindingChecks")
        self.finding_checks.clicked.connect(self._on_finding_checks_clicked)
        self.terms_label = selectable(QLabel())
        self.terms_label.setObjectName("ReviewTerms")
        self.revalidation_model = RevalidationTableModel(parent=self)
        self.revalidations = RecordTableView(self.revalidation_model)
        self.revalidations.setObjectName("AgendaRevalidations")
        self.revalidations.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self._risk_generation = 0
        self.signature_model = SignatureTableModel(parent=self)
        self.signatures = RecordTableView(self.signature_model, sortable=False)
        self.signatures.proxy.sort(-1)  # the order they were signed in
        self.detail = QWidget()
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 4, 0, 0)
        for label in (self.title_label, self.info_label, self.digest_label, self.quorum_label):
            detail.addWidget(label)
        findings_box = QGroupBox("Findings (live, judged today) and approval terms")
        findings_layout = QVBoxLayout(findings_box)
        findings_layout.addWidget(self.terms_label)
        findings_layout.addWidget(self.finding_checks, 1)
        # A few findings at most: the frozen evidence above keeps the room it needs.
        self.finding_checks.setMaximumHeight(96)
        self.findings_box = findings_box
        for title, table, stretch in (
                ("Evidence (frozen when the review opened)", self.checks, 3),
                (None, findings_box, 0), ("Signatures", self.signatures, 2)):
            if title is None:
                detail.addWidget(table, stretch)
                continue
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(table)
            detail.addWidget(box, stretch)

        # Agenda above, detail below: the evidence and manifestation tables need the width.
        due_box = QGroupBox("Revalidations due (cadence or trigger)")
        QVBoxLayout(due_box).addWidget(self.revalidations)
        self.agenda_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.agenda_splitter.addWidget(self.agenda)
        self.agenda_splitter.addWidget(due_box)
        self.agenda_splitter.setSizes([730, 430])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.agenda_splitter)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([150, 580])
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(bar)
        page_layout.addWidget(self.splitter, 1)
        self.reviews_page = page
        self.empty_state = EmptyStatePanel(
            "No reviews yet",
            "A review freezes the evidence for one model version against a gate policy; board "
            "members then sign it until the quorum approves or a required role rejects. Add a "
            "policy (governance-app policy add) and open the first review.",
            [("Open review…", self.open_review_dialog), ("Import…", ctx.request_import)])
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll)
        unsubscribe = ctx.selection.subscribe(lambda _s: self._apply_filters())
        self.destroyed.connect(lambda *_: unsubscribe())
        self._show_detail(None)

    # -- loading -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.poll_timer.start()
        if not self._loaded:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self.poll_timer.stop()  # poll only while somebody looks
        super().hideEvent(event)

    def refresh(self) -> None:
        """Reload the reviews (F5, after an import or a signature, a workspace switch)."""
        self._loaded = True
        self._seen_head = self._head()
        self._generation += 1
        generation = self._generation
        worker = Worker(load_reviews, self.ctx.workspace.url, description="Loading the reviews")
        worker.signals.sig_finished.connect(
            lambda reviews: generation == self._generation and self._show_reviews(reviews))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, "Loading reviews"))
        self.ctx.runner.start(worker)
        self._load_revalidations()

    def _load_revalidations(self) -> None:
        from governance_app.ui.finding_models import load_approvals

        worker = Worker(load_approvals, self.ctx.workspace.url, datetime.now(UTC).date(),
                        description="Reading the revalidations due")
        worker.signals.sig_finished.connect(self._show_revalidations)
        worker.signals.sig_errored.connect(
            lambda exc: self._fail(exc, "Reading the revalidations due"))
        self.ctx.runner.start(worker)

    def _show_revalidations(self, rows: dict) -> None:
        due = due_revalidations(rows, datetime.now(UTC).date())
        self.revalidation_model.set_rows(due)
        fit_columns(self.revalidations, squeeze=4)
        self.sig_revalidations_shown.emit(len(due))

    def poll(self) -> None:
        """Reload when the audit chain moved since the last load (a signature elsewhere)."""
        if not self.isVisible() or not self._loaded:
            return
        head = self._head()
        if head is not None and head != self._seen_head:
            self.refresh()

    def _head(self) -> ChainHead | None:
        try:
            return audit_service.head(self.ctx.workspace)
        except Exception:  # noqa: BLE001 - unreachable for a moment: the next poll retries
            return None

    def set_filter_text(self, text: str) -> None:
        self.agenda.proxy.setFilterFixedString(text)

    def _show_reviews(self, reviews: list[Review]) -> None:
        self.reviews = list(reviews)
        self.pages.setCurrentWidget(self.reviews_page if reviews else self.empty_state)
        self._apply_filters()

    def _apply_filters(self) -> None:
        keep = self.review.id if self.review is not None else None
        if self._want_id is not None:
            keep, self._want_id = self._want_id, None
        selected = self.ctx.selection.current
        state = self.state_combo.currentText()
        scoped = not self.show_all_check.isChecked() and selected.model_name is not None
        rows = [r for r in self.reviews
                if (state == ALL_STATES or r.state.value == state)
                and (not scoped or (r.model == selected.model_name and (
                    selected.version is None or r.version == selected.version)))]
        if scoped:
            what = selected.model_name + (f":{selected.version}" if selected.version else "")
            self.scope_label.setText(f"Reviews of <b>{what}</b> (the current version)")
        else:
            self.scope_label.setText("Reviews of every version")
        self.agenda_model.set_rows(rows)
        self.agenda.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # open first, then newest
        fit_columns(self.agenda)
        row = self.agenda_model.row_for_id(keep) if keep is not None else -1
        if row < 0 and rows:
            row = self.agenda.proxy.mapToSource(self.agenda.proxy.index(0, 0)).row()
        if row >= 0:
            self.agenda.select_source_row(row)
            self._show_detail(self.agenda_model.row_at(row))
        else:
            self._show_detail(None)
        self.sig_reviews_shown.emit(len(rows))

    def select_review(self, review_id: int) -> bool:
        """Show review ``review_id`` (if the filters let it be listed)."""
        row = self.agenda_model.row_for_id(review_id)
        if row >= 0:
            self.agenda.select_source_row(row)
        return row >= 0

    # -- detail ------------------------------------------------------------------------------

    def _on_agenda_selection_changed(self, *_: QItemSelection) -> None:
        rows = self.agenda.selected_source_rows()
        if rows:
            self._show_detail(self.agenda_model.row_at(rows[0]))

    def _show_detail(self, review: Review | None) -> None:
        self.review = review
        self.detail.setEnabled(review is not None)
        if review is None:
            self.title_label.setText("<h3>No review selected</h3>")
            for label in (self.info_label, self.digest_label, self.quorum_label):
                label.clear()
            self.check_model.set_rows([])
            self.signature_model.set_rows([])
            self._show_risk(None)
        else:
            word, colour = STATE_STYLE[review.state]
            self.title_label.setText(
                f"<h3>Review #{review.id}: {review.ref} for <i>{review.policy.gate}</i> — "
                f"<span style='color:{colour}'>{word}</span></h3>")
            closed = ""
            if review.closed_at is not None:
                closed = (f"<br>Closed {format_local_time(review.closed_at)}"
                          f"{': ' + review.close_reason if review.close_reason else ''}")
            self.info_label.setText(
                f"Policy <b>{review.policy.name}</b> (digest {review.policy.digest[:12]}…), "
                f"opened {format_local_time(review.opened_at)} by {review.opened_by}{closed}")
            self.digest_label.setText(f"Evidence digest (SHA-256): <code>"
                                      f"{review.evidence_digest}</code>")
            progress = review.progress()
            mark = (f"<span style='color:{PASS_COLOUR}'>✓</span>" if progress.met
                    else "<span>◔</span>")
            blocking = review.evidence.get("blocking_failures") or []
            block = (f" · <span style='color:{FAIL_COLOUR}'>✕ approval blocked by: "
                     f"{', '.join(blocking)}</span>" if blocking else "")
            self.quorum_label.setText(f"{mark} <b>Quorum:</b> {describe_quorum(progress)}{block}")
            self.check_model.set_rows(review.checks)
            self.signature_model.set_rows(list(review.signatures))
            fit_columns(self.checks, squeeze=6)
            fit_columns(self.signatures, squeeze=5)
            self._load_risk(review)
        is_open = review is not None and review.state is ReviewState.OPEN
        self.sign_button.setEnabled(is_open)
        self.withdraw_button.setEnabled(is_open)
        self.export_button.setEnabled(review is not None
                                      and review.state is ReviewState.APPROVED)
        self.sig_review_shown.emit(review)

    def _load_risk(self, review: Review) -> None:
        """The version's findings and the review's terms, read in a worker (a board replay)."""
        self._risk_generation += 1
        generation = self._risk_generation
        if self.risk is not None and self.risk.review_id != review.id:
            self._show_risk(None, emit=False)
        worker = Worker(load_review_risk, self.ctx.workspace.url, review.id, review.model,
                        review.version, datetime.now(UTC).date(),
                        description=f"Reading the findings of {review.ref}")
        worker.signals.sig_finished.connect(
            lambda risk: generation == self._risk_generation and self._show_risk(risk))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._risk_generation
            and self._fail(exc, f"Reading the findings of {review.ref}"))
        self.ctx.runner.start(worker)

    def _show_risk(self, risk: ReviewRisk | None, *, emit: bool = True) -> None:
        self.risk = risk
        self.finding_model.set_rows(risk.checks if risk else [])
        self.finding_checks.setVisible(bool(risk and risk.checks))  # the words say "none"
        fit_columns(self.finding_checks, squeeze=6)
        approved = self.review is not None and self.review.state is ReviewState.APPROVED
        self.terms_label.setText(terms_html(risk, approved) if risk else "")
        count = len(risk.checks) if risk else 0
        self.findings_box.setTitle(
            f"Findings: {count} open (live, judged today) and approval terms" if risk
            else "Findings (live, judged today) and approval terms")
        if emit:
            self.sig_risk_shown.emit(risk)

    def _on_finding_checks_clicked(self, index: QModelIndex) -> None:
        if index.column() == LINK_COLUMN and self.review is not None:
            # A finding is read (and answered) in the Findings tab of its version's detail.
            self.ctx.selection.select(self.review.model, self.review.version)
            self.ctx.show_view("Models")

    def _on_checks_clicked(self, index: QModelIndex) -> None:
        if index.column() == LINK_COLUMN:
            self.follow_evidence(self.checks.proxy.mapToSource(index).row())

    def follow_evidence(self, row: int) -> str | None:
        """Switch to the view holding the evidence of check ``row``, on the review's version."""
        if self.review is None:
            return None
        view = evidence_view(self.check_model.row_at(row))
        if view is not None:
            self.ctx.selection.select(self.review.model, self.review.version)
            self.ctx.show_view(view)
        return view

    # -- actions -----------------------------------------------------------------------------

    def open_review_dialog(self) -> OpenReviewDialog | None:
        try:
            refs, policies = review_choices(self.ctx.workspace)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the error dialog
            self._fail(exc, "Listing versions and policies")
            return None
        sel = self.ctx.selection.current
        current = f"{sel.model_name}:{sel.version}" if sel.version else None
        dialog = OpenReviewDialog(refs, policies, current, self)
        dialog.accepted.connect(lambda: self._sign_act(
            f"Open a review of {dialog.ref()}",
            f"Opening evaluates every check of {dialog.policy()} for {dialog.ref()} now, "
            "freezes the evidence, and records the opening signed by you.",
            open_review_task, dialog.ref(), dialog.policy(),
            description=f"Opening a review of {dialog.ref()}"))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _sign_act(self, title: str, what: str, task: object, *args: object,
                  description: str) -> ActDialog | None:
        """The passphrase step, then ``task(url, *args, member, passphrase)`` on a worker."""
        try:
            members = member_service.list_members(self.ctx.workspace)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, "Listing board members")
            return None
        step = ActDialog(title, what, members, parent=self)
        step.accepted.connect(lambda: self._run(
            task, *args, step.member_name(), step.passphrase(), description=description,
            action=description))
        self.act_dialog = step
        step.open()
        return step

    def open_sign_dialog(self) -> SignDialog | None:
        if self.review is None:
            return None
        try:
            members = member_service.list_members(self.ctx.workspace)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, "Listing board members")
            return None
        risk = self.risk if self.risk is not None and self.risk.review_id == self.review.id \
            else None
        dialog = SignDialog(self.ctx, self.review, members, self, finding_blockers=[
            str(c.get("detail", "")) for c in (risk.checks if risk else [])
            if c.get("result") == "fail"], open_findings=risk.open_findings if risk else ())
        dialog.sig_signed.connect(lambda review, _sig: self._reload_showing(review.id))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_withdraw_dialog(self) -> ReasonDialog | None:
        review = self.review
        if review is None:
            return None
        dialog = ReasonDialog(review, self)
        dialog.accepted.connect(lambda: self._sign_act(
            f"Withdraw review #{review.id}",
            f"Withdrawing closes review #{review.id} of {review.ref} without a decision, "
            f"for the reason “{dialog.reason()}”, signed by you.",
            withdraw_task, review.id, dialog.reason(),
            description=f"Withdrawing review #{review.id}"))
        self.dialog = dialog
        dialog.open()
        return dialog

    def export_attestation(self, path: Path) -> int | None:
        """Write the selected approved review's DSSE envelope to ``path``; the signature
        count, or ``None`` after showing why it could not."""
        if self.review is None:
            return None
        try:
            count = write_attestation(self.ctx.workspace, self.review.id, Path(path))
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, f"Exporting the attestation of review #{self.review.id}")
            return None
        self.scope_label.setText(f"Wrote {Path(path).name}: a DSSE envelope with {count} "
                                 "signature(s)")
        return count

    def _on_export_button_clicked(self) -> None:
        if self.review is None:
            return
        name = f"review-{self.review.id}-{self.review.model}-{self.review.version}.dsse.json"
        path, _ = QFileDialog.getSaveFileName(self, "Export attestation", name,
                                              "DSSE envelope (*.json)")
        if path:
            self.export_attestation(Path(path))

    def _run(self, fn: object, *args: object, description: str, action: str) -> Worker:
        worker = Worker(fn, self.ctx.workspace.url, *args, description=description)  # type: ignore[arg-type]
        worker.signals.sig_finished.connect(lambda review: self._reload_showing(review.id))
        worker.signals.sig_errored.connect(lambda exc: self._fail(exc, action))
        return self.ctx.runner.start(worker)

    def _reload_showing(self, review_id: int) -> None:
        self._want_id = review_id
        self.refresh()

    def _fail(self, exc: BaseException, action: str) -> None:
        self.sig_failed.emit(exc)
        show_error(self, exc, action)
