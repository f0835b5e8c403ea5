"""The detail panel of the Lineage view: what one node is, when it ran, and its facets.

A reviewer who clicks a dataset wants its schema and where each column came from; a job, its
SQL; a run, its state and times; a model version, a way back to its evidence in the Models view.
Facets the app does not know are shown verbatim as JSON, never dropped.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.analytics.lineage_graph import COLUMN_LINEAGE_FACET
from governance_app.domain.lineage import LineageNode, NodeKind
from governance_app.ui.item_models import MISSING, Column, RecordTableModel, format_local_time
from governance_app.ui.lineage_items import FAIL_COLOUR, KIND_WORDS, STATUS_WORDS
from governance_app.ui.theme import readable_colour
from governance_app.ui.widgets import RecordTableView, fit_columns

_SHOWN_ELSEWHERE = {"schema", COLUMN_LINEAGE_FACET, "sql"}


class SchemaTableModel(RecordTableModel):
    """Rows ``(field, type, description)`` of a schema facet; nested fields as ``a.b``."""

    columns = [
        Column("Field", lambda r: r[0]),
        Column("Type", lambda r: r[1] or MISSING),
        Column("Description", lambda r: r[2] or MISSING, tooltip=lambda r: r[2] or None),
    ]


class ColumnLineageTableModel(RecordTableModel):
    """Rows ``(column, input dataset, input column, transformation)`` of a column-lineage facet."""

    columns = [
        Column("Column", lambda r: r[0]),
        Column("From dataset", lambda r: r[1], tooltip=lambda r: r[1]),
        Column("From column", lambda r: r[2]),
        Column("Transformation", lambda r: r[3] or MISSING, tooltip=lambda r: r[3] or None),
    ]


def schema_rows(facet: Any, prefix: str = "") -> list[tuple[str, str, str]]:
    """Flatten a ``schema`` facet's (possibly nested) fields; malformed entries are skipped."""
    rows: list[tuple[str, str, str]] = []
    fields = facet.get("fields") if isinstance(facet, dict) else None
    for field in fields if isinstance(fields, list) else []:
        if not isinstance(field, dict) or "name" not in field:
            continue
        name = f"{prefix}{field['name']}"
        rows.append((name, str(field.get("type") or ""), str(field.get("description") or "")))
        rows.extend(schema_rows(field, f"{name}."))
    return rows


def column_lineage_rows(facet: Any) -> list[tuple[str, str, str, str]]:
    """One row per (output column, input column) pair of a ``columnLineage`` facet."""
    rows: list[tuple[str, str, str, str]] = []
    fields = facet.get("fields") if isinstance(facet, dict) else None
    for column, entry in sorted(fields.items()) if isinstance(fields, dict) else []:
        inputs = entry.get("inputFields") if isinstance(entry, dict) else None
        for item in inputs if isinstance(inputs, list) else []:
            if not isinstance(item, dict):
                continue
            steps = [t.get("type", "") + (f"/{t['subtype']}" if t.get("subtype") else "")
                     for t in item.get("transformations") or [] if isinstance(t, dict)]
            how = ", ".join(s for s in steps if s) or str(
                entry.get("transformationDescription") or "")
            dataset = f"{item.get('namespace', '')}/{item.get('name', '')}"
            rows.append((column, dataset, str(item.get("field", "")), how))
    return rows


def _duration(node: LineageNode) -> str:
    if node.started_at is None or node.ended_at is None:
        return ""
    seconds = int((node.ended_at - node.started_at).total_seconds())
    minutes, secs = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f" ({hours} h {minutes} min)" if hours else f" ({minutes} min {secs} s)"


class LineageDetailsPanel(QWidget):
    """One node's record and facets; empty until a node is clicked.

    Signals:
        sig_open_model_requested(name, version): "Open in Models" on a model version node.
    """

    sig_open_model_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node: LineageNode | None = None
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.relations_label = QLabel()
        self.relations_label.setWordWrap(True)
        self.open_models_button = QPushButton("Open in Models")
        self.open_models_button.setToolTip(
            "Make this the current model version and show its evidence in the Models view")
        self.open_models_button.clicked.connect(self._on_open_models_button_clicked)
        self.schema_model = SchemaTableModel(parent=self)
        self.columns_model = ColumnLineageTableModel(parent=self)
        self.schema_table = RecordTableView(self.schema_model)
        self.columns_table = RecordTableView(self.columns_model)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.sql_text = self._text_box(mono)
        self.facets_text = self._text_box(mono)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.schema_table, "Schema")
        self.tabs.addTab(self.columns_table, "Column lineage")
        self.tabs.addTab(self.sql_text, "SQL")
        self.tabs.addTab(self.facets_text, "Facets")
        button_row = QHBoxLayout()
        button_row.addWidget(self.open_models_button)
        button_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.info_label)
        layout.addWidget(self.relations_label)
        layout.addLayout(button_row)
        layout.addWidget(self.tabs, 1)
        self.show_nothing()

    @staticmethod
    def _text_box(font: QFont) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setReadOnly(True)
        box.setFont(font)
        box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        return box

    def show_nothing(self) -> None:
        """The state before a click: say what clicking does."""
        self.node = None
        self.title_label.setText("<h3>No node selected</h3>")
        self.info_label.setText("Click a dataset, job, run or model version to see its record, "
                                "schema, column lineage and SQL. Its upstream is drawn in blue, "
                                "its downstream in purple.")
        self.relations_label.clear()
        self.open_models_button.hide()
        self.schema_model.set_rows([])
        self.columns_model.set_rows([])
        self.sql_text.clear()
        self.facets_text.clear()

    def show_node(self, node: LineageNode, relations: str = "") -> None:
        """Show ``node``; ``relations`` is a sentence about its upstream and downstream."""
        self.node = node
        kind = KIND_WORDS.get(node.kind) or str(node.kind)
        self.title_label.setText(f"<h3>{_escape(node.name)}</h3>")
        rows = [("Kind", kind)]
        if node.namespace:
            rows.append(("Namespace", _escape(node.namespace)))
        rows.append(("Id", _escape(node.id)))
        if node.status:
            word = STATUS_WORDS.get(node.status.upper(), node.status)
            if node.status.upper() in ("FAIL", "FAILED"):
                colour = readable_colour(FAIL_COLOUR).name()
                word = f"<b style='color:{colour}'>✖ FAILED</b>"
            rows.append(("Status", word))
        rows += pipeline_rows(node)
        if node.started_at or node.ended_at:
            rows.append(("Started", format_local_time(node.started_at) if node.started_at
                         else "unknown (no START event was imported)"))
            rows.append(("Ended", format_local_time(node.ended_at) + _duration(node)))
        self.info_label.setText("<table>" + "".join(
            f"<tr><td style='padding-right:10px'><b>{k}</b></td><td>{v}</td></tr>"
            for k, v in rows) + "</table>")
        self.relations_label.setText(relations)
        self.open_models_button.setVisible(node.kind is NodeKind.MODEL_VERSION)
        facets = node.facets
        self.schema_model.set_rows(schema_rows(facets.get("schema")))
        self.columns_model.set_rows(column_lineage_rows(facets.get(COLUMN_LINEAGE_FACET)))
        sql = facets.get("sql")
        self.sql_text.setPlainText(str(sql.get("query", "")) if isinstance(sql, dict) else "")
        others = {k: v for k, v in facets.items() if k not in _SHOWN_ELSEWHERE}
        self.facets_text.setPlainText(
            json.dumps(others, indent=2, sort_keys=True, default=str) if others else "")
        for table in (self.schema_table, self.columns_table):
            fit_columns(table)
        counts = (self.schema_model.rowCount(), self.columns_model.rowCount(),
                  1 if self.sql_text.toPlainText() else 0, len(others))
        for tab, (title, count) in enumerate(zip(("Schema", "Column lineage", "SQL", "Facets"),
                                                 counts, strict=True)):
            self.tabs.setTabText(tab, f"{title} ({count})" if count else title)
            self.tabs.setTabEnabled(tab, bool(count))
        first = next((t for t, c in enumerate(counts) if c), 0)
        if not counts[self.tabs.currentIndex()]:
            self.tabs.setCurrentIndex(first)

    def model_version(self) -> tuple[str, int] | None:
        """``(model name, version)`` of the shown node when it is a model version."""
        if self.node is None or self.node.kind is not NodeKind.MODEL_VERSION:
            return None
        name, _, version = self.node.name.rpartition("/")
        try:
            return name, int(version)
        except ValueError:
            return None

    def _on_open_models_button_clicked(self) -> None:
        target = self.model_version()
        if target is not None:
            self.sig_open_model_requested.emit(*target)


def pipeline_rows(node: LineageNode) -> list[tuple[str, str]]:
    """Rows a pipeline node adds to the record: a DVC stage's command, a task's error and
    cache origin, a file's hash, and the files it was *not* joined with (and why)."""
    rows: list[tuple[str, str]] = []
    dvc = node.facets.get("dvc") or {}
    kfp = node.facets.get("kfp") or {}
    api = node.facets.get("kfpApi") or {}
    if node.kind is NodeKind.STAGE and dvc.get("cmd"):
        # Shortened: a long command wraps the record table out of its space (Facets has it).
        command = str(dvc["cmd"])
        rows.append(("Command", _escape(command if len(command) <= 60
                                        else command[:59] + "…")))
    if dvc.get("md5"):
        files = f" · {dvc['nfiles']} files" if dvc.get("nfiles") is not None else ""
        rows.append(("md5", _escape(str(dvc["md5"])) + files))
    error = api.get("error") if isinstance(api.get("error"), dict) else None
    if error and error.get("message"):
        colour = readable_colour(FAIL_COLOUR).name()
        rows.append(("Error", f"<span style='color:{colour}'>"
                              f"{_escape(str(error['message']))}</span>"))
    if api.get("never_ran"):
        rows.append(("Ran", "never (no state reported)"))
    if kfp.get("cached_from"):
        rows.append(("Cached from", _escape(str(kfp["cached_from"]))))
    for item in node.facets.get("joinedFrom") or []:
        rows.append(("Joined with", f"{_escape(str(item.get('node')))} (same {item.get('rule')})"))
    for item in node.facets.get("joinCandidates") or []:
        rows.append(("Not joined", f"{_escape(str(item.get('node')))} — "
                                   f"{_escape(str(item.get('reason')))}"))
    return rows


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
