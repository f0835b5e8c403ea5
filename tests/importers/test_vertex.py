"""Vertex AI answers against the oracle the aiplatform proto classes wrote (``expected.json``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from governance_app.domain.cloud import CloudSnapshot
from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.cloud_fields import parse_time

CREDIT = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "credit"
EXPECTED = json.loads((CREDIT / "expected.json").read_text(encoding="utf-8"))
MODEL = EXPECTED["model"]["display_name"]


@pytest.fixture(scope="module")
def snapshot() -> CloudSnapshot:
    result = registry.load(CREDIT / "api")
    assert isinstance(result, CloudSnapshot)
    return result


def test_detected_as_a_folder_and_as_single_answers() -> None:
    assert registry.detect(CREDIT / "api") == "vertex"
    for name in ("models.get.json", "models.listVersions.json", "pipelineJobs.list.json",
                 "models@1.evaluations.list.json"):
        assert registry.detect(CREDIT / "api" / name) == "vertex", name


def test_versions_aliases_labels_and_origins(snapshot: CloudSnapshot) -> None:
    (model,) = snapshot.registry.models
    assert model.name == MODEL
    origins = {o.version: o for o in snapshot.origins}
    for want in EXPECTED["versions"]:
        number = int(want["version_id"])
        version = next(v for v in model.versions if v.version == number)
        assert version.aliases == sorted(want["aliases"])
        assert version.tags == want["labels"]
        assert version.description == want["version_description"]
        assert version.created_at == parse_time(want["version_create_time"])
        assert version.source == want["artifact_uri"]
        origin = origins[number]
        assert origin.source_id == f"{EXPECTED['model']['name']}@{number}"
        assert origin.model_source_id == EXPECTED["model"]["name"]
        assert origin.details["pipeline_job"] == want["pipeline_job"]
        assert origin.details["images"] == [want["container_image"]]
        assert origin.details["source_type"] == want["source_type"]
    assert model.aliases["default"] == int(EXPECTED["model"]["default_version"][0])


def test_evaluations_and_slices(snapshot: CloudSnapshot) -> None:
    by_name = {e.name: e for e in snapshot.evaluations}
    for want_version in EXPECTED["versions"]:
        (want,) = want_version["evaluations"]
        ev = by_name[want["name"]]
        assert (ev.model_name, ev.version) == (MODEL, int(want_version["version_id"]))
        assert ev.metrics == {"auPrc": want["auPrc"], "auRoc": want["auRoc"],
                              "logLoss": want["logLoss"]}
        assert ev.details["confusion_matrix"]["rows"] == want["confusion_matrix"]["rows"]
        assert ev.details["confusion_matrix"]["labels"] == ["repaid", "default"]
        assert len(ev.details["confidence_metrics"]) == want["n_confidence_points"]
        at_half = next(r for r in ev.details["confidence_metrics"]
                       if r.get("confidenceThreshold") == 0.5)
        assert at_half == pytest.approx(want["at_threshold_0_5"])
        assert sorted((s.feature, s.value) for s in ev.slices) == sorted(
            (s["dimension"], s["value"]) for s in want["slices"])
        for s in want["slices"]:
            got = next(x for x in ev.slices if x.value == s["value"])
            assert got.metrics["auRoc"] == s["auRoc"] and got.metrics["auPrc"] == s["auPrc"]


def test_pipeline_job_tasks_and_lineage_subgraph(snapshot: CloudSnapshot) -> None:
    (job,) = EXPECTED["pipeline_jobs"]
    graph = snapshot.lineage
    run = graph.nodes[f"run:{job['name']}"]
    assert run.status == "COMPLETE"
    tasks = [t for t in job["tasks"] if t["task_name"] != job["name"].rpartition("/")[2]]
    for task in tasks:
        node = graph.nodes[f"run:{task['execution']}"]
        assert node.name == task["task_name"]
        assert node.facets["vertex_task"]["state"] == task["state"]
        assert any(e.source == run.id and e.target == node.id and e.kind == "parent"
                   for e in graph.edges)
    upload = next(t for t in tasks if t["task_name"] == "model-upload")
    version_node = f"model:{MODEL}/3"
    assert any(e.source == f"run:{upload['execution']}" and e.target == version_node
               and e.kind == "output" for e in graph.edges)
    assert any(e.source == run.id and e.target == version_node and e.kind == "produced"
               for e in graph.edges)
    train = next(t for t in tasks if t["task_name"] == "train-credit-model")
    inputs = {graph.nodes[e.source].name.partition("#")[0] for e in graph.edges
              if e.target == f"run:{train['execution']}" and e.kind == "input"}
    assert inputs == set(train["inputs"])


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "api"
    shutil.copytree(CREDIT / "api", target)
    for p in [target, *target.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return target


def test_integral_numbers_and_int64_text_read_alike(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    file = folder / "models@1.evaluations.list.json"
    data = json.loads(file.read_text())
    metrics = data["modelEvaluations"][0]["metrics"]
    metrics["confusionMatrix"]["rows"] = [[str(int(x)) for x in row]
                                          for row in metrics["confusionMatrix"]["rows"]]
    metrics["confidenceMetrics"][0]["truePositiveCount"] = "116"
    file.write_text(json.dumps(data))
    text = (folder / "models.get@1.json").read_text().replace('"versionId": "1"',
                                                              '"versionId": 1.0')
    (folder / "models.get@1.json").write_text(text)
    ev = next(e for e in registry.load(folder).evaluations if e.version == 1)
    assert ev.details["confusion_matrix"]["rows"] == [[230.0, 54.0], [26.0, 90.0]]
    assert ev.details["confidence_metrics"][0]["truePositiveCount"] == 116.0


def test_an_evaluation_without_its_version_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "evaluations.json"
    shutil.copyfile(CREDIT / "api" / "models@2.evaluations.list.json", file)
    with pytest.raises(InputError, match="cannot tell which version"):
        registry.load(file)


def test_a_wrong_type_names_file_and_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    file = folder / "models.get@2.json"
    data = json.loads(file.read_text())
    data["versionAliases"] = "champion"
    file.write_text(json.dumps(data, indent=2))
    with pytest.raises(InputError) as caught:
        registry.load(folder)
    assert "models.get@2.json" in str(caught.value)
    assert "$.versionAliases, line" in str(caught.value)


VARIANTS = CREDIT.parent / "variants"


def _comparable(snapshot: CloudSnapshot) -> tuple:
    versions = sorted((v.version, v.description, v.created_at, tuple(v.aliases),
                       tuple(sorted(v.tags.items())), v.source)
                      for m in snapshot.registry.models for v in m.versions)
    evaluations = sorted((e.name, e.version, tuple(sorted(e.metrics.items())),
                          json.dumps(e.details["confusion_matrix"]),
                          json.dumps(e.details["confidence_metrics"], sort_keys=True),
                          tuple(sorted((s.value, tuple(sorted(s.metrics.items())))
                                       for s in e.slices)))
                         for e in snapshot.evaluations)
    nodes = sorted((n.id, n.status, n.name) for n in snapshot.lineage.nodes.values())
    edges = sorted((e.source, e.target, e.kind) for e in snapshot.lineage.edges)
    origins = sorted((o.ref, o.source_id, json.dumps(o.details, sort_keys=True))
                     for o in snapshot.origins)
    return versions, evaluations, nodes, edges, origins


def test_python_json_format_reads_as_the_rest_form(snapshot: CloudSnapshot) -> None:
    """116.0 for 116, every default field present: the same records (aiplatform's to_json)."""
    raw = json.loads((VARIANTS / "python-json-format" / "models@1.evaluations.list.json")
                     .read_text())
    assert raw["modelEvaluations"][0]["metrics"]["confidenceMetrics"][0][
        "truePositiveCount"] == 116.0
    variant = registry.load(VARIANTS / "python-json-format")
    assert isinstance(variant, CloudSnapshot)
    assert _comparable(variant) == _comparable(snapshot)


def test_cached_failed_skipped_and_untriggered_tasks() -> None:
    result = registry.load(VARIANTS / "task-states")
    assert isinstance(result, CloudSnapshot)
    tasks = {n.name: n for n in result.lineage.nodes.values()
             if n.kind.value == "run" and "vertex_task" in n.facets}
    assert {name: n.status for name, n in tasks.items()} == {
        "ingest-applications": "CACHED", "validate-and-split": "COMPLETE",
        "train-credit-model": "FAIL", "evaluate-credit-model": "NOT_TRIGGERED",
        "model-upload": "SKIPPED", "model-evaluation-import": "NOT_TRIGGERED"}
    assert tasks["model-evaluation-import"].facets["vertex_task"]["state"] == "(omitted)"
    job = next(n for n in result.lineage.nodes.values() if n.id.startswith("run:projects/")
               and "/pipelineJobs/" in n.id)
    assert job.status == "FAIL"
    never_ran = tasks["evaluate-credit-model"]
    assert never_ran.started_at is None
    assert not any(e.source == never_ran.id and e.kind == "output"
                   for e in result.lineage.edges)
