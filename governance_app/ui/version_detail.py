"""One version's evidence: who registered it from which run, metrics, history, params, tags."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from governance_app.domain.cloud import VersionOrigin, detail_lines, origin_label
from governance_app.domain.views import VersionDetail
from governance_app.ui.chart_holder import ChartHolder
from governance_app.ui.item_models import format_aliases, format_local_time
from governance_app.ui.origin_badges import origin_tooltip
from governance_app.ui.pipeline_evidence import PipelineEvidenceTableModel, evidence_rows
from governance_app.ui.registry_models import KeyValueTableModel, MetricTableModel, TagTableModel
from governance_app.ui.widgets import RecordTableView, fit_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class VersionDetailPanel(QWidget):
    """One version: who registered it from which run, description, metrics, params, tags."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: VersionDetail | None = None
        self.title_label = QLabel()
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        # Where the version came from and what its platform decided (issue 17).
        self.origin_label = QLabel()
        self.origin_label.setWordWrap(True)
        self.origin_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.origin_label.hide()
        self.metrics_model = MetricTableModel(parent=self)
        self.params_model = KeyValueTableModel(parent=self)
        self.tags_model = TagTableModel(parent=self)
        self.metrics_table = RecordTableView(self.metrics_model)
        self.params_table = RecordTableView(self.params_model)
        self.tags_table = RecordTableView(self.tags_model)
        self.chart = ChartHolder(defer_until_shown=True)  # matplotlib when the tab opens
        # The history chart gets its own tab: six metrics need the full height to be readable.
        # One-word labels (the full name in the tooltip): with the Findings tab the six must
        # fit the detail's half of a 1280 px window without scrolling; the scroll buttons stay
        # for a narrower splitter.
        self.tabs = QTabWidget()
        self.tabs.setUsesScrollButtons(True)
        for widget, label, tip in (
                (self.metrics_table, "Metrics", "Latest metrics of this version"),
                (self.chart, "History", "Metric history by training step"),
                (self.params_table, "Parameters", "The training run's parameters"),
                (self.tags_table, "Tags", "The version's and the run's tags")):
            self.tabs.setTabToolTip(self.tabs.addTab(widget, label), tip)
        self.evidence_model = PipelineEvidenceTableModel(parent=self)
        self.evidence_table = RecordTableView(self.evidence_model)
        self.evidence_tab = self.tabs.addTab(self.evidence_table, "Pipeline")
        self.tabs.setTabToolTip(self.evidence_tab, "Pipeline evidence: what a Kubeflow run "
                                "recorded about this version")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        for widget in (self.title_label, self.info_label, self.origin_label,
                       self.description_label):
            layout.addWidget(widget)
        layout.addWidget(self.tabs, 1)
        self.show_nothing()

    def show_nothing(self) -> None:
        self.detail = None
        self.title_label.setText("<h3>No version selected</h3>")
        self.info_label.setText("Choose a model and one of its versions to see its evidence.")
        self.description_label.clear()
        for model in (self.metrics_model, self.params_model, self.tags_model,
                      self.evidence_model):
            model.set_rows([])

    def show_origin(self, origin: VersionOrigin | None) -> None:
        """The platform the version came from, its id there and its read-only decision."""
        if origin is None:
            self.origin_label.hide()
            return
        platform = origin_label(origin.origin)
        text = f"Origin: <b>{escape(platform)}</b> <code>{escape(origin.source_id)}</code>"
        if origin.external_decision:
            note = f": {escape(origin.decision_note)}" if origin.decision_note else ""
            text += (f"<br>{escape(platform)} says <b>{escape(origin.external_decision)}</b>"
                     f"{note} <i>(external decision, read-only: the board's review decides "
                     "the gate)</i>")
        for label, detail in detail_lines(origin):
            text += f"<br>{escape(label[:1].upper() + label[1:])}: {escape(detail)}"
        self.origin_label.setText(text)
        self.origin_label.setToolTip(origin_tooltip(origin))
        self.origin_label.show()

    def show_loading(self, what: str) -> None:
        self.info_label.setText(f"Loading {what}…")

    def show_detail(self, detail: VersionDetail) -> None:
        self.detail = detail
        v, run = detail.version, detail.run
        aliases = format_aliases(v.aliases)
        self.title_label.setText(
            f"<h3>{v.model_name} v{v.version} · {v.stage}{' · ' + aliases if aliases else ''}</h3>")
        created = format_local_time(v.created_at)
        if run is None:
            origin = (f"Run {v.run_id or '—'} was not imported into this workspace, so its "
                      "metrics and parameters are not available.")
        else:
            origin = (f"Run <b>{run.name or run.run_id}</b> ({run.run_id[:8]}) of experiment "
                      f"<b>{detail.experiment_name or run.experiment_name}</b>, "
                      f"status {run.status or '—'}, {len(run.inputs)} dataset input(s).")
        self.info_label.setText(
            f"Registered {created} by {v.user or 'unknown'} · status {v.status}<br>{origin}")
        self.description_label.setText(v.description or "<i>No description.</i>")
        series = detail.metric_series
        self.metrics_model.set_rows(
            [(k, value, len(series[k]) if k in series else 1)
             for k, value in sorted(detail.latest_metrics.items())])
        self.params_model.set_mapping(run.params if run else {})
        self.tags_model.set_rows(
            [(k, val, "version") for k, val in sorted(v.tags.items())]
            + [(k, val, "run") for k, val in sorted((run.tags if run else {}).items())])
        for table in (self.metrics_table, self.params_table, self.tags_table):
            fit_columns(table)
        self.tabs.setTabText(2, f"Parameters ({self.params_model.rowCount()})")
        self.tabs.setTabText(3, f"Tags ({self.tags_model.rowCount()})")
        self.evidence_model.set_rows(evidence_rows(detail.pipeline_evidence))
        fit_columns(self.evidence_table)
        count = self.evidence_model.rowCount()
        self.tabs.setTabText(self.evidence_tab,
                             f"Pipeline ({count})" if count else "Pipeline")
        self.tabs.setTabEnabled(self.evidence_tab, bool(count))
        title = f"{v.model_name} v{v.version}: metric history by training step"

        def build(size: tuple[float, float]) -> Figure:
            # Imported when the chart is drawn (its tab opened): matplotlib, not at start-up.
            from governance_app.charts.metric_history import metric_history_figure

            return metric_history_figure(series, title, figsize=size)

        self.chart.show_chart(build)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("detail_tab", self.tabs.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        self.tabs.setCurrentIndex(int(settings.value("detail_tab", 0)))
