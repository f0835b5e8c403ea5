"""Origins in the Models view and platform fairness evidence in the Fairness view, on a real
workspace holding SageMaker, Vertex AI and W&B imports, a Clarify report and its input table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.fairness_view import FairnessPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLARIFY = FIXTURES / "sagemaker" / "clarify"


@pytest.fixture(scope="module")
def _cloud_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cloud") / "cloud.db"
    with Workspace.open(f"sqlite:///{path}") as ws:
        for source in (FIXTURES / "sagemaker" / "registry" / "cli-v2-iso8601",
                       FIXTURES / "vertex" / "credit" / "api", FIXTURES / "wandb" / "credit-risk"):
            import_path(ws, source)
        import_path(ws, CLARIFY / "analysis.json", model="loan-approval:2")
        import_path(ws, CLARIFY / "input.csv", model="loan-approval:2",
                    settings={"label": "approved", "prediction": "predicted",
                              "sensitive": ["sex", "age"], "bootstrap": 0})
    return path


@pytest.fixture
def cloud_url(_cloud_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "cloud.db"
    target.write_bytes(_cloud_template.read_bytes())
    return f"sqlite:///{target}"


def _column(model, title: str) -> int:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def test_versions_show_their_origin_icon_and_source_id(open_window, cloud_url: str, qtbot,
                                                       qtmodeltester) -> None:
    window = open_window(cloud_url, wait_detail=False)
    window.show_view_named("Models")  # the window opens on the Inventory, the home
    panel = window.models_panel
    window.selection.select("loan-approval", 2)
    qtbot.waitUntil(lambda: panel.detail_panel.detail is not None
                    and panel.detail_panel.detail.version.ref == "loan-approval:2",
                    timeout=10_000)
    model = panel.versions_model
    column = _column(model, "Origin")
    row = model.row_for_version(2)
    index = model.index(row, column)
    assert index.data() == "SageMaker"
    assert "model-package/loan-approval/2" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "says Rejected" in index.data(Qt.ItemDataRole.ToolTipRole)
    icon = index.data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(icon, QIcon) and not icon.pixmap(16, 16).isNull()
    label = panel.detail_panel.origin_label
    assert label.isVisible()
    assert "SageMaker says <b>Rejected</b>" in label.text() and "read-only" in label.text()
    qtmodeltester.check(model)
    for name, version, word in (("credit-risk-scorer", 2, "Vertex AI"),
                                ("credit-risk-model", 3, "W&B")):
        window.selection.select(name, version)
        qtbot.waitUntil(lambda n=name: panel.model is not None and panel.model.name == n,
                        timeout=10_000)
        cell = model.index(model.row_for_version(version), column)
        assert cell.data() == word


@pytest.fixture
def make_panel(qtbot) -> Iterator:
    opened: list[tuple[Workspace, TaskRunner]] = []

    def make(url: str, name: str, version: int) -> FairnessPanel:
        ws = Workspace.open(url)
        runner = TaskRunner()
        ctx = ViewContext(ws, Selection(), runner, lambda: None, lambda _n: None)
        panel = FairnessPanel(ctx)
        qtbot.addWidget(panel)
        panel.resize(1200, 800)
        panel.show()
        opened.append((ws, runner))
        ctx.selection.select(name, version)
        qtbot.waitUntil(lambda: panel.platform_panel.isVisible(), timeout=20_000)
        return panel

    yield make
    for ws, runner in opened:
        runner.shutdown()
        ws.close()


def test_clarify_numbers_beside_the_apps_with_verdicts(make_panel, cloud_url: str,
                                                        qtmodeltester) -> None:
    platform = make_panel(cloud_url, "loan-approval", 2).platform_panel
    model = platform.clarify_model
    qtmodeltester.check(model)
    rows = {(r.facet, r.metric): r for r in model.rows()}
    di = model.index(model.rows().index(rows[("sex", "DI")]), _column(model, "Verdict"))
    assert di.data() == "✓ agrees"
    assert model.index(di.row(), _column(model, "App's name")).data() == "selection_rate ratio"
    assert model.index(di.row(), _column(model, "Clarify")).data() == "0.8514"
    kl = model.index(model.rows().index(rows[("sex", "KL")]), _column(model, "Verdict"))
    assert kl.data() == "○ not compared"
    assert "does not compute" in kl.data(Qt.ItemDataRole.ToolTipRole)
    assert "agree on all 20 numbers" in platform.summary_label.text()


def test_vertex_slices_of_a_version(make_panel, cloud_url: str, qtmodeltester) -> None:
    platform = make_panel(cloud_url, "credit-risk-scorer", 3).platform_panel
    model = platform.slices_model
    qtmodeltester.check(model)
    assert platform.tabs.currentIndex() == 1
    slices = [model.index(r, _column(model, "Slice")).data() for r in range(model.rowCount())]
    assert sorted(slices) == ["sex = female", "sex = male"]
    aucs = [model.index(r, _column(model, "AUC ROC")).data() for r in range(model.rowCount())]
    assert all(a not in ("", "—") for a in aucs)


KILLED_RUN = next((FIXTURES / "wandb" / "killed" / "wandb").glob("offline-run-*"))


def test_import_dialog_keeps_what_precedes_a_damaged_wandb_record(open_window, empty_url: str,
                                                                   qtbot) -> None:
    window = open_window(empty_url, wait_detail=False)
    dialog = window.open_import_dialog([KILLED_RUN])
    assert not dialog.partial_check.isChecked()
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.last_error is not None, timeout=20_000)
    assert "byte offset" in str(dialog.last_error)
    dialog.error_dialog.close()
    dialog.partial_check.setChecked(True)
    dialog.start_import()
    qtbot.waitUntil(lambda: len(dialog.records) == 1, timeout=20_000)
    assert dialog.records[0].counts["partial_logs"] == 1
    dialog.reject()
