"""The Lineage view: what data trained a model version, and what else that data fed.

The workspace's lineage graph is read and laid out in a worker (a 5,000-node layout takes
seconds), then drawn by :class:`LineageScene` from the event loop in slices
(:class:`SceneBuilder`), so the window stays live and the drawing can be cancelled.
Everything interactive after that works on the drawn items: selecting a node highlights its
upstream and downstream, search outlines and jumps, zoom and pan are the view's. Focus mode
(N hops around a node) and collapsing a namespace change *which* graph is drawn, so they lay
out again, in the worker.

The view follows the shared current model version: choosing ``credit_default`` v4 anywhere
centres on ``model:credit_default/4`` here, and a model version node offers "Open in Models".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.analytics.layered_layout import LayoutCancelled
from governance_app.analytics.lineage_graph import LineageIndex, collapse_namespace, subgraph
from governance_app.domain.lineage import LineageGraph, NodeKind, model_version_id
from governance_app.ui.error_dialog import show_error
from governance_app.ui.lineage_controls import LineageControls
from governance_app.ui.lineage_details import LineageDetailsPanel
from governance_app.ui.lineage_export import export_lineage, export_with_dialog
from governance_app.ui.lineage_items import LineageStyle, node_widths, pipeline_task_summary
from governance_app.ui.lineage_scene import LineageGraphicsView, LineageScene
from governance_app.ui.lineage_scene_builder import CollectorPause, SceneBuilder
from governance_app.ui.lineage_tasks import LaidOut, lay_out_for_view, load_lineage
from governance_app.ui.selection import SelectedVersion
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel
from governance_app.ui.workers import Worker

LEGEND = ("<span style='color:#0072B2'>■</span> upstream of the selection · "
          "<span style='color:#CC79A7'>■</span> downstream · "
          "<span style='color:#D55E00'>▭</span> FAILED run · "
          "wheel or Ctrl+=/Ctrl+- zoom, drag to pan, F fits")


# -- the panel -------------------------------------------------------------------------------


class LineagePanel(QWidget):
    """Graph (zoom, pan, search, focus, collapse, export) beside the clicked node's details.

    Signals:
        sig_graph_loaded(graph): the workspace's (or a given) graph arrived.
        sig_graph_shown(): a laid-out graph was drawn; the scene is ready.
        sig_failed(exception): loading or laying out failed (also shown in the error dialog).
    """

    sig_graph_loaded = Signal(object)
    sig_graph_shown = Signal()
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.full_graph = LineageGraph()
        self.shown_graph = LineageGraph()
        self.collapsed: set[str] = set()
        self.focus_id: str | None = None
        self._dirty = True
        self._loading = False
        self._generation = 0
        self._worker: Worker | None = None
        self._builder: SceneBuilder | None = None
        self._collector = CollectorPause()
        self.destroyed.connect(self._collector.release)
        self._pending_centre: str | None = None
        self._hits: list[str] = []
        self._hit = -1

        self.scene = LineageScene(self)
        self.scene.selectionChanged.connect(self._on_scene_selection_changed)
        self.view = LineageGraphicsView(self.scene)
        self.view.sig_context_requested.connect(self._on_view_context_requested)
        self.details = LineageDetailsPanel()
        self.details.sig_open_model_requested.connect(self._on_details_open_model_requested)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._build_graph_box())
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([760, 380])
        self.splitter.setChildrenCollapsible(False)
        self.empty_state = EmptyStatePanel(
            "No lineage yet",
            "No lineage yet: import OpenLineage events (a .json or .jsonl file, or a folder of "
            "them) to see which datasets and jobs produced each model version.",
            [("Import…", ctx.request_import)])
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._unsubscribe = ctx.selection.subscribe(self._on_selection_changed)
        self.destroyed.connect(self._unsubscribe)

    def _build_graph_box(self) -> QWidget:
        controls = self.controls = LineageControls(
            self.view.fit, self.view.zoom_out, self.view.zoom_in, self.export_with_dialog)
        # The panel's own names for the controls it drives (and tests reach).
        self.find_edit, self.find_label = controls.find_edit, controls.find_label
        self.zoom_in_button, self.focus_check = controls.zoom_in_button, controls.focus_check
        self.hops_spin, self.namespace_menu = controls.hops_spin, controls.namespace_menu
        self.export_menu = controls.export_menu
        self.find_edit.textChanged.connect(self._on_find_edit_text_changed)
        self.find_edit.returnPressed.connect(self.next_match)
        self.focus_check.toggled.connect(self._on_focus_check_toggled)
        self.hops_spin.valueChanged.connect(self._on_hops_spin_value_changed)
        self.status_label = QLabel()
        # Reading, laying out and drawing a big graph take seconds: each can be stopped.
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop reading, laying out or drawing this graph")
        self.cancel_button.clicked.connect(self.cancel_drawing)
        self.cancel_button.setVisible(False)
        self.draw_button = QPushButton("Draw again")
        self.draw_button.setToolTip("Lay out and draw the graph that was cancelled")
        self.draw_button.clicked.connect(self._relayout)
        self.draw_button.setVisible(False)
        self.legend_label = QLabel(LEGEND)
        self.legend_label.setWordWrap(True)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(controls)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.legend_label, 1)
        bottom.addWidget(self.status_label)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.draw_button)
        layout.addLayout(bottom)
        for text, keys, slot in (("Zoom in", ("Ctrl+=", "Ctrl++"), self.view.zoom_in),
                                 ("Zoom out", ("Ctrl+-",), self.view.zoom_out)):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        return box

    # -- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload from the workspace; deferred until the view is shown (layout is not free)."""
        self._dirty = True
        if self.isVisible():
            self._load()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            self._load()

    def is_ready(self) -> bool:
        """Nothing is being read or laid out: what is shown is the workspace's lineage."""
        return (not self._dirty and not self._loading and self._worker is None
                and not self.is_drawing())

    def is_drawing(self) -> bool:
        """Items are being made from the event loop (a big graph takes several slices)."""
        return self._builder is not None and self._builder.running

    def cancel_drawing(self) -> None:
        """Stop laying out or drawing; the drawing is left empty, "Draw again" restarts."""
        self._generation += 1  # whatever is still running reports to no one
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        if self._builder is not None:
            self._builder.cancel()  # its sig_cancelled empties the scene and says so
        self._loading = False
        self._set_busy(False)
        self.status_label.setText("Drawing cancelled: nothing is drawn")
        self.draw_button.setVisible(bool(self.full_graph.nodes))

    def _set_busy(self, busy: bool) -> None:
        if not busy:
            self._collector.release()
        self.cancel_button.setVisible(busy)
        if busy:
            self.draw_button.setVisible(False)

    def _load(self) -> None:
        self._dirty = False
        self._loading = True
        self._generation += 1
        generation = self._generation
        self.status_label.setText("Reading lineage…")
        self._set_busy(True)
        worker = Worker(load_lineage, self.ctx.workspace.url, description="Reading lineage")
        worker.signals.sig_finished.connect(
            lambda graph: generation == self._generation and self.set_graph(graph))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, "Reading lineage"))
        self.ctx.runner.start(worker)

    def set_graph(self, graph: LineageGraph) -> None:
        """Show ``graph`` (from the workspace, or given directly); lays it out in a worker."""
        self._dirty = self._loading = False
        self.full_graph = graph
        self.sig_graph_loaded.emit(graph)
        namespaces = sorted({n.namespace for n in graph.nodes.values() if n.namespace})
        self.collapsed &= set(namespaces)
        self.controls.fill_namespaces(namespaces, self.collapsed, self.set_namespace_collapsed)
        if not graph.nodes:
            self._stop_builder()
            self._set_busy(False)
            self.pages.setCurrentWidget(self.empty_state)
            self.scene.reset()
            self.status_label.clear()
            return
        self.pages.setCurrentWidget(self.splitter)
        if self._pending_centre is None:
            current = self.ctx.selection.current
            if current.model_name and current.version is not None:
                self._pending_centre = model_version_id(current.model_name, current.version)
        self._relayout()

    def display_graph(self) -> LineageGraph:
        """The graph to draw: the full one with namespaces collapsed, then focus applied."""
        graph = self.full_graph
        for namespace in sorted(self.collapsed):
            graph = collapse_namespace(graph, namespace)
        if self.focus_check.isChecked() and self.focus_id in graph.nodes:
            near = LineageIndex(graph).neighbourhood(self.focus_id, self.hops_spin.value())
            graph = subgraph(graph, near)
        return graph

    def _relayout(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self._stop_builder()
        self._set_busy(True)
        self._collector.hold()  # until drawn, cancelled or failed
        self._generation += 1
        generation = self._generation
        graph = self.display_graph()
        count = len(graph.nodes)
        self.status_label.setText(f"Laying out {count:,} nodes…")
        # Fonts are measured here, on the GUI thread; the layout itself runs in the pool.
        style = LineageStyle.from_palette(self.palette())
        widths = node_widths(graph.nodes.values(), style)
        worker = Worker(lay_out_for_view, graph, widths,
                        description=f"Laying out lineage ({count:,} nodes)")
        worker.signals.sig_finished.connect(
            lambda laid_out: generation == self._generation
            and self._show(graph, laid_out, widths, style))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, "Laying out lineage"))
        self._worker = worker
        self.ctx.runner.start(worker)

    def _show(self, graph: LineageGraph, laid_out: LaidOut, widths: dict[str, float],
              style: LineageStyle) -> None:
        """Draw the laid-out graph a slice at a time; :meth:`_drawn` finishes."""
        keep = self.scene.selected_node_id()
        self._worker = None
        self._stop_builder()
        count = len(graph.nodes)
        # The scene is emptied and refilled: its selection changes mean nothing meanwhile.
        self.scene.blockSignals(True)
        builder = self._builder = SceneBuilder(
            self.scene.build_steps(graph, laid_out.layout, widths, style, laid_out.index,
                                   extent=laid_out.extent), self)
        builder.sig_progressed.connect(
            lambda done, total: builder is self._builder and self.status_label.setText(
                f"Drawing {count:,} nodes… {100 * done // max(total, 1)} %"))
        builder.sig_finished.connect(
            lambda: builder is self._builder and self._drawn(graph, keep))
        builder.sig_cancelled.connect(self._on_builder_ended)
        builder.sig_failed.connect(
            lambda exc: builder is self._builder and self._fail(exc, "Drawing lineage"))
        builder.start()

    def _stop_builder(self) -> None:
        if self._builder is not None:
            builder, self._builder = self._builder, None
            builder.cancel()
            builder.deleteLater()

    def _on_builder_ended(self) -> None:
        self.scene.blockSignals(False)
        self.scene.reset()
        self.details.show_nothing()

    def _drawn(self, graph: LineageGraph, keep: str | None) -> None:
        """The scene is complete: say what it holds, then show the version's path."""
        self.scene.blockSignals(False)
        self._set_busy(False)
        self.shown_graph = graph
        failed = sum(1 for n in graph.nodes.values() if n.status.upper() == "FAIL")
        text = f"{len(graph.nodes):,} nodes · {len(self.scene.edge_items):,} edges"
        if failed:
            text += f" · {failed} FAILED run{'s' if failed > 1 else ''}"
        text += pipeline_task_summary(graph)
        if len(graph.nodes) < len(self.full_graph.nodes):
            text += f" (of {len(self.full_graph.nodes):,})"
        self.status_label.setText(text)
        target = self._pending_centre or keep
        self._pending_centre = None
        item = self.scene.node_items.get(target) if target else None
        if item is not None and item.node.kind is NodeKind.MODEL_VERSION:
            self.show_version_path(target)
        elif target in self.scene.node_items:
            self.view.fit()
            self.select_node(target)
        else:
            self.view.fit()
            self._on_scene_selection_changed()
        if self.find_edit.text():
            self._hits = self.scene.find(self.find_edit.text())
            self._update_find_label()
        self.sig_graph_shown.emit()

    def show_version_path(self, node_id: str) -> bool:
        """Select a model version and fit the path that made it, raw data to the version,
        whole in the window (no scrolling needed to see it); False if it is not drawn."""
        if node_id not in self.scene.node_items:
            return False
        self.view.fit(self.version_path_rect(node_id))
        self.select_node(node_id, centre=False)
        return True

    def version_path_rect(self, node_id: str) -> QRectF:
        """The scene rectangle of ``node_id`` and everything upstream of it."""
        return self.scene.nodes_rect(self.scene.index.upstream(node_id) | {node_id})

    def _fail(self, exc: BaseException, action: str) -> None:
        self._worker = None
        self._loading = False
        self._set_busy(False)
        if self._builder is not None:
            self._builder = None
            self._on_builder_ended()
        self.status_label.setText(f"{action} failed")
        self.sig_failed.emit(exc)
        if not isinstance(exc, LayoutCancelled):  # a newer layout replaced it: not an error
            show_error(self, exc, action)

    # -- public operations (the buttons call these; tests too) -------------------------------

    def select_node(self, node_id: str, *, centre: bool = True) -> bool:
        """Select ``node_id``, show its details and highlight; False if it is not drawn."""
        if node_id not in self.scene.node_items:
            return False
        if centre:  # first: zooming in ends the far-out overview, whose hidden boxes ignore clicks
            self.view.centre_on_node(node_id)
        self.scene.select_node(node_id)
        return True

    def set_filter_text(self, text: str) -> None:
        """The toolbar filter box searches the graph, like the view's own find field."""
        self.find_edit.setText(text)

    def next_match(self) -> None:
        """Jump to the next node matching the find text (wrapping around)."""
        if not self._hits:
            return
        self._hit = (self._hit + 1) % len(self._hits)
        self.select_node(self._hits[self._hit])
        self._update_find_label()

    def set_focus(self, node_id: str | None, hops: int | None = None) -> None:
        """Show only ``node_id`` and its neighbours within ``hops`` (``None``: everything)."""
        self.focus_id = node_id
        if hops is not None:
            self.hops_spin.blockSignals(True)
            self.hops_spin.setValue(hops)
            self.hops_spin.blockSignals(False)
        self.focus_check.blockSignals(True)
        self.focus_check.setChecked(node_id is not None)
        self.focus_check.blockSignals(False)
        self._pending_centre = node_id
        self._relayout()

    def set_namespace_collapsed(self, namespace: str, collapsed: bool) -> None:
        """Merge (or expand again) every node of ``namespace`` into one node."""
        changed = (namespace in self.collapsed) != collapsed
        (self.collapsed.add if collapsed else self.collapsed.discard)(namespace)
        self.controls.set_checked(namespace, collapsed)
        if changed:
            self._relayout()

    def export_to(self, path: Path) -> Path:
        """Save the drawing (``.png``, ``.svg``) or the shown graph (``.dot``) to ``path``."""
        return export_lineage(self.scene, self.shown_graph, path)

    def export_with_dialog(self, suffix: str) -> None:
        """Ask where, then save (the Export menu); failures reach the error dialog."""
        target = export_with_dialog(self, self.scene, self.shown_graph, suffix)
        if target is not None:
            self.status_label.setText(f"Saved {target.name}")

    # -- slots -------------------------------------------------------------------------------

    def _on_scene_selection_changed(self) -> None:
        node_id = self.scene.selected_node_id()
        self.scene.highlight(node_id)
        if node_id is None:
            self.details.show_nothing()
            return
        self.details.show_node(self.scene.node_items[node_id].node, self._relations(node_id))

    def _relations(self, node_id: str) -> str:
        up, down = self.scene.upstream_ids, self.scene.downstream_ids
        graph = self.scene.graph
        datasets = sum(1 for i in up if graph.nodes[i].kind is NodeKind.DATASET)
        models = sorted(graph.nodes[i].name for i in down
                        if graph.nodes[i].kind is NodeKind.MODEL_VERSION)
        text = (f"Upstream: {len(up)} node(s), {datasets} dataset(s). "
                f"Downstream: {len(down)} node(s).")
        if models:
            text += " Feeds model version(s): " + ", ".join(models) + "."
        return text

    def _on_find_edit_text_changed(self, text: str) -> None:
        """Outline the matches as the user types; the selection stays (Enter jumps to the
        next match, which selects it): filtering never moves what the board looks at."""
        self._hits = self.scene.find(text)
        self._hit = -1
        self._update_find_label()

    def _update_find_label(self) -> None:
        text = self.find_edit.text().strip()
        if not text:
            self.find_label.clear()
        elif not self._hits:
            self.find_label.setText("no match")
        elif self._hit < 0:
            count = len(self._hits)
            self.find_label.setText(f"{count} match{'es' if count > 1 else ''} (Enter: go)")
        else:
            self.find_label.setText(f"{self._hit + 1} of {len(self._hits)}")

    def _on_focus_check_toggled(self, on: bool) -> None:
        self.set_focus((self.scene.selected_node_id() or self.focus_id) if on else None)

    def _on_hops_spin_value_changed(self, _value: int) -> None:
        if self.focus_check.isChecked():
            self._pending_centre = self.focus_id
            self._relayout()

    def _on_view_context_requested(self, node_id: str, where: QPointF) -> None:
        menu = QMenu(self)
        node = self.scene.node_items[node_id].node if node_id else None
        if node is not None:
            menu.addAction("Focus here", lambda: self.set_focus(node_id))
            if node.kind is NodeKind.NAMESPACE:
                menu.addAction(f"Expand {node.name}",
                               lambda: self.set_namespace_collapsed(node.name, False))
            elif node.namespace:
                menu.addAction(f"Collapse {node.namespace}",
                               lambda: self.set_namespace_collapsed(node.namespace, True))
        if self.focus_check.isChecked():
            menu.addAction("Show everything", lambda: self.set_focus(None))
        menu.addAction("Fit", self.view.fit)
        menu.popup(where.toPoint())

    def _on_selection_changed(self, current: SelectedVersion) -> None:
        if not current.model_name or current.version is None:
            return
        target = model_version_id(current.model_name, current.version)
        if self.show_version_path(target):
            return
        self._pending_centre = target
        if self.focus_check.isChecked() and target in self.full_graph.nodes:
            self.set_focus(target)

    def _on_details_open_model_requested(self, name: str, version: int) -> None:
        self.ctx.selection.select(name, version)
        self.ctx.show_view("Models")

    # -- window state ------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("hops", self.hops_spin.value())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
        self.hops_spin.blockSignals(True)
        self.hops_spin.setValue(int(settings.value("hops", 2)))
        self.hops_spin.blockSignals(False)
