"""The main window during a meeting: typing a filter never moves the board off the version it
is reviewing, and opening a window prints no Qt warnings."""

from __future__ import annotations

from governance_app.ui.selection import SelectedVersion


def test_typing_and_clearing_the_filter_never_changes_the_current_version(
        open_window, demo_url: str, qtbot) -> None:
    window = open_window(demo_url)
    window.show_view_named("Models")  # the filter box filters the current view
    window.selection.select("credit_default", 4)
    qtbot.waitUntil(lambda: window.models_panel.detail_panel.detail is not None
                    and window.models_panel.detail_panel.detail.version.version == 4)
    seen: list[SelectedVersion] = []
    window.selection.subscribe(seen.append)
    panel = window.models_panel
    for text in ("f", "fr", "fraud"):  # typed letter by letter, as a user does
        window.search_edit.setText(text)
    assert panel.models_table.proxy.rowCount() < panel.models_model.rowCount()
    assert "credit_default" not in [panel.models_table.proxy.index(r, 0).data()
                                    for r in range(panel.models_table.proxy.rowCount())]
    window.search_edit.clear()
    assert seen == []  # no change was ever announced
    assert window.selection.current == SelectedVersion("credit_default", 4)
    assert window.model_combo.currentText() == "credit_default"
    row = panel.models_model.row_for_name("credit_default")
    assert panel.models_table.selected_source_rows() == [row]  # highlighted again


def test_opening_the_window_prints_no_status_bar_warning(open_window, mlflow_url: str,
                                                         qtlog) -> None:
    window = open_window(mlflow_url)
    messages = [record.message for record in qtlog.records]
    assert not [m for m in messages if "insertPermanentWidget" in m], messages
    permanent = window.chain_status.label
    assert permanent.isVisible() and permanent.parent() is not None
    # The chain label sits left of the task area, which shows while a check runs.
    assert permanent.x() < window.task_label.x() or not window.task_label.isVisible()
