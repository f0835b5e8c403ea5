"""The Lineage view's tool row: find, zoom, focus, namespaces and export.

Only widgets live here; :class:`~governance_app.ui.lineage_view.LineagePanel` connects them,
so the row can be read (and laid out) on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
    QToolButton,
    QWidget,
)

EXPORT_KINDS = (("PNG image…", "png"), ("SVG drawing…", "svg"), ("Graphviz DOT…", "dot"))


def tool_button(text: str, slot: Callable[[], None] | None, tip: str,
                menu: QMenu | None = None) -> QToolButton:
    """A text tool button; with ``menu``, one that opens it on click."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    if slot is not None:
        button.clicked.connect(slot)
    if menu is not None:
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    return button


class LineageControls(QWidget):
    """Find field and match count, Fit/−/+, Focus with its hops, Namespaces ▾, Export ▾.

    Args:
        fit, zoom_out, zoom_in: what the three zoom buttons do.
        export: called with ``"png"``, ``"svg"`` or ``"dot"`` from the Export menu.
    """

    def __init__(self, fit: Callable[[], None], zoom_out: Callable[[], None],
                 zoom_in: Callable[[], None], export: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find a node… (Enter: next)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setMinimumWidth(200)
        self.find_label = QLabel()
        self.fit_button = tool_button("Fit", fit, "Show the whole graph (F)")
        self.zoom_out_button = tool_button("−", zoom_out, "Zoom out (Ctrl+-)")
        self.zoom_in_button = tool_button("+", zoom_in, "Zoom in (Ctrl+=)")
        self.focus_check = QCheckBox("Focus")
        self.focus_check.setToolTip("Show only the nodes within N hops of the selected node")
        self.hops_spin = QSpinBox()
        self.hops_spin.setRange(1, 50)
        self.hops_spin.setValue(2)
        self.hops_spin.setSuffix(" hops")
        self.hops_spin.setToolTip("How far from the focused node to show, in edges")
        self.namespace_menu = QMenu(self)
        self.namespace_button = tool_button("Namespaces", None,
                                            "Collapse a namespace into one node",
                                            self.namespace_menu)
        self.export_menu = QMenu(self)
        for text, suffix in EXPORT_KINDS:
            self.export_menu.addAction(text, lambda s=suffix: export(s))
        self.export_button = tool_button("Export", None, "Save the drawing or the graph",
                                         self.export_menu)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.find_edit, self.find_label, self.fit_button, self.zoom_out_button,
                       self.zoom_in_button, self.focus_check, self.hops_spin,
                       self.namespace_button, self.export_button):
            row.addWidget(widget)
        row.insertStretch(2, 1)

    def fill_namespaces(self, namespaces: list[str], collapsed: set[str],
                        on_toggled: Callable[[str, bool], None]) -> None:
        """One checkable "Collapse <namespace>" entry per namespace (checked = collapsed)."""
        self.namespace_menu.clear()
        for namespace in namespaces:
            action = self.namespace_menu.addAction(f"Collapse {namespace}")
            action.setCheckable(True)
            action.setChecked(namespace in collapsed)
            action.setData(namespace)
            action.toggled.connect(lambda on, ns=namespace: on_toggled(ns, on))
        self.namespace_button.setEnabled(bool(namespaces))

    def set_checked(self, namespace: str, collapsed: bool) -> None:
        """Keep the menu in step when a namespace is collapsed another way (context menu)."""
        for action in self.namespace_menu.actions():
            if action.data() == namespace and action.isChecked() != collapsed:
                action.setChecked(collapsed)
