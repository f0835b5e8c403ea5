"""Pipelines in the GUI on a real workspace: DVC stages, Kubeflow tasks and artifacts drawn
with their own kinds, failed and cached tasks named in the status line and the details, and a
version's pipeline evidence in the version detail. Screenshots are written to tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from governance_app.domain.lineage import NodeKind
from governance_app.services import models
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.lineage_items import KIND_WORDS, LineageStyle, status_word
from governance_app.ui.lineage_view import LineagePanel
from governance_app.ui.selection import Selection
from governance_app.ui.version_detail import VersionDetailPanel
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONTROL = FIXTURES / "kubeflow" / "control"
SHOWN_MS = 30_000


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'pipelines.db'}"
    project = tmp_path / "credit"
    shutil.copytree(FIXTURES / "dvc" / "credit", project)
    with Workspace.open(url) as ws:
        import_path(ws, project)
        import_path(ws, CONTROL / "api" / "list_runs.json")
        import_path(ws, CONTROL / "mlmd" / "metadata.sqlite")
        import_path(ws, FIXTURES / "kubeflow" / "credit" / "mlmd" / "metadata.sqlite")
    return url


def test_pipeline_nodes_drawn_with_their_kinds_and_states(qtbot, url: str,
                                                          tmp_path: Path) -> None:
    workspace = Workspace.open(url)
    runner = TaskRunner()
    ctx = ViewContext(workspace, Selection(), runner, lambda: None, lambda _view: None)
    panel = LineagePanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1400, 860)
    try:
        with qtbot.waitSignal(panel.sig_graph_shown, timeout=SHOWN_MS):
            panel.show()
        items = panel.scene.node_items
        kinds = {item.node.kind for item in items.values()}
        assert {NodeKind.STAGE, NodeKind.TASK, NodeKind.ARTIFACT, NodeKind.DATASET} <= kinds
        style = LineageStyle.from_palette()
        shapes = {(style.glyphs[k].elementCount(), style.glyphs[k].boundingRect().height())
                  for k in (NodeKind.STAGE, NodeKind.TASK, NodeKind.ARTIFACT, NodeKind.DATASET,
                            NodeKind.RUN, NodeKind.JOB)}
        assert len(shapes) == 6  # each kind its own icon
        failed = [i for i, item in items.items() if item.failed]
        assert failed and all(items[i].node.kind in (NodeKind.TASK, NodeKind.RUN)
                              for i in failed)
        train = next(i for i in failed if items[i].node.name == "train")
        assert "FAILED" in items[train].toolTip()
        status = panel.status_label.text()
        assert "FAILED task" in status and "cached" in status
        cached = next(i for i, item in items.items() if item.node.status == "CACHED")
        assert status_word(items[cached].node) == "task · cached"

        panel.select_node(train)
        text = panel.details.info_label.text()
        assert "training diverged" in text and "FAILED" in text
        panel.select_node(cached)
        assert "Cached from" in panel.details.info_label.text()
        panel.select_node("stage:dvc://credit/train")
        assert "python src/train.py" in panel.details.info_label.text()
        assert KIND_WORDS[NodeKind.STAGE] in panel.details.info_label.text()
        assert panel.grab().save(str(tmp_path / "lineage-pipelines.png"))
    finally:
        panel.close()
        runner.shutdown()
        workspace.close()


def test_version_detail_shows_pipeline_evidence(qtbot, url: str, tmp_path: Path) -> None:
    with Workspace.open(url) as ws:
        detail = models.get_version_detail(ws, "credit-risk-scorer", 1)
    panel = VersionDetailPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 520)
    panel.show_detail(detail)
    tab = panel.evidence_tab
    assert panel.tabs.isTabEnabled(tab)
    rows = panel.evidence_model.rows()
    cells = [r for r in rows if r[0] == "Confusion matrix"]
    assert [r[2] for r in cells] == ["42", "4", "16", "9"]
    assert cells[0][1] == "actual repaid → predicted repaid"
    assert any(r[0] == "Slice sex=female" and r[1] == "auc" for r in rows)
    assert panel.tabs.tabText(tab) == f"Pipeline ({len(rows)})"
    panel.tabs.setCurrentIndex(tab)
    panel.show()
    assert panel.grab().save(str(tmp_path / "version-evidence.png"))
