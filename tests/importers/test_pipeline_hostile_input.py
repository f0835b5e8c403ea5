"""Hostile DVC and Kubeflow input: each gets a clean error naming the file and the line or
field, and the workspace (a real SQLite file) stays exactly as it was; through the real CLI,
exit code 2 and no traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CREDIT = FIXTURES / "dvc" / "credit"


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "governance_app", "--db", f"sqlite:///{db}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "credit"
    shutil.copytree(CREDIT, target)
    return target


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _refused(tmp_path: Path, source: Path, *words: str) -> str:
    db = tmp_path / "ws.db"
    with Workspace.open(f"sqlite:///{db}") as ws:
        import_path(ws, FIXTURES / "kubeflow" / "credit" / "api" / "list_runs.json")
    before = _sha(db)
    with Workspace.open(f"sqlite:///{db}") as ws, pytest.raises(InputError) as caught:
        import_path(ws, source)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert _sha(db) == before
    return message


def test_through_the_cli_exit_2_no_traceback(tmp_path: Path, project: Path) -> None:
    (project / "dvc.yaml").write_text("stages:\n  a: {cmd: x}\n  a: {cmd: y}\n")
    result = _cli("import", str(project), db=tmp_path / "ws.db")
    assert result.returncode == 2
    assert "dvc.yaml, line 3, column 3: key 'a' appears twice" in result.stderr
    assert "Traceback" not in result.stderr


def test_yaml_alias_bomb(tmp_path: Path, project: Path) -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nstages:\n  s:\n    cmd: [*c]\n"
    (project / "dvc.yaml").write_text(bomb)
    _refused(tmp_path, project, "dvc.yaml", "line 1", "anchors are not accepted")


def test_duplicate_key(tmp_path: Path, project: Path) -> None:
    text = (project / "dvc.yaml").read_text().replace(
        "  train:\n", "  train:\n    outs:\n      - elsewhere.pkl\n", 1)
    (project / "dvc.yaml").write_text(text)
    _refused(tmp_path, project, "dvc.yaml", "line 3", "'outs' appears twice")


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (("    cmd: python src/train.py", "    wdir: ../..\n    cmd: python src/train.py"),
         ("stages.train.wdir", "leads outside the project folder")),
        (("    cmd: python src/train.py", "    wdir: /etc\n    cmd: python src/train.py"),
         ("stages.train.wdir", "absolute path")),
        (("      - src/train.py", "      - ../../secrets.csv"),
         ("stages.train.deps[0]", "leads outside the project folder")),
    ],
)
def test_paths_escaping_the_project(
    tmp_path: Path, project: Path, edit: tuple[str, str], words: tuple[str, ...]
) -> None:
    text = (project / "dvc.yaml").read_text()
    assert edit[0] in text
    (project / "dvc.yaml").write_text(text.replace(edit[0], edit[1], 1))
    _refused(tmp_path, project, "dvc.yaml", *words)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_out_of_the_project(tmp_path: Path, project: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "params.yaml").write_text("prepare: {seed: 1, test_size: 0.5}\n")
    (project / "params.yaml").unlink()
    (project / "params.yaml").symlink_to(outside / "params.yaml")
    _refused(tmp_path, project, "params.yaml", "outside")


def test_a_lock_that_contradicts_dvc_yaml(tmp_path: Path, project: Path) -> None:
    lock = (project / "dvc.lock").read_text().replace(
        "    - path: models/loan_approval.pkl\n      hash: md5\n      md5: 1753",
        "    - path: models/other.pkl\n      hash: md5\n      md5: 1753", 1)
    (project / "dvc.lock").write_text(lock)
    _refused(tmp_path, project, "dvc.lock", "stages.train.outs[0]", "does not declare")


def test_a_lock_of_a_stage_dvc_yaml_does_not_define(tmp_path: Path, project: Path) -> None:
    text = (project / "dvc.lock").read_text().replace("  train:\n", "  fit:\n", 1)
    (project / "dvc.lock").write_text(text)
    _refused(tmp_path, project, "dvc.lock", "stages.fit", "does not define")


def test_a_lock_of_a_later_schema_is_refused_naming_it(tmp_path: Path, project: Path) -> None:
    text = (project / "dvc.lock").read_text().replace("schema: '2.0'", "schema: '3.0'", 1)
    (project / "dvc.lock").write_text(text)
    _refused(tmp_path, project, "dvc.lock", "schema", "'3.0'")


def test_an_mlmd_file_that_is_not_sqlite(tmp_path: Path) -> None:
    fake = tmp_path / "metadata.sqlite"
    fake.write_bytes(b"not a database at all\n" * 10)
    db = tmp_path / "ws.db"
    with Workspace.open(f"sqlite:///{db}") as ws, pytest.raises(InputError) as caught:
        import_path(ws, fake)  # detected by MLMD's default name, refused by its content
    assert "metadata.sqlite: is not a SQLite database" in str(caught.value)


def test_a_run_json_with_a_bad_int64(tmp_path: Path) -> None:
    text = (FIXTURES / "kubeflow" / "credit" / "api" / "list_runs.json").read_text()
    bad = tmp_path / "runs.json"
    bad.write_text(text.replace('"execution_id": "2"', '"execution_id": "two"', 1))
    _refused(tmp_path, bad, "run_details.task_details[0].execution_id", "int64")
