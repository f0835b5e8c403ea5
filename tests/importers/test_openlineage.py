"""OpenLineage reader: the openlineage-python fixture exactly as expected.json says, wild events
from Marquez and the fluentd proxy, and refusals that name the line and the field."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from governance_app.analytics.lineage_graph import LineageIndex
from governance_app.domain.lineage import NodeKind, canonical_node_id
from governance_app.errors import ImportCancelled, InputError
from governance_app.importers.openlineage import load_openlineage, read_openlineage
from governance_app.importers.registry import ImportContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openlineage"
EVENTS = FIXTURES / "events.jsonl"
MARQUEZ = FIXTURES / "wild" / "marquez"
FLUENTD = FIXTURES / "wild" / "fluentd"
R = "run:00000000-0000-0000-0000-0000000000"
JOB = "job:airflow/readmission."
WH = "dataset:warehouse://prod/"


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result():  # noqa: ANN201 - the import result
    return load_openlineage(EVENTS)


def _events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVENTS.read_text(encoding="utf-8").splitlines()]


def _write_lines(path: Path, events: list[Any]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def test_counts_jobs_and_runs(result, expected: dict[str, Any]) -> None:
    graph = result.graph
    assert (result.events, result.runs, result.files) == (expected["events"], expected["runs"], 1)
    jobs = {n.name for n in graph.nodes.values() if n.kind is NodeKind.JOB}
    # The parent facet names a fourth job, which is a node so the parent edge has two ends.
    assert jobs == set(expected["jobs"]) | {"readmission_weekly"}
    runs = {n.id for n in graph.nodes.values() if n.kind is NodeKind.RUN and n.status}
    assert len(runs) == expected["runs"]
    assert graph.dangling_edges() == []


def test_datasets_and_model_versions(result, expected: dict[str, Any]) -> None:
    graph = result.graph
    wanted = {canonical_node_id(ns, name, NodeKind.DATASET) for ns, name in expected["datasets"]}
    held = {
        n.id for n in graph.nodes.values() if n.kind in (NodeKind.DATASET, NodeKind.MODEL_VERSION)
    }
    assert held == wanted
    assert {"model:readmission_risk/4", "model:readmission_risk/5"} <= held
    model = graph.nodes["model:readmission_risk/4"]
    assert (model.kind, model.name, model.namespace) == (
        NodeKind.MODEL_VERSION,
        "readmission_risk/4",
        "",
    )


def test_edges_exactly(result) -> None:
    # Inputs are edges of the run that read them (issue 3: per-run lineage); expected.json lists
    # no edges, and its upstream set of readmission_risk/4 is what these run-level edges give.
    edges = {(e.source, e.target, e.kind) for e in result.graph.edges}
    parent = f"{R}64"
    assert edges == {
        (f"{WH}raw.admissions", f"{R}01", "input"),
        (f"{WH}raw.lab_results", f"{R}01", "input"),
        (f"{WH}features.readmission_v2", f"{R}02", "input"),
        (f"{WH}features.readmission_v2", f"{R}04", "input"),
        ("model:readmission_risk/4", f"{R}03", "input"),
        (f"{WH}features.readmission_v2_holdout", f"{R}03", "input"),
        (f"{JOB}build_features", f"{R}01", "instance"),
        (f"{JOB}train_model", f"{R}02", "instance"),
        (f"{JOB}evaluate_model", f"{R}03", "instance"),
        (f"{JOB}train_model", f"{R}04", "instance"),
        ("job:airflow/readmission_weekly", parent, "instance"),
        (f"{R}01", f"{WH}features.readmission_v2", "output"),
        (f"{R}02", "model:readmission_risk/4", "output"),
        (f"{R}03", "dataset:s3://governance/reports/readmission_risk/4/eval.json", "output"),
        (f"{R}04", "model:readmission_risk/5", "output"),
        *((parent, f"{R}0{i}", "parent") for i in range(1, 5)),
    }
    assert len(result.graph.edges) == len(edges)


def test_failed_run_state_and_times(result, expected: dict[str, Any]) -> None:
    graph = result.graph
    failed = {n.name for n in graph.nodes.values() if n.kind is NodeKind.RUN and n.status == "FAIL"}
    assert failed == set(expected["failed_runs"])
    run = graph.nodes[f"{R}04"]
    assert run.started_at == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert run.ended_at == datetime(2026, 3, 1, 8, 37, tzinfo=UTC)
    assert graph.nodes[f"{R}01"].status == "COMPLETE"


def test_upstream_of_model_version(result, expected: dict[str, Any]) -> None:
    index = LineageIndex(result.graph)
    upstream = index.upstream("model:readmission_risk/4")
    names = {
        result.graph.nodes[i].name
        for i in upstream
        if result.graph.nodes[i].kind is NodeKind.DATASET
    }
    assert names == set(expected["upstream_of_model_readmission_risk_4"])


def test_facets_kept(result) -> None:
    graph = result.graph
    features = graph.nodes[f"{WH}features.readmission_v2"]
    assert {"schema", "columnLineage"} <= set(features.facets)
    assert graph.nodes[f"{JOB}build_features"].facets["sql"]["query"].startswith("INSERT INTO")
    assert graph.nodes[f"{R}01"].facets["tags"]["tags"][0]["value"] == "1.54.0"
    assert result.notes == ()


def test_unknown_facets_kept_verbatim(tmp_path: Path) -> None:
    graph = read_openlineage(MARQUEZ / "event_full.json")
    job = next(n for n in graph.nodes.values() if n.kind is NodeKind.JOB and n.facets)
    raw = json.loads((MARQUEZ / "event_full.json").read_text(encoding="utf-8"))
    assert job.facets["additionalProp1"] == raw["job"]["facets"]["additionalProp1"]
    run = graph.nodes[f"run:{raw['run']['runId']}"]
    assert run.facets["additionalProp2"] == raw["run"]["facets"]["additionalProp2"]
    # A malformed facet we do not interpret (owners without names) is kept, not refused.
    graph = read_openlineage(FLUENTD / "event_invalid_dataset_facet.json")
    out = graph.nodes["dataset:my-datasource-namespace/instance.schema.output-1"]
    assert out.facets["ownership"]["owners"] == [{"no-name": "no-name-owner"}]
    read_openlineage(FLUENTD / "event_invalid_job_facet.json")
    events = _events()
    events[0]["run"]["facets"]["x_custom"] = {"anything": [1, {"deep": None}]}
    graph = read_openlineage(_write_lines(tmp_path / "e.jsonl", events))
    assert graph.nodes[f"{R}01"].facets["x_custom"] == {"anything": [1, {"deep": None}]}


def test_marquez_wild_events() -> None:
    graph = read_openlineage(MARQUEZ / "event_unicode.json")
    assert "job:my-scheduler-namespace/myjob.buggy_task🕷" in graph.nodes
    run = graph.nodes["run:1d8f4596-b3f2-4ebb-9e75-8ecc955b834a"]
    # Seen only through its COMPLETE event: the end is known (+10:00 read right), the start not.
    assert run.ended_at == datetime(2020, 12, 28, 9, 52, 0, 1000, tzinfo=UTC)
    assert run.started_at is None
    nano = read_openlineage(MARQUEZ / "event_required_nanoseconds.json")
    run = nano.nodes["run:43d7db3b-8984-4cda-b237-8c6919b36670"]
    assert run.started_at == datetime(2020, 12, 28, 19, 51, 1, 641499, tzinfo=UTC)
    assert run.status == ""  # required-only: no eventType, so no state
    only = read_openlineage(MARQUEZ / "event_required_only.json")
    assert set(only.nodes) == {"job:my-namespace/myjob", "run:43d7db3b-8984-4cda-b237-8c6919b36670"}


def test_zone_less_timestamp_read_as_utc_with_a_note() -> None:
    result = load_openlineage(MARQUEZ / "event_required_no_timezone.json")
    run = result.graph.nodes["run:43d7db3b-8984-4cda-b237-8c6919b36670"]
    assert run.started_at == datetime(2020, 12, 28, 19, 51, 1, 641499, tzinfo=UTC)
    assert len(result.notes) == 1
    assert "eventTime, line 2" in result.notes[0] and "UTC" in result.notes[0]


def test_dataset_and_job_events() -> None:
    graph = read_openlineage(MARQUEZ / "event_dataset_event.json")
    node = graph.nodes["dataset:my-dataset-namespace/my-dataset-name"]
    assert node.facets["schema"]["fields"][0]["name"] == "col_a"
    graph = read_openlineage(MARQUEZ / "event_job_event.json")
    job = "job:my-scheduler-namespace/myjob"
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert edges == {
        ("dataset:my-datasource-namespace/instance.schema.input-1", job, "input"),
        (job, "dataset:my-datasource-namespace/instance.schema.output-1", "output"),
    }


@pytest.mark.parametrize(
    ("index", "edit", "field", "expected"),
    [
        (2, lambda e: e.pop("eventTime"), "eventTime", "date-time"),
        (3, lambda e: e.pop("producer"), "producer", "producer"),
        (1, lambda e: e.pop("schemaURL"), "schemaURL", "spec URL"),
        (4, lambda e: e["run"].pop("runId"), "run.runId", "run's id"),
        (5, lambda e: e.pop("run"), "run", "runId"),
        (6, lambda e: e["job"].pop("namespace"), "job.namespace", "namespace"),
        (7, lambda e: e["job"].update(name=""), "job.name", "job's name"),
        (3, lambda e: e.update(eventTime="01/03/2026 08:00"), "eventTime", "ISO-8601"),
        (3, lambda e: e.update(eventTime="2026-02-30T08:00:00Z"), "eventTime", "ISO-8601"),
        (3, lambda e: e.update(eventType="DONE"), "eventType", "COMPLETE"),
        (2, lambda e: e["inputs"][1].pop("name"), "inputs[1].name", "dataset's name"),
    ],
)
def test_malformed_event_names_line_and_field(
    tmp_path: Path, index: int, edit: Any, field: str, expected: str
) -> None:
    events = _events()
    edit(events[index - 1])
    path = _write_lines(tmp_path / "events.jsonl", events)
    with pytest.raises(InputError) as info:
        read_openlineage(path)
    err = info.value
    assert err.source == str(path)
    assert err.location == f"{field}, line {index}"
    assert expected in (err.expected or "")


def test_truncated_jsonl_line(tmp_path: Path) -> None:
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5][: len(lines[5]) // 2]
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_openlineage(path)
    assert info.value.location == "line 6"


def test_json_list_error_names_line(tmp_path: Path) -> None:
    events = _events()
    del events[2]["run"]["runId"]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_openlineage(path)
    text = path.read_text(encoding="utf-8").splitlines()
    # The run id is missing, so the line named is that of the third event's "run" object.
    run_lines = [i for i, t in enumerate(text, 1) if t.startswith('    "run": {')]
    assert info.value.location == f"[2].run.runId, line {run_lines[2]}"


def test_wild_invalid_events_refused() -> None:
    with pytest.raises(InputError, match=r"run\.runId, line 4"):
        read_openlineage(FLUENTD / "event_no_run_id.json")
    with pytest.raises(InputError, match=r"run\.facets\.parent\.run\.runId, line \d+"):
        read_openlineage(FLUENTD / "event_invalid_run_facet.json")
    with pytest.raises(InputError, match="schemaURL"):
        read_openlineage(MARQUEZ / "event_without_schema_url.json")


def test_json_file_one_event_list_and_appended_lines(tmp_path: Path) -> None:
    events = _events()
    one = tmp_path / "one.json"
    one.write_text(json.dumps(events[0]), encoding="utf-8")
    assert f"{R}01" in read_openlineage(one).nodes
    many = tmp_path / "many.json"
    many.write_text(json.dumps(events), encoding="utf-8")
    appended = _write_lines(tmp_path / "appended.json", events)  # FileTransport append mode
    whole = {(e.source, e.target, e.kind) for e in read_openlineage(EVENTS).edges}
    for path in (many, appended):
        assert {(e.source, e.target, e.kind) for e in read_openlineage(path).edges} == whole


def test_folder_input_sorted_and_merged(tmp_path: Path) -> None:
    events = _events()
    folder = tmp_path / "events"
    (folder / "sub").mkdir(parents=True)
    _write_lines(folder / "a.jsonl", events[:4])
    (folder / "sub" / "b.json").write_text(json.dumps(events[4:]), encoding="utf-8")
    (folder / "notes.txt").write_text("not an event", encoding="utf-8")
    result = load_openlineage(folder)
    assert (result.files, result.events, result.runs) == (2, 8, 4)
    whole = {(e.source, e.target, e.kind) for e in read_openlineage(EVENTS).edges}
    assert {(e.source, e.target, e.kind) for e in result.graph.edges} == whole
    assert len(result.source_sha256) == 64


def test_folder_link_outside_refused(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    outside = tmp_path / "outside.jsonl"
    shutil.copy(EVENTS, outside)
    (folder / "link.jsonl").symlink_to(outside)
    with pytest.raises(InputError, match="outside the source folder"):
        read_openlineage(folder)


def test_empty_and_wrong_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no OpenLineage events"):
        read_openlineage(tmp_path / "empty")
    with pytest.raises(InputError, match="does not exist"):
        read_openlineage(tmp_path / "missing")
    other = tmp_path / "events.csv"
    other.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="suffix"):
        read_openlineage(other)
    scalar = tmp_path / "x.jsonl"
    scalar.write_text("[1]\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_openlineage(scalar)


def test_out_of_order_events_merge_by_time(tmp_path: Path) -> None:
    events = _events()[6:8]  # START then FAIL of run 4, written in reverse
    graph = read_openlineage(_write_lines(tmp_path / "e.jsonl", events[::-1]))
    assert graph.nodes[f"{R}04"].status == "FAIL"


def test_cancel_and_progress() -> None:
    seen: list[tuple[int, int, str]] = []
    ctx = ImportContext(lambda d, t, m: seen.append((d, t, m)), is_cancelled=lambda: True)
    with pytest.raises(ImportCancelled):
        read_openlineage(EVENTS, ctx)
    ctx = ImportContext(lambda d, t, m: seen.append((d, t, m)))
    read_openlineage(EVENTS, ctx)
    assert seen[-1][0] == seen[-1][1] == 1
