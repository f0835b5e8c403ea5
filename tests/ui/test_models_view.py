"""The Models view on real workspaces built from MLflow's own fixture store and the demo bundle."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from governance_app.errors import ImportCancelled, InputError
from governance_app.services.models import get_model, get_version_detail, list_models
from governance_app.services.workspace import Workspace
from governance_app.ui.comparison_models import MetricDeltaTableModel, ParamDiffTableModel
from governance_app.ui.error_dialog import ErrorDialog
from governance_app.ui.item_models import SORT_ROLE, RecordSortFilterProxy
from governance_app.ui.registry_models import (
    CountTableModel,
    KeyValueTableModel,
    MetricTableModel,
    ModelSummaryTableModel,
    TagTableModel,
    VersionTableModel,
)

REPO = Path(__file__).resolve().parents[2]
MLFLOW_DB = REPO / "tests" / "fixtures" / "mlflow" / "mlflow.db"
EXPECTED = json.loads((REPO / "tests/fixtures/mlflow/expected.json").read_text())


def _column(model, title: str) -> int:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def _cells(model, title: str, role=Qt.ItemDataRole.DisplayRole) -> list:
    column = _column(model, title)
    return [model.index(r, column).data(role) for r in range(model.rowCount())]


def _select_versions(panel, *versions: int) -> None:
    table = panel.versions_table
    table.clearSelection()
    for version in versions:
        source = panel.versions_model.index(panel.versions_model.row_for_version(version), 0)
        table.selectionModel().select(
            table.proxy.mapFromSource(source),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_models_table_shows_the_registry(open_window, mlflow_url: str) -> None:
    panel = open_window(mlflow_url).models_panel
    proxy = panel.models_table.proxy

    assert _cells(proxy, "Model") == ["loan_approval", "readmission_risk"]
    assert _cells(proxy, "Latest version") == ["v3", "v2"]
    assert _cells(proxy, "Owner") == ["risk-analytics", "risk-analytics"]
    assert _cells(proxy, "Aliases")[0] == "@challenger → v3, @champion → v2"
    # Local time with the zone named, numbers right-aligned, description in the name's tooltip.
    zone = datetime.now().astimezone().tzname()
    assert all(cell.endswith(f" {zone}") for cell in _cells(proxy, "Last updated"))
    align = proxy.index(0, _column(proxy, "Latest version")).data(
        Qt.ItemDataRole.TextAlignmentRole)
    assert Qt.AlignmentFlag(align) & Qt.AlignmentFlag.AlignRight
    tooltip = proxy.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == EXPECTED["models"]["loan_approval"]["description"]
    assert panel.count_label.text() == "2 models"


def test_search_filters_as_you_type(open_window, mlflow_url: str, qtbot) -> None:
    window = open_window(mlflow_url)
    window.show_view_named("Models")  # the filter box filters the current view
    panel = window.models_panel

    qtbot.keyClicks(window.search_edit, "READM")
    assert _cells(panel.models_table.proxy, "Model") == ["readmission_risk"]
    assert panel.count_label.text() == "showing 1 of 2 models"
    # Any column matches: the owner of both models.
    window.search_edit.setText("risk-analytics")
    assert panel.models_table.proxy.rowCount() == 2
    window.search_edit.setText("no such model")
    assert panel.models_table.proxy.rowCount() == 0
    window.search_edit.clear()
    assert panel.models_table.proxy.rowCount() == 2


def test_sorting_is_by_value_not_text(open_window, demo_url: str) -> None:
    panel = open_window(demo_url).models_panel
    table = panel.models_table
    table.sortByColumn(_column(table.proxy, "Latest version"), Qt.SortOrder.DescendingOrder)
    versions = [table.proxy.index(r, 1).data(SORT_ROLE) for r in range(table.proxy.rowCount())]
    assert versions == sorted(versions, reverse=True)
    table.sortByColumn(_column(table.proxy, "Last updated"), Qt.SortOrder.AscendingOrder)
    stamps = [table.proxy.index(r, 5).data(SORT_ROLE) for r in range(table.proxy.rowCount())]
    assert stamps == sorted(stamps)


def test_select_model_and_version_shows_its_evidence(open_window, mlflow_url: str,
                                                     qtbot) -> None:
    window = open_window(mlflow_url)
    panel = window.models_panel
    # Opening selects the first model's latest version.
    assert window.selection.current.model_name == "loan_approval"
    assert window.selection.current.version == 3

    with qtbot.waitSignal(panel.sig_detail_shown, timeout=10_000) as shown:
        panel.models_table.select_source_row(panel.models_model.row_for_name("readmission_risk"))
    assert shown.args[0].version.ref == "readmission_risk:2"
    assert window.model_combo.currentText() == "readmission_risk"
    assert window.version_combo.currentData() == 2

    with qtbot.waitSignal(panel.sig_detail_shown, timeout=10_000) as shown:
        _select_versions(panel, 1)
    detail = shown.args[0]
    expected = EXPECTED["models"]["readmission_risk"]["versions"]["1"]
    assert window.selection.current.version == 1
    assert window.version_combo.currentData() == 1
    assert "readmission_risk v1 · Production" in panel.detail_panel.title_label.text()

    dp = panel.detail_panel
    assert dict(dp.params_model.rows()) == expected["params"]
    assert ("validated", expected["tags"]["validated"], "version") in dp.tags_model.rows()
    metrics = {row[0]: row for row in dp.metrics_model.rows()}
    assert {k: v[1] for k, v in metrics.items()} == pytest.approx(expected["metrics"])
    auc_row = sorted(metrics).index("val_auc")
    cell = dp.metrics_model.index(auc_row, 1)
    assert cell.data() == f"{expected['metrics']['val_auc']:.4g}"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == repr(expected["metrics"]["val_auc"])
    # One chart per metric history, titled with the unit.
    titles = sorted(ax.get_title() for ax in dp.chart.figure.axes)
    assert titles == ["demographic_parity_ratio (0–1)", "val_auc (0–1)",
                      "val_logloss (unitless)"]
    assert all(len(ax.get_lines()[0].get_xdata()) == len(detail.run.metrics[key])
               for ax, key in zip(sorted(dp.chart.figure.axes, key=lambda a: a.get_title()),
                                  sorted(detail.run.metrics), strict=True))


def test_toolbar_combos_drive_the_shared_selection(open_window, mlflow_url: str,
                                                   qtbot) -> None:
    window = open_window(mlflow_url)
    panel = window.models_panel
    with qtbot.waitSignal(panel.sig_detail_shown, timeout=10_000):
        window.model_combo.setCurrentIndex(window.model_combo.findData("readmission_risk"))
    assert panel.models_table.selected_source_rows() == [
        panel.models_model.row_for_name("readmission_risk")]
    with qtbot.waitSignal(panel.sig_detail_shown, timeout=10_000) as shown:
        window.version_combo.setCurrentIndex(window.version_combo.findData(1))
    assert shown.args[0].version.version == 1
    assert [panel.versions_model.row_at(r).version
            for r in panel.versions_table.selected_source_rows()] == [1]


def test_compare_two_versions(open_window, mlflow_url: str, qtbot) -> None:
    panel = open_window(mlflow_url).models_panel
    _select_versions(panel, 2, 3)
    assert panel.compare_button.isEnabled()
    assert panel.compare_button.text() == "Compare v2 with v3"

    with qtbot.waitSignal(panel.sig_comparison_shown, timeout=10_000) as shown:
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    comparison = shown.args[0]
    assert (comparison.a.version.version, comparison.b.version.version) == (2, 3)
    cp = panel.compare_panel
    assert panel.detail_stack.currentWidget() is cp
    assert cp.metrics_model.headerData(1, Qt.Orientation.Horizontal) == "a: v2"

    changes = dict(zip(_cells(cp.metrics_model, "Metric"), _cells(cp.metrics_model,
                                                                  "Change (b − a)"), strict=True))
    # Direction in words and arrows, not colour alone; lower log loss is better.
    assert changes["val_auc"].startswith("▲ +") and changes["val_auc"].endswith("better")
    assert changes["val_logloss"].startswith("▼ -") and changes["val_logloss"].endswith("better")
    params = {p.key: p for p in cp.params_model.rows()}
    assert params["max_depth"].a == "5" and params["max_depth"].b == "6"
    row = [p.key for p in cp.params_model.rows()].index("max_depth")
    assert cp.params_model.index(row, 3).data() == "● changed"
    assert cp.params_model.index(row, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "Parameters: 3 of 3 changed" in cp.summary_label.text()
    # Both versions' histories drawn on each metric's subplot, with a legend naming them.
    assert all(len(ax.get_lines()) == 2 for ax in cp.chart.figure.axes)
    assert [t.get_text() for t in cp.chart.figure.legends[0].get_texts()] == ["v2", "v3"]


def test_ctrl_c_copies_selected_rows_as_tsv(open_window, mlflow_url: str, qtbot) -> None:
    panel = open_window(mlflow_url).models_panel
    table = panel.detail_panel.metrics_table
    table.setFocus()
    table.selectAll()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0] == "Metric\tLatest value\tPoints"
    copied = {line.split("\t")[0]: line.split("\t")[1] for line in lines[1:]}
    # The copy has every digit, the cell shows four.
    expected = EXPECTED["models"]["loan_approval"]["versions"]["3"]["metrics"]
    assert copied["val_auc"] == repr(expected["val_auc"])


def test_empty_workspace_offers_import_and_demo(open_window, empty_url: str, qtbot) -> None:
    window = open_window(empty_url, wait_detail=False)
    panel = window.models_panel
    assert panel.pages.currentWidget() is panel.empty_state
    assert "Import an MLflow store" in panel.empty_state.sentence_label.text()
    assert [b.text() for b in panel.empty_state.buttons] == ["Import…", "Open demo"]
    qtbot.mouseClick(panel.empty_state.buttons[0], Qt.MouseButton.LeftButton)
    assert window.import_dialog is not None and window.import_dialog.isVisible()
    window.import_dialog.reject()


def test_import_through_the_worker_fills_the_view(open_window, empty_url: str, qtbot) -> None:
    window = open_window(empty_url, wait_detail=False)
    dialog = window.open_import_dialog()
    dialog.path_edit.setText(str(MLFLOW_DB))
    assert dialog.import_button.isEnabled()

    with qtbot.waitSignal(dialog.sig_imported, timeout=20_000) as imported:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert window.task_label.isVisible()  # the status bar shows the running import
    record = imported.args[0]
    assert record.counts["models"] == 2 and record.counts["versions"] == 5
    assert dialog.pages.currentIndex() == 2
    assert f"import #{record.id}" in dialog.result_label.text()
    assert ("models", 2) in dialog.counts_model.rows()
    assert dict(dialog.changes_model.rows()) == record.changes
    qtbot.waitUntil(lambda: window.models_panel.models_model.rowCount() == 2)
    assert window.models_panel.pages.currentWidget() is window.models_panel.splitter
    qtbot.waitUntil(lambda: not window.task_label.isVisible())
    dialog.accept()


def test_cancelled_import_stores_nothing(open_window, empty_url: str, qtbot) -> None:
    window = open_window(empty_url, wait_detail=False)
    dialog = window.open_import_dialog()
    dialog.set_paths([MLFLOW_DB])
    dialog.start_import()
    worker = dialog.worker
    with qtbot.waitSignal(worker.signals.sig_errored, timeout=20_000) as failed:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert isinstance(failed.args[0], ImportCancelled)
    assert dialog.pages.currentIndex() == 0
    assert "nothing from that source was stored" in dialog.note_label.text()
    assert dialog.error_dialog is None  # cancelling is not an error
    with Workspace.open(empty_url) as ws:
        assert list_models(ws) == []
    dialog.reject()


def test_broken_file_reaches_the_error_dialog(open_window, empty_url: str, tmp_path: Path,
                                              qtbot) -> None:
    broken = tmp_path / "broken-bundle.json"
    broken.write_text('{\n  "format": "governance-app/bundle",\n  "models": [\n    {"name": ,\n')
    window = open_window(empty_url, wait_detail=False)
    dialog = window.open_import_dialog()
    dialog.set_paths([broken])
    dialog.start_import()
    # The worker may fail before a signal spy could connect; wait on the dialog's state instead.
    qtbot.waitUntil(lambda: dialog.last_error is not None, timeout=20_000)
    error = dialog.last_error
    assert isinstance(error, InputError)
    shown = dialog.error_dialog
    assert isinstance(shown, ErrorDialog) and shown.isVisible()
    assert shown.headline_label.text().startswith("<b>Import of broken-bundle.json failed")
    assert not shown.details_edit.isVisible()
    qtbot.mouseClick(shown.details_button, Qt.MouseButton.LeftButton)
    assert shown.details_edit.isVisible()
    assert f"File: {broken}" in shown.details_edit.toPlainText()
    qtbot.mouseClick(shown.copy_button, Qt.MouseButton.LeftButton)
    assert str(broken) in QGuiApplication.clipboard().text()
    shown.close()
    dialog.reject()


def test_every_item_model_passes_qtmodeltester(qtmodeltester, mlflow_url: str) -> None:
    with Workspace.open(mlflow_url) as ws:
        summaries = list_models(ws)
        model = get_model(ws, "loan_approval")
        detail = get_version_detail(ws, "loan_approval", 3)
        from governance_app.services.models import compare_versions

        comparison = compare_versions(ws, "loan_approval", 2, 3)
    metrics = [(k, v, len(detail.run.metrics[k])) for k, v in detail.latest_metrics.items()]
    models = [
        ModelSummaryTableModel(summaries),
        VersionTableModel(model.versions),
        KeyValueTableModel(sorted(detail.run.params.items())),
        TagTableModel([(k, v, "version") for k, v in detail.version.tags.items()]),
        MetricTableModel(metrics),
        MetricDeltaTableModel(comparison.metrics),
        ParamDiffTableModel(comparison.params),
        CountTableModel([("models", 2), ("versions", 5)]),
        ModelSummaryTableModel([]),
    ]
    for item_model in models:
        assert item_model.rowCount() == len(item_model.rows())
        qtmodeltester.check(item_model, force_py=True)
        proxy = RecordSortFilterProxy()
        proxy.setSourceModel(item_model)
        proxy.sort(0, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(proxy, force_py=True)
