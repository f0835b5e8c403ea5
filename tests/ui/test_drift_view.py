"""The Drift view with real widgets on a real workspace holding Evidently's weekly exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.drift_models import DriftAlertTableModel, alerts_of
from governance_app.ui.drift_view import DriftPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.workers import TaskRunner

REPO = Path(__file__).parents[2]
EVIDENTLY = REPO / "tests" / "fixtures" / "evidently"
SCREENSHOTS = REPO / "docs" / "screenshots"
WAIT_MS = 15_000


@pytest.fixture
def drift_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, REPO / "resources" / "demo" / "registry.json")
        import_path(ws, EVIDENTLY / "legacy", model="credit_default:3")
    return url


@pytest.fixture
def harness(qtbot, drift_url: str):
    ws = Workspace.open(drift_url)
    runner = TaskRunner()
    imports: list[bool] = []
    ctx = ViewContext(ws, Selection(), runner, lambda: imports.append(True), lambda _n: None)
    panel = DriftPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1280, 760)
    panel.show()
    yield panel, ctx, imports
    panel.close()
    runner.shutdown()
    ws.close()


def _select(qtbot, panel: DriftPanel, ctx: ViewContext, name: str, version: int) -> None:
    with qtbot.waitSignal(panel.sig_results_shown, timeout=WAIT_MS):
        ctx.selection.select(name, version)


def test_the_view_is_registered() -> None:
    assert "Drift" in view_factories()


def test_heatmap_alerts_and_first_alert_selected(qtbot, harness) -> None:
    panel, ctx, _ = harness
    _select(qtbot, panel, ctx, "credit_default", 3)
    assert panel.pages.currentWidget() is panel.splitter
    assert len(panel.results) == 8
    assert panel.heatmap.figure is not None
    assert "Drift by feature and window" in panel.heatmap.figure.axes[0].get_title()
    expected_alerts = sum(r.drift.n_drifted for r in panel.results)
    assert panel.alerts_model.rowCount() == expected_alerts > 0
    first = panel.alerts_model.row_at(0)
    assert (panel.current_window, panel.current_feature) == (first.window_index,
                                                              first.column.column)
    qtbot.waitUntil(lambda: "Evidently" in panel.distribution_note.text(), timeout=WAIT_MS)
    assert "1 windows" not in panel.summary_label.text() and "8 windows" in \
        panel.summary_label.text()


def test_selecting_a_cell_updates_the_line_chart(qtbot, harness) -> None:
    panel, ctx, _ = harness
    _select(qtbot, panel, ctx, "credit_default", 3)
    with qtbot.waitSignal(panel.sig_distribution_shown, timeout=WAIT_MS):
        panel.select_cell(6, "num_accounts")
    assert panel.lines.figure.axes[0].get_title().startswith("num_accounts")
    assert panel.feature_combo.currentText() == "num_accounts"
    row = panel.alerts_model.row_for(6, "num_accounts")
    assert panel.alerts_table.selected_source_rows() == [row]
    with qtbot.waitSignal(panel.sig_distribution_shown, timeout=WAIT_MS):
        panel.feature_combo.setCurrentText("age")
    assert panel.lines.figure.axes[0].get_title().startswith("age")


def test_alert_row_selects_its_cell_and_sorts(qtbot, harness) -> None:
    panel, ctx, _ = harness
    _select(qtbot, panel, ctx, "credit_default", 3)
    table = panel.alerts_table
    table.sortByColumn(3, table.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    top = panel.alerts_model.row_at(table.proxy.mapToSource(table.proxy.index(0, 0)).row())
    assert top.column.score == max(a.column.score for a in panel.alerts_model.rows())
    with qtbot.waitSignal(panel.sig_cell_selected, timeout=WAIT_MS):
        table.selectRow(0)
    assert (panel.current_window, panel.current_feature) == (top.window_index,
                                                              top.column.column)
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)


def test_filter_by_feature(qtbot, harness) -> None:
    panel, ctx, _ = harness
    _select(qtbot, panel, ctx, "credit_default", 3)
    panel.set_filter_text("util")
    assert panel.visible_features() == ["utilization"]
    assert [panel.feature_combo.itemText(i) for i in range(panel.feature_combo.count())] == [
        "utilization"]
    rows = panel.alerts_table.proxy.rowCount()
    assert rows == sum(1 for a in panel.alerts_model.rows() if a.column.column == "utilization")
    assert panel.heatmap.figure.axes[0].get_yticklabels()[0].get_text() == "utilization"
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)


def test_empty_state_for_a_version_without_drift(qtbot, harness) -> None:
    panel, ctx, imports = harness
    _select(qtbot, panel, ctx, "credit_default", 4)
    assert panel.pages.currentWidget() is panel.empty_state
    panel.empty_state.buttons[0].click()
    assert imports == [True]


def test_alert_model_passes_qtmodeltester(qtmodeltester, harness, qtbot) -> None:
    panel, ctx, _ = harness
    _select(qtbot, panel, ctx, "credit_default", 3)
    model = DriftAlertTableModel(alerts_of(panel.results))
    qtmodeltester.check(model)
    qtmodeltester.check(panel.alerts_table.proxy)
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)


def test_screenshot(qtbot, harness, tmp_path: Path) -> None:
    panel, ctx, _ = harness
    _select(qtbot, panel, ctx, "credit_default", 3)
    qtbot.waitUntil(lambda: "Evidently" in panel.distribution_note.text(), timeout=WAIT_MS)
    qtbot.wait(300)
    out = tmp_path / "drift.png"
    assert panel.grab().save(str(out))
    assert out.stat().st_size > 10_000


def test_a_computed_cell_shows_its_source_distributions(qtbot, harness, tmp_path) -> None:
    from governance_app.services import drift as drift_service
    from tests.services.test_drift import monitoring_table

    panel, ctx, _ = harness
    drift_service.compute_history(monitoring_table(tmp_path), "ts", "7D",
                                  EVIDENTLY / "reference.csv", ws=ctx.workspace,
                                  model="credit_default:4")
    _select(qtbot, panel, ctx, "credit_default", 4)
    assert {r.source_kind for r in panel.results} == {"computed"}
    with qtbot.waitSignal(panel.sig_distribution_shown, timeout=WAIT_MS) as blocker:
        panel.select_cell(5, "region")
    dist = blocker.args[0]
    assert dist.categorical and len(dist.current) == 800 and len(dist.reference) == 5000
    assert "region in" in panel.distribution.figure.axes[0].get_title()
    with qtbot.waitSignal(panel.sig_distribution_shown, timeout=WAIT_MS) as blocker:
        panel.select_cell(0, "income")
    assert not blocker.args[0].categorical and len(blocker.args[0].current) == 3000
