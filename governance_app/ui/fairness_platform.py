"""What the source platforms computed about a version's fairness, beside the app's numbers.

Two tables under the Fairness view's own panels, shown only when a version has such evidence:

* **Clarify vs the app**: each metric of an imported SageMaker Clarify bias report (Clarify's
  name and description), the app's name for the same quantity, Clarify's value, the app's value
  recomputed from its own counts of the attached prediction table, and a verdict in words
  (agrees / DISAGREES / not compared, with the reason in the tooltip);
* **Vertex slices**: the slices of Vertex AI model evaluations (``sex = female``…) with their
  AUC, log loss and the rates of their confusion matrices.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from governance_app.domain.cloud import EvaluationSlice, ExternalEvaluation
from governance_app.services.clarify_check import ClarifyCheck, clarify_checks
from governance_app.services.origins import external_evaluations
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import (
    MISSING,
    Column,
    RecordTableModel,
    format_number,
    full_number,
)
from governance_app.ui.selection import SelectedVersion
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import RecordTableView, fit_columns
from governance_app.ui.workers import Worker

PASS, FAIL, GREY = "#009E73", "#D55E00", "#777777"


def load_platform_evidence(url: str, name: str, version: int
                           ) -> tuple[list[ClarifyCheck], list[ExternalEvaluation]]:
    """Clarify checks and Vertex evaluations of a version (run by a worker)."""
    with Workspace.open(url, upgrade=False) as ws:
        return clarify_checks(ws, name, version), [
            e for e in external_evaluations(ws, name, version) if e.source == "vertex-evaluation"]


def _verdict(c: ClarifyCheck) -> str:
    if c.agrees is None:
        return "○ not compared"
    return "✓ agrees" if c.agrees else "✗ DISAGREES"


def _number(value: float | None) -> str:
    return MISSING if value is None else format_number(value)


class ClarifyCheckTableModel(RecordTableModel):
    """Rows of :class:`ClarifyCheck`."""

    columns = [
        Column("Facet", lambda c: f"{c.facet} = {c.value}"),
        Column("Stage", lambda c: "labels (pre-training)" if c.stage == "pre"
               else "predictions (post-training)"),
        Column("Clarify metric", lambda c: c.metric, tooltip=lambda c: c.description),
        Column("App's name", lambda c: c.app_name or MISSING,
               tooltip=lambda c: c.app_name or "The app has no metric of this name"),
        Column("Clarify", lambda c: _number(c.clarify), sort_key=lambda c: c.clarify,
               copy=lambda c: full_number(c.clarify), numeric=True),
        Column("App", lambda c: _number(c.ours), sort_key=lambda c: c.ours,
               copy=lambda c: "" if c.ours is None else full_number(c.ours), numeric=True,
               tooltip=lambda c: c.reason or (full_number(c.ours) if c.ours is not None
                                               else None)),
        Column("Verdict", _verdict, tooltip=lambda c: c.reason or (
            "Equal within 1e-6 (relative)" if c.agrees else "Differs by more than 1e-6"),
               foreground=lambda c: GREY if c.agrees is None else PASS if c.agrees else FAIL,
               bold=lambda c: c.agrees is False),
    ]


SliceRow = tuple[ExternalEvaluation, EvaluationSlice]


def _metric(key: str, title: str, tip: str) -> Column:
    def value(r: SliceRow) -> float | None:
        return r[1].metrics.get(key)

    return Column(title, lambda r: _number(value(r)), sort_key=value, numeric=True,
                  copy=lambda r: "" if value(r) is None else full_number(value(r)),
                  tooltip=lambda r: f"{tip}: {full_number(value(r))}" if value(r) is not None
                  else f"{tip}: not reported for this slice")


class VertexSliceTableModel(RecordTableModel):
    """Rows ``(evaluation, slice)`` of Vertex evaluation slices."""

    columns = [
        Column("Evaluation", lambda r: r[0].display_name or r[0].name,
               tooltip=lambda r: r[0].name),
        Column("Slice", lambda r: f"{r[1].feature} = {r[1].value}",
               tooltip=lambda r: r[1].source_id),
        Column("Rows", lambda r: _number(r[1].metrics.get("count")),
               sort_key=lambda r: r[1].metrics.get("count"), numeric=True),
        _metric("auRoc", "AUC ROC", "Vertex auRoc"),
        _metric("auPrc", "AUC PR", "Vertex auPrc"),
        _metric("logLoss", "Log loss", "Vertex logLoss"),
        _metric("selection_rate", "Selection rate", "from the slice's confusion matrix"),
        _metric("tpr", "TPR", "true positive rate, from the slice's confusion matrix"),
        _metric("fpr", "FPR", "false positive rate, from the slice's confusion matrix"),
        _metric("accuracy", "Accuracy", "from the slice's confusion matrix"),
    ]


class PlatformEvidencePanel(QWidget):
    """Clarify's numbers against the app's, and Vertex slices, of the current version.

    Hidden while the current version has neither, so the Fairness view looks as before.
    """

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlatformEvidencePanel")
        self.ctx = ctx
        self._generation = 0
        self._worker: Worker | None = None
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.clarify_model = ClarifyCheckTableModel(parent=self)
        self.clarify_table = RecordTableView(self.clarify_model)
        self.slices_model = VertexSliceTableModel(parent=self)
        self.slices_table = RecordTableView(self.slices_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.clarify_table, "Clarify vs the app")
        self.tabs.addTab(self.slices_table, "Vertex slices")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tabs, 1)
        self.hide()
        self._unsubscribe = ctx.selection.subscribe(self._on_selection_changed)
        self.destroyed.connect(self._unsubscribe)
        self.reload()

    def reload(self) -> None:
        """Load the current version's platform evidence in a worker."""
        current = self.ctx.selection.current
        self._generation += 1
        if current.model_name is None or current.version is None:
            self.show_evidence([], [])
            return
        generation = self._generation
        worker = Worker(load_platform_evidence, self.ctx.workspace.url, current.model_name,
                        current.version, description="Loading platform fairness evidence")
        self._worker = worker
        worker.signals.sig_finished.connect(
            lambda result: generation == self._generation and self.show_evidence(*result))
        worker.signals.sig_errored.connect(
            lambda _exc: generation == self._generation and self.show_evidence([], []))
        self.ctx.runner.start(worker)

    def show_evidence(self, checks: list[ClarifyCheck],
                      evaluations: list[ExternalEvaluation]) -> None:
        self.clarify_model.set_rows(checks)
        rows: list[Any] = [(e, s) for e in evaluations for s in e.slices]
        self.slices_model.set_rows(rows)
        self.setVisible(bool(checks or rows))
        if not (checks or rows):
            return
        compared = [c for c in checks if c.agrees is not None]
        differ = [c for c in compared if c.agrees is False]
        parts = []
        if checks:
            if not compared:
                parts.append(f"Clarify reports {len(checks)} bias numbers; none could be "
                             f"compared ({checks[0].reason}).")
            elif differ:
                listed = ", ".join(f"{c.metric} for {c.facet} = {c.value}" for c in differ[:4])
                parts.append(f"<b style='color:{FAIL}'>✗ Clarify and the app disagree on "
                             f"{len(differ)} of {len(compared)} compared numbers</b> ({listed}).")
            else:
                parts.append(f"<span style='color:{PASS}'>✓</span> Clarify and the app agree on "
                             f"all {len(compared)} numbers both compute "
                             f"({len(checks) - len(compared)} Clarify-only).")
        if rows:
            parts.append(f"{len(rows)} Vertex evaluation slice(s).")
        self.summary_label.setText("<b>Platform evidence</b> · " + " ".join(parts))
        self.tabs.setTabVisible(0, bool(checks))
        self.tabs.setTabVisible(1, bool(rows))
        self.tabs.setCurrentIndex(0 if checks else 1)
        for table in (self.clarify_table, self.slices_table):
            fit_columns(table)

    def _on_selection_changed(self, _current: SelectedVersion) -> None:
        self.reload()
