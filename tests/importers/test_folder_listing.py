"""The JSON files of a folder as the format detectors share them: os.walk's order with sorted
names, hidden ones and links marked (never followed into), walked once inside a detection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.importers.folder_listing import (
    json_files,
    shared_listings,
    visible_json_files,
)


def _tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "far.json").write_text("{}")
    for name in ("b.json", "a.json", "notes.txt", ".hidden.json", "sub/c.json", ".git/d.json"):
        (root / name).write_text("{}")
    (root / "z-link.json").symlink_to(root / "a.json")
    (root / "dangling.json").symlink_to(root / "gone.json")
    (root / "into-outside").symlink_to(outside)  # a link to a folder: never entered
    return root


def test_order_and_what_each_entry_is(tmp_path: Path) -> None:
    root = _tree(tmp_path / "answers")
    listed = {f.rel: f for f in json_files(root)}
    assert list(listed) == [".hidden.json", "a.json", "b.json", "dangling.json", "z-link.json",
                            ".git/d.json", "sub/c.json"]
    assert listed["sub/c.json"].path == os.path.join(root, "sub", "c.json")
    assert listed["sub/c.json"].as_path() == root / "sub" / "c.json"
    assert [r for r, f in listed.items() if f.link] == ["dangling.json", "z-link.json"]
    assert [r for r, f in listed.items() if not f.is_file] == ["dangling.json"]
    assert [r for r, f in listed.items() if f.hidden] == [".hidden.json", ".git/d.json"]
    assert [f.rel for f in visible_json_files(root, 10, "answers")] == [
        "a.json", "b.json", "dangling.json", "z-link.json", "sub/c.json"]


def test_more_files_than_a_format_reads_are_refused_by_name(tmp_path: Path) -> None:
    root = _tree(tmp_path / "answers")
    with pytest.raises(InputError) as caught:
        visible_json_files(root, 4, "a folder of answers")
    assert "answers: holds more than 4 JSON files" in str(caught.value)
    assert "a folder of answers" in str(caught.value)


def test_one_walk_inside_a_detection_a_fresh_one_outside(tmp_path: Path) -> None:
    root = _tree(tmp_path / "answers")
    with shared_listings():
        first = json_files(root)
        (root / "late.json").write_text("{}")
        assert json_files(root) is first  # the detectors of one detection share the walk
    assert "late.json" in [f.rel for f in json_files(root)]  # a reader lists afresh
    assert "late.json" not in [f.rel for f in first]
