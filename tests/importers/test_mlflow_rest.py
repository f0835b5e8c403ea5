"""The MLflow REST-JSON importer against answers saved from ``mlflow server`` 3.17.2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from governance_app.domain.registry import RegistrySnapshot
from governance_app.errors import ImportCancelled, InputError
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext

MLFLOW_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlflow"
REST = MLFLOW_FIXTURES / "rest"
EXPORT_IMPORT = MLFLOW_FIXTURES / "export-import"


@pytest.fixture(scope="module")
def snapshot() -> RegistrySnapshot:
    return registry.load(REST)


def _as_expected(snapshot: RegistrySnapshot) -> dict:
    """The snapshot in expected.json's shape, so the whole oracle compares in one assert."""
    runs = {run.run_id: run for run in snapshot.runs}
    models = {}
    for model in snapshot.models:
        versions = {}
        for v in model.versions:
            run = runs[v.run_id]
            versions[str(v.version)] = {
                "metrics": run.latest_metric_values(), "params": run.params, "run_id": v.run_id,
                "source": v.source, "stage": v.stage, "tags": v.tags,
            }
        models[model.name] = {
            "aliases": model.aliases, "description": model.description, "tags": model.tags,
            "versions": versions,
        }
    named = [e.name for e in snapshot.experiments if e.name != "Default"]
    return {"experiments": named, "models": models}


def test_detects_file_and_folder() -> None:
    assert registry.detect(REST) == "mlflow-rest"
    for file in REST.glob("*.json"):
        assert registry.detect(file) == "mlflow-rest"


def test_equals_what_mlflow_returned(snapshot: RegistrySnapshot, mlflow_expected: dict) -> None:
    got = _as_expected(snapshot)
    assert got["models"] == mlflow_expected["models"]  # exact, run ids included
    assert sorted(got["experiments"]) == sorted(mlflow_expected["experiments"])
    assert snapshot.counts()["runs"] == 5
    assert snapshot.counts()["metric_points"] == 0  # REST runs carry no history


def test_version_and_run_details(snapshot: RegistrySnapshot) -> None:
    models = {m.name: m for m in snapshot.models}
    v2 = next(v for v in models["loan_approval"].versions if v.version == 2)
    assert v2.aliases == ["champion"]
    assert v2.status == "READY"
    assert v2.created_at is not None and v2.created_at.tzinfo is not None
    run = next(r for r in snapshot.runs if r.run_id == "2a4cbb2742af40c2be4a0610d1c7d2a8")
    assert run.experiment_name == "hospital-readmission"
    assert run.status == "FINISHED"
    assert run.user == "bob"
    (dataset,) = run.inputs
    assert (dataset.name, dataset.digest, dataset.context) == (
        "readmission_risk-train-v2", "a5357541", "training"
    )
    assert dataset.source == '{"uri": "s3://lake/readmission_risk/snapshot-2.parquet"}'


def test_latest_versions_stand_in_without_model_versions(tmp_path: Path, snapshot) -> None:
    shutil.copy(REST / "registered-models-search.json", tmp_path)
    only = registry.load(tmp_path)
    assert [(m.name, m.aliases) for m in only.models] == [
        (m.name, m.aliases) for m in snapshot.models
    ]
    assert [[(v.version, v.stage, v.run_id) for v in m.versions] for m in only.models] == [
        [(v.version, v.stage, v.run_id) for v in m.versions] for m in snapshot.models
    ]
    assert only.runs == []


def test_pages_of_one_endpoint_are_joined(tmp_path: Path, snapshot) -> None:
    for name in ("experiments-search.json", "registered-models-search.json",
                 "model-versions-search.json"):
        shutil.copy(REST / name, tmp_path)
    runs = json.loads((REST / "runs-search.json").read_text(encoding="utf-8"))["runs"]
    page1 = {"runs": runs[:2], "next_page_token": "abc"}
    (tmp_path / "runs-search-1.json").write_text(json.dumps(page1), encoding="utf-8")
    (tmp_path / "runs-search-2.json").write_text(json.dumps({"runs": runs[2:]}), encoding="utf-8")
    paged = registry.load(tmp_path)
    assert sorted(r.run_id for r in paged.runs) == sorted(r.run_id for r in snapshot.runs)
    assert _as_expected(paged) == _as_expected(snapshot)


def test_export_import_model_json() -> None:
    path = EXPORT_IMPORT / "models" / "basic" / "model.json"
    assert registry.detect(path) == "mlflow-rest"
    (model,) = registry.load(path).models
    assert model.name == "sklearn_wine"
    assert model.description == "Skearn Wine Quality model"
    assert model.aliases == {"about-ready": 2, "good-to-go": 1, "just-in-case": 3}
    assert [(v.version, v.stage, v.aliases) for v in model.versions] == [
        (1, "Production", ["good-to-go"]), (2, "Staging", ["about-ready"]),
        (3, "None", ["just-in-case"]),
    ]
    assert model.versions[0].tags == {"registered_version_info": "v1 Production - wine"}


def test_export_import_malformed_experiment_json_is_a_clean_error() -> None:
    # Committed upstream with a raw newline inside a string: a real parse error.
    path = EXPORT_IMPORT / "experiments" / "2" / "experiment.json"
    with pytest.raises(InputError) as caught:
        registry.load(path, kind="mlflow-rest")
    assert "experiment.json, line 28, column 53" in str(caught.value)
    assert "expected valid JSON" in str(caught.value)


def test_progress_and_cancel() -> None:
    calls: list[tuple[int, int]] = []
    registry.load(REST, context=ImportContext(progress=lambda d, t, m: calls.append((d, t))))
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    ctx = ImportContext(is_cancelled=lambda: True)
    with pytest.raises(ImportCancelled):
        registry.load(REST, context=ctx)
