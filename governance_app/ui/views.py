"""How a view plugs into the main window: a factory taking one shared :class:`ViewContext`.

Each capability (lineage, fairness, drift, reviews, audit, reports) adds its panel to
:func:`view_factories`; a view without a factory shows its placeholder. A view panel is a
``QWidget`` that may define:

- ``refresh()`` — reload from the workspace (after an import, F5, or a workspace switch);
  a slow view defers the work until it is shown, through ``ctx.runner``;
- ``set_filter_text(text)`` — the toolbar filter box (Ctrl+F) while the view is current;
- ``save_state(settings)`` / ``restore_state(settings)`` — splitter sizes and the like,
  inside a ``QSettings`` group named after the view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from PySide6.QtWidgets import QWidget

from governance_app.services.workspace import Workspace
from governance_app.ui.selection import Selection
from governance_app.ui.workers import TaskRunner


@dataclass
class ViewContext:
    """What every view shares: the open workspace, the current model version, the task
    runner (workers with progress in the status bar), and ways to reach the rest of the app."""

    workspace: Workspace
    selection: Selection
    runner: TaskRunner
    request_import: Callable[[], None]
    show_view: Callable[[str], None]


ViewFactory = Callable[[ViewContext], QWidget]


@dataclass(frozen=True)
class DeferredView:
    """A view factory that imports its module only when called: ``module.name(ctx)``.

    The views bring pandas, matplotlib and reportlab with them; the window builds each view
    when it is first shown, so the first window waits for none of them (issue 9's start-up
    target, guarded by tests/packaging/test_startup_imports.py).
    """

    module: str
    name: str

    def load(self) -> ViewFactory:
        """The view's class (or factory function), importing its module."""
        factory: ViewFactory = getattr(import_module(self.module), self.name)
        return factory

    def __call__(self, ctx: ViewContext) -> QWidget:
        return self.load()(ctx)


def view_factories() -> dict[str, DeferredView]:
    """The views that exist, by navigation name; each view's module loads when it is built."""
    return {
        "Lineage": DeferredView("governance_app.ui.lineage_view", "LineagePanel"),
        "Drift": DeferredView("governance_app.ui.drift_view", "create_drift_view"),
        "Fairness": DeferredView("governance_app.ui.fairness_view", "FairnessPanel"),
        "Audit": DeferredView("governance_app.ui.audit_view", "AuditPanel"),
        "Reviews": DeferredView("governance_app.ui.reviews_view", "ReviewsPanel"),
        "Reports": DeferredView("governance_app.ui.reports_view", "ReportsPanel"),
        "Inventory": DeferredView("governance_app.ui.inventory_view", "InventoryPanel"),
    }
