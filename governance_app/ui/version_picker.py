"""The toolbar's Model and Version combos, bound both ways to the shared :class:`Selection`.

Choosing in a combo selects for every view; a choice made in a view shows in the combos. The
``_syncing`` flag stops the combos' own change signals from echoing a programmatic update back
into the selection.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from governance_app.domain.registry import RegisteredModel
from governance_app.domain.views import ModelSummary
from governance_app.ui.selection import SelectedVersion, Selection


class VersionPicker(QObject):
    """Adds the labelled combos to ``bar``; fed by the Models view's ``sig_*_loaded`` signals."""

    def __init__(self, bar: QToolBar, selection: Selection) -> None:
        super().__init__(bar)
        self.selection = selection
        self.summaries: list[ModelSummary] = []
        self._syncing = False
        self.model_combo = QComboBox()
        self.model_combo.setMinimumContentsLength(18)
        self.model_combo.setToolTip("The model every view shows (Alt+M)")
        self.model_combo.currentIndexChanged.connect(self._on_model_combo_current_index_changed)
        self.version_combo = QComboBox()
        self.version_combo.setMinimumContentsLength(12)
        self.version_combo.setToolTip("The version every view shows (Alt+V)")
        self.version_combo.currentIndexChanged.connect(self._on_version_combo_current_index_changed)
        for text, combo in ((" &Model: ", self.model_combo), ("  &Version: ", self.version_combo)):
            label = QLabel(text)
            label.setBuddy(combo)  # Alt+M / Alt+V reach the combos from the keyboard
            bar.addWidget(label)
            bar.addWidget(combo)
        self._unsubscribe = selection.subscribe(self._on_selection_changed)

    def close(self) -> None:
        """Stop listening to the selection (the window is closing)."""
        self._unsubscribe()

    def show_models(self, summaries: list[ModelSummary]) -> None:
        self.summaries = list(summaries)
        self._syncing = True
        self.model_combo.clear()
        for summary in summaries:
            self.model_combo.addItem(summary.name, summary.name)
        self.model_combo.setEnabled(bool(summaries))
        self._syncing = False
        self._on_selection_changed(self.selection.current)

    def show_versions(self, model: RegisteredModel) -> None:
        self._syncing = True
        self.version_combo.clear()
        for version in sorted(model.versions, key=lambda v: v.version, reverse=True):
            label = f"v{version.version} · {version.stage}"
            if version.aliases:
                label += " · " + ", ".join(f"@{a}" for a in version.aliases)
            self.version_combo.addItem(label, version.version)
        self._syncing = False
        self._on_selection_changed(self.selection.current)

    def _on_selection_changed(self, current: SelectedVersion) -> None:
        self._syncing = True
        self.model_combo.setCurrentIndex(self.model_combo.findData(current.model_name))
        self.version_combo.setCurrentIndex(self.version_combo.findData(current.version))
        self._syncing = False

    def _on_model_combo_current_index_changed(self, _index: int) -> None:
        name = self.model_combo.currentData()
        if not self._syncing and name and name != self.selection.model_name:
            summary = next((s for s in self.summaries if s.name == name), None)
            self.selection.select(name, summary.latest_version if summary else None)

    def _on_version_combo_current_index_changed(self, _index: int) -> None:
        version = self.version_combo.currentData()
        if not self._syncing and version is not None and self.selection.model_name:
            self.selection.select(self.selection.model_name, version)
