"""SageMaker Model Registry answers: groups → models, packages → versions with their origin,
approval status as a read-only external decision with its history; every rendering agrees."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from governance_app.domain.cloud import CloudSnapshot
from governance_app.errors import InputError, UnknownSourceError
from governance_app.importers import registry, sagemaker_registry
from governance_app.importers.cloud_fields import parse_time

SAGEMAKER = Path(__file__).resolve().parents[1] / "fixtures" / "sagemaker" / "registry"
RENDERINGS = ["cli-v2-iso8601", "boto3-default-str"]
CLI_V1 = SAGEMAKER.parent / "registry-cli-v1"


def _load(path: Path) -> CloudSnapshot:
    snapshot = registry.load(path)
    assert isinstance(snapshot, CloudSnapshot)
    return snapshot


def _records(snapshot: CloudSnapshot) -> dict:
    """Everything a rendering must agree on, in a comparable form."""
    out = {}
    origins = {o.ref: o for o in snapshot.origins}
    for model in snapshot.registry.models:
        out[model.name] = {
            "description": model.description, "created": model.created_at, "tags": model.tags,
            "versions": {
                v.version: (v.description, v.status, v.created_at, v.updated_at, v.user, v.tags,
                            v.source, origins[v.ref].source_id, origins[v.ref].external_decision,
                            origins[v.ref].decision_note,
                            [(e.decision, e.note, e.at) for e in origins[v.ref].decision_history],
                            origins[v.ref].details)
                for v in model.versions
            },
        }
    return out


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_detected_as_sagemaker(rendering: str) -> None:
    assert registry.detect(SAGEMAKER / rendering) == "sagemaker-registry"
    assert registry.detect(SAGEMAKER / rendering / "list-model-packages.fraud-scorer.json") == (
        "sagemaker-registry")


def test_every_rendering_gives_the_same_records() -> None:
    base = _records(_load(SAGEMAKER / RENDERINGS[0]))
    for rendering in RENDERINGS[1:]:
        assert _records(_load(SAGEMAKER / rendering)) == base, rendering


def test_cli_v1_epoch_seconds_read_as_its_iso_rendering() -> None:
    epoch = _records(_load(CLI_V1 / "cli-v1-epoch"))
    assert epoch == _records(_load(CLI_V1 / "cli-v1-iso8601"))
    raw = json.loads((CLI_V1 / "cli-v1-epoch" / "describe-model-package.credit-limit.2.json")
                     .read_text())
    assert isinstance(raw["CreationTime"], float)
    model = epoch["credit-limit"]
    assert model["tags"] == {"team": "credit-limits", "risk-tier": "high"}
    v2 = model["versions"][2]
    assert v2[2] is not None and v2[2].timestamp() == pytest.approx(raw["CreationTime"])
    assert (v2[8], v2[10][0][0]) == ("Rejected", "PendingManualApproval")
    assert "adverse impact ratio 0.74" in v2[9]


def test_groups_become_models_and_packages_versions() -> None:
    snapshot = _load(SAGEMAKER / "cli-v2-iso8601")
    models = {m.name: m for m in snapshot.registry.models}
    assert sorted(models) == ["fraud-scorer", "loan-approval"]
    loan = models["loan-approval"]
    assert [v.version for v in loan.versions] == [1, 2, 3, 4]
    assert loan.tags == {"team": "credit-risk-ml", "risk-tier": "high", "cost-center": "cc-4471"}
    assert loan.description.startswith("Consumer loan approval classifier")
    v2 = loan.versions[1]
    assert v2.description == "XGBoost with bureau features, 21 features"
    assert v2.created_at == parse_time("2024-03-11T16:07:52.018000+00:00")
    assert v2.source == "s3://sagemaker-us-east-1-123456789012/loan-approval/v2/model/model.tar.gz"
    assert v2.tags["approval_ticket"] == "MRC-2024-012"  # customer metadata


def test_approval_status_is_an_external_decision_with_history() -> None:
    origins = {o.ref: o for o in _load(SAGEMAKER / "cli-v2-iso8601").origins}
    v2 = origins["loan-approval:2"]
    assert v2.origin == "sagemaker"
    assert v2.source_id == "arn:aws:sagemaker:us-east-1:123456789012:model-package/loan-approval/2"
    assert v2.model_source_id.endswith(":model-package-group/loan-approval")
    assert v2.external_decision == "Rejected"
    assert "disparate impact 0.71" in v2.decision_note
    assert [e.decision for e in v2.decision_history] == ["PendingManualApproval", "Rejected"]
    assert v2.decision_history[-1].at == "2024-03-13T09:15:33.201000+00:00"
    assert origins["loan-approval:4"].external_decision == "PendingManualApproval"
    assert [e.decision for e in origins["loan-approval:4"].decision_history] == [
        "PendingManualApproval"]


def test_lineage_fields_images_and_metric_reports_are_kept() -> None:
    origins = {o.ref: o for o in _load(SAGEMAKER / "cli-v2-iso8601").origins}
    details = origins["loan-approval:2"].details
    assert details["images"] == ["sagemaker-xgboost:1.7-1"]
    assert details["training_job"].endswith("execution/la2x7q2m9p4k1")
    assert details["commit"] == "9c07d3e"
    assert details["data_sources"] == [
        "s3://sagemaker-us-east-1-123456789012/loan-approval/data/train-2024-02.csv"]
    assert details["metrics"]["Bias.PreTrainingReport"].endswith("clarify-bias/pre/analysis.json")
    assert details["task"] == "CLASSIFICATION"


def test_one_answer_file_alone_is_read() -> None:
    snapshot = _load(SAGEMAKER / "cli-v2-iso8601" / "describe-model-package.fraud-scorer.3.json")
    assert [(m.name, [v.version for v in m.versions]) for m in snapshot.registry.models] == [
        ("fraud-scorer", [3])]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "answers"
    shutil.copytree(SAGEMAKER / "cli-v2-iso8601", target)
    for p in [target, *target.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return target


def test_a_wrongly_typed_field_names_file_field_and_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    file = folder / "describe-model-package.loan-approval.3.json"
    data = json.loads(file.read_text())
    data["ModelPackageVersion"] = "three"
    file.write_text(json.dumps(data, indent=4))
    with pytest.raises(InputError) as caught:
        registry.load(folder, "sagemaker-registry")
    message = str(caught.value)
    assert "describe-model-package.loan-approval.3.json" in message
    assert "$.ModelPackageVersion, line 3" in message


def test_a_bad_timestamp_is_refused_by_name(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    file = folder / "list-model-package-groups.json"
    file.write_text(file.read_text().replace("2024-02-12T09:03:11.482000+00:00", "yesterday", 1))
    with pytest.raises(InputError, match=r"CreationTime.*timestamp"):
        registry.load(folder, "sagemaker-registry")


def test_tags_of_an_unknown_group_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "list-tags.model-package-group.loan-approval.json").rename(folder / "tags.json")
    with pytest.raises(InputError, match="list-tags.model-package-group"):
        registry.load(folder, "sagemaker-registry")


def test_producing_job_and_data_sources_in_the_lineage() -> None:
    graph = _load(SAGEMAKER / "cli-v2-iso8601").lineage
    execution = ("arn:aws:sagemaker:us-east-1:123456789012:pipeline/loan-approval-train/"
                 "execution/la2x7q2m9p4k1")
    run = graph.nodes[f"run:{execution}"]
    assert run.namespace == "sagemaker://us-east-1/123456789012"
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert (run.id, "model:loan-approval/2", "produced") in edges
    assert ("job:sagemaker://us-east-1/123456789012/loan-approval-train", run.id,
            "instance") in edges
    data = "dataset:s3://sagemaker-us-east-1-123456789012/loan-approval/data/train-2024-02.csv"
    assert (data, run.id, "input") in edges


def _many_packages(tmp_path: Path, count: int) -> Path:
    """``count`` describe answers of one group (copies of a fixture, renumbered), named
    ``p-0001.json`` … so the test knows their sorted order."""
    folder = tmp_path / "many"
    folder.mkdir()
    source = SAGEMAKER / "cli-v2-iso8601"
    shutil.copy(source / "describe-model-package-group.fraud-scorer.json", folder / "a-group.json")
    package = json.loads((source / "describe-model-package.fraud-scorer.1.json").read_text())
    for n in range(1, count + 1):
        package["ModelPackageVersion"] = n
        package["ModelPackageArn"] = package["ModelPackageArn"].rpartition("/")[0] + f"/{n}"
        (folder / f"p-{n:04d}.json").write_text(json.dumps(package, indent=4))
    return folder


def test_a_large_folder_is_detected_from_a_sample_and_read_in_full(tmp_path: Path) -> None:
    count = sagemaker_registry.DETECT_ALL + 100
    folder = _many_packages(tmp_path, count)
    assert registry.detect(folder) == "sagemaker-registry"
    snapshot = _load(folder)
    assert [v.version for v in snapshot.registry.models[0].versions] == list(range(1, count + 1))
    # The second file in order falls between the first two sampled (the first and one about
    # count / DETECT_SAMPLE further): detection takes the folder, the reader names the file.
    (folder / "b-notes.json").write_text('{"hello": "world"}')
    assert registry.detect(folder) == "sagemaker-registry"
    with pytest.raises(InputError, match=r"b-notes\.json: is not a SageMaker Model Registry"):
        registry.load(folder)
    # The last file is always in the sample: there, detection already says no.
    (folder / "b-notes.json").rename(folder / "z-notes.json")
    with pytest.raises(UnknownSourceError):
        registry.detect(folder)


def test_a_fifo_among_many_answers_is_not_taken_for_one(tmp_path: Path) -> None:
    folder = _many_packages(tmp_path, sagemaker_registry.DETECT_ALL + 100)
    os.mkfifo(folder / "p-0002x.json")  # never opened: not in the sample, and refused unread
    with pytest.raises(UnknownSourceError):
        registry.detect(folder)
