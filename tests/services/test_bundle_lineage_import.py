"""A 1.1 bundle with lineage, imported into a real workspace (SQLite file and PostgreSQL): the
registry and its lineage land in one import, join by id, and a refused bundle stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.services import lineage
from governance_app.services.importing import import_path, list_imports, workspace_counts
from governance_app.services.workspace import Workspace
from governance_app.store.lineage_reader import lineage_counts, stored_graph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BUNDLE = FIXTURES / "bundle" / "lineage-bundle.json"
EVENTS = FIXTURES / "openlineage" / "events.jsonl"
TRAIN = "dataset:s3://lake/credit/{}/train.parquet"


@pytest.fixture
def ws(workspace_url: str):  # noqa: ANN201 - an open workspace
    with Workspace.open(workspace_url) as opened:
        yield opened


def test_a_bundle_with_lineage_imports_both_in_one_import(ws: Workspace) -> None:
    record = import_path(ws, BUNDLE)
    assert record.kind == "bundle"
    assert (record.counts["versions"], record.counts["lineage_edges"]) == (2, 15)
    assert record.changes["version_added"] == 2
    assert record.changes["lineage_edge_added"] == 15
    with ws.session() as session:
        assert lineage_counts(session) == {"lineage_nodes": 14, "lineage_edges": 15}
        stored = stored_graph(session)
    assert stored.dangling_edges() == []

    graph = lineage.workspace_graph(ws)
    # Joined with the registry: the version's stage and the run's status come from it.
    assert graph.nodes["model:credit_default/2"].status == "Production"
    assert graph.nodes["run:train-2026-05"].status == "FINISHED"
    up = {n.id for n in lineage.upstream_datasets(ws, "credit_default", 2)}
    assert up == {TRAIN.format("2026-05"), "dataset:postgres://core:5432/lending.loans"}
    assert lineage.impact(ws, "s3://lake/credit/2026-04/train.parquet") == [
        "model:credit_default/1"]
    down = lineage.lineage_graph(ws, "credit_default:2", "downstream")
    assert "dataset:bi://looker/dashboards/credit-risk" in down.nodes
    assert graph.dangling_edges() == []

    again = import_path(ws, BUNDLE)  # idempotent, as every import
    assert again.changes == {}


def test_bundle_lineage_joins_openlineage_events(ws: Workspace) -> None:
    import_path(ws, EVENTS)
    import_path(ws, BUNDLE)
    graph = lineage.workspace_graph(ws)
    assert "model:readmission_risk/4" in graph.nodes and "model:credit_default/2" in graph.nodes
    assert graph.dangling_edges() == []


def test_a_refused_lineage_section_stores_no_registry_either(
    ws: Workspace, tmp_path: Path
) -> None:
    doc = json.loads(BUNDLE.read_text(encoding="utf-8"))
    doc["lineage"]["edges"][-1]["target"] = "dataset:bi://looker/dashboards/nope"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    before = workspace_counts(ws)
    with pytest.raises(InputError, match=r"lineage\.edges\[9\]\.target, line \d+"):
        import_path(ws, bad)
    assert workspace_counts(ws) == before
    assert list_imports(ws) == []
    with ws.session() as session:
        assert lineage_counts(session) == {"lineage_nodes": 0, "lineage_edges": 0}
