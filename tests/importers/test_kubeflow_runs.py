"""The Kubeflow importers against what KFP's API and ML Metadata said (expected.json of the
credit and control sets): every task's state, parent, error and cache origin; a task that
never ran without a state; loops, conditions, the exit handler and the nested pipeline as
parent/child tasks; artifacts linked to tasks by MLMD's events. Read without a database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from governance_app.domain.lineage import LineageGraph, NodeKind
from governance_app.importers import registry

KFP = Path(__file__).resolve().parents[1] / "fixtures" / "kubeflow"
SETS = ("credit", "control")


def _expected(name: str) -> dict[str, Any]:
    return json.loads((KFP / name / "expected.json").read_text(encoding="utf-8"))


def _joined(name: str) -> LineageGraph:
    """The run JSON's graph with the MLMD store's merged in (as two imports would store it)."""
    api = registry.load(KFP / name / "api" / "list_runs.json")
    store = registry.load(KFP / name / "mlmd" / "metadata.sqlite")
    graph = LineageGraph()
    graph.merge(api.graph)
    graph.merge(store.lineage)
    return graph


@pytest.mark.parametrize("name", SETS)
def test_detection(name: str) -> None:
    assert registry.detect(KFP / name / "api" / "list_runs.json") == "kubeflow-run"
    assert registry.detect(KFP / name / "mlmd" / "metadata.sqlite") == "kubeflow-mlmd"
    assert registry.detect(KFP / name / "mlmd" / "mlmd_export.json") == "kubeflow-mlmd"
    run_file = next((KFP / name / "api" / "runs").glob("*.json"))
    assert registry.detect(run_file) == "kubeflow-run"


@pytest.mark.parametrize("name", SETS)
def test_tasks_exactly_as_the_api_reported_them(name: str) -> None:
    graph = registry.load(KFP / name / "api" / "list_runs.json").graph
    for run in _expected(name)["runs"]:
        assert graph.nodes[f"run:{run['run_id']}"].status == run["state"]
        by_task = {}
        for task in run["tasks"]:
            key = task["mlmd_execution_id"] if task["mlmd_execution_id"] else task["task_id"]
            node = graph.nodes[f"task:{run['run_id']}/{key}"]
            by_task[task["task_id"]] = node.id
            assert node.kind is NodeKind.TASK
            assert node.status == (task["api_state"] or "")
            assert node.name == task["name"]
            api = node.facets["kfpApi"]
            assert api.get("never_ran", False) == (task["api_state"] is None)
            assert (api.get("error") or {}).get("message") == task["error"]
        parents = {(e.source, e.target) for e in graph.edges if e.kind == "parent"}
        for task in run["tasks"]:
            parent = (by_task[task["parent_task_id"]] if task.get("parent_task_id")
                      else f"run:{run['run_id']}")
            assert (parent, by_task[task["task_id"]]) in parents


@pytest.mark.parametrize("name", SETS)
def test_mlmd_states_cache_origins_and_artifacts(name: str) -> None:
    for source in ("metadata.sqlite", "mlmd_export.json"):
        snapshot = registry.load(KFP / name / "mlmd" / source)
        graph = snapshot.lineage
        cached = {(e.source, e.target) for e in graph.edges if e.kind == "cached"}
        for run in _expected(name)["runs"]:
            for task in run["tasks"]:
                if not task["mlmd_execution_id"] or task["mlmd_type"] == "system.DAGExecution" \
                        and task["parent_task_id"] is None and task["name"] == "root":
                    continue
                node = graph.nodes[f"task:{run['run_id']}/{task['mlmd_execution_id']}"]
                state = {"COMPLETE": "SUCCEEDED"}.get(task["mlmd_state"], task["mlmd_state"])
                assert node.status == state, (source, task)
                origin = task["cached_from_execution_id"]
                if origin:
                    assert node.status == "CACHED"
                    from_id = node.facets["kfp"]["cached_from"]
                    assert from_id.endswith(f"/{origin}")
                    assert (from_id, node.id) in cached
            for edge in run["artifact_edges"]["produced"]:
                kinds = {n.kind for n in graph.nodes.values()
                         if n.facets.get("kfp", {}).get("uri") == edge["uri"]}
                assert kinds, edge
        assert not graph.dangling_edges()


def test_control_flow_shapes_survive() -> None:
    graph = _joined("control")
    failed = _expected("control")["runs"][1]
    run = f"run:{failed['run_id']}"
    assert graph.nodes[run].status == "FAILED"
    assert "train inside condition-5" in graph.nodes[run].facets["kfpApi"]["error"]["message"]
    train = next(n for n in graph.nodes.values()
                 if n.namespace == failed["run_id"] and n.name == "train")
    assert train.status == "FAILED"
    assert "training diverged" in train.facets["kfpApi"]["error"]["message"]
    never = next(n for n in graph.nodes.values()
                 if n.namespace == failed["run_id"] and n.name == "evaluate")
    assert never.status == "" and never.facets["kfpApi"]["never_ran"]
    api = registry.load(KFP / "control" / "api" / "list_runs.json").graph
    skipped = next(n for n in api.nodes.values()
                   if n.namespace == failed["run_id"] and n.name == "quality-low")
    assert skipped.status == "SKIPPED"  # ML Metadata records the branch as CANCELED
    assert graph.nodes[skipped.id].status == "CANCELED"
    children = {graph.nodes[e.target].name for e in graph.edges
                if e.kind == "parent" and graph.nodes[e.source].name == "report-pipeline"
                and graph.nodes[e.source].namespace == failed["run_id"]}
    assert children == {"summarise", "publish"}
    iterations = [n for n in graph.nodes.values()
                  if n.namespace == failed["run_id"] and n.name == "score-region"]
    assert len(iterations) == 3
    assert all(n.status == "CACHED" for n in iterations)


@pytest.mark.parametrize("name", SETS)
def test_compiled_pipeline_as_the_compiler_wrote_it(name: str) -> None:
    want = _expected(name)["pipeline"]
    path = KFP / name / "pipeline.yaml"
    assert registry.detect(path) == "kubeflow-pipeline"
    graph = registry.load(path).graph
    pipeline = graph.nodes[f"job:kfp://{want['name']}/{want['name']}"]
    facet = pipeline.facets["kfpPipeline"]
    assert facet["description"] == want["description"]
    assert facet["sdk_version"] == want["sdk_version"]
    assert facet["schema_version"] == want["schema_version"]
    assert sorted(facet["inputs"]["parameters"]) == want["root_parameters"]
    assert facet["components"] == want["components"]
    assert not graph.dangling_edges()


def test_control_flow_in_the_compiled_pipeline() -> None:
    graph = registry.load(KFP / "control" / "pipeline.yaml").graph
    tasks = {n.id.split("/", 3)[-1]: n.facets["kfpTask"] for n in graph.nodes.values()
             if "kfpTask" in n.facets}
    assert tasks["exit-handler-1/for-loop-3"]["kind"] == "loop"
    assert tasks["exit-handler-1/for-loop-3"]["iterator"]["items"]["raw"] == (
        '["eu", "us", "apac"]')
    assert tasks["exit-handler-1/condition-branches-4/condition-5"]["kind"] == "condition"
    assert "pipelinechannel--prepare-Output" in tasks[
        "exit-handler-1/condition-branches-4/condition-5"]["condition"]
    assert tasks["notify"]["kind"] == "exit-task"
    assert tasks["exit-handler-1"]["kind"] == "exit-handler"
    assert tasks["exit-handler-1/report-pipeline"]["kind"] == "pipeline"
    assert tasks["exit-handler-1/prepare"]["image"] == "python:3.11-slim"
    after = {(e.source.rsplit("/", 1)[-1], e.target.rsplit("/", 1)[-1])
             for e in graph.edges if e.kind == "after"}
    assert ("exit-handler-1", "notify") in after and ("summarise", "publish") in after


def test_a_component_that_contains_itself_is_refused(tmp_path: Path) -> None:
    text = (KFP / "control" / "pipeline.yaml").read_text()
    broken = tmp_path / "pipeline.yaml"
    # The nested pipeline's DAG now runs the nested pipeline again.
    broken.write_text(text.replace("name: comp-summarise\n", "name: comp-report-pipeline\n", 1))
    from governance_app.errors import InputError

    with pytest.raises(InputError, match="contains itself"):
        registry.load(broken)


def test_a_pipeline_with_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    from governance_app.errors import InputError

    text = (KFP / "credit" / "pipeline.yaml").read_text()
    broken = tmp_path / "pipeline.yaml"
    broken.write_text(text.replace("components:\n", "components:\n  comp-train-credit-model: {}\n",
                                   1))
    with pytest.raises(InputError, match=r"pipeline.yaml, line \d+.*appears twice"):
        registry.load(broken)


def test_a_lineage_subgraph_export_reads_as_its_run() -> None:
    want = _expected("credit")["registered_model_versions"][0]
    path = KFP / "credit" / "mlmd" / f"lineage_subgraph.run-{want['run_id']}.json"
    assert registry.detect(path) == "kubeflow-mlmd"
    snapshot = registry.load(path)
    assert [r.run_id for r in snapshot.runs] == [want["run_id"]]
    assert snapshot.runs[0].experiment_name == "credit-risk-training"
    (model,) = snapshot.models
    assert [v.tags["kfp.model_version"] for v in model.versions] == [want["model_version"]]
    whole = registry.load(KFP / "credit" / "mlmd" / "metadata.sqlite")
    part = {n for n in snapshot.lineage.nodes if want["run_id"] in n}
    assert part and part <= set(whole.lineage.nodes)
