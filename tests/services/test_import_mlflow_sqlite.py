"""Importing MLflow's SQLite store through the service, on SQLite and PostgreSQL workspaces."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from governance_app.errors import ImportCancelled
from governance_app.services.importing import import_path, list_imports, workspace_counts
from governance_app.services.workspace import Workspace
from tests.services.oracle import assert_matches_expected, load_expected


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_imports_exactly_what_mlflow_returned(
    workspace_url: str, mlflow_db: Path, fixtures_dir: Path
) -> None:
    with Workspace.open(workspace_url) as ws:
        record = import_path(ws, mlflow_db)
        assert record.kind == "mlflow-sqlite"
        view = assert_matches_expected(ws, load_expected(fixtures_dir))
    # Full histories are kept, not only the latest values: 5 steps of val_auc per run.
    for model in view.values():
        for version in model["versions"].values():
            assert version["history_lengths"]["val_auc"] == 5
            assert version["history_lengths"]["demographic_parity_ratio"] == 1
    assert record.counts == {
        "experiments": 3, "runs": 5, "params": 15, "metric_points": 55,
        "dataset_inputs": 5, "models": 2, "versions": 5,
    }
    assert record.source_sha256 == sha256(mlflow_db)


def test_the_users_mlflow_file_is_never_modified(tmp_path: Path, mlflow_db: Path) -> None:
    before = sha256(mlflow_db)
    siblings_before = sorted(p.name for p in mlflow_db.parent.iterdir())
    with Workspace.open(str(tmp_path / "ws.db")) as ws:
        import_path(ws, mlflow_db)
    assert sha256(mlflow_db) == before
    assert sorted(p.name for p in mlflow_db.parent.iterdir()) == siblings_before


def test_reimporting_the_same_export_duplicates_nothing(workspace_url: str, mlflow_db: Path):
    with Workspace.open(workspace_url) as ws:
        first = import_path(ws, mlflow_db)
        counts = workspace_counts(ws)
        second = import_path(ws, mlflow_db)
        after = workspace_counts(ws)
        assert first.changes["run_added"] == 5
        assert second.changes == {}
        assert {k: v for k, v in after.items() if k != "imports"} == {
            k: v for k, v in counts.items() if k != "imports"
        }
        assert [r.id for r in list_imports(ws)] == [first.id, second.id]


def test_a_newer_export_records_what_changed(workspace_url: str, mlflow_db: Path) -> None:
    with Workspace.open(workspace_url) as ws:
        import_path(ws, mlflow_db)
        # The registry moves on: v3 goes to Production, a metric gets one more step.
        con = sqlite3.connect(mlflow_db)
        with con:
            con.execute("UPDATE model_versions SET current_stage='Production' "
                        "WHERE name='loan_approval' AND version=3")
            run_id = con.execute("SELECT run_id FROM model_versions "
                                 "WHERE name='loan_approval' AND version=3").fetchone()[0]
            con.execute("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                        "VALUES ('val_auc', 0.81, 1795416499999, ?, 5, 0)", (run_id,))
        con.close()
        record = import_path(ws, mlflow_db)
        assert record.changes == {"version_updated": 1, "run_updated": 1}
        from governance_app.services.models import get_version_detail

        detail = get_version_detail(ws, "loan_approval", 3)
        assert detail.version.stage == "Production"
        assert len(detail.metric_series["val_auc"]) == 6
        assert detail.latest_metrics["val_auc"] == 0.81
        assert workspace_counts(ws)["versions"] == 5


def test_cancelling_stores_nothing(tmp_path: Path, mlflow_db: Path) -> None:
    with Workspace.open(str(tmp_path / "ws.db")) as ws:
        calls = []

        def cancel_when_storing() -> bool:
            calls.append(1)
            return len(calls) > 6

        with pytest.raises(ImportCancelled):
            import_path(ws, mlflow_db, is_cancelled=cancel_when_storing)
        assert all(v == 0 for v in workspace_counts(ws).values())


def test_progress_reaches_one_hundred(tmp_path: Path, mlflow_db: Path) -> None:
    seen: list[int] = []
    with Workspace.open(str(tmp_path / "ws.db")) as ws:
        import_path(ws, mlflow_db, progress=lambda done, total, message: seen.append(done))
    assert seen == sorted(seen)
    assert seen[-1] == 100
