"""MLflow stores written by MLflow 1.26, 1.30 and 2.9 themselves read like today's.

The oracle is what the same MLflow client read back (``expected-*.json``); the stores are
opened read-only, so the user's file is byte-for-byte the same afterwards.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import sqlite3
from pathlib import Path

import pytest

from governance_app.errors import InputError, UnknownSourceError
from governance_app.importers import registry

OLD = Path(__file__).resolve().parents[1] / "fixtures" / "mlflow_old"
VERSIONS = ("1.26.1", "1.30.1", "2.9.2")


def _expected(name: str) -> dict:
    return json.loads((OLD / f"expected-{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("form", ["mlflow", "mlruns"])
@pytest.mark.parametrize("version", VERSIONS)
def test_old_store_reads_as_mlflow_read_it(form: str, version: str) -> None:
    path = OLD / (f"mlflow-{version}.db" if form == "mlflow" else f"mlruns-{version}")
    expected = _expected(f"{form}-{version}")
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    kind = registry.detect(path)
    assert kind == ("mlflow-sqlite" if form == "mlflow" else "mlflow-filestore")
    snapshot = registry.load(path)
    runs = {run.run_id: run for run in snapshot.runs}
    assert set(runs) == set(expected["runs"])
    for run_id, want in expected["runs"].items():
        run = runs[run_id]
        assert run.name == want["name"]  # 1.26 kept it only in the mlflow.runName tag
        assert run.user == want["user"] and run.status == want["status"]
        assert run.start_time is not None
        assert int(run.start_time.timestamp() * 1000) == want["start_time"]
        assert run.params == want["params"]
        assert list(run.metrics["val_auc"].values) == want["val_auc"]
        assert all(math.isnan(v) for v in run.metrics["val_logloss"].values)
    versions = {v.version: v for m in snapshot.models for v in m.versions}
    assert {str(n) for n in versions} == set(expected["versions"])
    for number, want in expected["versions"].items():
        version_record = versions[int(number)]
        assert version_record.stage == want["stage"]
        assert version_record.run_id == want["run_id"]
        assert version_record.tags == want["tags"]
        assert version_record.source == want["source"]
    if before is not None:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def _copy(tmp_path: Path, version: str = "1.26.1") -> Path:
    target = tmp_path / "mlflow.db"
    shutil.copyfile(OLD / f"mlflow-{version}.db", target)
    return target


def test_store_from_before_mlflow_1_0_names_its_age_and_the_upgrade(tmp_path: Path) -> None:
    store = _copy(tmp_path)
    with sqlite3.connect(store) as connection:
        connection.execute("DROP TABLE alembic_version")
    with pytest.raises(InputError) as caught:
        registry.load(store)
    message = str(caught.value)
    assert f"{store}, alembic_version: was written by an MLflow release before 1.0" in message
    assert "mlflow db upgrade sqlite:///copy.db" in message


def test_store_missing_a_column_names_table_column_and_writer(tmp_path: Path) -> None:
    store = _copy(tmp_path)
    with sqlite3.connect(store) as connection:
        connection.execute("ALTER TABLE params RENAME COLUMN value TO val")
    with pytest.raises(InputError) as caught:
        registry.load(store)
    message = str(caught.value)
    assert "params.value: table params lacks column value" in message
    assert "MLflow 1.26 (schema revision bd07f7e963c5)" in message


def test_sqlite_with_part_of_mlflow_schema_says_what_is_missing(tmp_path: Path) -> None:
    store = _copy(tmp_path)
    with sqlite3.connect(store) as connection:
        connection.execute("DROP TABLE metrics")
        connection.execute("DROP TABLE params")
    with pytest.raises(UnknownSourceError) as caught:
        registry.detect(store)
    message = str(caught.value)
    assert "it looks like an SQLite database with part of MLflow's schema" in message
    assert "lacks metrics, params" in message and "expected mlflow-sqlite" in message


@pytest.mark.parametrize("version", VERSIONS)
def test_old_servers_rest_answers_read_like_the_store(version: str) -> None:
    """``mlflow server`` of each version answering over its own store (NaN metrics included,
    which protobuf's JSON writes as the string "NaN")."""
    expected = _expected(f"mlflow-{version}")
    path = OLD / f"rest-{version}"
    assert registry.detect(path) == "mlflow-rest"
    snapshot = registry.load(path)
    runs = {run.run_id: run for run in snapshot.runs}
    assert set(runs) == set(expected["runs"])
    for run_id, want in expected["runs"].items():
        assert runs[run_id].name == want["name"] and runs[run_id].params == want["params"]
    versions = {str(v.version): v for m in snapshot.models for v in m.versions}
    assert {n: (v.stage, v.run_id) for n, v in versions.items()} == {
        n: (w["stage"], w["run_id"]) for n, w in expected["versions"].items()}
    text = (path / "runs-search.json").read_text(encoding="utf-8")
    assert '"value": "NaN"' in text


def test_too_old_store_exits_2_and_stores_nothing(tmp_path: Path, capsys) -> None:
    from governance_app.cli import main

    store = _copy(tmp_path)
    with sqlite3.connect(store) as connection:
        connection.execute("DROP TABLE alembic_version")
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    db = str(tmp_path / "board.db")
    assert main(["--db", db, "import", str(store)]) == 2
    assert "before 1.0" in capsys.readouterr().err
    assert main(["--db", db, "imports", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
