"""Cloud registries and trackers through the import service and the CLI, on SQLite and on
PostgreSQL: stored records, idempotent re-import, nothing stored on bad input, exit codes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from governance_app.cli import main
from governance_app.errors import InputError
from governance_app.importers.sagemaker_registry import DETECT_ALL
from governance_app.services import models as model_service
from governance_app.services.clarify_check import clarify_checks
from governance_app.services.importing import import_path, workspace_counts
from governance_app.services.lineage import workspace_graph
from governance_app.services.origins import external_evaluations, version_origin
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAGEMAKER = FIXTURES / "sagemaker" / "registry" / "cli-v2-iso8601"
CLARIFY = FIXTURES / "sagemaker" / "clarify"
VERTEX = FIXTURES / "vertex" / "credit" / "api"
WANDB = FIXTURES / "wandb" / "credit-risk"


def test_all_three_platforms_into_one_workspace(workspace_url: str) -> None:
    ws = Workspace.open(workspace_url)
    first = [import_path(ws, path) for path in (SAGEMAKER, VERTEX, WANDB)]
    assert [r.kind for r in first] == ["sagemaker-registry", "vertex", "wandb-offline"]
    counts = workspace_counts(ws)
    again = [import_path(ws, path) for path in (SAGEMAKER, VERTEX, WANDB)]
    assert [r.changes for r in again] == [{}, {}, {}]
    assert workspace_counts(ws) == {**counts, "imports": 6}
    names = [m.name for m in model_service.list_models(ws)]
    assert names == ["credit-risk-model", "credit-risk-scorer", "fraud-scorer", "loan-approval"]
    origin = version_origin(ws, "loan-approval", 2)
    assert origin is not None and origin.external_decision == "Rejected"
    assert [e.decision for e in origin.decision_history] == ["PendingManualApproval", "Rejected"]
    assert version_origin(ws, "credit-risk-scorer", 2).source_id.endswith("@2")  # type: ignore
    assert version_origin(ws, "credit-risk-model", 2).origin == "wandb"  # type: ignore
    (evaluation,) = external_evaluations(ws, "credit-risk-scorer", 3)
    assert evaluation.metrics["auRoc"] == pytest.approx(0.91267)
    assert {s.value for s in evaluation.slices} == {"female", "male"}
    detail = model_service.get_version_detail(ws, "credit-risk-model", 2)
    assert detail.run is not None and detail.run.name == "train-lr-0.003"
    assert len(detail.run.metrics["val_auc"]) == 50
    graph = workspace_graph(ws)
    assert "model:credit-risk-scorer/3" in graph.nodes
    assert "model:credit-risk-model/2" in graph.nodes
    # the artifact a run logged and the input another run named by its digest are one node
    data = graph.nodes["dataset:wandb://credit-risk/credit-applications:v0"]
    assert "wandb_artifact" in data.facets and "mlflow" in data.facets
    readers = {e.target for e in graph.edges if e.source == data.id and e.kind == "input"}
    assert readers == {"run:mnl43iua", "run:xgphkru2", "run:zpz7cf6j"}


def test_clarify_agrees_with_the_apps_numbers_and_flags_a_disagreement(tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'w.db'}")
    import_path(ws, SAGEMAKER)
    import_path(ws, CLARIFY / "analysis.json", model="loan-approval:2")
    checks = clarify_checks(ws, "loan-approval", 2)
    assert checks and all(c.agrees is None and "no prediction table" in c.reason for c in checks)
    import_path(ws, CLARIFY / "input.csv", model="loan-approval:2",
                settings={"label": "approved", "prediction": "predicted",
                          "sensitive": ["sex", "age"], "bootstrap": 0})
    checks = {(c.facet, c.stage, c.metric): c for c in clarify_checks(ws, "loan-approval", 2)}
    di = checks[("sex", "post", "DI")]
    assert di.agrees is True and di.app_name == "selection_rate ratio"
    assert di.ours == pytest.approx(0.8513513513513513)
    assert checks[("age", "post", "DPPL")].agrees is True  # (40, 69] from the raw ages
    assert checks[("sex", "pre", "KL")].agrees is None
    compared = [c for c in checks.values() if c.agrees is not None]
    assert len(compared) == 20 and all(c.agrees for c in compared)
    tampered = tmp_path / "analysis.json"
    tampered.write_text((CLARIFY / "analysis.json").read_text().replace(
        "0.8513513513513513", "0.8013513513513513"))
    import_path(ws, tampered, model="loan-approval:2")
    flagged = [c for c in clarify_checks(ws, "loan-approval", 2) if c.agrees is False]
    assert [(c.facet, c.metric, c.clarify) for c in flagged] == [
        ("sex", "DI", pytest.approx(0.8013513513513513))]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_input_stores_nothing_and_the_cli_exits_2(tmp_path: Path, capsys) -> None:
    db = tmp_path / "w.db"
    assert main(["--db", str(db), "import", str(SAGEMAKER)]) == 0
    before = _digest(db)
    folder = tmp_path / "wandb"
    shutil.copytree(WANDB / "wandb", folder)
    for p in [folder, *folder.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    log = sorted(folder.rglob("*.wandb"))[-1]
    data = bytearray(log.read_bytes())
    data[5000] ^= 0x55
    log.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "byte offset" in err and log.name in err and "Traceback" not in err
    assert _digest(db) == before
    assert main(["--db", str(db), "import", str(folder), "--partial"]) == 0
    out = capsys.readouterr().out
    assert "1 partial logs" in out


def test_a_clarify_report_for_a_missing_version_stores_nothing(tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'w.db'}")
    import_path(ws, SAGEMAKER)
    counts = workspace_counts(ws)
    with pytest.raises(Exception, match="loan-approval:9"):
        import_path(ws, CLARIFY / "analysis.json", model="loan-approval:9")
    with pytest.raises(InputError, match="--model"):
        import_path(ws, CLARIFY / "analysis.json")
    assert workspace_counts(ws) == counts


def test_show_prints_origin_and_external_decision(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "w.db")
    assert main(["--db", db, "import", str(SAGEMAKER), str(VERTEX)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "show", "loan-approval:2"]) == 0
    out = capsys.readouterr().out
    assert "arn:aws:sagemaker:us-east-1:123456789012:model-package/loan-approval/2" in out
    assert "external decision (SageMaker, read-only" in out and "Rejected" in out
    assert main(["--db", db, "show", "credit-risk-scorer"]) == 0
    out = capsys.readouterr().out
    assert "origin: Vertex AI" in out and "models/7103854223019884544" in out
    assert main(["--db", db, "show", "credit-risk-scorer:3"]) == 0
    out = capsys.readouterr().out
    assert "auRoc 0.9127" in out and "2 slices" in out


def _minimal_answers(folder: Path, count: int) -> Path:
    """A group's describe answer and ``count`` describe-model-package answers of it."""
    arn = "arn:aws:sagemaker:us-east-1:123456789012"
    folder.mkdir()
    (folder / "a-group.json").write_text(json.dumps({
        "ModelPackageGroupName": "many", "ModelPackageGroupArn": f"{arn}:model-package-group/many",
        "CreationTime": 1700000000.0}))
    for n in range(1, count + 1):
        (folder / f"p-{n:04d}.json").write_text(json.dumps({
            "ModelPackageGroupName": "many", "ModelPackageVersion": n,
            "ModelPackageArn": f"{arn}:model-package/many/{n}", "CreationTime": 1700000000.0 + n,
            "ModelApprovalStatus": "Approved",
            "MetadataProperties": {"GeneratedBy": f"{arn}:training-job/many-{n}"}}))
    return folder


def test_a_folder_detected_from_a_sample_is_stored_whole_or_not_at_all(
        workspace_url: str, tmp_path: Path) -> None:
    count = DETECT_ALL + 100
    folder = _minimal_answers(tmp_path / "many", count)
    ws = Workspace.open(workspace_url)
    record = import_path(ws, folder)
    assert record.kind == "sagemaker-registry"
    assert record.changes["version_added"] == count
    counts = workspace_counts(ws)
    assert import_path(ws, folder).changes == {}
    # A foreign file the sample passes over (second in order) is found by the reader, which
    # names it; nothing of the import is stored.
    (folder / "b-notes.json").write_text('{"hello": "world"}')
    with pytest.raises(InputError, match=r"b-notes\.json: is not a SageMaker Model Registry"):
        import_path(ws, folder)
    assert workspace_counts(ws) == {**counts, "imports": 2}
