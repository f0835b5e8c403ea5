"""DVC files joined with what other imports know (docs/pipelines.md): the same md5 makes one
node, a version whose source is a DVC output gets the DVC stage as producer, and a file that
merely shares a name is listed as a candidate, never joined. Real imports, real workspace."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from governance_app.domain.lineage import NodeKind
from governance_app.services import lineage
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

CREDIT = Path(__file__).resolve().parents[1] / "fixtures" / "dvc" / "credit"
RAW_MD5 = "271aab125e36eb9db463e329514fcb49"  # data/raw/loans.csv in the credit dvc.lock
RUN_ID = "0badc0de0badc0de0badc0de0badc0de"


def _bundle(path: Path) -> Path:
    bundle = {
        "format": "governance-app/bundle", "format_version": "1.0",
        "exported_at": "2026-12-01T00:00:00Z", "source": {"system": "tests"},
        "experiments": [{"name": "loans"}],
        "runs": [{
            "run_id": RUN_ID, "experiment": "loans", "status": "FINISHED",
            "inputs": [
                {"name": "loans-raw", "digest": RAW_MD5, "source_type": "local",
                 "source": "/srv/share/loans-copy.csv", "context": "training"},
                {"name": "train-2025", "digest": "0f0f0f0f", "source_type": "s3",
                 "source": "s3://lake/2025/train.csv", "context": "training"},
            ],
        }],
        "models": [{"name": "loan_approval", "versions": [{
            "version": 1, "run_id": RUN_ID, "status": "READY",
            "source": "s3://acme/dvc-cache/credit/models/loan_approval.pkl"}]}],
    }
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One workspace for the module (the tests only read it): the DVC project and a bundle."""
    folder = tmp_path_factory.mktemp("join")
    url = f"sqlite:///{folder / 'ws.db'}"
    with Workspace.open(url) as opened:
        project = folder / "credit"
        shutil.copytree(CREDIT, project)
        import_path(opened, project)
        import_path(opened, _bundle(folder / "bundle.json"))
    return url


@pytest.fixture
def ws(url: str):
    with Workspace.open(url) as opened:
        yield opened


def test_the_same_md5_is_one_node(ws: Workspace) -> None:
    graph = lineage.workspace_graph(ws)
    assert "dataset:dvc://credit/data/raw/loans.csv" not in graph.nodes
    joined = graph.nodes["dataset:file//srv/share/loans-copy.csv"]
    assert joined.facets["dvc"]["md5"] == RAW_MD5
    assert joined.facets["joinedFrom"] == [
        {"node": "dataset:dvc://credit/data/raw/loans.csv", "rule": "md5"}]
    edges = {(e.source, e.target) for e in graph.edges}
    assert (joined.id, "stage:dvc://credit/prepare") in edges
    assert ("stage:dvc://credit/data/raw/loans.csv.dvc", joined.id) in edges


def test_a_version_whose_source_is_a_dvc_output_is_produced_by_its_stage(ws: Workspace) -> None:
    part = lineage.lineage_graph(ws, "loan_approval:1", "upstream")
    assert "stage:dvc://credit/train" in part.nodes
    stages = {n.name for n in part.nodes.values() if n.kind is NodeKind.STAGE}
    assert {"train", "featurize", "prepare"} <= stages


def test_a_shared_file_name_is_a_candidate_not_a_join(ws: Workspace) -> None:
    graph = lineage.workspace_graph(ws)
    other = "dataset:s3://lake/2025/train.csv"
    assert other in graph.nodes and "dvc" not in graph.nodes[other].facets
    candidates = graph.nodes["dataset:dvc://credit/data/features/train.csv"].facets[
        "joinCandidates"]
    assert {"node": other, "reason": "same file name, different path"} in candidates


def test_the_cli_lists_the_candidates(url: str, capsys, monkeypatch) -> None:
    from governance_app.cli import main

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the human summary, not JSON
    code = main(["--db", url, "lineage", "dataset:dvc://credit/data/features/train.csv",
                 "--downstream"])
    out = capsys.readouterr().out
    assert code == 0
    assert "not joined" in out
    assert "dataset:s3://lake/2025/train.csv" in out
    assert "same file name, different path" in out


def test_lineage_upstream_on_the_command_line(url: str, tmp_path: Path) -> None:
    from governance_app.cli import main

    out = tmp_path / "up.json"
    code = main(["--db", url, "lineage", "loan_approval:1",
                 "--upstream", "--format", "json", "-o", str(out)])
    assert code == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    ids = {n["id"] for n in payload["nodes"]}
    assert {"stage:dvc://credit/train", "stage:dvc://credit/prepare",
            "stage:dvc://credit/data/raw/loans.csv.dvc"} <= ids
    assert "dataset:file//srv/share/loans-copy.csv" in ids  # the raw data, joined by md5
    code = main(["--db", url, "lineage", "dvc://credit/train",
                 "--downstream", "--format", "json", "-o", str(out)])
    assert code == 0
    assert "model:loan_approval/1" in {n["id"] for n in json.loads(out.read_text())["nodes"]}
