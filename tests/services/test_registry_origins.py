"""MLflow (SQLite store, file store, REST answers) and Kubeflow (ML Metadata store and its JSON
export) versions get an origin record in their import, with the source's own ids; importing the
same source again changes nothing. Real fixtures, real workspaces."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from governance_app.services.importing import import_path
from governance_app.services.origins import version_origin, version_origins
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MLFLOW = FIXTURES / "mlflow"
KFP = FIXTURES / "kubeflow" / "credit" / "mlmd"


def _mlflow_run_ids(source: str = "mlflow.db") -> dict[tuple[str, int], str]:
    """Each version's run id, as the MLflow source itself holds it."""
    if source == "mlruns":
        out = {}
        for meta in (MLFLOW / "mlruns" / "models").glob("*/version-*/meta.yaml"):
            data = yaml.safe_load(meta.read_text(encoding="utf-8"))
            out[(data["name"], int(data["version"]))] = data["run_id"]
        return out
    if source == "rest":
        answer = json.loads((MLFLOW / "rest" / "model-versions-search.json").read_text())
        return {(v["name"], int(v["version"])): v["run_id"] for v in answer["model_versions"]}
    with sqlite3.connect(MLFLOW / "mlflow.db") as db:
        return {(name, version): run for name, version, run in
                db.execute("SELECT name, version, run_id FROM model_versions")}


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "src" / source.name
    target.parent.mkdir()
    (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target)
    return target


@pytest.mark.parametrize("source", ["mlflow.db", "mlruns", "rest"])
def test_mlflow_versions_have_their_origin(source: str, tmp_path: Path) -> None:
    path = _copy(MLFLOW / source, tmp_path)
    with Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}") as ws:
        first = import_path(ws, path)
        origins = version_origins(ws)
        again = import_path(ws, path)
        assert version_origins(ws) == origins
    runs = _mlflow_run_ids(source)
    assert runs and set(runs) <= set(origins)
    for (name, version), run in runs.items():
        origin = origins[(name, version)]
        assert origin.origin == "mlflow"
        assert origin.source_id == f"models:/{name}/{version}"
        assert origin.model_source_id == name
        assert origin.details["run_id"] == run
    assert first.changes.get("origin_added") == len(origins)
    assert "origin_added" not in again.changes and "origin_updated" not in again.changes


def test_mlflow_origins_on_postgresql_too(workspace_url: str, tmp_path: Path) -> None:
    path = _copy(MLFLOW / "mlflow.db", tmp_path)
    with Workspace.open(workspace_url) as ws:
        import_path(ws, path)
        origin = version_origin(ws, "loan_approval", 3)
    assert origin is not None and origin.origin == "mlflow"
    assert origin.details["run_id"] == _mlflow_run_ids()[("loan_approval", 3)]


@pytest.mark.parametrize("source", ["metadata.sqlite", "mlmd_export.json"])
def test_kubeflow_versions_name_their_run_and_task(source: str, tmp_path: Path) -> None:
    path = _copy(KFP / source, tmp_path)
    with Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}") as ws:
        first = import_path(ws, path)
        origins = version_origins(ws, "credit-risk-scorer")
        again = import_path(ws, path)
        assert version_origins(ws, "credit-risk-scorer") == origins
    assert sorted(origins) == [("credit-risk-scorer", 1), ("credit-risk-scorer", 2)]
    one = origins[("credit-risk-scorer", 1)]
    assert one.origin == "kubeflow"
    assert one.details["run_id"] == "47aa4ab9-0a05-44b3-a929-96fb589b727d"
    assert one.details["model_version"] == "1.0.0"
    assert one.details["md5"] == "58dd7c1192bae6fe802de3fe2ce701bc"
    assert one.details["task"] and one.source_id == f"{one.details['run_id']}/" \
        f"{one.details['task']}"
    assert one.model_source_id.endswith("/registered_models/credit-risk-scorer")
    assert origins[("credit-risk-scorer", 2)].details["model_version"] == "1.1.0"
    assert first.changes.get("origin_added") == 2
    assert "origin_added" not in again.changes and "origin_updated" not in again.changes


@pytest.mark.parametrize("dvc_first", [True, False])
def test_a_version_a_dvc_stage_writes_has_a_dvc_origin(dvc_first: bool, tmp_path: Path) -> None:
    """The DVC credit project's train stage writes models/loan_approval.pkl, the bundle's
    version's source: whichever is imported first, the version's origin names the stage, the
    output's path and md5 (dvc.lock), and importing again changes nothing."""
    from tests.services.test_pipeline_join import CREDIT, _bundle

    project = tmp_path / "credit"
    shutil.copytree(CREDIT, project)
    sources = [project, _bundle(tmp_path / "bundle.json")]
    if not dvc_first:
        sources.reverse()
    with Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}") as ws:
        records = [import_path(ws, source) for source in sources]
        origin = version_origin(ws, "loan_approval", 1)
        again = import_path(ws, sources[0])
        assert version_origin(ws, "loan_approval", 1) == origin
    lock = yaml.safe_load((CREDIT / "dvc.lock").read_text(encoding="utf-8"))
    outs = {o["path"]: o["md5"] for o in lock["stages"]["train"]["outs"]}
    assert origin is not None and origin.origin == "dvc"
    assert origin.source_id == "train:models/loan_approval.pkl"
    assert origin.details["stage"] == "train" and origin.details["path"] == (
        "models/loan_approval.pkl")
    assert origin.details["md5"] == outs["models/loan_approval.pkl"]
    assert records[-1].changes.get("origin_added") == 1
    assert "origin_added" not in again.changes and "origin_updated" not in again.changes


def test_a_platform_origin_is_not_replaced_by_the_dvc_stage(tmp_path: Path) -> None:
    """An MLflow version whose source is a DVC output keeps its MLflow origin."""
    from tests.services.test_pipeline_join import CREDIT

    project = tmp_path / "credit"
    shutil.copytree(CREDIT, project)
    path = _copy(MLFLOW / "mlflow.db", tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE model_versions SET source = 's3://cache/models/loan_approval.pkl' "
                   "WHERE name = 'loan_approval' AND version = 1")
    with Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}") as ws:
        import_path(ws, path)
        import_path(ws, project)
        origin = version_origin(ws, "loan_approval", 1)
    assert origin is not None and origin.origin == "mlflow"
