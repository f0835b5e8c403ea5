"""The "Model card text…" dialog: read the card attached to a version and write its sections.

What the model card PDF prints under "Intended use and limitations" is shown here as it will
print: each section with where its text came from, the card's own markdown body and metrics.
Saving a section stores it as a new record (the earlier text stays in the history) and appends
an audit event, so the dialog says so before and shows what was recorded after. Card reads are
small (one version's rows) and run on the GUI thread, as the Models view's lists do.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QUrl, Signal
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.model_card import CARD_SECTIONS, EffectiveCard, ModelCard
from governance_app.services import model_cards as card_service
from governance_app.services.members import os_user
from governance_app.services.workspace import Workspace
from governance_app.ui.error_dialog import ErrorDialog, show_error

FORMAT_NAMES = {"mct-0.0.1": "Model Card Toolkit 0.0.1", "mct-0.0.2": "Model Card Toolkit 0.0.2",
                "huggingface": "Hugging Face model card", "written": "written in the app"}


def _origin(card: ModelCard) -> str:
    when = card.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    if card.format == "written":
        return f"written by {card.recorded_by}, {when}"
    return f"from {card.source_name} ({FORMAT_NAMES.get(card.format, card.format)}), {when}"


class OfflineTextBrowser(QTextBrowser):
    """A text browser that never loads a resource: no file, no URL, no clicked link.

    A card is untrusted input. Qt's browser would read ``![x](file:///dev/zero)`` (forever),
    ``<img src="file:///home/...">`` (a local file shown to whoever looks) or follow a link
    into itself; here every image stays an empty frame and every URL is only recorded in
    :attr:`refused`, as the PDF prints ``[image: alt]`` instead of fetching.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.refused: list[str] = []
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 - Qt's name
        """Answer every resource with nothing (Qt asks for images and style sheets by URL).

        The answer must be a valid empty value: on an invalid one, QTextDocument falls back
        to reading a local file itself, which is exactly what must not happen.
        """
        shown = url.toString() if isinstance(url, QUrl) else str(url)
        if shown not in self.refused:
            self.refused.append(shown)
        if kind == QTextDocument.ResourceType.ImageResource.value:
            placeholder = QImage(24, 24, QImage.Format.Format_ARGB32)
            placeholder.fill(0xFFD0D0D0)  # an empty grey frame where the image would be
            return placeholder
        return QByteArray()


def card_markdown(card: EffectiveCard | None, ref: str) -> str:
    """The card as one markdown document, the way the PDF orders it (for the preview)."""
    if card is None:
        return (f"*No model card text attached to {ref}.* Import one with "
                f"`governance-app import CARD --model {ref}`, or write a section here.")
    parts: list[str] = []
    for key, title in CARD_SECTIONS.items():
        parts.append(f"## {title}")
        if key in card.sections:
            text, source = card.sections[key]
            parts += [text, f"*({_origin(source)})*"]
        else:
            parts.append("*Not stated.*")
    base = card.card
    if base is not None and base.metrics:
        rows = [f"| {m.name} | {m.text} | {' · '.join(p for p in (m.task, m.slice) if p)} |"
                for m in base.metrics]
        parts += ["## Metrics stated by the card",
                  "\n".join(["| Metric | Value | Task / slice |", "|---|---:|---|", *rows])]
    if base is not None and base.details:
        rows = [f"| {key} | {str(value).replace('|', '/')} |"
                for key, value in base.details.items()]
        parts += [f"## Card details ({base.source_name})",
                  "\n".join(["| Field | Value |", "|---|---|", *rows])]
    if base is not None and base.body:
        parts += [f"## Card text ({base.source_name})", base.body]
    return "\n\n".join(parts)


class CardTextDialog(QDialog):
    """Preview of the attached card beside an editor for one section at a time.

    Args:
        workspace: the open workspace (reads and the write are one short transaction each).
        model_name / version: the version whose card is shown and written.
    """

    sig_section_saved = Signal(object)
    """Emitted with the stored :class:`ModelCard` record of the section just written."""

    def __init__(self, workspace: Workspace, model_name: str, version: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.model_name, self.version = model_name, version
        self.ref = f"{model_name}:{version}"
        self.card: EffectiveCard | None = None
        self.error_dialog: ErrorDialog | None = None
        self.setWindowTitle(f"Model card text of {model_name} v{version}")
        self.resize(980, 640)

        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.preview = OfflineTextBrowser()
        self.section_box = QComboBox()
        for key, title in CARD_SECTIONS.items():
            self.section_box.addItem(title, key)
        self.section_box.currentIndexChanged.connect(self._on_section_box_changed)
        self.origin_label = QLabel()
        self.origin_label.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Markdown: **bold**, *italic*, lists with -, "
                                       "tables with |")
        self.author_edit = QLineEdit(os_user())
        self.save_button = QPushButton("Save section")
        self.save_button.setToolTip("Stores this text as the section's newest version (the "
                                    "earlier text stays in the history) and records it in the "
                                    "audit trail")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.recorded_label = QLabel()
        self.recorded_label.setWordWrap(True)

        editor_box = QWidget()
        form = QFormLayout()
        form.addRow("Section", self.section_box)
        form.addRow("Author", self.author_edit)
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.origin_label)
        editor_layout.addWidget(self.editor, 1)
        notice = QLabel("Saving records the text, its SHA-256 and the author in the audit "
                        "trail; it cannot be undone, only superseded.")
        notice.setWordWrap(True)
        editor_layout.addWidget(notice)
        editor_layout.addWidget(self.save_button)
        splitter = QSplitter()
        splitter.addWidget(self.preview)
        splitter.addWidget(editor_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.recorded_label)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        """Read the card again and show it (after a save, or when opened)."""
        try:
            self.card = card_service.current_card(self.workspace, self.model_name, self.version)
        except Exception as exc:  # noqa: BLE001 - shown in the one error dialog
            self.error_dialog = show_error(self, exc, f"Reading the model card of {self.ref}")
            return
        base = self.card.card if self.card else None
        if base is None:
            self.source_label.setText(f"No card file attached to {self.ref}"
                                      + (" — only text written in the app." if self.card
                                         else "."))
        else:
            self.source_label.setText(
                f"Card <b>{base.title or base.source_name}</b> {_origin(base)}; sha256 "
                f"<code>{base.source_sha256[:16]}…</code>; {len(self.card.history)} record(s) "
                "stored for this version.")
        self.preview.setMarkdown(card_markdown(self.card, self.ref))
        self._on_section_box_changed(self.section_box.currentIndex())

    def section_key(self) -> str:
        return str(self.section_box.currentData())

    def _on_section_box_changed(self, _index: int) -> None:
        key = self.section_key()
        current = self.card.sections.get(key) if self.card else None
        if current is None:
            self.editor.setPlainText("")
            self.origin_label.setText("Not stated yet: what you write here will be printed.")
        else:
            self.editor.setPlainText(current[0])
            self.origin_label.setText(f"Current text {_origin(current[1])}.")

    def _on_save_button_clicked(self) -> None:
        try:
            stored = card_service.set_card_section(
                self.workspace, self.ref, self.section_key(), self.editor.toPlainText(),
                self.author_edit.text())
        except Exception as exc:  # noqa: BLE001 - shown in the one error dialog
            self.error_dialog = show_error(self, exc, f"Saving the model card text of {self.ref}")
            return
        self.recorded_label.setText(
            f"Recorded: {CARD_SECTIONS[self.section_key()].lower()} {_origin(stored)} "
            f"(sha256 {stored.source_sha256[:12]}…), with an audit event.")
        self.reload()
        self.sig_section_saved.emit(stored)
