"""The bundle's lineage section (format 1.1): read into the graph an OpenLineage import makes,
and refused with the field path and line when an edge names an undeclared node or joins the
wrong kinds of node."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from governance_app.domain.bundle_snapshot import BundleSnapshot
from governance_app.domain.lineage import NodeKind
from governance_app.errors import InputError
from governance_app.importers import bundle
from governance_app.importers.openlineage import load_openlineage
from governance_app.importers.registry import ImportContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BUNDLE = FIXTURES / "bundle" / "lineage-bundle.json"
EVENTS = FIXTURES / "openlineage" / "events.jsonl"


def _doc() -> dict[str, Any]:
    return json.loads(BUNDLE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _error(tmp_path: Path, doc: dict[str, Any]) -> InputError:
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        bundle.read(path, ImportContext())
    assert str(path) in str(info.value)
    return info.value


def _line_of(path: Path, needle: str, nth: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, start=1) if needle in line][nth]


def test_the_section_reads_into_nodes_and_edges() -> None:
    snap = bundle.read(BUNDLE, ImportContext())
    assert isinstance(snap, BundleSnapshot) and snap.lineage is not None
    graph = snap.lineage
    kinds = {k: sorted(i for i, n in graph.nodes.items() if n.kind is k) for k in NodeKind}
    assert kinds[NodeKind.JOB] == ["job:airflow/credit.make_training_set",
                                   "job:airflow/credit.score", "job:airflow/credit.train"]
    assert len(kinds[NodeKind.DATASET]) == 4 and len(kinds[NodeKind.RUN]) == 5
    assert kinds[NodeKind.MODEL_VERSION] == ["model:credit_default/1", "model:credit_default/2"]
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert len(edges) == len(graph.edges) == 10 + 5  # the listed edges + one instance per run
    assert ("job:airflow/credit.train", "run:train-2026-05", "instance") in edges
    assert graph.dangling_edges() == []
    loans = graph.nodes["dataset:postgres://core:5432/lending.loans"]
    assert loans.facets["schema"]["fields"][1] == {
        "name": "income", "type": "double", "description": "yearly, in EUR"}
    train = graph.nodes["dataset:s3://lake/credit/2026-05/train.parquet"]
    assert train.facets["version"] == {"datasetVersion": "sha256:41ab07"}
    make = graph.nodes["run:make-2026-04"]
    assert (make.status, make.namespace, make.started_at.isoformat()) == (
        "COMPLETE", "airflow", "2026-04-30T22:00:00+00:00")
    assert graph.nodes["run:score-2026-06-01"].status == "FAIL"
    counts = snap.counts()
    assert (counts["lineage_runs"], counts["lineage_edges"], counts["versions"]) == (5, 15, 2)


def test_an_openlineage_graph_written_as_a_bundle_is_the_same_graph(tmp_path: Path) -> None:
    """Any tool can write the section: here, the OpenLineage fixture's graph, written out."""
    ol = load_openlineage(EVENTS).graph
    nodes = ol.nodes.values()
    instance = {e.target: e.source for e in ol.edges if e.kind == "instance"}
    doc = {
        "format": "governance-app/bundle", "format_version": "1.1",
        "exported_at": "2026-06-01T12:00:00Z", "source": {"system": "tests"},
        "models": [{"name": "readmission_risk", "versions": [{"version": 4}, {"version": 5}]}],
        "lineage": {
            "datasets": [{"namespace": n.namespace, "name": n.name} for n in nodes
                         if n.kind is NodeKind.DATASET],
            "jobs": [{"namespace": n.namespace, "name": n.name} for n in nodes
                     if n.kind is NodeKind.JOB],
            "runs": [{"run_id": n.name, "job": instance[n.id]} for n in nodes
                     if n.kind is NodeKind.RUN],
            "edges": [{"source": e.source, "target": e.target, "kind": e.kind} for e in ol.edges
                      if e.kind != "instance"],
        },
    }
    graph = bundle.read(_write(tmp_path, doc), ImportContext()).lineage
    assert set(graph.nodes) == set(ol.nodes)
    assert set(graph.edges) == set(ol.edges)


def test_an_edge_to_an_undeclared_node_names_field_and_line(tmp_path: Path) -> None:
    doc = _doc()
    doc["lineage"]["edges"][4]["source"] = "dataset:s3://lake/credit/2026-04/train.parque"
    error = _error(tmp_path, doc)
    path = tmp_path / "bundle.json"
    line = _line_of(path, '"dataset:s3://lake/credit/2026-04/train.parque"')
    assert error.location == f"lineage.edges[4].source, line {line}"
    assert "names no node declared in this bundle" in error.problem
    assert "did you mean 'dataset:s3://lake/credit/2026-04/train.parquet'" in error.problem
    assert "model:<name>/<version>" in error.expected


def test_an_edge_to_a_version_the_bundle_lacks_is_refused(tmp_path: Path) -> None:
    doc = _doc()
    doc["lineage"]["edges"][7]["target"] = "model:credit_default/3"
    error = _error(tmp_path, doc)
    assert error.location.startswith("lineage.edges[7].target, line ")
    assert "'model:credit_default/3' names no node" in error.problem


def test_an_edge_against_the_flow_of_data_is_refused(tmp_path: Path) -> None:
    doc = _doc()
    edge = doc["lineage"]["edges"][0]
    edge["source"], edge["target"] = edge["target"], edge["source"]  # run → dataset as input
    error = _error(tmp_path, doc)
    assert error.location.startswith("lineage.edges[0].source, line ")
    assert "an 'input' edge cannot start at run 'run:make-2026-04'" in error.problem
    assert "dataset or model version" in error.expected


@pytest.mark.parametrize(
    ("damage", "where", "words"),
    [
        (lambda s: s["edges"][2].update(kind="feeds"), "lineage.edges[2].kind", "feeds"),
        (lambda s: s["edges"][2].pop("target"), "lineage.edges[2]", "'target' is missing"),
        (lambda s: s["edges"][2].update(source="s3://lake/x"), "lineage.edges[2].source",
         "not in the expected form"),
        (lambda s: s["datasets"][1].update(digest=""), "lineage.datasets[1].digest", ""),
        (lambda s: s["runs"][0].update(started_at="2026-04-31T22:00:00Z"),
         "lineage.runs[0].started_at", "not a real date"),
        (lambda s: s["runs"][1].update(job="job:airflow/credit.nope"), "lineage.runs[1].job",
         "not declared under lineage.jobs"),
        (lambda s: s["jobs"].append(dict(s["jobs"][0])), "lineage.jobs[3]", "already declared"),
        (lambda s: s.update(nodes=[]), "lineage.nodes", "unknown field 'nodes'"),
    ],
    ids=["unknown kind", "missing target", "not a node id", "empty digest", "impossible date",
         "undeclared job", "job twice", "unknown field"],
)
def test_bad_sections_name_the_field_and_line(tmp_path: Path, damage, where: str,  # noqa: ANN001
                                              words: str) -> None:
    doc = _doc()
    damage(doc["lineage"])
    error = _error(tmp_path, doc)
    assert error.location.startswith(f"{where}, line "), error.location
    assert words in error.problem, error.problem


def test_format_1_0_keeps_importing_and_refuses_a_lineage_section(tmp_path: Path) -> None:
    doc = _doc()
    doc["format_version"] = "1.0"
    error = _error(tmp_path, doc)
    line = _line_of(tmp_path / "bundle.json", '"lineage"')
    assert error.location == f"lineage, line {line}"
    assert "needs format 1.1" in error.problem
    del doc["lineage"]
    snap = bundle.read(_write(tmp_path, doc), ImportContext())
    assert snap.lineage is None and len(snap.runs) == 2
    assert "lineage_edges" not in snap.counts()
    newer = copy.deepcopy(_doc())
    newer["format_version"] = "1.4"
    newer["lineage"]["edges"][0]["weight"] = 1  # a newer minor's field: ignored, not refused
    assert bundle.read(_write(tmp_path, newer), ImportContext()).lineage is not None


def test_the_documented_example_is_the_fixture_and_imports() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md"
    text = docs.read_text(encoding="utf-8")
    section = text[text.index("## Lineage (format 1.1)"):text.index("## Checks beyond")]
    block = section[section.index("```json\n") + 8:section.index("\n```", section.index("```json"))]
    assert json.loads(block) == _doc()
