"""A run seen only through its COMPLETE event shows its start as unknown in the Lineage view."""

from __future__ import annotations

import json
from pathlib import Path

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.lineage_view import LineagePanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner

LARGE = (Path(__file__).resolve().parents[1] / "fixtures" / "openlineage" / "wild" / "marquez"
         / "event_large.json")


def test_complete_only_run_says_its_start_is_unknown(qtbot, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lineage.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, LARGE)
    ws = Workspace.open(url)
    runner = TaskRunner()
    panel = LineagePanel(ViewContext(ws, Selection(), runner, lambda: None, lambda _n: None))
    qtbot.addWidget(panel)
    panel.resize(1180, 740)
    try:
        with qtbot.waitSignal(panel.sig_graph_shown, timeout=20_000):
            panel.show()
        run_id = "run:" + json.loads(LARGE.read_text(encoding="utf-8"))["run"]["runId"]
        assert run_id in panel.scene.node_items
        panel.select_node(run_id)
        text = panel.details.info_label.text()
        assert "unknown (no START event was imported)" in text and "Ended" in text
        assert panel.grab().save(str(tmp_path / "lineage-unknown-start.png"))
    finally:
        panel.close()
        runner.shutdown()
        ws.close()
