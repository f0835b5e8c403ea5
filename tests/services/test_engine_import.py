"""A prediction table attached through DuckDB: the stored evidence equals the in-memory import's
(slices included), records the engine and its counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.services.fairness import fairness_results, find_slices_in_file
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.store.fairness_reader import count_results

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fairness"
SETTINGS = {"label": "label", "prediction": "prediction", "score": "score",
            "sensitive": ["gender", "class"], "features": ["age", "fare", "embarked"]}


@pytest.fixture
def ws(workspace_url: str, mlflow_db: Path):
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, mlflow_db)
        yield workspace


def test_duckdb_import_stores_what_memory_stores(ws: Workspace, tmp_path: Path) -> None:
    table = tmp_path / "predictions.csv"
    shutil.copyfile(FIXTURES / "predictions.csv", table)
    duck = import_path(ws, table, model="loan_approval:2", settings={**SETTINGS,
                                                                    "engine": "duckdb"})
    assert duck.changes == {"fairness_results": 1}
    # same file, same settings: the engine is not part of the evidence's identity
    again = import_path(ws, table, model="loan_approval:2", settings={**SETTINGS,
                                                                     "engine": "memory"})
    assert again.changes == {}
    import_path(ws, table, model="loan_approval:1", settings={**SETTINGS, "engine": "memory"})
    [stored] = fairness_results(ws, "loan_approval", 2)
    [memory] = fairness_results(ws, "loan_approval", 1)
    assert stored.analysis.analyses == memory.analysis.analyses
    assert stored.analysis.slices == memory.analysis.slices
    assert stored.analysis.row_count == memory.analysis.row_count == 1104
    assert stored.analysis.source_sha256 == memory.analysis.source_sha256
    computation = stored.analysis.computation
    assert computation["engine"] == "duckdb" and computation["source"]["kind"] == "file"
    assert sum(map(sum, computation["statistics"]["cells"])) == 1104
    assert memory.analysis.computation["engine"] == "memory"


def test_engine_import_is_all_or_nothing(ws: Workspace, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("label,prediction,gender\n1,1,f\n1,2,m\n")
    with pytest.raises(InputError, match="'prediction' is not binary"):
        import_path(ws, table, model="loan_approval:2",
                    settings={"label": "label", "prediction": "prediction",
                              "sensitive": ["gender"], "engine": "duckdb"})
    with pytest.raises(InputError, match="--engine"):
        import_path(ws, table, model="loan_approval:2",
                    settings={"label": "label", "prediction": "prediction",
                              "sensitive": ["gender"], "engine": "polars"})
    with ws.session() as session:
        assert count_results(session) == 0


def test_slices_cli_service_through_duckdb_equals_memory() -> None:
    kwargs = {"label": "label", "prediction": "prediction",
              "columns": ["age", "fare", "embarked", "gender"]}
    table = FIXTURES / "predictions.csv"
    assert (find_slices_in_file(table, engine="duckdb", **kwargs)
            == find_slices_in_file(table, engine="memory", **kwargs))
