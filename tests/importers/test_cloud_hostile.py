"""Broken and hostile SageMaker, Vertex AI, Clarify and W&B input: a clean InputError naming
the file and the place, never a traceback, never a file outside the source opened."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.importers.wandb_records import CorruptLog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAGEMAKER = FIXTURES / "sagemaker" / "registry" / "cli-v2-iso8601"
VERTEX = FIXTURES / "vertex" / "credit" / "api"
WANDB_RUN = next((FIXTURES / "wandb" / "credit-risk" / "wandb").glob("offline-run-*"))


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    for p in [target, *target.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return target


def _error(path: Path, kind: str, model: str | None = None) -> str:
    with pytest.raises(InputError) as caught:
        registry.load(path, kind, ImportContext(options=ImportOptions(model=model)))
    return str(caught.value)


def test_sagemaker_link_is_not_followed(tmp_path: Path) -> None:
    folder = _copy(SAGEMAKER, tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text('{"ModelPackageGroupSummaryList": []}')
    (folder / "list-more.json").symlink_to(secret)
    assert "list-more.json: is a link; links are not followed" in _error(
        folder, "sagemaker-registry")


def test_sagemaker_duplicate_keys_nan_and_bad_utf8(tmp_path: Path) -> None:
    folder = _copy(SAGEMAKER, tmp_path)
    file = folder / "list-model-package-groups.json"
    original = file.read_text()
    file.write_text(original.replace('"ModelPackageGroupStatus": "Completed"',
                                     '"ModelPackageGroupStatus": "Completed", '
                                     '"ModelPackageGroupStatus": "Deleting"', 1))
    assert "appears twice in one object" in _error(folder, "sagemaker-registry")
    file.write_text(original.replace('"2024-02-12T09:03:11.482000+00:00"', "NaN", 1))
    assert "not a finite JSON number" in _error(folder, "sagemaker-registry")
    file.write_bytes(original.encode().replace(b"Consumer", b"Consum\xffr"))
    assert "UTF-8" in _error(folder, "sagemaker-registry")


def test_sagemaker_foreign_json_in_the_folder(tmp_path: Path) -> None:
    folder = _copy(SAGEMAKER, tmp_path)
    (folder / "notes.json").write_text('{"hello": "world"}')
    message = _error(folder, "sagemaker-registry")
    assert "notes.json: is not a SageMaker Model Registry answer" in message


def test_sagemaker_one_version_two_arns(tmp_path: Path) -> None:
    folder = _copy(SAGEMAKER, tmp_path)
    file = folder / "describe-model-package.loan-approval.3.json"
    data = json.loads(file.read_text())
    data["ModelPackageArn"] = data["ModelPackageArn"].replace("/3", "/33")
    file.write_text(json.dumps(data, indent=4))
    assert "is named by two ARNs" in _error(folder, "sagemaker-registry")


def test_vertex_slices_without_their_evaluation(tmp_path: Path) -> None:
    folder = _copy(VERTEX, tmp_path)
    (folder / "models@1.evaluations.list.json").unlink()
    message = _error(folder, "vertex")
    assert "which this import does not hold" in message


def test_vertex_deep_nesting_and_wrong_types(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"models": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "deep.json" in _error(deep, "vertex")
    folder = _copy(VERTEX, tmp_path)
    file = folder / "models@3.evaluations.list.json"
    data = json.loads(file.read_text())
    data["modelEvaluations"][0]["metrics"]["auRoc"] = "excellent"
    file.write_text(json.dumps(data, indent=2))
    message = _error(folder, "vertex")
    assert "models@3.evaluations.list.json" in message
    assert "modelEvaluations[0].metrics.auRoc" in message and "a finite number" in message


def test_clarify_facets_of_the_wrong_shape(tmp_path: Path) -> None:
    report = tmp_path / "analysis.json"
    report.write_text(json.dumps({"post_training_bias_metrics": {"facets": ["sex"]}}))
    message = _error(report, "clarify", model="m:1")
    assert "post_training_bias_metrics.facets" in message and "a JSON object" in message


def _log(*payloads: bytes) -> bytes:
    out = b":W&B" + struct.pack("<HB", 0xBEE1, 0)
    for payload in payloads:
        crc = zlib.crc32(payload, zlib.crc32(b"\x01"))
        out += struct.pack("<IHB", crc, len(payload), 1) + payload
    return out


def test_wandb_not_a_log_and_garbage_records(tmp_path: Path) -> None:
    run = tmp_path / "wandb" / "offline-run-20260101_000000-abc"
    run.mkdir(parents=True)
    log = run / "run-abc.wandb"
    log.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    assert registry.detect(tmp_path / "wandb") == "wandb-offline"  # by its layout
    assert "does not start with the W&B log header" in _error(tmp_path / "wandb",
                                                               "wandb-offline")
    log.write_bytes(_log(b"\x12\x7fshort"))  # a history field promising 127 bytes, CRC right
    with pytest.raises(CorruptLog) as caught:
        registry.load(tmp_path / "wandb", "wandb-offline")
    assert caught.value.offset == 7 and "does not decode" in str(caught.value)
    log.write_bytes(_log(b"\x8a\x01\x03{x}"))  # a config record whose item is not JSON text
    with pytest.raises(CorruptLog, match="byte offset 7"):
        registry.load(tmp_path / "wandb", "wandb-offline")


def test_wandb_log_link_leaving_the_source(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.wandb"
    shutil.copyfile(next(WANDB_RUN.glob("*.wandb")), outside)
    run = tmp_path / "project" / "wandb" / "offline-run-20260101_000000-xyz"
    run.mkdir(parents=True)
    (run / "run-xyz.wandb").symlink_to(outside)
    assert "leads outside the source folder" in _error(tmp_path / "project", "wandb-offline")
