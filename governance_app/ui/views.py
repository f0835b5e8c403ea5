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


def view_factories() -> dict[str, ViewFactory]:
    """The views that exist, by navigation name; imported here so Qt loads them on demand."""
    factories: dict[str, ViewFactory] = {}
    from governance_app.ui.lineage_view import LineagePanel
    factories["Lineage"] = LineagePanel
    from governance_app.ui.drift_view import create_drift_view
    factories["Drift"] = create_drift_view
    from governance_app.ui.fairness_view import FairnessPanel
    factories["Fairness"] = FairnessPanel
    from governance_app.ui.audit_view import AuditPanel
    factories["Audit"] = AuditPanel
    from governance_app.ui.reviews_view import ReviewsPanel
    factories["Reviews"] = ReviewsPanel
    return factories
