"""The Drift view: feature × window heatmap, one feature over time, one cell's distributions.

Master: the heatmap of the current model version's drift history and, below it, the alerts
list (every drifted cell, sortable). Detail: the selected feature's line chart with its
threshold and alerts, and the selected cell's reference vs current distribution. Results are
loaded by a worker (a history may hold hundreds of windows); a cell's distribution reads the
source tables, so it is loaded by a worker too.
"""

from __future__ import annotations

import textwrap

from PySide6.QtCore import QItemSelection, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.charts.drift_distribution import (
    binned_distribution_figure,
    distribution_figure,
)
from governance_app.charts.drift_heatmap import drift_heatmap_figure
from governance_app.charts.drift_lines import drift_lines_figure
from governance_app.domain.drift_records import DriftResult
from governance_app.ui.chart_holder import ChartHolder
from governance_app.ui.drift_models import (
    CellDistribution,
    DriftAlertTableModel,
    alerts_of,
    load_cell_distribution,
    load_drift_results,
)
from governance_app.ui.error_dialog import show_error
from governance_app.ui.selection import SelectedVersion
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns
from governance_app.ui.workers import Worker


class DriftPanel(QWidget):
    """The Drift view of the shared current model version."""

    sig_results_shown = Signal(list)
    """Emitted with the :class:`DriftResult` list after every load."""
    sig_cell_selected = Signal(int, str)
    """Emitted with (window index, feature) when a cell becomes current."""
    sig_distribution_shown = Signal(object)
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DriftPanel")
        self.ctx = ctx
        self.results: list[DriftResult] = []
        self.features: list[str] = []
        self.filter_text = ""
        self.current_feature: str | None = None
        self.current_window: int | None = None
        self._generation = 0

        self.title_label = QLabel()
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.heatmap = ChartHolder()
        self.alerts_model = DriftAlertTableModel(parent=self)
        self.alerts_table = RecordTableView(self.alerts_model)
        self.alerts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.alerts_table.proxy.setFilterKeyColumn(1)
        self.alerts_table.selectionModel().selectionChanged.connect(
            self._on_alerts_table_selection_changed)
        self.alerts_label = QLabel("<b>Alerts</b>")
        self.feature_combo = QComboBox()
        self.feature_combo.currentTextChanged.connect(self._on_feature_combo_changed)
        self.lines = ChartHolder()
        self.distribution = ChartHolder()
        self.distribution_note = QLabel()
        self.distribution_note.setWordWrap(True)

        master = QWidget()
        master_layout = QVBoxLayout(master)
        master_layout.setContentsMargins(0, 0, 0, 0)
        master_layout.addWidget(self.title_label)
        master_layout.addWidget(self.summary_label)
        self.master_splitter = QSplitter(Qt.Orientation.Vertical)
        self.master_splitter.addWidget(self.heatmap)
        alerts_box = QWidget()
        alerts_layout = QVBoxLayout(alerts_box)
        alerts_layout.setContentsMargins(0, 4, 0, 0)
        alerts_layout.addWidget(self.alerts_label)
        alerts_layout.addWidget(self.alerts_table)
        self.master_splitter.addWidget(alerts_box)
        self.master_splitter.setSizes([430, 220])
        self.master_splitter.setChildrenCollapsible(False)
        master_layout.addWidget(self.master_splitter, 1)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Feature</b>"))
        row.addWidget(self.feature_combo, 1)
        detail_layout.addLayout(row)
        detail_layout.addWidget(self.lines, 1)
        detail_layout.addWidget(QLabel("<b>Selected cell: reference vs current</b>"))
        detail_layout.addWidget(self.distribution, 1)
        detail_layout.addWidget(self.distribution_note)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(master)
        self.splitter.addWidget(detail)
        self.splitter.setSizes([640, 500])
        self.splitter.setChildrenCollapsible(False)

        self.empty_state = EmptyStatePanel(
            "No drift results for this version",
            "Import Evidently reports or snapshots (one file or a folder of weekly exports) "
            "for the current model version, or compute a history with "
            "`governance-app drift-history`.",
            [("Import…", ctx.request_import)],
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._unsubscribe = ctx.selection.subscribe(self._on_selection_changed)
        self.destroyed.connect(self._unsubscribe)

    # -- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the current version's drift results (after an import, F5, a new version)."""
        current = self.ctx.selection.current
        self._generation += 1
        if current.model_name is None or current.version is None:
            self._show_results([], None)
            return
        generation = self._generation
        worker = Worker(load_drift_results, self.ctx.workspace.url, current.model_name,
                        current.version,
                        description=f"Loading drift of {current.model_name} v{current.version}")
        worker.signals.sig_finished.connect(
            lambda results: generation == self._generation
            and self._show_results(results, current))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, "Loading drift"))
        self.ctx.runner.start(worker)

    def _show_results(self, results: list[DriftResult], current: SelectedVersion | None) -> None:
        self.results = list(results)
        seen: dict[str, None] = {}
        for result in self.results:
            for c in result.drift.columns:
                seen.setdefault(c.column, None)
        self.features = list(seen)
        self.pages.setCurrentIndex(1 if self.results else 0)
        if current is not None:
            self.title_label.setText(f"<b>Drift of {current.model_name} "
                                     f"v{current.version}</b>")
        self._update_summary()
        self.alerts_model.set_rows(alerts_of(self.results))
        fit_columns(self.alerts_table)
        self._update_alerts_label()
        self.feature_combo.blockSignals(True)
        self.feature_combo.clear()
        self.feature_combo.addItems(self.visible_features())
        self.feature_combo.blockSignals(False)
        self._draw_heatmap()
        if self.results and self.visible_features():
            first_alert = self.alerts_model.rows()[0] if self.alerts_model.rows() else None
            if first_alert is not None:
                self.select_cell(first_alert.window_index, first_alert.column.column)
            else:
                self.select_cell(len(self.results) - 1, self.visible_features()[0])
        self.sig_results_shown.emit(self.results)

    def _update_summary(self) -> None:
        if not self.results:
            self.summary_label.setText("")
            return
        kinds = sorted({r.source_kind for r in self.results})
        drifted = sum(1 for r in self.results if r.drift.drifted)
        latest = self.results[-1]
        self.summary_label.setText(
            f"{len(self.results)} windows from {', '.join(kinds)}; dataset drift in {drifted}. "
            f"Latest ({latest.label}): {latest.drift.n_drifted} of "
            f"{len(latest.drift.columns)} features drifted "
            f"(share {latest.drift.share_drifted:.3g}, threshold {latest.drift.threshold:g}) — "
            f"{'✕ dataset drift' if latest.drift.drifted else '✓ no dataset drift'}.")

    def visible_features(self) -> list[str]:
        """Features matching the filter text (case-insensitive substring)."""
        needle = self.filter_text.casefold()
        return [f for f in self.features if needle in f.casefold()]

    def set_filter_text(self, text: str) -> None:
        """Filter the heatmap rows, feature list and alerts by feature name as the user types."""
        self.filter_text = text
        self.alerts_table.proxy.setFilterFixedString(text)
        self._update_alerts_label()
        current = self.feature_combo.currentText()
        self.feature_combo.blockSignals(True)
        self.feature_combo.clear()
        self.feature_combo.addItems(self.visible_features())
        if current in self.visible_features():
            self.feature_combo.setCurrentText(current)
        self.feature_combo.blockSignals(False)
        self._draw_heatmap()

    def _update_alerts_label(self) -> None:
        shown, total = self.alerts_table.proxy.rowCount(), self.alerts_model.rowCount()
        count = f"{total}" if shown == total else f"{shown} of {total}"
        self.alerts_label.setText(f"<b>Alerts</b> — {count} drifted cells (✕)")

    # -- charts ------------------------------------------------------------------------------

    def _draw_heatmap(self) -> None:
        features = self.visible_features()
        results = self.results
        self.heatmap.show_chart(lambda size: drift_heatmap_figure(results, features,
                                                                  figsize=size))
        if self.heatmap.canvas is not None:
            self.heatmap.canvas.mpl_connect("button_press_event", self._on_heatmap_clicked)

    def _on_heatmap_clicked(self, event: object) -> None:
        x, y = getattr(event, "xdata", None), getattr(event, "ydata", None)
        if x is None or y is None:
            return
        window, row = int(round(x)), int(round(y))
        features = self.visible_features()
        if 0 <= window < len(self.results) and 0 <= row < len(features):
            self.select_cell(window, features[row])

    def select_cell(self, window_index: int, feature: str) -> None:
        """Make one (window, feature) cell current: line chart, distribution, alert row."""
        self.current_window, self.current_feature = window_index, feature
        if self.feature_combo.currentText() != feature:
            self.feature_combo.blockSignals(True)
            self.feature_combo.setCurrentText(feature)
            self.feature_combo.blockSignals(False)
        results = self.results
        self.lines.show_chart(lambda size: drift_lines_figure(results, feature, figsize=size))
        row = self.alerts_model.row_for(window_index, feature)
        if row >= 0 and self.alerts_table.selected_source_rows() != [row]:
            self.alerts_table.blockSignals(True)
            self.alerts_table.select_source_row(row)
            self.alerts_table.blockSignals(False)
        self._load_distribution(window_index, feature)
        self.sig_cell_selected.emit(window_index, feature)

    def _load_distribution(self, window_index: int, feature: str) -> None:
        result = self.results[window_index]
        try:
            column = result.drift.column(feature)
        except KeyError:
            self._show_distribution(CellDistribution(feature, False,
                                                     note=f"{feature} was not compared in "
                                                     f"{result.label}"))
            return
        self.distribution_note.setText("Loading the distribution…")
        generation = self._generation
        worker = Worker(load_cell_distribution, result, column,
                        description=f"Reading {feature} distributions")
        worker.signals.sig_finished.connect(
            lambda dist: generation == self._generation and self.current_feature == feature
            and self.current_window == window_index and self._show_distribution(dist))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation
            and self._fail(exc, f"Reading the distribution of {feature}"))
        self.ctx.runner.start(worker)

    def _show_distribution(self, dist: CellDistribution) -> None:
        label = self.results[self.current_window].label if self.current_window is not None \
            else ""
        if dist.reference is not None and dist.current is not None:
            self.distribution.show_chart(lambda size: distribution_figure(
                dist.column, dist.reference, dist.current, categorical=dist.categorical,
                title=f"{dist.column} in {label}: reference vs current", figsize=size))
        elif dist.binned:
            self.distribution.show_chart(lambda size: binned_distribution_figure(
                dist.column, dist.binned or {}, figsize=size))
        else:
            # Without data the figure itself says why, wrapped to fit the panel; the note
            # below stays empty so that the reason is said once.
            message = "\n".join(textwrap.wrap(dist.note, 60)) or "No distribution"
            self.distribution.show_chart(lambda size: binned_distribution_figure(
                dist.column, {}, figsize=size, empty_message=message))
            self.distribution_note.setText("")
            self.sig_distribution_shown.emit(dist)
            return
        self.distribution_note.setText(dist.note)
        self.sig_distribution_shown.emit(dist)

    def _fail(self, exc: BaseException, action: str) -> None:
        self.sig_failed.emit(exc)
        show_error(self, exc, action)

    # -- slots -------------------------------------------------------------------------------

    def _on_selection_changed(self, _current: SelectedVersion) -> None:
        self.refresh()

    def _on_feature_combo_changed(self, feature: str) -> None:
        if feature and self.results:
            window = self.current_window if self.current_window is not None \
                else len(self.results) - 1
            self.select_cell(window, feature)

    def _on_alerts_table_selection_changed(self, _new: QItemSelection,
                                           _old: QItemSelection) -> None:
        rows = self.alerts_table.selected_source_rows()
        if rows:
            alert = self.alerts_model.row_at(rows[0])
            self.select_cell(alert.window_index, alert.column.column)

    # -- window state ------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("master_splitter", self.master_splitter.saveState())
        settings.setValue("alerts_header", self.alerts_table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, target in (("splitter", self.splitter),
                            ("master_splitter", self.master_splitter),
                            ("alerts_header", self.alerts_table.horizontalHeader())):
            state = settings.value(key)
            if state is not None:
                target.restoreState(state)


def create_drift_view(ctx: ViewContext) -> DriftPanel:
    """The view factory registered in :func:`governance_app.ui.views.view_factories`."""
    return DriftPanel(ctx)
