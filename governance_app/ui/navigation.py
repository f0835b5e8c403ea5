"""The list of views on the left, and honest placeholders for the views not built yet.

A placeholder says plainly that its view arrives in a coming release and which data will fill
it, and offers the import that brings that data (or the registry it builds on) now: a user who
opens Fairness on day one learns what to collect rather than staring at a blank page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidget, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from governance_app.ui.widgets import EmptyStatePanel


@dataclass(frozen=True, slots=True)
class PlaceholderView:
    """A view to come: its name, what it will show, and the data that will fill it."""

    name: str
    shows: str
    filled_by: str


PLACEHOLDERS: list[PlaceholderView] = [
    PlaceholderView(
        "Inventory", "every model's risk tier, validations due, findings and lapsed approvals",
        "a registry import, then tiers and findings recorded by the board"),
    PlaceholderView(
        "Lineage", "which jobs and datasets produced each model version",
        "OpenLineage RunEvents (a JSON or JSON Lines file)"),
    PlaceholderView(
        "Fairness", "each version's metrics by group, with the gate's verdict",
        "a prediction table per version: label, prediction, score and sensitive attributes"),
    PlaceholderView(
        "Drift", "how a version's production data moved from its reference data",
        "feature windows (CSV or Parquet) or Evidently reports"),
    PlaceholderView(
        "Reviews", "signed promotion reviews of each version by the board",
        "the reviews the board signs here, over the evidence imported for the version"),
    PlaceholderView(
        "Audit", "the tamper-evident trail of every import, review and signature",
        "everything done in this workspace; imports made now are already recorded"),
    PlaceholderView(
        "Reports", "PDF model cards and audit reports, ready to file",
        "the models and evidence imported into this workspace"),
]
HOME_VIEW = "Inventory"
"""The board's home (UI.md): every model and what needs attention; Models is the registry."""
VIEW_NAMES: list[str] = [HOME_VIEW, "Models"] + [
    view.name for view in PLACEHOLDERS if view.name != HOME_VIEW]
"""The navigation order, which is also the order of the Ctrl+1 … Ctrl+8 shortcuts."""
OLD_VIEW_ORDER: tuple[str, ...] = ("Models", "Lineage", "Fairness", "Drift", "Reviews", "Audit",
                                   "Reports", "Inventory")
"""The order before Inventory became the home: the last view was saved as an index into it."""


def view_index(name: str) -> int:
    """The navigation row of view ``name`` (ValueError for a name that is no view)."""
    return VIEW_NAMES.index(name)


def remembered_view(name: object, old_index: object) -> str:
    """The view to show at start from what settings hold: the view's name (saved since
    Inventory came first), else an index saved by an older version in :data:`OLD_VIEW_ORDER`,
    else the home view. Anything unreadable falls back to the home view, never an error."""
    if isinstance(name, str) and name in VIEW_NAMES:
        return name
    try:
        index = int(old_index)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return HOME_VIEW
    return OLD_VIEW_ORDER[index] if 0 <= index < len(OLD_VIEW_ORDER) else HOME_VIEW


def placeholder_panel(view: PlaceholderView, on_import: Callable[[], None]) -> EmptyStatePanel:
    """The empty state of a view to come, with the Import button that gathers its data now."""
    sentence = (f"It will show {view.shows}. What fills it: {view.filled_by}. Import your "
                "registry now, so its versions are ready when the view arrives.")
    return EmptyStatePanel(f"{view.name} arrives in a coming release", sentence,
                           [("Import…", on_import)])


class _PaddedItemDelegate(QStyledItemDelegate):
    """Rows with room around the text, drawn by the style (so they follow the palette).

    A style sheet would pad them too, but it freezes the palette it was polished with and
    the list would stay light when the system turns dark.
    """

    PAD_X, PAD_Y = 10, 7

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width() + 2 * self.PAD_X, size.height() + 2 * self.PAD_Y)

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802
                        index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        # Indent the text without shrinking the highlighted row: an invisible leading gap.
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
        option.decorationSize = QSize(self.PAD_X - 4, 1)
        option.icon = QIcon()


class NavigationList(QListWidget):
    """One row per view, with its Ctrl+N shortcut in the tooltip; narrow so views get the room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItems(VIEW_NAMES)
        self.setMaximumWidth(180)
        self.setItemDelegate(_PaddedItemDelegate(self))
        self.setAccessibleName("Views")
        for row, name in enumerate(VIEW_NAMES):
            self.item(row).setToolTip(f"{name} (Ctrl+{row + 1})")
