"""A large event as the Java client writes it (``producer`` after 215 KB of facets) is found by
detection, and a run seen only through its COMPLETE event has an unknown start."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from governance_app.errors import UnknownSourceError
from governance_app.importers import registry
from governance_app.importers.json_outline import outline
from governance_app.importers.openlineage import load_openlineage

MARQUEZ = Path(__file__).resolve().parents[1] / "fixtures" / "openlineage" / "wild" / "marquez"
LARGE = MARQUEZ / "event_large.json"


def test_large_event_with_producer_last_is_detected() -> None:
    text = LARGE.read_text(encoding="utf-8")
    assert text.index('"producer"') > 200_000  # after the facets, as the Java client writes
    assert registry.detect(LARGE) == "openlineage"
    found = outline(LARGE)
    assert found.keys[-2:] == ["producer", "schemaURL"] and found.complete


def test_key_order_does_not_matter_in_a_list_of_events(tmp_path: Path) -> None:
    event = json.loads(LARGE.read_text(encoding="utf-8"))
    reordered = {k: event[k] for k in ("run", "job", "inputs", "outputs", "eventType",
                                       "eventTime", "schemaURL", "producer")}
    path = tmp_path / "events.json"
    path.write_text(json.dumps([reordered, event]), encoding="utf-8")
    assert registry.detect(path) == "openlineage"


def test_run_seen_only_through_complete_has_an_unknown_start() -> None:
    graph = load_openlineage(LARGE).graph
    runs = [n for n in graph.nodes.values() if n.kind.value == "run" and n.status]
    assert runs and all(n.status == "COMPLETE" for n in runs)
    for run in runs:
        assert run.started_at is None
        assert run.ended_at is not None and run.ended_at.tzinfo is UTC
        assert run.ended_at > datetime(2020, 1, 1, tzinfo=UTC)


def test_json_with_openlineage_keys_but_no_producer_says_what_is_missing(tmp_path) -> None:
    event = json.loads(LARGE.read_text(encoding="utf-8"))
    del event["producer"]
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    with pytest.raises(UnknownSourceError) as caught:
        registry.detect(path)
    message = str(caught.value)
    assert "it looks like an OpenLineage event without producer" in message
    assert "expected openlineage:" in message
