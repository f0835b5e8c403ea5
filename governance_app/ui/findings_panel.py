"""The Findings tab of the Models detail: the version's findings and its model's, with actions.

Findings live with the version they concern (UI.md), so this tab shows the current version's
findings and those raised on its model as a whole, most urgent first, with the model's latest
approval (its conditions, or why it lapsed) above them. Selecting one shows its description,
the evidence it cites (links into the views) and its thread. Open, Comment, Close and Accept
are signed acts through :class:`FindingActDialog`; the tab reloads after each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QItemSelection, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.audit import Member
from governance_app.domain.risk import Finding, FindingType, Severity
from governance_app.services.workspace import Workspace
from governance_app.ui.error_dialog import show_error
from governance_app.ui.finding_models import (
    FindingTableModel,
    ModelRisk,
    accept_task,
    approval_html,
    close_task,
    comment_task,
    evidence_target,
    finding_html,
    load_model_risk,
    open_finding_task,
)
from governance_app.ui.widgets import OptionalDate, RecordTableView, fit_columns
from governance_app.ui.workers import TaskRunner, Worker

if TYPE_CHECKING:  # the dialog (and the Sign dialog's module) load when first opened
    from governance_app.ui.finding_dialog import FindingActDialog

TITLE_COLUMN = 2


class FindingsPanel(QWidget):
    """Findings of one model version (and of its model), with the signed acts on them."""

    sig_loaded = Signal(object)
    """Emitted with the :class:`ModelRisk` after every load."""
    sig_evidence_requested = Signal(str, str, int)
    """A cited evidence link was followed: the view, the model and the version (0: none)."""
    sig_changed = Signal()
    """A finding was opened or decided: other views (Inventory, Reviews) may reload."""

    def __init__(self, workspace: Workspace, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindingsPanel")
        self.workspace = workspace
        self.runner = runner
        self.risk: ModelRisk | None = None
        self.model_name: str | None = None
        self.version: int | None = None
        self.as_of: date | None = None
        """The day findings and approvals are judged on; None is today."""
        self.dialog: FindingActDialog | None = None
        self._members_list: list[Member] = []
        self._want_id: int | None = None
        self._generation = 0

        self.approval_label = QLabel()
        self.approval_label.setObjectName("FindingsApproval")
        self.approval_label.setWordWrap(True)
        self.approval_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open finding…")
        self.comment_button = QPushButton("Comment…")
        self.close_button = QPushButton("Close…")
        self.accept_button = QPushButton("Accept as exception…")
        self.open_button.setToolTip("Record a validation issue, policy exception or limitation "
                                    "of this version (a signed act)")
        self.comment_button.setToolTip("Ask or answer in the selected finding's thread")
        self.close_button.setToolTip("Close the selected finding: a validator who does not "
                                     "own it")
        self.accept_button.setToolTip("Accept the selected finding as a policy exception until "
                                      "a date: a validator who does not own it")
        self.open_button.clicked.connect(self.open_finding_dialog)
        self.comment_button.clicked.connect(self.open_comment_dialog)
        self.close_button.clicked.connect(self.open_close_dialog)
        self.accept_button.clicked.connect(self.open_accept_dialog)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for button in (self.open_button, self.comment_button, self.close_button,
                       self.accept_button):
            bar.addWidget(button)
        bar.addStretch(1)

        self.table_model = FindingTableModel(parent=self)
        self.table = RecordTableView(self.table_model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Most urgent first (open, then by severity): the order the rows come in; a click on a
        # header still sorts by that column.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.proxy.sort(-1)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.detail = QTextBrowser()
        self.detail.setObjectName("FindingDetail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._on_anchor_clicked)
        self.detail.setPlaceholderText("Select a finding to read its description, the evidence "
                                       "it cites and its thread.")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([110, 260])
        self.splitter.setChildrenCollapsible(False)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("FindingsEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.approval_label)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self._update_buttons()

    # -- loading -----------------------------------------------------------------------------

    def day(self) -> date:
        return self.as_of or datetime.now(UTC).date()

    def load(self, model: str | None, version: int | None) -> None:
        """Load the findings of ``model:version`` in a worker (the newest request paints)."""
        self.model_name, self.version = model, version
        self._generation += 1
        if model is None:
            self.show_risk(None)
            return
        generation = self._generation
        worker = Worker(load_model_risk, self.workspace.url, model, version, self.day(),
                        description=f"Loading the findings of {model}")
        worker.signals.sig_finished.connect(
            lambda risk: generation == self._generation and self.show_risk(risk))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation
            and show_error(self, exc, f"Loading the findings of {model}"))
        self.runner.start(worker)

    def reload(self) -> None:
        self.load(self.model_name, self.version)

    def show_risk(self, risk: ModelRisk | None) -> None:
        keep = self._want_id or (f.id if (f := self.selected_finding()) else None)
        self._want_id = None
        self.risk = risk
        self.table_model.day = risk.day if risk else self.day()
        self.table_model.set_rows(risk.findings if risk else [])
        fit_columns(self.table)  # the first columns (severity, title, status) stay in view
        header = self.table.horizontalHeader()
        header.resizeSection(TITLE_COLUMN, min(header.sectionSize(TITLE_COLUMN), 250))
        self.approval_label.setText(approval_html(risk.row) if risk else "")
        self.approval_label.setVisible(bool(risk and risk.row))
        if risk is None or not risk.findings:
            what = (f"{risk.model} v{risk.version}" if risk and risk.version is not None
                    else risk.model if risk else "this version")
            self.empty_label.setText(
                f"No findings on {what} or its model. A validator records a validation "
                "issue, policy exception or limitation with Open finding…; the developer "
                "answers in its thread.")
            self.pages.setCurrentWidget(self.empty_label)
        else:
            self.pages.setCurrentWidget(self.splitter)
            row = self.table_model.row_for_id(keep) if keep else -1
            self.table.select_source_row(row if row >= 0 else 0)
        self._on_selection_changed()
        self.sig_loaded.emit(risk)

    def tab_title(self) -> str:
        if self.risk is None or not self.risk.findings:
            return "Findings"
        return f"Findings ({self.risk.open_count()} open)"

    # -- selection ---------------------------------------------------------------------------

    def selected_finding(self) -> Finding | None:
        rows = self.table.selected_source_rows()
        return self.table_model.row_at(rows[0]) if rows else None

    def select_finding(self, finding_id: int) -> bool:
        row = self.table_model.row_for_id(finding_id)
        if row >= 0:
            self.table.select_source_row(row)
        return row >= 0

    def _on_selection_changed(self, *_: QItemSelection) -> None:
        finding = self.selected_finding()
        if finding is None:
            self.detail.clear()
        else:
            self.detail.setHtml(finding_html(finding, self.day()))
        self._update_buttons()

    def _update_buttons(self) -> None:
        finding = self.selected_finding()
        self.open_button.setEnabled(self.model_name is not None)
        self.comment_button.setEnabled(finding is not None)
        is_open = finding is not None and finding.status.is_open
        self.close_button.setEnabled(is_open)
        self.accept_button.setEnabled(is_open)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("evidence:"):
            self.follow_evidence(text.removeprefix("evidence:"))

    def follow_evidence(self, link: str) -> str | None:
        """Open the view a cited link names, on its model version; returns the view."""
        view, model, version = evidence_target(link)
        if view is not None:
            self.sig_evidence_requested.emit(view, model or self.model_name or "",
                                             version or 0)
        return view

    # -- acts --------------------------------------------------------------------------------

    def _members(self) -> list[Member] | None:
        from governance_app.services import members as member_service

        try:
            return member_service.list_members(self.workspace)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the error dialog
            show_error(self, exc, "Listing board members")
            return None

    def _dialog(self, title: str, intro: str, rows: list[tuple[str, QWidget]], task: object,
                args: object, **options: object) -> FindingActDialog | None:
        members = self._members()
        if members is None:
            return None
        self._members_list = members
        from governance_app.services.demo import demo_passphrases
        from governance_app.ui.finding_dialog import FindingActDialog

        dialog = FindingActDialog(self.workspace.url, self.runner, title, intro, members, rows,
                                  task, args, demo=demo_passphrases(self.workspace.url),  # type: ignore[arg-type]
                                  day_of=self.day, parent=self, **options)  # type: ignore[arg-type]
        dialog.sig_recorded.connect(self._on_recorded)
        for widget in (w for _, w in rows):
            for signal in ("textChanged", "currentIndexChanged", "dateChanged", "toggled"):
                if hasattr(widget, signal):
                    getattr(widget, signal).connect(dialog.update_state)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_finding_dialog(self) -> FindingActDialog | None:
        """Open a finding on this version (or on the model as a whole)."""
        model, version = self.model_name, self.version
        if model is None:
            return None
        scope = QComboBox()
        if version is not None:
            scope.addItem(f"{model} v{version} (this version)", f"{model}:{version}")
        scope.addItem(f"{model} (the model as a whole)", model)
        kind = QComboBox()
        for value in FindingType:
            kind.addItem(value.value, value.value)
        severity = QComboBox()
        for level in (Severity.HIGH, Severity.MEDIUM, Severity.LOW):
            severity.addItem(level.value, level.value)
        severity.setCurrentIndex(1)
        title = QLineEdit()
        title.setPlaceholderText("what is wrong, in one line")
        description = QPlainTextEdit()
        description.setPlaceholderText("what was found, how, and what would resolve it")
        description.setFixedHeight(70)
        owner = QLineEdit(self.risk.owner if self.risk else "")
        owner.setPlaceholderText("who answers for the remediation (the model's owner)")
        due_row = OptionalDate("Due by", QDate.currentDate().addDays(30).toPython(),
                               checked=True)
        evidence = QLineEdit()
        evidence.setPlaceholderText(
            f"links, comma-separated: fairness:{model}:{version or 1}, drift:…, lineage:…")

        def args() -> tuple[object, ...]:
            links = [p.strip() for p in evidence.text().split(",") if p.strip()]
            return (scope.currentData(), kind.currentData(), severity.currentData(),
                    title.text().strip(), description.toPlainText().strip(),
                    owner.text().strip(), due_row.value(), links)

        return self._dialog(
            f"Open a finding on {model}" + (f" v{version}" if version is not None else ""),
            "Opening records the finding, signed by you, in the audit chain. A finding stays "
            "open until a validator who does not own it closes it or accepts it as an "
            "exception; the owner answers in its thread.",
            [("On", scope), ("Type", kind), ("Severity", severity), ("Title", title),
             ("Description", description), ("Owner", owner), ("Due", due_row),
             ("Evidence", evidence)],
            open_finding_task, args, ready=lambda: bool(title.text().strip()))

    def open_comment_dialog(self) -> FindingActDialog | None:
        finding = self.selected_finding()
        if finding is None:
            return None
        text = QPlainTextEdit()
        text.setPlaceholderText("a validator's question, or the developer's response")
        text.setFixedHeight(90)
        return self._dialog(
            f"Comment on finding #{finding.id}",
            f"Adds your message, signed, to the thread of finding #{finding.id} "
            f"“{_escape(finding.title)}” (the effective-challenge record).",
            [("Message", text)], comment_task,
            lambda: (finding.id, text.toPlainText().strip()),
            ready=lambda: bool(text.toPlainText().strip()))

    def open_close_dialog(self) -> FindingActDialog | None:
        finding = self.selected_finding()
        if finding is None:
            return None
        resolution = QPlainTextEdit()
        resolution.setPlaceholderText("how it was resolved, and the evidence that shows it")
        resolution.setFixedHeight(90)
        return self._dialog(
            f"Close finding #{finding.id}",
            f"Closes finding #{finding.id} “{_escape(finding.title)}” with your resolution, "
            "signed. Only a member holding a closing role may, never the finding's owner.",
            [("Resolution", resolution)], close_task,
            lambda: (finding.id, resolution.toPlainText().strip()),
            refusal=lambda member: self._refusal(finding, member, "close", None),
            ready=lambda: bool(resolution.toPlainText().strip()))

    def open_accept_dialog(self) -> FindingActDialog | None:
        finding = self.selected_finding()
        if finding is None:
            return None
        until = QDateEdit(QDate.currentDate().addDays(90))
        until.setCalendarPopup(True)
        until.setDisplayFormat("yyyy-MM-dd")
        rationale = QPlainTextEdit()
        rationale.setPlaceholderText("why the risk is accepted until then")
        rationale.setFixedHeight(80)
        return self._dialog(
            f"Accept finding #{finding.id} as an exception",
            f"Accepts finding #{finding.id} “{_escape(finding.title)}” as a policy exception "
            "until the date, signed; after it the finding counts as open again. Only a member "
            "holding a closing role may, never the finding's owner.",
            [("Until", until), ("Rationale", rationale)], accept_task,
            lambda: (finding.id, until.date().toPython(), rationale.toPlainText().strip()),
            refusal=lambda member: self._refusal(finding, member, "accept",
                                                 until.date().toPython()),
            ready=lambda: bool(rationale.toPlainText().strip()))

    def _refusal(self, finding: Finding, member: str, action: str,
                 until: date | None) -> str | None:
        """The rule replay applies, checked as the member is chosen (before the passphrase)."""
        from governance_app.governance.finding_rules import decision_refusal

        if self.risk is None:
            return None
        roles = next((m.roles for m in self._members_list if m.name == member), ())
        return decision_refusal(finding, member, tuple(roles), self.risk.rules, action=action,
                                until=until, today=datetime.now(UTC).date())

    def _on_recorded(self, finding: Finding) -> None:
        self._want_id = finding.id
        self.reload()
        self.sig_changed.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
