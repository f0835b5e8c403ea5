"""Two versions side by side: metric deltas in words and arrows, parameter differences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from governance_app.domain.views import VersionComparison
from governance_app.ui.chart_holder import ChartHolder
from governance_app.ui.comparison_models import (
    MetricDeltaTableModel,
    ParamDiffTableModel,
    describe_change,
)
from governance_app.ui.widgets import RecordTableView, fit_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class VersionComparePanel(QWidget):
    """Two versions side by side: metric deltas in words and arrows, parameter differences."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: VersionComparison | None = None
        self.title_label = QLabel()
        self.note_label = QLabel(
            "Change is b − a; “better”/“worse” only where the metric’s name says which way is "
            "good.")
        self.note_label.setWordWrap(True)
        self.metrics_model = MetricDeltaTableModel(parent=self)
        self.params_model = ParamDiffTableModel(parent=self)
        self.metrics_table = RecordTableView(self.metrics_model)
        self.params_table = RecordTableView(self.params_model)
        self.chart = ChartHolder(defer_until_shown=True)  # matplotlib when the tab opens
        self.summary_label = QLabel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.metrics_table, "Metrics")
        self.tabs.addTab(self.chart, "Metric history")
        self.tabs.addTab(self.params_table, "Parameters")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.tabs, 1)

    def show_comparison(self, comparison: VersionComparison) -> None:
        self.comparison = comparison
        a, b = comparison.a.version, comparison.b.version
        self.title_label.setText(f"<h3>{a.model_name}: v{a.version} (a) compared with "
                                 f"v{b.version} (b)</h3>")
        for model in (self.metrics_model, self.params_model):
            model.set_column_title(1, f"a: v{a.version}")
            model.set_column_title(2, f"b: v{b.version}")
        self.metrics_model.set_rows(comparison.metrics)
        self.params_model.set_rows(comparison.params)
        self.summary_label.setText(comparison_summary(comparison))
        changed = sum(p.changed for p in comparison.params)
        self.tabs.setTabText(2, f"Parameters ({changed} changed)")
        for table in (self.metrics_table, self.params_table):
            fit_columns(table)
        runs = {f"v{a.version}": comparison.a.metric_series,
                f"v{b.version}": comparison.b.metric_series}
        title = f"{a.model_name} v{a.version} and v{b.version}: metric history by training step"

        def build(size: tuple[float, float]) -> Figure:
            # Imported when the chart is drawn (its tab opened): matplotlib, not at start-up.
            from governance_app.charts.metric_history import metric_history_comparison_figure

            return metric_history_comparison_figure(runs, title, figsize=size)

        self.chart.show_chart(build)


def comparison_summary(comparison: VersionComparison) -> str:
    """One line a board can read first: how many metrics got better or worse, params changed."""
    words = [describe_change(d)[0].split()[-1] for d in comparison.metrics]
    counts = {word: words.count(word) for word in ("better", "worse", "higher", "lower", "same")}
    parts = [f"{n} {word}" for word, n in counts.items() if n]
    missing = sum(d.delta is None for d in comparison.metrics)
    if missing:
        parts.append(f"{missing} in one version only")
    changed = sum(p.changed for p in comparison.params)
    return (f"Metrics: {', '.join(parts) or 'none recorded'} · "
            f"Parameters: {changed} of {len(comparison.params)} changed")
