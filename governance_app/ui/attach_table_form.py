"""The choose page of "Attach prediction table…": a table, its columns' roles, what is recorded.

The columns are offered from the file itself (:func:`~governance_app.services.table_columns.
describe_table`, header and a sample only), so nothing has to be typed and a misspelt column
cannot be chosen; the form turns the choices into the exact settings the prediction-table reader
takes (the same keys as ``governance-app import TABLE --label ... --sensitive ...``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from governance_app.errors import GovernanceError
from governance_app.services.table_columns import TableDescription, describe_table, parse_bin_edges
from governance_app.ui.error_dialog import ErrorDialog, show_error

NONE = ""
"""A combo's data for "no column"."""
ENGINE_CHOICES = (
    ("auto", "Automatic: DuckDB for files of 64 MiB or more, in memory otherwise"),
    ("memory", "In memory (pandas)"),
    ("duckdb", "DuckDB: out of core, for tables larger than memory"),
    ("spark", "Spark local[*] (needs governance-app[spark] and Java 17)"),
)
"""Where the rows are counted: the import's ``engine`` setting, as ``--engine`` says it."""


_ENGINE_WORDS = {"auto": "in memory or by DuckDB, by the file's size", "memory": "in memory",
                 "duckdb": "by DuckDB (with the engine's version and the counts recorded)",
                 "spark": "by Spark (with the engine's version and the counts recorded)"}


class AttachTableForm(QWidget):
    """Table, label, prediction or score, sensitive attributes, features, bins and options.

    Args:
        model_ref: ``NAME:VERSION`` the table will be attached to, named in the summary.
    """

    sig_changed = Signal(bool)
    """Emitted after every change with whether the form is complete enough to attach."""

    def __init__(self, model_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ref = model_ref
        self.description: TableDescription | None = None
        self.last_error: BaseException | None = None
        self.error_dialog: ErrorDialog | None = None
        self.ready = False
        self._build()
        self._update_summary()

    def _build(self) -> None:
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("a .csv or .parquet file with one row per prediction")
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text()))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_button_clicked)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.table_label = QLabel("Choose a file to see its columns.")
        self.table_label.setEnabled(False)
        self.label_combo = QComboBox()
        self.prediction_radio = QRadioButton("Prediction column")
        self.score_radio = QRadioButton("Score column")
        self.prediction_radio.setChecked(True)
        self.prediction_combo = QComboBox()
        self.score_combo = QComboBox()
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setDecimals(4)
        self.threshold_spin.setRange(-1e9, 1e9)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setValue(0.5)
        rows = (QHBoxLayout(), QHBoxLayout())
        outcomes = ((self.prediction_radio, self.prediction_combo),
                    (self.score_radio, self.score_combo, QLabel("positive when ≥"),
                     self.threshold_spin))
        for row, widgets in zip(rows, outcomes, strict=True):
            for widget in widgets:
                row.addWidget(widget, 1 if isinstance(widget, QComboBox) else 0)
        self.prediction_radio.setMinimumWidth(150)
        self.score_radio.setMinimumWidth(150)
        self.sensitive_list = self._checkable_list()
        self.features_list = self._checkable_list()
        lists = QHBoxLayout()
        for title, widget in (("Sensitive attributes", self.sensitive_list),
                              ("Features for slice search (optional)", self.features_list)):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>{title}</b>"))
            box.addWidget(widget, 1)
            lists.addLayout(box)
        self.bins_combo = QComboBox()
        self.bins_combo.setToolTip("A numeric column to use as a sensitive attribute, by bins")
        self.bins_combo.setMinimumWidth(150)
        self.bins_edit = QLineEdit()
        self.bins_edit.setPlaceholderText("edges, e.g. 0, 18, 65, 120 (optional)")
        bins_row = QHBoxLayout()
        bins_row.addWidget(self.bins_combo)
        bins_row.addWidget(self.bins_edit, 1)
        self.reference_edit = QLineEdit()
        self.reference_edit.setPlaceholderText("default: the largest group")
        self.min_group_spin = QSpinBox()
        self.min_group_spin.setRange(1, 1_000_000)
        self.min_group_spin.setValue(30)
        self.bootstrap_spin = QSpinBox()
        self.bootstrap_spin.setRange(0, 100_000)
        self.bootstrap_spin.setValue(200)
        more = QHBoxLayout()
        for text, widget in (("Minimum group size:", self.min_group_spin),
                             ("Bootstrap resamples:", self.bootstrap_spin)):
            more.addWidget(QLabel(text))
            more.addWidget(widget)
        more.addStretch(1)
        self.engine_combo = QComboBox()
        for value, text in ENGINE_CHOICES:
            self.engine_combo.addItem(text, value)
        self.engine_combo.setToolTip("Only counts leave the engine; the result records the "
                                     "engine and its version")
        more.addWidget(QLabel("Counted by:"))
        more.addWidget(self.engine_combo)
        form = QFormLayout()
        form.addRow("Table:", path_row)
        form.addRow("", self.table_label)
        form.addRow("Label:", self.label_combo)
        form.addRow("Predicted:", rows[0])
        form.addRow("", rows[1])
        form.addRow("Numeric bins:", bins_row)
        form.addRow("Reference group:", self.reference_edit)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        for signal in (self.label_combo.currentIndexChanged, self.prediction_combo
                       .currentIndexChanged, self.score_combo.currentIndexChanged,
                       self.prediction_radio.toggled, self.threshold_spin.valueChanged,
                       self.sensitive_list.itemChanged, self.features_list.itemChanged,
                       self.bins_combo.currentIndexChanged, self.bins_edit.textChanged,
                       self.reference_edit.textChanged, self.min_group_spin.valueChanged,
                       self.bootstrap_spin.valueChanged, self.engine_combo.currentIndexChanged):
            signal.connect(lambda *_: self._update_summary())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(lists, 1)
        layout.addLayout(more)
        layout.addWidget(self.summary_label)

    @staticmethod
    def _checkable_list() -> QListWidget:
        widget = QListWidget()
        widget.setMinimumHeight(120)
        return widget

    def set_path(self, path: str | Path) -> None:
        """Choose the table and offer its columns; an unreadable file goes to the error dialog."""
        text = str(path).strip()
        if self.path_edit.text() != text:
            self.path_edit.setText(text)
        if not text or (self.description is not None and str(self.description.path) == text):
            return
        try:
            self.description = describe_table(text)
        except GovernanceError as exc:
            self.description = None
            self._fill_columns(None)
            self.last_error = exc
            self.error_dialog = show_error(self, exc, f"Reading the columns of {Path(text).name}")
            return
        self._fill_columns(self.description)

    def set_checked(self, which: QListWidget, names: list[str]) -> None:
        """Check exactly ``names`` in the sensitive or features list."""
        for row in range(which.count()):
            item = which.item(row)
            state = Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in names \
                else Qt.CheckState.Unchecked
            item.setCheckState(state)

    def checked(self, which: QListWidget) -> list[str]:
        return [which.item(r).data(Qt.ItemDataRole.UserRole) for r in range(which.count())
                if which.item(r).checkState() == Qt.CheckState.Checked]

    def settings(self) -> dict[str, Any]:
        """The import settings the form says, in the keys the prediction-table reader takes.

        Raises:
            InputError: the bin edges are not increasing numbers.
        """
        sensitive = self.checked(self.sensitive_list)
        out: dict[str, Any] = {"label": self.label_combo.currentData() or None,
                               "min_group_size": self.min_group_spin.value(),
                               "bootstrap": self.bootstrap_spin.value()}
        if self.prediction_radio.isChecked():
            out["prediction"] = self.prediction_combo.currentData() or None
        else:
            out["score"] = self.score_combo.currentData() or None
            out["threshold"] = self.threshold_spin.value()
        binned = self.bins_combo.currentData()
        if binned and self.bins_edit.text().strip():
            out["bins"] = {binned: parse_bin_edges(self.bins_edit.text(), binned)}
            sensitive = [*sensitive, binned] if binned not in sensitive else sensitive
        out["sensitive"] = sensitive
        features = self.checked(self.features_list)
        if features:
            out["features"] = features
        if self.reference_edit.text().strip():
            out["reference"] = self.reference_edit.text().strip()
        if self.engine_combo.currentData() != "auto":
            out["engine"] = self.engine_combo.currentData()
        return out

    # -- form --------------------------------------------------------------------------------

    def _fill_columns(self, description: TableDescription | None) -> None:
        names = description.names() if description else []
        for combo, suggested, pool in (
                (self.label_combo, description and description.suggested_label,
                 [c.name for c in description.columns if c.is_binary] if description else []),
                (self.prediction_combo, description and description.suggested_prediction,
                 [c.name for c in description.columns if c.is_binary] if description else []),
                (self.score_combo, description and description.suggested_score,
                 [c.name for c in description.columns if c.is_numeric] if description else []),
                (self.bins_combo, None, description.numeric_columns() if description else [])):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("—", NONE)
            for name in pool:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(combo.findData(suggested), 0) if suggested else 0)
            combo.blockSignals(False)
        if description and not description.suggested_prediction and description.suggested_score:
            self.score_radio.setChecked(True)
        candidates = description.sensitive_candidates if description else []
        # Outcome columns are never offered as groups or features; suggested groups come first.
        features = description.feature_candidates if description else []
        for widget, shown in ((self.sensitive_list,
                               [*candidates, *[n for n in features if n not in candidates]]),
                              (self.features_list, features)):
            widget.blockSignals(True)
            widget.clear()
            for name in shown:
                info = description.column(name) if description else None
                suggested = " (suggested)" if widget is self.sensitive_list and name in candidates \
                    else ""
                item = QListWidgetItem(f"{name}  ·  {info.dtype if info else ''}{suggested}")
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(f"{info.n_unique_sample} distinct values in the first "
                                f"{description.sample_rows:,} rows" if info and description
                                else "")
                widget.addItem(item)
            widget.blockSignals(False)
        if description:
            rows = f"{description.rows:,} rows" if description.rows is not None else \
                "rows counted on import"
            self.table_label.setText(f"{len(names)} columns, {rows}; columns judged on the "
                                     f"first {description.sample_rows:,} rows.")
        self._update_summary()

    def _problem(self, settings: dict[str, Any]) -> str | None:
        if self.description is None:
            return "Choose a CSV or Parquet prediction table."
        if not settings.get("label"):
            return "Choose the label column (true outcomes, 0/1)."
        outcome = settings.get("prediction") or settings.get("score")
        if not outcome:
            return "Choose the prediction column, or a score column with a threshold."
        if outcome == settings["label"]:
            return "The label and the prediction must be different columns."
        if not settings["sensitive"]:
            return "Check at least one sensitive attribute."
        return None

    def _update_summary(self) -> None:
        self.prediction_combo.setEnabled(self.prediction_radio.isChecked())
        self.score_combo.setEnabled(not self.prediction_radio.isChecked())
        self.threshold_spin.setEnabled(not self.prediction_radio.isChecked())
        try:
            settings = self.settings()
        except GovernanceError as exc:
            self.summary_label.setText(f"<b>Bins:</b> {exc}")
            self._set_ready(False)
            return
        problem = self._problem(settings)
        if problem is not None:
            self.summary_label.setText(problem)
        else:
            self.summary_label.setText(self._summary_html(settings))
        self._set_ready(problem is None)

    def _set_ready(self, ready: bool) -> None:
        self.ready = ready
        self.sig_changed.emit(ready)

    def _summary_html(self, settings: dict[str, Any]) -> str:
        outcome = (f"prediction <b>{settings['prediction']}</b>" if "prediction" in settings
                   else f"score <b>{settings['score']}</b> ≥ {settings['threshold']:g}")
        bins = "".join(f"; <b>{c}</b> bucketed at {', '.join(f'{e:g}' for e in edges)}"
                       for c, edges in settings.get("bins", {}).items())
        features = (f"; slice search over {', '.join(settings['features'])}"
                    if settings.get("features") else "")
        name = self.description.path.name if self.description else ""
        return (
            f"<b>Will record</b> for {self.model_ref}: the SHA-256, schema and row count of "
            f"<b>{name}</b> (its rows stay in the file) and fairness results per group of "
            f"<b>{', '.join(settings['sensitive'])}</b> and their intersections — label "
            f"<b>{settings['label']}</b>, {outcome}{bins}{features}; minimum group "
            f"{settings['min_group_size']}, {settings['bootstrap']} bootstrap resamples, "
            f"reference {settings.get('reference') or 'the largest group'}; counted "
            f"{_ENGINE_WORDS[settings.get('engine', 'auto')]}.")

    # -- slots -------------------------------------------------------------------------------

    def _on_browse_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a prediction table", "",
            "Prediction tables (*.csv *.parquet *.pq);;All files (*)")
        if path:
            self.set_path(path)
