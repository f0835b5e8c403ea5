"""DVC projects and Kubeflow runs imported into a real workspace (SQLite file and PostgreSQL):
what KFP's own API and ML Metadata said (expected.json), registered versions with metrics and
evidence, the run JSON and the store joining by node id, ``lineage --upstream`` reaching raw
data through DVC stages and KFP tasks, and re-imports that change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from governance_app.domain.lineage import NodeKind
from governance_app.services import lineage, models, pipelines
from governance_app.services.importing import import_path, workspace_counts
from governance_app.services.workspace import Workspace
from governance_app.store.lineage_reader import lineage_counts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KFP = FIXTURES / "kubeflow" / "credit"
STORE = KFP / "mlmd" / "metadata.sqlite"
EXPORT = KFP / "mlmd" / "mlmd_export.json"
RUNS = KFP / "api" / "list_runs.json"


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return json.loads((KFP / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def ws(workspace_url: str):
    with Workspace.open(workspace_url) as opened:
        yield opened


def _counts(ws: Workspace) -> dict[str, int]:
    with ws.session() as session:
        counts = {**workspace_counts(ws), **lineage_counts(session)}
    counts.pop("imports")  # every import is recorded, even one that changes nothing
    return counts


def test_kfp_store_gives_versions_metrics_and_evidence(
    ws: Workspace, expected: dict[str, Any]
) -> None:
    import_path(ws, STORE)
    model = models.get_model(ws, "credit-risk-scorer")
    labels = {v.tags["kfp.model_version"]: v for v in model.versions}
    assert set(labels) == {m["model_version"] for m in expected["registered_model_versions"]}
    for want in expected["registered_model_versions"]:
        version = labels[want["model_version"]]
        assert version.run_id == want["run_id"]
        assert version.source == want["uri"]
        assert version.tags["kfp.sha256"] == want["sha256"]
        assert version.tags["kfp.md5"] == want["md5"]
        assert {k[6:]: v for k, v in version.tags.items() if k.startswith("label.")} == (
            want["labels"])
        detail = models.get_version_detail(ws, "credit-risk-scorer", version.version)
        assert detail.latest_metrics["auc"] == pytest.approx(want["eval_auc"])
        # The run's dataset inputs are the datasets its tasks read, with their digests.
        assert {(i.name, i.digest) for i in detail.run.inputs} == {
            (d["name"], d["sha256"]) for d in want["lineage"]["datasets"]}
        evidence = pipelines.version_evidence(ws, "credit-risk-scorer", version.version)
        run = next(r for r in expected["runs"] if r["run_id"] == want["run_id"])
        matrix = next(m for m in run["metrics"] if m["type"] == "system.ClassificationMetrics")
        got = evidence["classification_metrics"][0]
        assert got["confusion_matrix"]["rows"] == [
            r["row"] for r in matrix["metadata"]["confusionMatrix"]["rows"]]
        assert got["confusion_matrix"]["labels"] == ["repaid", "default"]
        assert len(got["roc"]) == len(matrix["metadata"]["confidenceMetrics"])
        slices = evidence["slice_metrics"][0]["slices"]
        assert set(slices) >= {"sex=female", "sex=male"}
        assert "sex=female/auc" not in detail.latest_metrics
    assert labels["1.0.0"].version < labels["1.1.0"].version


def test_kfp_tasks_and_artifacts_as_the_api_and_mlmd_say(
    ws: Workspace, expected: dict[str, Any]
) -> None:
    import_path(ws, RUNS)
    import_path(ws, EXPORT)
    graph = lineage.workspace_graph(ws)
    for run in expected["runs"]:
        node = graph.nodes[f"run:{run['run_id']}"]
        assert node.status == run["state"]
        for task in run["tasks"]:
            task_node = graph.nodes[f"task:{run['run_id']}/{task['mlmd_execution_id']}"]
            assert task_node.kind is NodeKind.TASK
            assert task_node.status == task["api_state"]
            assert task_node.facets["kfpApi"]["task_id"] == task["task_id"]
            assert task_node.facets["kfp"]["task_name"] == task["task_name"]
        for dataset in run["artifacts"]:
            if dataset["type"] != "system.Dataset":
                continue
            scheme, _, rest = dataset["uri"].partition("://")
            assert f"dataset:{scheme}://{rest}" in graph.nodes
    assert not graph.dangling_edges()


def test_upstream_of_a_kfp_version_reaches_raw_data_through_tasks(
    ws: Workspace, expected: dict[str, Any]
) -> None:
    import_path(ws, STORE)
    want = expected["registered_model_versions"][0]
    version = next(v for v in models.get_model(ws, "credit-risk-scorer").versions
                   if v.tags["kfp.model_version"] == want["model_version"])
    part = lineage.lineage_graph(ws, f"credit-risk-scorer:{version.version}", "upstream")
    raw = next(d for d in want["lineage"]["datasets"] if d["name"] == "raw_data")
    scheme, _, rest = raw["uri"].partition("://")
    assert f"dataset:{scheme}://{rest}" in part.nodes
    tasks = {n.name for n in part.nodes.values() if n.kind is NodeKind.TASK}
    assert {"Ingest loan applications", "train-credit-model"} <= tasks


def test_reimports_change_nothing(ws: Workspace, tmp_path: Path) -> None:
    project = tmp_path / "credit"
    shutil.copytree(FIXTURES / "dvc" / "credit", project)
    for source in (STORE, RUNS, project):
        import_path(ws, source)
    before = _counts(ws)
    for source in (STORE, RUNS, project):
        record = import_path(ws, source)
        assert not any(record.changes.values()), record.changes
    assert _counts(ws) == before


def test_dvc_upstream_reaches_raw_data_through_stages(ws: Workspace, tmp_path: Path) -> None:
    project = tmp_path / "credit"
    shutil.copytree(FIXTURES / "dvc" / "credit", project)
    import_path(ws, project)
    part = lineage.lineage_graph(ws, "dataset:dvc://credit/eval/metrics.json", "upstream")
    assert "dataset:dvc://credit/data/raw/loans.csv" in part.nodes
    stages = {n.name for n in part.nodes.values() if n.kind is NodeKind.STAGE}
    assert stages == {"evaluate", "train", "featurize", "prepare", "data/raw/loans.csv.dvc"}


def test_dvc_experiments_join_the_project_lineage(ws: Workspace, tmp_path: Path) -> None:
    project = tmp_path / "credit"
    shutil.copytree(FIXTURES / "dvc" / "credit", project)
    import_path(ws, project)
    import_path(ws, project / "exp_show.json")
    graph = lineage.workspace_graph(ws)
    runs = [n for n in graph.nodes.values() if n.kind is NodeKind.RUN]
    names = {n.facets["mlflow"]["name"] for n in runs}
    assert names == {"weak-reg", "strong-reg", "main"}
    raw = "dataset:dvc://credit/data/raw/loans.csv"
    readers = {e.target for e in graph.edges if e.source == raw and e.kind == "input"}
    assert {n.id for n in runs} <= readers
    assert "stage:dvc://credit/prepare" in readers


def test_kfp_version_labels_get_free_numbers_and_keep_them(ws: Workspace, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({
        "format": "governance-app/bundle", "format_version": "1.0",
        "exported_at": "2026-12-01T00:00:00Z", "source": {"system": "tests"},
        "models": [{"name": "credit-risk-scorer", "versions": [
            {"version": 1, "status": "READY", "source": "s3://elsewhere/model"}]}]}))
    import_path(ws, bundle)
    import_path(ws, STORE)
    versions = {v.version: v.tags.get("kfp.model_version")
                for v in models.get_model(ws, "credit-risk-scorer").versions}
    assert versions == {1: None, 2: "1.0.0", 3: "1.1.0"}
    graph = lineage.workspace_graph(ws)
    assert graph.nodes["model:credit-risk-scorer/2"].facets["kfpEvidence"]
    record = import_path(ws, EXPORT)  # the same store as JSON: the same numbers, no change
    assert not any(record.changes.values()), record.changes
    assert {v.version for v in models.get_model(ws, "credit-risk-scorer").versions} == {1, 2, 3}
