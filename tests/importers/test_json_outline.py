"""The streaming outline detection relies on: keys anywhere, strings cut by chunk boundaries,
escapes, a BOM, JSON Lines, and inputs that are not JSON at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.importers import json_outline
from governance_app.importers.json_outline import outline

EVENT = {"eventType": "COMPLETE", "run": {"runId": "r", "facets": {"note": 'a "quoted" }{ ,'}},
         "job": {"namespace": "n", "name": "j"}, "eventTime": "2026-01-01T00:00:00Z",
         "producer": "https://example.org/\u00e9\\path", "schemaURL": "https://x/y"}


@pytest.mark.parametrize("chunk", [3, 7, 64, 1 << 20])
def test_keys_and_strings_whatever_the_chunk_size(tmp_path: Path, monkeypatch,
                                                  chunk: int) -> None:
    monkeypatch.setattr(json_outline, "CHUNK_BYTES", chunk)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT), encoding="utf-8")
    found = outline(path)
    assert found.container == "object" and found.complete
    assert found.keys == list(EVENT)
    assert found.strings["producer"] == EVENT["producer"]
    assert "runId" not in found.keys  # nested keys are not top-level keys


def test_first_object_of_an_array_and_first_line_of_json_lines(tmp_path: Path) -> None:
    array = tmp_path / "events.json"
    array.write_text(json.dumps([EVENT, {"other": 1}]), encoding="utf-8")
    assert outline(array).keys == list(EVENT)
    lines = tmp_path / "events.jsonl"
    lines.write_text("\ufeff" + json.dumps(EVENT) + "\n" + json.dumps({"x": 1}) + "\n",
                     encoding="utf-8")
    assert outline(lines).keys == list(EVENT)


def test_stops_once_the_wanted_keys_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT), encoding="utf-8")
    found = outline(path, wanted=("eventType", "run"))
    assert found.keys == ["eventType", "run"] and not found.complete


@pytest.mark.parametrize("content", [b"", b"not json", b'"a string"', b"\xff\xfe\x00",
                                     b"[" * 200_000])
def test_what_is_not_an_object_gives_an_outline_without_keys(tmp_path: Path,
                                                             content: bytes) -> None:
    path = tmp_path / "odd.json"
    path.write_bytes(content)
    found = outline(path)
    assert found.keys == [] and not found.has("a")


def test_a_cut_file_gives_what_was_seen_and_says_it_is_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(b'{"a": 1, "b": "never closed')
    found = outline(path)
    assert found.keys == ["a", "b"] and not found.complete
