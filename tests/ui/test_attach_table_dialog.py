"""Attaching a prediction table from the GUI: MLflow's fixture registry, the Titanic prediction
table attached to ``loan_approval`` version 2 through the dialog, checked against Fairlearn's
numbers in the Fairness view afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from governance_app.errors import ImportCancelled, InputError
from governance_app.services.fairness import fairness_results
from governance_app.services.workspace import Workspace
from governance_app.ui.attach_table_dialog import AttachTableDialog
from governance_app.ui.error_dialog import ErrorDialog
from governance_app.ui.fairness_view import FairnessPanel
from governance_app.ui.item_models import COPY_ROLE
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner

REPO = Path(__file__).resolve().parents[2]
PREDICTIONS = REPO / "tests" / "fixtures" / "fairness" / "predictions.csv"
EXPECTED = json.loads((REPO / "tests/fixtures/fairness/expected.json").read_text())
ORACLE_COLUMNS = {"selection_rate": "Selection rate", "true_positive_rate": "TPR",
                  "false_positive_rate": "FPR", "precision": "Precision", "accuracy": "Accuracy"}


@pytest.fixture
def panel_on(qtbot) -> Iterator[Callable[[str], FairnessPanel]]:
    """Factory: a shown Fairness panel on a workspace, ``loan_approval`` v2 selected."""
    opened: list[tuple[Workspace, TaskRunner]] = []

    def make(url: str) -> FairnessPanel:
        ws, runner = Workspace.open(url), TaskRunner()
        ctx = ViewContext(ws, Selection(), runner, lambda: None, lambda _name: None)
        panel = FairnessPanel(ctx)
        qtbot.addWidget(panel)
        panel.resize(1100, 700)
        opened.append((ws, runner))
        with qtbot.waitSignal(panel.sig_results_loaded, timeout=20_000):
            panel.show()
            ctx.selection.select("loan_approval", 2)
        return panel

    yield make
    for ws, runner in opened:
        runner.shutdown()
        ws.close()


def _open_from_empty_state(panel: FairnessPanel, qtbot) -> AttachTableDialog:
    assert panel.pages.currentWidget() is panel.empty_state
    button = next(b for b in panel.empty_state.buttons
                  if b.text() == "Attach prediction table…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = panel.attach_dialog
    assert isinstance(dialog, AttachTableDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Attach prediction table to loan_approval v2"
    return dialog


def _column(model, title: str) -> int:
    return [model.headerData(c, Qt.Orientation.Horizontal)
            for c in range(model.columnCount())].index(title)


def _items(widget: QListWidget) -> list[str]:
    return [widget.item(r).data(Qt.ItemDataRole.UserRole) for r in range(widget.count())]


def test_attach_from_the_fairness_view_shows_fairlearns_numbers(
        panel_on, mlflow_url: str, qtbot, qtmodeltester) -> None:
    panel = panel_on(mlflow_url)
    dialog = _open_from_empty_state(panel, qtbot)
    form = dialog.form
    assert not dialog.attach_button.isEnabled()
    assert "Choose a CSV or Parquet" in form.summary_label.text()

    dialog.set_path(PREDICTIONS)
    # The file's own columns, with the suggested roles already chosen.
    assert form.label_combo.currentData() == "label"
    assert form.prediction_combo.currentData() == "prediction"
    assert form.score_combo.currentData() == "score"
    assert _items(form.sensitive_list)[:4] == ["gender", "class", "embarked", "age_group"]
    assert "age" in [form.bins_combo.itemData(i) for i in range(form.bins_combo.count())]
    assert "11 columns" in form.table_label.text()
    for model in (form.sensitive_list.model(), form.features_list.model(),
                  form.label_combo.model()):
        qtmodeltester.check(model)
    assert "Check at least one sensitive attribute" in form.summary_label.text()
    assert not dialog.attach_button.isEnabled()

    form.set_checked(form.sensitive_list, ["gender", "class"])
    assert form.checked(form.sensitive_list) == ["gender", "class"]
    assert dialog.attach_button.isEnabled()
    summary = form.summary_label.text()
    assert "loan_approval:2" in summary and "predictions.csv" in summary
    assert "<b>gender, class</b>" in summary and "rows stay in the file" in summary
    assert form.settings() == {"label": "label", "prediction": "prediction",
                               "sensitive": ["gender", "class"], "min_group_size": 30,
                               "bootstrap": 200}

    with qtbot.waitSignal(dialog.sig_attached, timeout=60_000) as attached:
        qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
        assert dialog.pages.currentIndex() == 1  # progress, with Cancel
    record = attached.args[0]
    assert record.kind == "predictions" and record.counts["rows"] == EXPECTED["rows"]
    assert dialog.pages.currentIndex() == 2
    assert f"import #{record.id}" in dialog.result_label.text()
    qtmodeltester.check(dialog.counts_model)
    qtmodeltester.check(dialog.changes_model)
    assert dialog.changes_model.rowCount() >= 1

    # The view reloads by itself and shows the group table of what was attached.
    qtbot.waitUntil(lambda: panel.analysis is not None, timeout=20_000)
    panel.controls.select_attributes(("gender",))
    model = panel.groups_model
    rows = {model.row_at(r).label: r for r in range(model.rowCount())}
    expected = EXPECTED["by_attribute"]["gender"]
    assert sorted(rows) == sorted([*expected["groups"], "overall"])
    for group, values in expected["groups"].items():
        for name, title in ORACLE_COLUMNS.items():
            shown = model.index(rows[group], _column(model, title)).data(COPY_ROLE)
            assert float(shown) == pytest.approx(values[name], abs=1e-12), (group, name)
    dialog.accept()
    # With results shown, the view's own button attaches another table.
    qtbot.mouseClick(panel.attach_button, Qt.MouseButton.LeftButton)
    assert panel.attach_dialog is not dialog and panel.attach_dialog.isVisible()
    panel.attach_dialog.reject()


def test_numeric_bins_score_and_threshold(panel_on, mlflow_url: str, qtbot) -> None:
    panel = panel_on(mlflow_url)
    dialog = _open_from_empty_state(panel, qtbot)
    form = dialog.form
    dialog.set_path(PREDICTIONS)
    form.score_radio.setChecked(True)
    form.threshold_spin.setValue(0.4)
    form.set_checked(form.sensitive_list, ["gender"])
    form.bins_combo.setCurrentIndex(form.bins_combo.findData("age"))
    form.bins_edit.setText("0, 18, 40")
    form.reference_edit.setText("male|[18, 40)")
    form.bootstrap_spin.setValue(0)
    assert form.settings()["bins"] == {"age": [0.0, 18.0, 40.0]}
    assert "<b>age</b> bucketed at 0, 18, 40" in form.summary_label.text()
    form.bins_edit.setText("0, x")
    assert not dialog.attach_button.isEnabled() and "not a number" in form.summary_label.text()
    # Declared bins that leave ages out: the import refuses, the error dialog names why.
    form.bins_edit.setText("0, 18, 40")
    with qtbot.waitSignal(dialog.runner.sig_ended, timeout=60_000):
        dialog.start_attach()
    qtbot.waitUntil(lambda: dialog.last_error is not None)
    assert isinstance(dialog.last_error, InputError)
    assert "outside the declared bins" in str(dialog.last_error)
    assert isinstance(dialog.error_dialog, ErrorDialog) and dialog.pages.currentIndex() == 0
    dialog.error_dialog.close()

    form.bins_edit.setText("0, 18, 40, 65, 80")
    with qtbot.waitSignal(dialog.sig_attached, timeout=60_000):
        dialog.start_attach()
    with Workspace.open(mlflow_url) as ws:
        [stored] = fairness_results(ws, "loan_approval", 2)
    settings = stored.analysis.settings
    assert settings["score"] == "score" and settings["threshold"] == pytest.approx(0.4)
    assert settings["sensitive"] == ["gender", "age"]
    assert settings["bins"] == {"age": [0.0, 18.0, 40.0, 65.0, 80.0]}
    assert settings["reference"] == "male|[18, 40)" and settings["bootstrap"] == 0
    dialog.accept()


def test_cancel_stores_nothing(panel_on, mlflow_url: str, qtbot) -> None:
    panel = panel_on(mlflow_url)
    dialog = _open_from_empty_state(panel, qtbot)
    dialog.set_path(PREDICTIONS)
    dialog.form.set_checked(dialog.form.sensitive_list, ["gender"])
    start = dialog.runner.start

    def cancel_first(worker):  # the user pressed Cancel before the pool got to it
        worker.cancel()
        return start(worker)

    dialog.runner.start = cancel_first  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.runner.sig_ended, timeout=60_000):
        dialog.start_attach()
    qtbot.waitUntil(lambda: dialog.last_error is not None)
    assert isinstance(dialog.last_error, ImportCancelled)
    assert dialog.pages.currentIndex() == 0
    assert "nothing from this table was stored" in dialog.form.summary_label.text()
    with Workspace.open(mlflow_url) as ws:
        assert fairness_results(ws, "loan_approval", 2) == []
    dialog.reject()


def test_unreadable_table_goes_to_the_error_dialog(panel_on, mlflow_url: str, qtbot,
                                                   tmp_path: Path) -> None:
    panel = panel_on(mlflow_url)
    dialog = _open_from_empty_state(panel, qtbot)
    broken = tmp_path / "broken.csv"
    broken.write_text("label,prediction,g\n1,0,a\n0,1,b,c\n", encoding="utf-8")
    dialog.set_path(broken)
    assert isinstance(dialog.form.error_dialog, ErrorDialog)
    assert "line 3" in str(dialog.form.last_error)
    assert dialog.form.label_combo.count() == 1 and not dialog.attach_button.isEnabled()
    dialog.form.error_dialog.close()
    dialog.reject()


def test_file_menu_opens_it_for_the_current_version(open_window, mlflow_url: str,
                                                    qtbot) -> None:
    window = open_window(mlflow_url)
    assert window.attach_action in window.menuBar().actions()[0].menu().actions()
    window.selection.select("loan_approval", 2)
    window.attach_action.trigger()
    dialog = next(d for d in window.findChildren(AttachTableDialog) if d.isVisible())
    assert dialog.windowTitle() == "Attach prediction table to loan_approval v2"
    dialog.reject()


def test_attach_through_duckdb_records_the_engine(panel_on, mlflow_url: str, qtbot,
                                                  tmp_path: Path) -> None:
    panel = panel_on(mlflow_url)
    dialog = _open_from_empty_state(panel, qtbot)
    form = dialog.form
    dialog.set_path(PREDICTIONS)
    form.set_checked(form.sensitive_list, ["gender", "class"])
    form.engine_combo.setCurrentIndex(form.engine_combo.findData("duckdb"))
    assert form.settings()["engine"] == "duckdb"
    assert "counted by DuckDB" in form.summary_label.text()
    dialog.resize(900, 700)
    dialog.grab().save(str(tmp_path / "attach-engine.png"))
    with qtbot.waitSignal(dialog.sig_attached, timeout=60_000) as attached:
        qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    assert attached.args[0].counts["rows"] == EXPECTED["rows"]
    dialog.accept()
    with Workspace.open(mlflow_url) as ws:
        [stored] = fairness_results(ws, "loan_approval", 2)
    computation = stored.analysis.computation
    assert computation["engine"] == "duckdb" and computation["version"]
    gender = stored.analysis.analysis("gender").report
    female = gender.group(("female",)).metrics["selection_rate"].value
    assert female == pytest.approx(
        EXPECTED["by_attribute"]["gender"]["groups"]["female"]["selection_rate"], abs=1e-12)
