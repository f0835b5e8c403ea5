"""The DVC importer against DVC's own answers: stages, hashes, params and metrics as
``Repo.index`` reported them (credit/expected.json), and the DAG exactly as ``dvc dag`` drew it
at stage and at output level, for the credit project and for one with foreach, matrix, wdir,
a folder output, a frozen and an always_changed stage (pipelines/, written by DVC 3.67.1)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from governance_app.domain.lineage import NodeKind
from governance_app.importers import registry
from governance_app.importers.dvc_dag import output_edges, stage_edges
from governance_app.importers.dvc_read import read_project
from governance_app.importers.registry import ImportContext, ImportOptions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dvc"
CREDIT = FIXTURES / "credit"
PIPELINES = FIXTURES / "pipelines"


def _dot_edges(text: str) -> set[tuple[str, str]]:
    return set(re.findall(r'"([^"]+)" -> "([^"]+)"', text))


def _mermaid_edges(text: str) -> set[tuple[str, str]]:
    names = dict(re.findall(r'(node\d+)\["([^"]+)"\]', text))
    return {(names[a], names[b]) for a, b in re.findall(r"(node\d+)-->(node\d+)", text)}


@pytest.fixture
def credit(tmp_path: Path) -> Path:
    target = tmp_path / "credit"
    shutil.copytree(CREDIT, target)
    return target


def test_credit_stages_exactly_as_dvc_index_reports_them(credit: Path) -> None:
    expected: dict[str, Any] = json.loads((CREDIT / "expected.json").read_text())
    project = read_project(credit, ImportContext())
    stages = {s.name: s for s in project.stages}
    assert set(stages) == {s["name"] for s in expected["stages"]}
    for want in expected["stages"]:
        stage = stages[want["name"]]
        assert stage.dvcfile == want["dvcfile"]
        assert stage.wdir == want["wdir"]
        assert stage.cmd == (want["cmd"] or "")
        assert stage.frozen == want["frozen"]
        deps = {d.path: d for d in stage.deps}
        assert set(deps) == {d["repo_path"] for d in want["deps"]}
        for dep in want["deps"]:
            assert (deps[dep["repo_path"]].md5, deps[dep["repo_path"]].size) == (
                dep["md5"], dep["size"])
        outs = {o.path: o for o in stage.outs}
        assert set(outs) == {o["repo_path"] for o in want["outs"]}
        for out in want["outs"]:
            got = outs[out["repo_path"]]
            assert (got.md5, got.size, got.kind, got.cache) == (
                out["md5"], out["size"], out["kind"], out["cache"])
        assert stage.params == want["params"]
    metrics = json.loads((CREDIT / "metrics.json").read_text())
    assert stages["evaluate"].metrics["eval/metrics.json"] == (
        metrics[""]["data"]["eval/metrics.json"]["data"])


def test_credit_dag_as_dvc_dag_draws_it(credit: Path) -> None:
    project = read_project(credit, ImportContext())
    assert set(stage_edges(project.stages)) == _dot_edges((CREDIT / "dag.dot").read_text())
    assert set(stage_edges(project.stages)) == _mermaid_edges((CREDIT / "dag.md").read_text())
    assert set(output_edges(project.stages)) == _mermaid_edges(
        (CREDIT / "dag_outs.md").read_text())


def test_foreach_matrix_wdir_and_flags_as_dvc_names_them() -> None:
    project = read_project(PIPELINES / "project", ImportContext())
    names = [s.name for s in project.stages if not s.is_data_source]
    assert names == (PIPELINES / "stages.txt").read_text().split()
    dot = (PIPELINES / "dag.dot").read_text()
    assert set(stage_edges(project.stages)) == _dot_edges(dot)
    assert set(output_edges(project.stages)) == _dot_edges((PIPELINES / "dag_outs.dot").read_text())
    stages = {s.name: s for s in project.stages}
    split_out = stages["split"].outs[0]
    assert (split_out.path, split_out.is_dir, split_out.nfiles, split_out.size) == (
        "data/shards", True, 2, 490)
    assert split_out.md5.endswith(".dir")
    report = stages["report"]
    assert report.wdir == "reports"
    assert [d.path for d in report.deps] == ["models/logreg-small.txt", "models/tree-large.txt"]
    assert report.metrics == {"reports/metrics.json": {"auc": 0.81, "n": 4}}
    assert stages["publish"].frozen and stages["publish"].status == "FROZEN"
    assert stages["heartbeat"].always_changed
    assert stages["features@large"].params == {"params.yaml": {"features.scale": True}}
    assert stages["train@tree-small"].params == {"params.yaml": {"train.seed": 7}}
    assert all(s.locked for s in project.stages)


def test_detected_and_read_as_lineage(credit: Path) -> None:
    assert registry.detect(credit) == "dvc"
    snapshot = registry.load(credit)
    graph = snapshot.graph
    stage = graph.nodes["stage:dvc://credit/train"]
    assert stage.kind is NodeKind.STAGE and stage.status == "LOCKED"
    assert stage.facets["dvc"]["cmd"].startswith("python src/train.py")
    model = graph.nodes["dataset:dvc://credit/models/loan_approval.pkl"]
    assert model.facets["dvc"]["md5"] == "175385cc8f82dd1dddaa8162bdbe8141"
    kinds = {(e.source, e.target, e.kind) for e in graph.edges}
    assert ("stage:dvc://credit/train", model.id, "output") in kinds
    assert ("dataset:dvc://credit/data/raw/loans.csv", "stage:dvc://credit/prepare",
            "input") in kinds
    assert ("stage:dvc://credit/data/raw/loans.csv.dvc",
            "dataset:dvc://credit/data/raw/loans.csv", "output") in kinds
    assert not graph.dangling_edges()
    named = registry.load(credit, context=ImportContext(
        options=ImportOptions(settings={"project": "loans"})))
    assert "stage:dvc://loans/train" in named.graph.nodes


def test_a_folder_output_links_to_the_files_read_from_it() -> None:
    graph = registry.load(PIPELINES / "project", "dvc").graph
    edges = {(e.source, e.target) for e in graph.edges}
    shards = "dataset:dvc://project/data/shards"
    assert (shards, "stage:dvc://project/clean@eu") in edges
    assert (shards, "stage:dvc://project/clean@us") in edges
    assert graph.nodes[shards].facets["dvc"]["nfiles"] == 2


@pytest.mark.parametrize(("major", "writer"), [("dvc1", "DVC 1.x"), ("dvc2", "DVC 2.x")])
def test_locks_of_older_majors_import_with_their_hashes(
    tmp_path: Path, major: str, writer: str
) -> None:
    source = FIXTURES / "majors" / major
    project = read_project(source, ImportContext())
    assert project.lock_writer == writer
    graph = registry.load(source, "dvc").graph
    assert graph.nodes[f"stage:dvc://{major}/train"].facets["dvc"]["lock_written_by"] == writer
    assert any(writer in note for note in project.notes)
    stages = {s.name: s for s in project.stages}
    assert all(s.locked for s in project.stages)
    # The same files hash alike in both majors (their lock files agree on every md5).
    other = read_project(FIXTURES / "majors" / ("dvc2" if major == "dvc1" else "dvc1"),
                         ImportContext())
    for stage in other.stages:
        assert [(o.path, o.md5, o.size) for o in stage.outs] == [
            (o.path, o.md5, o.size) for o in stages[stage.name].outs]
    assert stages["train"].params == {"params.yaml": {"train": {"epochs": 5, "lr": 0.1}}}
    assert stages["train"].metrics == {"metrics.json": {"rows": 4}}
    drawn = _dot_edges((source / "dag.dot").read_text()) | {
        (a, b) for a, b in re.findall(r'^"?([\w./@-]+)"? -> "?([\w./@-]+)"?;', (
            source / "dag.dot").read_text(), re.M)}
    if major == "dvc1":  # DVC 1 drew its edges from consumer to producer
        drawn = {(b, a) for a, b in drawn}
    assert set(stage_edges(project.stages)) == drawn


def test_experiments_as_dvc_exp_show_reports_them() -> None:
    expected = json.loads((CREDIT / "expected.json").read_text())["experiments"]
    path = CREDIT / "exp_show.json"
    assert registry.detect(path) == "dvc-experiments"
    snapshot = registry.load(path)
    runs = {r.run_id: r for r in snapshot.runs}
    wanted = [e for e in expected if e["role"] != "workspace"]
    assert set(runs) == {e["rev"] for e in wanted}
    for want in wanted:
        run = runs[want["rev"]]
        assert run.experiment_name == "dvc://credit"
        assert run.tags["dvc.role"] == want["role"]
        if want["name"]:
            assert run.name == want["name"]
        if want.get("baseline_rev"):
            assert run.tags["dvc.baseline_rev"] == want["baseline_rev"]
        assert run.params == {
            k: json.dumps(v, sort_keys=True) if isinstance(v, list)
            else ("true" if v is True else "false" if v is False else str(v))
            for k, v in want["params"].items()}
        assert run.latest_metrics == pytest.approx(
            {k: float(v) for k, v in want["metrics"].items()})
        assert {i.name: i.digest for i in run.inputs} == want["deps_md5"]


def test_top_level_metrics_plots_and_artifacts_describe_their_files() -> None:
    graph = registry.load(PIPELINES / "project", "dvc").graph
    metrics = graph.nodes["dataset:dvc://project/reports/metrics.json"].facets["dvc"]
    assert sorted(metrics["declared"]["roles"]) == ["metrics", "plot"]
    assert metrics["declared"]["values"] == {"auc": 0.81, "n": 4}
    assert metrics["declared"]["plot"]["id"] == "quality"
    model = graph.nodes["dataset:dvc://project/models/logreg-small.txt"].facets["dvc"]
    assert model["declared"]["artifact"] == {
        "name": "logreg-small", "type": "model",
        "desc": "Logistic regression on the small features", "labels": ["logreg", "small"]}
    assert model["md5"]  # still the output of train@logreg-small, with its hash


def test_the_source_digest_covers_params_and_locks_not_data(credit: Path) -> None:
    before = registry.load(credit).source_sha256
    (credit / "data" / "raw" / "extra.bin").write_bytes(b"data the digest need not read")
    assert registry.load(credit).source_sha256 == before
    text = (credit / "params.yaml").read_text().replace("threshold: 0.5", "threshold: 0.6")
    (credit / "params.yaml").write_text(text)
    assert registry.load(credit).source_sha256 != before
