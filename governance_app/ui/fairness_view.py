"""The Fairness view: how the current model version behaves per group, and where it fails worst.

For the shared current version it loads the stored fairness results (one per prediction table
and settings), and shows for the chosen attribute or intersection: the group table, the parity
tests' summary, a bar chart of one metric per group with bootstrap whiskers, the disparity of
each group against the reference with the τ band, and the slice finder's slices. Loading and
recomputing at another score threshold run in workers (progress and cancel in the status bar);
changing τ, the attributes or the metric set only re-reads what is already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.charts.fairness_bars import disparity_figure, metric_bars_figure
from governance_app.charts.number_format import fairness_number
from governance_app.domain.fairness import ParityResult
from governance_app.domain.fairness_evidence import AttributeAnalysis, FairnessAnalysis
from governance_app.services.fairness import (
    FairnessCancelled,
    analyse_file,
    fairness_results,
    parity_test,
)
from governance_app.services.workspace import Workspace
from governance_app.ui.attach_table_dialog import open_attach_dialog
from governance_app.ui.chart_holder import ChartHolder
from governance_app.ui.error_dialog import show_error
from governance_app.ui.fairness_controls import (
    GLYPHS,
    VERDICT_COLOURS,
    FairnessControls,
    Verdict,
    analysis_threshold,
    attribute_label,
    metric_title,
    table_title,
)
from governance_app.ui.fairness_models import (
    GroupMetricsTableModel,
    ParitySummaryTableModel,
    SliceTableModel,
    group_rows,
    parity_summary,
    worst,
)
from governance_app.ui.fairness_platform import PlatformEvidencePanel
from governance_app.ui.selection import SelectedVersion
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns
from governance_app.ui.workers import Worker

EMPTY_SENTENCE = ("Import a prediction table for this version: label, prediction or score, "
                  "sensitive attributes.")

# -- Qt-free task functions (run on the pool; each opens its own workspace) ---------------------


def load_fairness_results(url: str, name: str, version: int) -> list[Any]:
    """The stored fairness results of ``name`` version ``version``, oldest first."""
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return list(fairness_results(ws, name, version))


def recompute_at_threshold(
    analysis: FairnessAnalysis,
    threshold: float,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> FairnessAnalysis:
    """The same table and settings analysed again with another score threshold.

    Raises:
        InputError: the table is no longer where it was imported from, or no longer fits
            its settings (the service names the file and what it expected).
    """
    s = analysis.settings
    kept = {k: s[k] for k in ("reference", "bootstrap", "seed", "min_group_size", "convention",
                              "bins", "features", "tau") if s.get(k) is not None}
    return analyse_file(Path(analysis.source), label=s["label"], score=s["score"],
                        threshold=threshold, sensitive=list(s["sensitive"]), **kept,
                        progress=progress, is_cancelled=is_cancelled)


# -- the panel -----------------------------------------------------------------------------------


class FairnessPanel(QWidget):
    """Group metrics, parity verdicts, charts and slices of the current model version.

    Args:
        ctx: the shared view context: workspace, current version, task runner, Import….
    """

    sig_results_loaded = Signal(list)
    """Emitted with the stored results of the current version after each load."""
    sig_analysis_shown = Signal(object)
    """Emitted with the :class:`FairnessAnalysis` now shown (stored or recomputed)."""
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FairnessPanel")  # found by scripts/screenshots.py without an import
        self.ctx = ctx
        self.results: list[Any] = []
        self.analysis: FairnessAnalysis | None = None
        self.parity: tuple[ParityResult, ...] = ()
        self._generation = 0
        self._stale = True
        self._worker: Worker | None = None

        self.title_label = QLabel()
        self.controls = FairnessControls()
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setEnabled(False)

        self.groups_model = GroupMetricsTableModel(self)
        self.groups_table = RecordTableView(self.groups_model)
        self.parity_model = ParitySummaryTableModel(self)
        # Five rows in the parity test's own order; no sorting, so no header space for arrows.
        self.parity_table = RecordTableView(self.parity_model, sortable=False)
        self.parity_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.slices_model = SliceTableModel(parent=self)
        self.slices_table = RecordTableView(self.slices_model)
        self.slices_table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.slices_label = QLabel()
        self.slices_label.setWordWrap(True)
        self.bars_chart = ChartHolder()
        self.disparity_chart = ChartHolder()

        self.tabs = QTabWidget()
        self.tabs.addTab(self.bars_chart, "Metric by group")
        self.tabs.addTab(self.disparity_chart, "Disparity")
        self.tabs.addTab(self._boxed(self.slices_label, self.slices_table), "Slices")

        # Groups across the full width (a dozen columns need it); below, parity beside charts.
        self.lower_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.lower_splitter.addWidget(self._boxed(QLabel("<b>Parity tests</b>"),
                                                  self.parity_table))
        self.lower_splitter.addWidget(self.tabs)
        self.lower_splitter.setSizes([470, 630])
        self.lower_splitter.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self._boxed(QLabel("<b>Groups</b>"), self.groups_table))
        self.splitter.addWidget(self.lower_splitter)
        self.splitter.setSizes([240, 420])
        self.splitter.setChildrenCollapsible(False)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label, 1)
        self.attach_button = QPushButton("Attach prediction table…")
        self.attach_button.clicked.connect(self._on_attach_button_clicked)
        title_row.addWidget(self.attach_button)
        layout.addLayout(title_row)
        layout.addWidget(self.controls)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status_label)

        self.empty_state = EmptyStatePanel("No fairness results", EMPTY_SENTENCE,
                                           [("Import…", ctx.request_import),
                                            ("Attach prediction table…",
                                             self._on_attach_button_clicked)])
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # Below: what Clarify or Vertex computed, only when the version has some (issue 17).
        self.platform_panel = PlatformEvidencePanel(ctx)
        self.platform_splitter = QSplitter(Qt.Orientation.Vertical)
        self.platform_splitter.addWidget(self.pages)
        self.platform_splitter.addWidget(self.platform_panel)
        self.platform_splitter.setSizes([560, 240])
        self.platform_splitter.setChildrenCollapsible(False)
        outer.addWidget(self.platform_splitter)

        self.controls.sig_table_chosen.connect(self._on_controls_table_chosen)
        self.controls.sig_attributes_chosen.connect(lambda _a: self._render())
        self.controls.sig_metrics_chosen.connect(lambda _m: self._render())
        self.controls.sig_focus_chosen.connect(lambda _f: self._render())
        self.controls.sig_tau_changed.connect(lambda _t: self._render())
        self.controls.sig_threshold_applied.connect(self._on_controls_threshold_applied)
        self._unsubscribe = ctx.selection.subscribe(self._on_selection_changed)
        self.destroyed.connect(self._unsubscribe)

    @staticmethod
    def _boxed(header: QWidget, body: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(header)
        layout.addWidget(body, 1)
        return box

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the current version's results; deferred until the view is shown."""
        self._stale = True
        self.platform_panel.reload()
        if self.isVisible():
            self._load()

    def set_filter_text(self, text: str) -> None:
        """The toolbar filter (Ctrl+F) narrows the group table and the slices as you type."""
        self.groups_table.proxy.setFilterFixedString(text)
        self.slices_table.proxy.setFilterFixedString(text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self._load()

    def _load(self) -> None:
        self._stale = False
        current = self.ctx.selection.current
        self._generation += 1
        if current.model_name is None or current.version is None:
            self._show_empty("Choose a model version to see its fairness results.")
            return
        ref = f"{current.model_name} v{current.version}"
        self.title_label.setText(f"<h3>Fairness of {ref}</h3>")
        self.status_label.setText(f"Loading the fairness results of {ref}…")
        worker = Worker(load_fairness_results, self.ctx.workspace.url, current.model_name,
                        current.version, description=f"Loading fairness results of {ref}")
        self._watch(worker, self._on_results_loaded, f"Loading the fairness results of {ref}")

    def _watch(self, worker: Worker, on_result: Callable[[Any], None], action: str) -> None:
        # Only the newest request may paint: a slow older one must not overwrite a newer choice.
        generation = self._generation
        self._worker = worker
        worker.signals.sig_finished.connect(
            lambda result: generation == self._generation and on_result(result))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, action))
        self.ctx.runner.start(worker)

    def _on_results_loaded(self, results: list[Any]) -> None:
        self.results = results
        self.status_label.clear()
        self.sig_results_loaded.emit(results)
        if not results:
            current = self.ctx.selection.current
            self._show_empty(f"{current.model_name} v{current.version} has no prediction "
                             f"table yet. {EMPTY_SENTENCE}")
            return
        self.controls.set_tables([table_title(r.analysis) for r in results])
        self.show_analysis(results[0].analysis)

    def _show_empty(self, sentence: str) -> None:
        self.results = []
        self.analysis = None
        self.empty_state.sentence_label.setText(sentence)
        label = self.empty_state.sentence_label  # a longer sentence needs more lines (issue 17)
        label.setMinimumHeight(label.heightForWidth(label.width()))
        self.pages.setCurrentWidget(self.empty_state)

    # -- showing ------------------------------------------------------------------------------

    def show_analysis(self, analysis: FairnessAnalysis) -> None:
        """Show ``analysis`` (a stored result's, or one recomputed or analysed ad hoc)."""
        self.analysis = analysis
        self.controls.show_analysis(analysis)
        self.pages.setCurrentIndex(1)
        if not self.results:  # analysed ad hoc: no stored tables to choose from
            self.controls.set_tables([])
            self.title_label.setText(f"<h3>Fairness of {Path(analysis.source).name}</h3>")
        self._render()
        self.sig_analysis_shown.emit(analysis)

    def current_attribute_analysis(self) -> AttributeAnalysis | None:
        if self.analysis is None:
            return None
        attributes = self.controls.attributes()
        return self.analysis.analyses.get(attributes) if attributes else None

    def _render(self) -> None:
        chosen = self.current_attribute_analysis()
        if chosen is None:
            return
        report, tau = chosen.report, self.controls.tau()
        stored_tau = self.analysis.settings.get("tau", 0.8) if self.analysis else 0.8
        self.parity = (chosen.parity if chosen.parity and abs(tau - float(stored_tau)) < 1e-9
                       else parity_test(report, tau=tau))
        focus, metrics = self.controls.focus(), self._metrics(report)
        self.groups_model.set_groups(group_rows(report, self.parity, focus), metrics, focus)
        fit_columns(self.groups_table)
        summary = parity_summary(report, self.parity, tau)
        self.parity_model.set_summary(summary)
        self._fit_parity_columns()
        self.summary_label.setText(self._summary_html(chosen, summary, tau))
        self._show_slices()
        self.bars_chart.show_chart(lambda size: self._bars(chosen, focus, size))
        self.disparity_chart.show_chart(lambda size: self._disparity(chosen, focus, tau, size))

    def _fit_parity_columns(self) -> None:
        # Seven short columns in a narrow pane: each exactly as wide as its content, none
        # stretched, so the verdict stays in sight beside the chart.
        header = self.parity_table.horizontalHeader()
        header.setStretchLastSection(False)
        self.parity_table.resizeColumnsToContents()
        for column in range(header.count()):
            header.resizeSection(column, header.sectionSize(column) + 4)

    def _metrics(self, report: Any) -> tuple[str, ...]:
        metrics = self.controls.metrics()
        if self.controls.metrics_combo.currentText() == "All":
            extra = ("roc_auc_score",) if "roc_auc_score" in report.overall.metrics else ()
            metrics = (*metrics, *extra)
        return tuple(m for m in metrics if m in report.overall.metrics)

    def _summary_html(self, chosen: AttributeAnalysis, summary: list[Any], tau: float) -> str:
        failing = [metric_title(row.metric) for row in summary if row.verdict == Verdict.FAIL]
        overall = worst([row.verdict for row in summary])
        glyph = GLYPHS[overall]
        word = (f"{len(failing)} of {len(summary)} parity tests fail ({', '.join(failing)})"
                if failing else f"all {len(summary)} parity tests pass" if overall == Verdict.PASS
                else f"{len(summary)} parity tests, some groups could not be judged")
        report = chosen.report
        flagged = sum(1 for g in report.groups if g.below_minimum)
        notes = [f"τ = {tau:g} (passes within [{tau:g}, {1 / tau:.4g}])",
                 f"reference group: {' × '.join(report.reference)}",
                 f"{report.overall.count:,} rows"]
        if flagged:
            notes.append(f"{flagged} group(s) below the minimum of {report.min_group_size} rows")
        colour = VERDICT_COLOURS[overall]
        return (f"<span style='color:{colour}; font-weight:bold'>{glyph} {overall.value}</span>"
                f" — {attribute_label(chosen.attributes)}: {word} · " + " · ".join(notes))

    def _show_slices(self) -> None:
        slices = self.analysis.slices if self.analysis else None
        if slices is None:
            self.slices_model.set_rows([])
            self.slices_label.setText("No slice search for this table: import it with feature "
                                      "columns to search them.")
            return
        self.slices_model.set_metric(slices.metric)
        self.slices_model.set_rows(slices.slices)
        fit_columns(self.slices_table, squeeze=0)  # the conditions give way, full in tooltip
        self.slices_label.setText(
            f"{len(slices.slices)} slices where {metric_title(slices.metric).lower()} is "
            f"significantly worse than on the rest of the rows (overall "
            f"{fairness_number(slices.overall_value)}; "
            f"{slices.slices_tested:,} slices tested, Benjamini–Hochberg at α = "
            f"{slices.alpha:g}).")

    def _bars(self, chosen: AttributeAnalysis, focus: str, size: tuple[float, float]) -> Figure:
        return metric_bars_figure(chosen.report, focus, chosen.bootstrap, figsize=size)

    def _disparity(self, chosen: AttributeAnalysis, focus: str, tau: float,
                   size: tuple[float, float]) -> Figure:
        return disparity_figure(chosen.report, focus, tau=tau, figsize=size)

    # -- slots --------------------------------------------------------------------------------

    def _on_attach_button_clicked(self) -> None:
        self.attach_dialog = open_attach_dialog(self, self.ctx, lambda _record: self.refresh())

    def _on_selection_changed(self, _current: SelectedVersion) -> None:
        self.refresh()

    def _on_controls_table_chosen(self, index: int) -> None:
        if 0 <= index < len(self.results):
            self.show_analysis(self.results[index].analysis)

    def _on_controls_threshold_applied(self, threshold: float) -> None:
        if self.analysis is None or analysis_threshold(self.analysis) is None:
            return
        self._generation += 1
        name = Path(self.analysis.source).name
        self.status_label.setText(f"Recomputing {name} at threshold {threshold:g}…")
        worker = Worker(recompute_at_threshold, self.analysis, threshold,
                        description=f"Fairness of {name} at threshold {threshold:g}")
        self._watch(worker, self._on_recomputed, f"Recomputing {name} at {threshold:g}")

    def _on_recomputed(self, analysis: FairnessAnalysis) -> None:
        threshold = analysis_threshold(analysis)
        self.status_label.setText(f"Shown at threshold {threshold:g}: computed now from "
                                  f"{Path(analysis.source).name}, not stored in the workspace.")
        self.show_analysis(analysis)

    def _fail(self, exc: BaseException, action: str) -> None:
        if isinstance(exc, FairnessCancelled):  # the user asked for it: no error dialog
            self.status_label.setText(f"{action}: cancelled; the results shown are unchanged.")
            return
        self.status_label.setText(f"{action} failed.")
        self.sig_failed.emit(exc)
        show_error(self, exc, action)

    # -- window state -------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("lower_splitter", self.lower_splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, target in (("splitter", self.splitter),
                            ("lower_splitter", self.lower_splitter)):
            state = settings.value(key)
            if state is not None:
                target.restoreState(state)

