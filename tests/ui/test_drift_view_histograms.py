"""Evidently's histograms in the Drift view: a 0.7 snapshot's reference and current bins are
drawn per column (as Evidently's own UI does); a compact report, which holds none, says so
once, in the chart, not again below it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.drift_view import DriftPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner

REPO = Path(__file__).parents[2]
VERSIONS = REPO / "tests" / "fixtures" / "evidently_versions"
WAIT_MS = 15_000


@pytest.fixture
def panel(qtbot, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, REPO / "resources" / "demo" / "registry.json")
        import_path(ws, VERSIONS / "0.7.10" / "snapshot.json", model="credit_default:3")
        import_path(ws, VERSIONS / "0.7.0" / "report.json", model="credit_default:4")
    ws = Workspace.open(url)
    runner = TaskRunner()
    ctx = ViewContext(ws, Selection(), runner, lambda: None, lambda _n: None)
    view = DriftPanel(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    yield view, ctx
    view.close()
    runner.shutdown()
    ws.close()


def _texts(figure) -> list[str]:
    return [t.get_text() for ax in figure.axes for t in ax.texts] + [
        ax.get_title() for ax in figure.axes]


def test_snapshot_histograms_are_drawn_per_column(qtbot, panel, tmp_path: Path) -> None:
    view, ctx = panel
    with qtbot.waitSignal(view.sig_results_shown, timeout=WAIT_MS):
        ctx.selection.select("credit_default", 3)
    for column, categorical in (("age", False), ("region", True)):
        with qtbot.waitSignal(view.sig_distribution_shown, timeout=WAIT_MS) as shown:
            view.select_cell(0, column)
        dist = shown.args[0]
        assert set(dist.binned) == {"reference", "current"}
        ax = view.distribution.figure.axes[0]
        assert ax.get_title() == f"{column}: reference vs current (Evidently's bins)"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["reference", "current"]
        assert ax.get_ylabel() == ("share of rows (0–1)" if categorical else "density")
        assert "histograms as Evidently binned them in snapshot.json" in \
            view.distribution_note.text()
    qtbot.wait(200)
    out = Path(os.environ.get("DRIFT_SCREENSHOT_DIR", tmp_path)) / "drift-evidently-bins.png"
    assert view.grab().save(str(out)) and out.stat().st_size > 10_000


def test_without_histograms_the_reason_is_said_once(qtbot, panel, tmp_path: Path) -> None:
    view, ctx = panel
    with qtbot.waitSignal(view.sig_results_shown, timeout=WAIT_MS):
        ctx.selection.select("credit_default", 4)
    with qtbot.waitSignal(view.sig_distribution_shown, timeout=WAIT_MS):
        view.select_cell(0, "age")
    said = " ".join(_texts(view.distribution.figure)).replace("\n", " ")
    assert said.count("holds scores only") == 1
    assert "compact report (save_json)" in said
    assert view.distribution_note.text() == ""
    assert view.lines.figure.axes[0].get_ylabel().startswith("p-value")  # not a distance
    qtbot.wait(200)
    out = Path(os.environ.get("DRIFT_SCREENSHOT_DIR", tmp_path)) / "drift-evidently-none.png"
    assert view.grab().save(str(out))
