"""A broken source anywhere means nothing is stored: the workspace file stays byte-for-byte."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.services.importing import import_path, workspace_counts
from governance_app.services.workspace import Workspace


def _files_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _truncated_sqlite(tmp: Path, fixtures: Path) -> Path:
    data = (fixtures / "mlflow" / "mlflow.db").read_bytes()
    target = tmp / "mlflow.db"
    target.write_bytes(data[: len(data) // 3])
    return target


def _sqlite_without_mlflow_tables(tmp: Path, fixtures: Path) -> Path:
    target = tmp / "mlflow.db"
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE runs (run_uuid TEXT)")
    con.commit()
    con.close()
    return target


def _mlflow_db_missing_a_column(tmp: Path, fixtures: Path) -> Path:
    target = tmp / "mlflow.db"
    shutil.copyfile(fixtures / "mlflow" / "mlflow.db", target)
    con = sqlite3.connect(target)
    con.execute("ALTER TABLE model_versions DROP COLUMN current_stage")
    con.commit()
    con.close()
    return target


def _bad_json(tmp: Path, fixtures: Path) -> Path:
    target = tmp / "registered-models-search.json"
    target.write_text('{"registered_models": [{"name": "x",', encoding="utf-8")
    return target


def _not_utf8(tmp: Path, fixtures: Path) -> Path:
    target = tmp / "runs-search.json"
    target.write_bytes(b'{"runs": [{"info": {"run_id": "\xff\xfe"}}]}')
    return target


def _unknown_folder(tmp: Path, fixtures: Path) -> Path:
    folder = tmp / "holiday-photos"
    folder.mkdir()
    (folder / "beach.txt").write_text("sand", encoding="utf-8")
    return folder


BROKEN: dict[str, Callable[[Path, Path], Path]] = {
    "truncated sqlite store": _truncated_sqlite,
    "sqlite without mlflow tables": _sqlite_without_mlflow_tables,
    "mlflow store missing a column": _mlflow_db_missing_a_column,
    "bad json": _bad_json,
    "not utf-8": _not_utf8,
    "unknown folder": _unknown_folder,
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_source_leaves_the_workspace_byte_for_byte(
    case: str, tmp_path: Path, fixtures_dir: Path, mlflow_db: Path
) -> None:
    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    url = f"sqlite:///{ws_dir / 'workspace.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, mlflow_db)
    before = _files_digest(ws_dir)
    source_dir = tmp_path / "source"
    source_dir.mkdir()
    source = BROKEN[case](source_dir, fixtures_dir)
    with Workspace.open(url) as ws:
        with pytest.raises(InputError) as excinfo:
            import_path(ws, source)
        counts = workspace_counts(ws)
    assert str(source.name) in str(excinfo.value), "the error must name the file"
    assert counts["imports"] == 1
    assert _files_digest(ws_dir) == before
