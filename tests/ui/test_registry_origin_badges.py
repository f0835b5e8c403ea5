"""MLflow and Kubeflow versions in the Models view: their origin badge (the SVG shipped in
resources/icons/origins/), the platform's name, and its own ids in the tooltip; a real workspace
holding the MLflow SQLite store and the KFP ML Metadata store fixtures."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.origin_badges import BADGES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    with Workspace.open(url) as ws:
        for source in (FIXTURES / "mlflow" / "mlflow.db",
                       FIXTURES / "kubeflow" / "credit" / "mlmd" / "metadata.sqlite"):
            copy = tmp_path / source.name
            shutil.copyfile(source, copy)
            import_path(ws, copy)
    return url


def test_every_badge_has_its_svg() -> None:
    folder = resources.files("governance_app.resources") / "icons" / "origins"
    for key, (colour, letter) in BADGES.items():
        svg = (folder / f"{key}.svg").read_text(encoding="utf-8")
        assert colour.lower() in svg.lower() and f">{letter}<" in svg


def test_mlflow_and_kubeflow_versions_show_their_badge(open_window, url: str, qtbot) -> None:
    window = open_window(url, wait_detail=False)
    panel = window.models_panel
    model = panel.versions_model
    for name, version, word, ids in (
            ("loan_approval", 2, "MLflow", ["models:/loan_approval/2",
                                            "run: 5d24c4396bce48d3921c9346a29ee688"]),
            ("credit-risk-scorer", 1, "Kubeflow", [
                "47aa4ab9-0a05-44b3-a929-96fb589b727d/", "task: ", "version label: 1.0.0",
                "MD5: 58dd7c1192bae6fe802de3fe2ce701bc"])):
        window.selection.select(name, version)
        qtbot.waitUntil(lambda n=name, v=version: panel.detail_panel.detail is not None
                        and panel.detail_panel.detail.version.ref == f"{n}:{v}",
                        timeout=10_000)
        cell = model.index(model.row_for_version(version), model.ORIGIN_COLUMN)
        assert cell.data() == word
        tooltip = cell.data(Qt.ItemDataRole.ToolTipRole)
        assert all(part in tooltip for part in ids), tooltip
        icon = cell.data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon) and not icon.pixmap(16, 16).isNull()
        assert f"Origin: <b>{word}</b>" in panel.detail_panel.origin_label.text()
