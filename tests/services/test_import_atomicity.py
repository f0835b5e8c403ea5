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


def _mlruns_copy(tmp: Path, fixtures: Path) -> Path:
    target = tmp / "mlruns"
    shutil.copytree(fixtures / "mlflow" / "mlruns", target)
    return target


def _first_run_meta(mlruns: Path) -> Path:
    return sorted(mlruns.glob("*/*/meta.yaml"))[0]


def _truncated_yaml(tmp: Path, fixtures: Path) -> Path:
    mlruns = _mlruns_copy(tmp, fixtures)
    meta = _first_run_meta(mlruns)
    meta.write_text(meta.read_text(encoding="utf-8")[:40] + "\n  - [unclosed", encoding="utf-8")
    return mlruns


def _yaml_alias_bomb(tmp: Path, fixtures: Path) -> Path:
    mlruns = _mlruns_copy(tmp, fixtures)
    bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        bomb.append(f"{chr(97 + i)}: &{chr(97 + i)} [{','.join(['*' + chr(96 + i)] * 9)}]")
    _first_run_meta(mlruns).write_text("\n".join(bomb) + "\n", encoding="utf-8")
    return mlruns


def _path_escaping_the_root(tmp: Path, fixtures: Path) -> Path:
    mlruns = _mlruns_copy(tmp, fixtures)
    secret = tmp / "outside.txt"
    secret.write_text("0.5", encoding="utf-8")
    param = sorted(mlruns.glob("*/*/params/*"))[0]
    param.unlink()
    param.symlink_to(secret)
    return mlruns


def _duplicate_json_key(tmp: Path, fixtures: Path) -> Path:
    target = tmp / "registered-models-search.json"
    target.write_text('{"registered_models": [{"name": "a", "name": "b"}]}', encoding="utf-8")
    return target


def _nan_number(tmp: Path, fixtures: Path) -> Path:
    rest = tmp / "rest"
    shutil.copytree(fixtures / "mlflow" / "rest", rest)
    runs = rest / "runs-search.json"
    text = runs.read_text(encoding="utf-8")
    runs.write_text(text.replace('"value": 0.5', '"value": NaN', 1), encoding="utf-8")
    return rest


BROKEN: dict[str, Callable[[Path, Path], Path]] = {
    "truncated yaml": _truncated_yaml,
    "yaml alias bomb": _yaml_alias_bomb,
    "path escaping the root": _path_escaping_the_root,
    "duplicate json key": _duplicate_json_key,
    "nan where a number belongs": _nan_number,
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
    message = str(excinfo.value)
    assert str(source_dir) in message or source.name in message, "the error must name the file"
    assert "line" in message or "$." in message or source.is_dir() or case in {
        "truncated sqlite store", "sqlite without mlflow tables", "unknown folder",
        "mlflow store missing a column"}, f"the error must name the line or field: {message}"
    assert counts["imports"] == 1
    assert _files_digest(ws_dir) == before
