"""The OpenLineage reader is registered: detection picks it for event files and only for them,
and ``import_path`` stores what it reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.services.importing import import_kinds, import_path
from governance_app.services.workspace import Workspace
from governance_app.store.lineage_reader import lineage_counts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVENTS = FIXTURES / "openlineage" / "events.jsonl"
MARQUEZ = FIXTURES / "openlineage" / "wild" / "marquez"


def _first_event() -> dict:
    return json.loads(EVENTS.read_text(encoding="utf-8").splitlines()[0])


def test_the_kind_is_listed() -> None:
    assert "openlineage" in import_kinds()


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_json_lines_files_are_detected_by_suffix(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"events{suffix}"
    shutil.copyfile(EVENTS, target)
    assert registry.detect(target) == "openlineage"


def test_a_json_file_of_one_event_or_a_list_is_detected(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(_first_event(), indent=2), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([_first_event(), _first_event()]), encoding="utf-8")
    assert registry.detect(one) == "openlineage"
    assert registry.detect(many) == "openlineage"
    assert registry.detect(MARQUEZ / "event_full.json") == "openlineage"


def test_a_folder_of_event_files_is_detected(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    shutil.copyfile(EVENTS, folder / "a.jsonl")
    (folder / "b.json").write_text(json.dumps(_first_event()), encoding="utf-8")
    assert registry.detect(folder) == "openlineage"


def test_other_json_is_not_claimed(tmp_path: Path) -> None:
    bundle = Path(__file__).resolve().parents[2] / "resources" / "demo" / "registry.json"
    assert registry.detect(bundle) == "bundle"
    rest = FIXTURES / "mlflow" / "rest"
    assert registry.detect(rest) == "mlflow-rest"
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"eventTime": "2026-01-01T00:00:00Z"}), encoding="utf-8")
    from governance_app.importers.openlineage_import import detect

    assert not detect(other)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copyfile(EVENTS, mixed / "a.jsonl")
    (mixed / "notes.txt").write_text("not an event", encoding="utf-8")
    assert not detect(mixed)


def test_load_returns_a_lineage_snapshot() -> None:
    snapshot = registry.load(EVENTS)
    assert isinstance(snapshot, LineageSnapshot)
    assert snapshot.kind == "openlineage"
    counts = snapshot.counts()
    assert (counts["events"], counts["files"], counts["models"]) == (8, 1, 2)
    assert counts["edges"] == len(snapshot.graph.edges)
    assert len(snapshot.source_sha256) == 64


def test_the_identity_rule_is_configurable() -> None:
    ctx = ImportContext(options=ImportOptions(settings={"model_namespace": "other://registry"}))
    snapshot = registry.load(EVENTS, "openlineage", ctx)
    ids = set(snapshot.graph.nodes)
    assert "model:readmission_risk/4" not in ids
    assert "dataset:mlflow://registry/models/readmission_risk/4" in ids


def test_unknown_settings_are_refused() -> None:
    ctx = ImportContext(options=ImportOptions(settings={"label": "y"}))
    with pytest.raises(InputError, match="no setting 'label'"):
        registry.load(EVENTS, "openlineage", ctx)


def test_import_path_stores_the_events(tmp_path: Path) -> None:
    with Workspace.open(f"sqlite:///{tmp_path / 'ws.db'}") as ws:
        record = import_path(ws, EVENTS)
        assert record.kind == "openlineage"
        assert record.counts["events"] == 8
        with ws.session() as session:
            counts = lineage_counts(session)
    # 19 edges: both train_model runs' input of features.readmission_v2 is an edge of its own
    # run now (issue 3), where the job-level graph had one dataset → job edge.
    assert counts == {"lineage_nodes": 16, "lineage_edges": 19}
    assert record.changes == {"lineage_node_added": 16, "lineage_edge_added": 19}
