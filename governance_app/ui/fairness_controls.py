"""The Fairness view's state and option widgets: what is shown, and the verdict vocabulary.

One :class:`FairnessAnalysis` holds everything the view shows for one prediction table (a report
per attribute set, bootstrap intervals, the slice finder's answer); :class:`FairnessControls`
chooses which part of it to show (glue's "one state object plus a small options widget"). The
verdict words, colours and icons live here so the tables and the summary line agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from governance_app.domain.fairness_evidence import FairnessAnalysis

METRIC_TITLES: dict[str, str] = {
    "base_rate": "Base rate",
    "selection_rate": "Selection rate",
    "true_positive_rate": "TPR",
    "false_positive_rate": "FPR",
    "true_negative_rate": "TNR",
    "false_negative_rate": "FNR",
    "precision_score": "Precision",
    "negative_predictive_value": "NPV",
    "false_discovery_rate": "FDR",
    "false_omission_rate": "FOR",
    "accuracy_score": "Accuracy",
    "balanced_accuracy_score": "Balanced acc.",
    "roc_auc_score": "ROC AUC",
    "error_rate": "Error rate",
}
"""Short column titles; the Fairlearn name is in the header tooltip."""

METRIC_SETS: dict[str, tuple[str, ...]] = {
    "Rates": ("base_rate", "selection_rate", "true_positive_rate", "false_positive_rate",
              "precision_score", "accuracy_score"),
    "Error rates": ("false_positive_rate", "false_negative_rate", "false_discovery_rate",
                    "false_omission_rate", "accuracy_score"),
    "All": tuple(METRIC_TITLES)[:-1],
}
"""The metric sets the group table offers; "All" adds ROC AUC when the table has scores."""
DEFAULT_TAU = 0.8


def metric_title(name: str) -> str:
    return METRIC_TITLES.get(name, name.replace("_", " ").capitalize())


class Verdict(StrEnum):
    """What a cell or summary says about parity; always shown as icon + word + colour."""

    PASS = "pass"
    FAIL = "fail"
    WARNING = "warning"
    INSUFFICIENT = "insufficient data"


VERDICT_COLOURS: dict[Verdict, str] = {
    Verdict.PASS: "#009E73",
    Verdict.FAIL: "#D55E00",
    Verdict.WARNING: "#E69F00",
    Verdict.INSUFFICIENT: "#999999",
}
GLYPHS = {Verdict.PASS: "✓", Verdict.FAIL: "✗", Verdict.WARNING: "!", Verdict.INSUFFICIENT: "?"}
_ICONS: dict[Verdict, QIcon] = {}


def verdict_of(parity: object) -> Verdict:
    """Our verdict for a :class:`ParityVerdict` (same words; anything else is insufficient)."""
    value = str(getattr(parity, "value", parity))
    return {"pass": Verdict.PASS, "fail": Verdict.FAIL}.get(value, Verdict.INSUFFICIENT)


def verdict_icon(verdict: Verdict) -> QIcon:
    """A filled disc in the verdict's colour with its glyph; drawn once, then cached."""
    if verdict not in _ICONS:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(VERDICT_COLOURS[verdict]))
        painter.drawEllipse(2, 2, 28, 28)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(20)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, GLYPHS[verdict])
        painter.end()
        _ICONS[verdict] = QIcon(pixmap)
    return _ICONS[verdict]


def analysis_threshold(analysis: FairnessAnalysis) -> float | None:
    """The score threshold of a score-based table; ``None`` for a prediction column."""
    settings = analysis.settings
    value = settings.get("threshold")
    return float(value) if value is not None and settings.get("score") else None


def table_title(analysis: FairnessAnalysis) -> str:
    """``predictions.csv · prediction · gender, class``: file, what predicts, attributes."""
    settings = analysis.settings
    threshold = analysis_threshold(analysis)
    predicted = (f"{settings.get('score')} ≥ {threshold:g}" if threshold is not None
                 else str(settings.get("prediction") or "prediction"))
    sensitive = settings.get("sensitive") or sorted({a for k in analysis.analyses for a in k})
    if isinstance(sensitive, str):
        sensitive = [sensitive]
    return f"{Path(analysis.source).name} · {predicted} · {', '.join(map(str, sensitive))}"


def attribute_label(attributes: Sequence[str]) -> str:
    return " × ".join(attributes)


class FairnessControls(QWidget):
    """Table, attributes, metric set, chart metric, threshold and τ, in one row."""

    sig_table_chosen = Signal(int)
    sig_attributes_chosen = Signal(tuple)
    sig_metrics_chosen = Signal(tuple)
    sig_focus_chosen = Signal(str)
    sig_threshold_applied = Signal(float)
    sig_tau_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attribute_keys: list[tuple[str, ...]] = []
        self.table_combo = QComboBox()
        self.table_combo.setToolTip("The prediction tables imported for this version")
        # Table titles are long ("credit_default_v4.parquet · score ≥ 0.5 · sex, age_group"):
        # elided at a fixed width, full in the list and the tooltip.
        self.table_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.table_combo.setMinimumContentsLength(22)
        self.attributes_combo = QComboBox()
        self.attributes_combo.setToolTip("A sensitive attribute, or an intersection of several")
        self.metrics_combo = QComboBox()
        self.metrics_combo.addItems(list(METRIC_SETS))
        self.metrics_combo.setToolTip("The metrics the group table shows")
        self.focus_combo = QComboBox()
        self.focus_combo.setToolTip("The metric charted, and compared with the reference group")
        for combo in (self.attributes_combo, self.metrics_combo, self.focus_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setDecimals(3)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setToolTip("Score threshold: a score at or above it predicts 1")
        self.apply_button = QPushButton("Recompute")
        self.apply_button.setToolTip("Recompute every metric at this threshold")
        self.tau_spin = QDoubleSpinBox()
        self.tau_spin.setRange(0.05, 1.0)
        self.tau_spin.setDecimals(2)
        self.tau_spin.setSingleStep(0.05)
        self.tau_spin.setValue(DEFAULT_TAU)
        self.tau_spin.setToolTip("Parity passes when τ ≤ group / reference ≤ 1/τ "
                                 "(0.8 is the four-fifths rule)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, widget in (("Table", self.table_combo), ("Attributes", self.attributes_combo),
                             ("Metrics", self.metrics_combo), ("Chart", self.focus_combo),
                             ("Threshold", self.threshold_spin)):
            label = QLabel(f"{text}:")
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
            if widget is self.table_combo:
                self.table_label = label
        layout.addWidget(self.apply_button)
        tau_label = QLabel("τ:")
        tau_label.setBuddy(self.tau_spin)
        layout.addWidget(tau_label)
        layout.addWidget(self.tau_spin)
        layout.addStretch(1)

        self.table_combo.activated.connect(self.sig_table_chosen.emit)
        self.attributes_combo.activated.connect(self._on_attributes_combo_activated)
        self.metrics_combo.activated.connect(
            lambda _i: self.sig_metrics_chosen.emit(self.metrics()))
        self.focus_combo.activated.connect(
            lambda _i: self.sig_focus_chosen.emit(self.focus()))
        self.apply_button.clicked.connect(
            lambda: self.sig_threshold_applied.emit(self.threshold_spin.value()))
        self.tau_spin.valueChanged.connect(self.sig_tau_changed.emit)

    # -- filling ------------------------------------------------------------------------------

    def set_tables(self, titles: Sequence[str], current: int = 0) -> None:
        self.table_combo.clear()
        self.table_combo.addItems(list(titles))
        for index, title in enumerate(titles):
            self.table_combo.setItemData(index, title, Qt.ItemDataRole.ToolTipRole)
        self.table_combo.setCurrentIndex(current)
        self.table_combo.setEnabled(len(titles) > 1)
        self.table_combo.setVisible(bool(titles))
        self.table_label.setVisible(bool(titles))

    def show_analysis(self, analysis: FairnessAnalysis) -> None:
        """Offer the analysis's attribute sets and metrics, keeping earlier choices that fit."""
        previous, focus = self.attributes(), self.focus()
        self.attributes_combo.clear()
        keys = list(analysis.analyses)  # single attributes first, then intersections
        self._attribute_keys = keys
        for key in keys:
            self.attributes_combo.addItem(attribute_label(key))
        index = keys.index(previous) if previous in keys else 0
        self.attributes_combo.setCurrentIndex(index)
        first = next(iter(analysis.analyses.values()), None)
        available = list(first.report.disparities) if first else []
        self.focus_combo.clear()
        for name in available:
            self.focus_combo.addItem(metric_title(name), name)
        default = focus if focus in available else "selection_rate"
        self.focus_combo.setCurrentIndex(max(self.focus_combo.findData(default), 0))
        threshold = analysis_threshold(analysis)
        self.threshold_spin.setEnabled(threshold is not None)
        self.apply_button.setEnabled(threshold is not None)
        if threshold is not None:
            self.threshold_spin.setValue(threshold)
        else:
            self.threshold_spin.setToolTip("This table has a prediction column, no score")

    def select_attributes(self, attributes: Sequence[str]) -> None:
        key = tuple(attributes)
        if key in self._attribute_keys:
            index = self._attribute_keys.index(key)
            self.attributes_combo.setCurrentIndex(index)
            self.sig_attributes_chosen.emit(tuple(attributes))

    def select_metric_set(self, name: str) -> None:
        self.metrics_combo.setCurrentText(name)
        self.sig_metrics_chosen.emit(self.metrics())

    def select_focus(self, metric: str) -> None:
        index = self.focus_combo.findData(metric)
        if index >= 0:
            self.focus_combo.setCurrentIndex(index)
            self.sig_focus_chosen.emit(metric)

    # -- reading ------------------------------------------------------------------------------

    def attribute_sets(self) -> list[tuple[str, ...]]:
        """Every attribute set offered: single attributes first, then intersections."""
        return list(self._attribute_keys)

    def attributes(self) -> tuple[str, ...]:
        index = self.attributes_combo.currentIndex()
        return self._attribute_keys[index] if 0 <= index < len(self._attribute_keys) else ()

    def metrics(self) -> tuple[str, ...]:
        return METRIC_SETS[self.metrics_combo.currentText() or "Rates"]

    def focus(self) -> str:
        return str(self.focus_combo.currentData() or "selection_rate")

    def tau(self) -> float:
        return float(self.tau_spin.value())

    def _on_attributes_combo_activated(self, _index: int) -> None:
        self.sig_attributes_chosen.emit(self.attributes())
