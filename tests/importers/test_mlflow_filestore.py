"""The MLflow file-store importer against the real ``mlruns/`` written by MLflow 3.17.2."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_app.domain.registry import RegistrySnapshot, Run
from governance_app.errors import ImportCancelled
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext

MLFLOW_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlflow"

MLRUNS = MLFLOW_FIXTURES / "mlruns"


@pytest.fixture(scope="module")
def snapshot() -> RegistrySnapshot:
    return registry.load(MLRUNS)


def _runs(snapshot: RegistrySnapshot) -> dict[str, Run]:
    return {run.run_id: run for run in snapshot.runs}


def test_detects_the_mlruns_folder_and_the_folder_holding_it() -> None:
    assert registry.detect(MLRUNS) == "mlflow-filestore"
    assert registry.detect(MLFLOW_FIXTURES) == "mlflow-filestore"
    parent = registry.load(MLFLOW_FIXTURES, kind="mlflow-filestore")
    assert parent.counts() == registry.load(MLRUNS).counts()


def test_counts_and_experiments(snapshot: RegistrySnapshot, mlflow_expected: dict) -> None:
    assert snapshot.kind == "mlflow-filestore"
    assert len(snapshot.source_sha256) == 64
    assert snapshot.counts() == {
        "experiments": 3, "runs": 5, "params": 15, "metric_points": 55,
        "dataset_inputs": 5, "models": 2, "versions": 5,
    }
    names = {e.name for e in snapshot.experiments}
    # Default (experiment 0) has no runs and is kept like any other experiment.
    assert names == {*mlflow_expected["experiments"], "Default"}
    tags = {e.name: e.tags for e in snapshot.experiments}
    assert tags == {"Default": {}, "loan-approval": {"team": "loan"},
                    "hospital-readmission": {"team": "hospital"}}


def test_models_versions_stages_aliases_tags(snapshot: RegistrySnapshot, mlflow_expected: dict):
    models = {m.name: m for m in snapshot.models}
    assert set(models) == set(mlflow_expected["models"])
    for name, want in mlflow_expected["models"].items():
        model = models[name]
        assert model.description == want["description"]  # non-ASCII, exactly
        assert model.tags == want["tags"]
        assert model.aliases == want["aliases"]
        assert {str(v.version) for v in model.versions} == set(want["versions"])
        for version in model.versions:
            want_v = want["versions"][str(version.version)]
            assert version.stage == want_v["stage"]
            assert version.tags == want_v["tags"]
            assert version.description == f"version {version.version}"
            assert version.aliases == sorted(a for a, n in want["aliases"].items()
                                             if n == version.version)


def test_version_runs_params_and_metrics(snapshot: RegistrySnapshot, mlflow_expected: dict):
    runs = _runs(snapshot)
    for model in snapshot.models:
        for version in model.versions:
            want: dict[str, Any] = mlflow_expected["models"][model.name]["versions"][
                str(version.version)
            ]
            # The mlruns/ twin was written by a separate run of the same generator: its run ids
            # differ from expected.json (which matches mlflow.db and rest/), so the link is
            # checked through the run the version names, and the source follows that run id.
            run = runs[version.run_id]
            assert version.source == f"runs:/{run.run_id}/model"
            assert run.params == want["params"]
            assert run.status == "FINISHED"
            latest = run.latest_metric_values()
            assert set(latest) == set(want["metrics"])
            assert latest["demographic_parity_ratio"] == want["metrics"]["demographic_parity_ratio"]
            assert latest["val_logloss"] == want["metrics"]["val_logloss"]
            # val_auc carries random noise drawn anew by that separate run: close, not equal.
            assert latest["val_auc"] == pytest.approx(want["metrics"]["val_auc"], abs=1e-3)
            assert len(run.metrics["val_auc"]) == 5
            assert len(run.metrics["val_logloss"]) == 5
            assert list(run.metrics["val_auc"].steps) == [0, 1, 2, 3, 4]
            assert len(run.metrics["demographic_parity_ratio"]) == 1


def test_run_fields_and_dataset_inputs(snapshot: RegistrySnapshot) -> None:
    run = _runs(snapshot)["5d96cf172a5b43849bdb6d469f89ac62"]
    assert run.experiment_name == "loan-approval"
    assert run.name == "loan_approval-train-2"
    assert run.user == "bob"
    assert run.start_time is not None and run.start_time.tzinfo is not None
    assert run.artifact_uri.startswith("s3://governance-fixtures/")
    assert run.tags == {"mlflow.runName": "loan_approval-train-2", "mlflow.user": "bob"}
    assert [round(v, 2) for v in run.metrics["val_logloss"].values] == [
        0.54, 0.53, 0.52, 0.51, 0.5
    ]
    (dataset,) = run.inputs
    assert dataset.name == "loan_approval-train-v2"
    assert dataset.digest == "a5357541"
    assert dataset.source_type == "s3"
    assert dataset.source == '{"uri": "s3://lake/loan_approval/snapshot-2.parquet"}'
    assert dataset.profile == '{"num_rows": 3, "num_elements": 6}'
    assert '"mlflow_colspec"' in dataset.schema
    assert dataset.context == "training"
    assert dataset.tags == {"mlflow.data.context": "training"}


def test_trash_and_dot_folders_are_skipped(mlruns_copy: Path) -> None:
    (mlruns_copy / ".trash" / "123").mkdir(parents=True)
    (mlruns_copy / ".trash" / "123" / "meta.yaml").write_text("garbage: [", encoding="utf-8")
    (mlruns_copy / "0" / ".ipynb_checkpoints").mkdir()
    assert registry.load(mlruns_copy).counts() == registry.load(MLRUNS).counts()


def test_deleted_versions_are_left_out(mlruns_copy: Path) -> None:
    meta = mlruns_copy / "models" / "loan_approval" / "version-1" / "meta.yaml"
    meta.write_text(meta.read_text().replace("current_stage: None", "current_stage: "
                                             "Deleted_Internal"), encoding="utf-8")
    models = {m.name: m for m in registry.load(mlruns_copy).models}
    assert [v.version for v in models["loan_approval"].versions] == [2, 3]


def test_legacy_two_field_metric_lines_read_as_step_zero(mlruns_copy: Path) -> None:
    run_dir = mlruns_copy / "577776451036522151" / "5d96cf172a5b43849bdb6d469f89ac62"
    (run_dir / "metrics" / "old").write_text("1700000000000 0.5\n1700000000000 nan\n")
    run = _runs(registry.load(mlruns_copy))["5d96cf172a5b43849bdb6d469f89ac62"]
    assert list(run.metrics["old"].steps) == [0, 0]
    assert run.metrics["old"].latest_value == 0.5  # NaN ranks below numbers, as in MLflow


def test_progress_is_reported_per_run_and_model() -> None:
    calls: list[tuple[int, int, str]] = []
    registry.load(MLRUNS, context=ImportContext(progress=lambda d, t, m: calls.append((d, t, m))))
    assert calls[0][:2] == (0, 7)
    assert calls[-1][:2] == (7, 7)
    assert [d for d, _, _ in calls] == list(range(8))


def test_cancelling_raises_import_cancelled() -> None:
    seen: list[int] = []
    ctx = ImportContext(progress=lambda d, t, m: seen.append(d), is_cancelled=lambda: len(seen) > 2)
    with pytest.raises(ImportCancelled):
        registry.load(MLRUNS, context=ctx)
    assert len(seen) == 3


def test_source_digest_equals_safe_io(
    mlruns_copy: Path, tmp_path: Path, reference_sha256: Callable[[Path], str]
) -> None:
    from governance_app.importers import safe_io

    (mlruns_copy / ".trash" / "9").mkdir(parents=True)
    (mlruns_copy / ".trash" / "9" / "meta.yaml").write_text("x: 1\n")
    (tmp_path / "outside").write_text("not part of the export")
    (mlruns_copy / "0" / "link").symlink_to(tmp_path / "outside")
    (mlruns_copy / "0" / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(mlruns_copy / "0" / "fifo")
    assert reference_sha256(mlruns_copy) == safe_io.sha256_of_path(mlruns_copy)
    assert registry.load(MLRUNS).source_sha256 == safe_io.sha256_of_path(MLRUNS)
