"""Per-run lineage (issue 3): a run's inputs are edges of the run, so the upstream of a model
version is the data its own run read, not every dataset its job's other runs ever read."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from governance_app.analytics.lineage_graph import LineageIndex
from governance_app.domain.lineage import NodeKind
from governance_app.importers.openlineage import load_openlineage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openlineage"
EVENTS = FIXTURES / "events.jsonl"
JOB = "job:airflow/readmission."
WH = "dataset:warehouse://prod/"


def _retrain_on_other_data(tmp_path: Path) -> tuple[Path, str]:
    """The fixture plus one more COMPLETE run of ``train_model`` on another feature table,
    made from the fixture's own training event so every field is as the producer wrote it."""
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    event: dict[str, Any] = json.loads(lines[3])  # COMPLETE of train_model, run ...02
    assert event["job"]["name"] == "readmission.train_model"
    run_id = str(uuid.UUID(int=0x99))
    event["run"]["runId"] = run_id
    event["eventTime"] = "2026-04-01T08:00:00Z"
    event["inputs"][0]["name"] = "features.readmission_v3"
    event["outputs"][0]["name"] = "models/readmission_risk/6"
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*lines, json.dumps(event)]) + "\n", encoding="utf-8")
    return path, f"run:{run_id}"


def _datasets(graph, ids: set[str]) -> set[str]:  # noqa: ANN001
    return {graph.nodes[i].name for i in ids if graph.nodes[i].kind is NodeKind.DATASET}


def test_upstream_follows_the_run_not_the_job(tmp_path: Path) -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    path, new_run = _retrain_on_other_data(tmp_path)
    graph = load_openlineage(path).graph
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert (f"{WH}features.readmission_v3", new_run, "input") in edges
    assert (f"{JOB}train_model", new_run, "instance") in edges
    assert not any(e.target.startswith("job:") and e.kind == "input" for e in graph.edges)

    index = LineageIndex(graph)
    # The oracle's set, exactly, although train_model has since read another table.
    up4 = _datasets(graph, index.upstream("model:readmission_risk/4"))
    assert up4 == set(expected["upstream_of_model_readmission_risk_4"])
    assert _datasets(graph, index.upstream("model:readmission_risk/6")) == {
        "features.readmission_v3"}
    # Downstream of the new table is its run and model only, not version 4 or 5.
    assert index.impact(f"{WH}features.readmission_v3") == ["model:readmission_risk/6"]
    assert index.impact(f"{WH}features.readmission_v2") == [
        "model:readmission_risk/4", "model:readmission_risk/5"]


def test_a_job_stands_for_all_its_runs(tmp_path: Path) -> None:
    path, new_run = _retrain_on_other_data(tmp_path)
    graph = load_openlineage(path).graph
    index = LineageIndex(graph)
    up = index.upstream(f"{JOB}train_model")
    runs = {f"run:{uuid.UUID(int=i)}" for i in (2, 4)} | {new_run}
    assert runs <= up
    assert {"features.readmission_v2", "features.readmission_v3"} <= _datasets(graph, up)
    assert index.impact(f"{JOB}train_model") == [
        "model:readmission_risk/4", "model:readmission_risk/5", "model:readmission_risk/6"]
    # Going up from a run never turns back down through its job to a sibling run.
    assert f"{JOB}train_model" not in index.upstream(new_run)
    assert not runs - {new_run} & index.upstream(new_run)
    # Focus mode's neighbourhood walks the instance edge: a job's runs are one hop away.
    assert set(index.neighbourhood(f"{JOB}train_model", 1)) == {f"{JOB}train_model", *runs}


def test_a_job_event_keeps_its_datasets_on_the_job(tmp_path: Path) -> None:
    raw = json.loads(
        (FIXTURES / "wild" / "marquez" / "event_job_event.json").read_text(encoding="utf-8"))
    graph = load_openlineage(FIXTURES / "wild" / "marquez" / "event_job_event.json").graph
    job = next(n.id for n in graph.nodes.values() if n.kind is NodeKind.JOB)
    kinds = {(e.kind, e.source == job or e.target == job) for e in graph.edges}
    assert all(touches for _, touches in kinds)
    assert len(graph.edges) == len(raw.get("inputs", [])) + len(raw.get("outputs", []))
