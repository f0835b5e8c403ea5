"""``governance-app lineage``: every output format read back (JSON, DOT, SVG, PNG)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from governance_app.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVENTS = FIXTURES / "openlineage" / "events.jsonl"
UPSTREAM_OF_4 = {
    "model:readmission_risk/4",
    "run:00000000-0000-0000-0000-000000000002",
    "run:00000000-0000-0000-0000-000000000064",
    "run:00000000-0000-0000-0000-000000000001",
    "job:airflow/readmission.train_model",
    "job:airflow/readmission.build_features",
    "job:airflow/readmission_weekly",
    "dataset:warehouse://prod/features.readmission_v2",
    "dataset:warehouse://prod/raw.admissions",
    "dataset:warehouse://prod/raw.lab_results",
}
NODE_LINE = re.compile(r'^  "((?:[^"\\]|\\.)*)" \[(.*)\];$')
EDGE_LINE = re.compile(r'^  "((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[label="([^"]*)"\];$')


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = str(tmp_path / "ws.db")
    assert main(["--db", url, "import", str(EVENTS), str(FIXTURES / "mlflow" / "mlflow.db")]) == 0
    return url


def test_json_to_stdout_by_default(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", db, "lineage", "readmission_risk:4", "--upstream"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["focus"] == "model:readmission_risk/4"
    assert data["direction"] == "upstream"
    assert {n["id"] for n in data["nodes"]} == UPSTREAM_OF_4
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])


def test_depth_and_downstream(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", db, "lineage", "warehouse://prod/raw.admissions", "--downstream",
                 "--depth", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    # One hop downstream of a dataset is the RUN that read it (issue 3: inputs are edges of
    # runs), shown with its job for context.
    assert {n["id"] for n in data["nodes"]} == {
        "dataset:warehouse://prod/raw.admissions", "run:00000000-0000-0000-0000-000000000001",
        "job:airflow/readmission.build_features"}


def test_dot_lines_parse(db: str, tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    assert main(["--db", db, "lineage", "readmission_risk:4", "--upstream", "--format", "dot",
                 "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == 'digraph "lineage" {' and lines[-1] == "}"
    nodes = {m[1] for m in map(NODE_LINE.match, lines) if m}
    edges = {(m[1], m[2], m[3]) for m in map(EDGE_LINE.match, lines) if m}
    assert nodes == UPSTREAM_OF_4
    assert ("dataset:warehouse://prod/features.readmission_v2",
            "run:00000000-0000-0000-0000-000000000002", "input") in edges  # the run's own input
    assert ("run:00000000-0000-0000-0000-000000000002", "model:readmission_risk/4",
            "output") in edges
    if shutil.which("dot"):  # Graphviz itself agrees it is valid DOT
        plain = subprocess.run(["dot", "-Tplain", str(out)], capture_output=True, text=True,
                               check=True).stdout
        assert sum(1 for line in plain.splitlines() if line.startswith("node ")) == len(nodes)


def test_failed_run_is_marked_in_dot(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", db, "lineage", "readmission_risk:5", "--upstream", "--depth", "1",
                 "--format", "dot"]) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith('  "run:') and "[" in x)
    assert "FAILED" in line and "#D55E00" in line


def test_svg_holds_the_labels(db: str, tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    assert main(["--db", db, "lineage", "readmission_risk:4", "--upstream", "--format", "svg",
                 "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    texts = {"".join(t.itertext()).strip() for t in root.iter() if t.tag.endswith("text")}
    assert {"raw.admissions", "features.readmission_v2", "readmission_risk/4",
            "readmission.train_model", "MODEL VERSION", "DATASET"} <= texts


def test_png_is_a_png(db: str, tmp_path: Path) -> None:
    out = tmp_path / "g.png"
    assert main(["--db", db, "lineage", "readmission_risk:2", "--format", "png",
                 "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(out) as image:
        assert image.width > 200 and image.height > 100


def test_png_needs_a_file(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "lineage", "readmission_risk:2", "--format", "png"]) == 2
    assert "-o FILE" in capsys.readouterr().err


def test_unknown_node_exits_2(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "lineage", "no_such_model:1"]) == 2
    assert "no lineage node 'no_such_model:1'" in capsys.readouterr().err
