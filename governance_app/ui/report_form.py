"""The Reports view's "New report" form: which report, of what, by whom, on which paper, where.

A model card and a validation report are of one version (the shared current version is
preselected); an audit report is of every model or one, over an optional period. The output
file gets a sensible name in the last folder used until the user types or chooses one of their
own.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from governance_app.errors import InputError
from governance_app.reports.paper import default_page_size
from governance_app.ui.report_tasks import (
    AUDIT_REPORT,
    MODEL_CARD,
    PAGE_SIZES,
    VALIDATION_REPORT,
    VERSION_KINDS,
    ReportChoices,
    ReportRequest,
)

EVERY_MODEL = ""
"""The model combo's data for an audit report of every model."""


class ReportForm(QWidget):
    """Choices for one report; :meth:`request` turns them into a :class:`ReportRequest`."""

    sig_changed = Signal(bool)
    """Emitted with whether the form is complete, on every change."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self._auto_name = True
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Model card of a version", MODEL_CARD)
        self.kind_combo.addItem("Validation report of a version", VALIDATION_REPORT)
        self.kind_combo.addItem("Audit report of a period", AUDIT_REPORT)
        self.kind_combo.setItemData(1, "Scope, tests and results, findings with their threads, "
                                    "conclusion and signatures", Qt.ItemDataRole.ToolTipRole)
        self.version_combo = QComboBox()
        self.version_combo.setToolTip("The model version the report describes")
        self.model_combo = QComboBox()
        self.from_check, self.from_edit = _date_row("From", -90)
        self.to_check, self.to_edit = _date_row("To", 0)
        self.member_combo = QComboBox()
        self.member_combo.setToolTip("The member who produces and seals the report with their "
                                     "document key; their passphrase is asked when generating")
        self.page_combo = QComboBox()
        for size in PAGE_SIZES:
            self.page_combo.addItem(size.capitalize() if size != "A4" else size, size)
        self.page_combo.setCurrentIndex(self.page_combo.findData(default_page_size()))
        self.page_combo.setToolTip("Letter where the system locale's paper is Letter, else A4")
        self.out_edit = QLineEdit()
        self.out_edit.setPlaceholderText("where the PDF is written")
        self.out_edit.textEdited.connect(self._on_out_edit_text_edited)
        self.out_edit.textChanged.connect(self._emit_changed)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._on_choose_button_clicked)

        self.layout_ = QFormLayout(self)
        self.layout_.addRow("Report", self.kind_combo)
        self.layout_.addRow("Version", self.version_combo)
        self.layout_.addRow("Model", self.model_combo)
        self.period_row = _pair(self.from_check, self.from_edit, self.to_check, self.to_edit)
        self.layout_.addRow("Period", self.period_row)
        self.layout_.addRow("Produced by", self.member_combo)
        self.layout_.addRow("Page size", self.page_combo)
        self.layout_.addRow("Save as", _pair(self.out_edit, choose))
        for widget in (self.kind_combo, self.version_combo, self.model_combo, self.member_combo):
            widget.currentIndexChanged.connect(self._on_choice_changed)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._on_choice_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_choice_changed)
        self._on_choice_changed()

    # -- choices -----------------------------------------------------------------------------

    def set_choices(self, choices: ReportChoices, current_ref: str | None) -> None:
        """Fill the combos, keeping what was chosen; ``current_ref`` is preselected."""
        keep_member = self.member_combo.currentData()
        keep_model = self.model_combo.currentData()
        for combo in (self.version_combo, self.model_combo, self.member_combo):
            combo.blockSignals(True)
            combo.clear()
        self.version_combo.addItems(choices.refs)
        self.model_combo.addItem("Every model", EVERY_MODEL)
        for name in choices.models:
            self.model_combo.addItem(name, name)
        for name, roles in choices.members:
            self.member_combo.addItem(f"{name} ({roles})" if roles else name, name)
        for combo, value in ((self.member_combo, keep_member), (self.model_combo, keep_model)):
            index = combo.findData(value)
            if index >= 0:
                combo.setCurrentIndex(index)
        for combo in (self.version_combo, self.model_combo, self.member_combo):
            combo.blockSignals(False)
        self.select_version(current_ref)

    def select_version(self, ref: str | None) -> None:
        """Preselect ``ref`` (the shared current version) when it is listed."""
        if ref and self.version_combo.findText(ref) >= 0:
            self.version_combo.setCurrentText(ref)
        self._on_choice_changed()

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_output(self, path: str | Path) -> None:
        """Write to ``path`` (as Choose… does): the name stops following the choices."""
        self._auto_name = False
        self.out_edit.setText(str(path))

    def request(self) -> ReportRequest:
        """The report described by the form.

        Raises:
            InputError: a choice is missing (the field is named).
        """
        kind = self.kind()
        member = str(self.member_combo.currentData() or "")
        out = self.out_edit.text().strip()
        if kind in VERSION_KINDS and not self.version_combo.currentText():
            raise InputError("Version", "no model version is chosen", expected="MODEL:VERSION")
        if not member:
            raise InputError("Produced by", "no member can seal reports in this workspace",
                             expected="a member (governance-app member add)")
        if not out:
            raise InputError("Save as", "no output file is chosen", expected="a .pdf path")
        date_from = _date(self.from_check, self.from_edit)
        date_to = _date(self.to_check, self.to_edit)
        if date_from and date_to and date_from > date_to:
            raise InputError("Period", f"starts ({date_from}) after it ends ({date_to})",
                             expected="From on or before To")
        if kind in VERSION_KINDS:
            return ReportRequest(kind, Path(out), member, self.page_combo.currentData(),
                                 ref=self.version_combo.currentText())
        return ReportRequest(kind, Path(out), member, self.page_combo.currentData(),
                             model=self.model_combo.currentData() or None,
                             date_from=date_from, date_to=date_to)

    def default_name(self) -> str:
        if self.kind() in VERSION_KINDS:
            ref = self.version_combo.currentText() or "model"
            suffix = "model-card" if self.kind() == MODEL_CARD else "validation-report"
            return f"{ref.replace(':', '-v')}-{suffix}.pdf"
        parts = ["audit-report", self.model_combo.currentData() or "all-models"]
        for check, edit in ((self.from_check, self.from_edit), (self.to_check, self.to_edit)):
            if check.isChecked():
                parts.append(edit.date().toString("yyyy-MM-dd"))
        return "-".join(parts) + ".pdf"

    # -- slots -------------------------------------------------------------------------------

    def _on_choice_changed(self, *_: object) -> None:
        card = self.kind() in VERSION_KINDS
        self.layout_.setRowVisible(self.version_combo, card)
        self.layout_.setRowVisible(self.model_combo, not card)
        self.layout_.setRowVisible(self.period_row, not card)
        self.from_edit.setEnabled(self.from_check.isChecked())
        self.to_edit.setEnabled(self.to_check.isChecked())
        if self._auto_name:
            self.out_edit.setText(str(self.folder / self.default_name()))
        self._emit_changed()

    def _emit_changed(self, *_: object) -> None:
        try:
            self.request()
        except InputError:
            self.sig_changed.emit(False)
        else:
            self.sig_changed.emit(True)

    def _on_out_edit_text_edited(self, _text: str) -> None:
        self._auto_name = False

    def _on_choose_button_clicked(self) -> None:
        start = self.out_edit.text().strip() or str(self.folder / self.default_name())
        path, _ = QFileDialog.getSaveFileName(self, "Save the report as", start,
                                              "PDF (*.pdf)")
        if path:
            self.set_output(path if path.lower().endswith(".pdf") else path + ".pdf")


def _date_row(text: str, days: int) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(text)
    edit = QDateEdit(QDate.currentDate().addDays(days))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setEnabled(False)
    return check, edit


def _date(check: QCheckBox, edit: QDateEdit) -> date | None:
    return edit.date().toPython() if check.isChecked() else None


def _pair(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
    return holder
