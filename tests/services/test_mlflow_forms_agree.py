"""MLflow's three export forms of one registry import to the same records.

``mlflow.db`` and ``rest/`` come from one MLflow session and must agree exactly (run ids and
metric values included). The ``mlruns/`` twin was written by a separate run of the same
generator: its run ids and the ``val_auc`` noise differ, everything else must match.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from tests.services.oracle import assert_matches_expected, load_expected, workspace_view

FORMS = {"sqlite": "mlflow.db", "filestore": "mlruns", "rest": "rest"}


def _import(form: str, tmp_path: Path, fixtures: Path, url: str) -> dict[str, Any]:
    source = tmp_path / f"src-{form}" / FORMS[form]
    source.parent.mkdir()
    original = fixtures / "mlflow" / FORMS[form]
    if original.is_dir():
        shutil.copytree(original, source)
    else:
        shutil.copyfile(original, source)
    with Workspace.open(url) as ws:
        record = import_path(ws, source)
        assert record.kind == {"sqlite": "mlflow-sqlite", "filestore": "mlflow-filestore",
                               "rest": "mlflow-rest"}[form]
        return workspace_view(ws)


def _without_noise(view: dict[str, Any]) -> dict[str, Any]:
    """Drop what legitimately differs between separately generated exports."""
    out = {}
    for name, model in view.items():
        versions = {}
        for number, v in model["versions"].items():
            v = dict(v)
            v.pop("run_id")
            v.pop("source")
            v.pop("history_lengths")
            v["metrics"] = {k: x for k, x in v["metrics"].items() if k != "val_auc"}
            versions[number] = v
        out[name] = {**model, "versions": versions}
    return out


def test_rest_and_sqlite_agree_exactly(tmp_path: Path, fixtures_dir: Path) -> None:
    sqlite_view = _import("sqlite", tmp_path, fixtures_dir, f"sqlite:///{tmp_path}/a.db")
    rest_view = _import("rest", tmp_path, fixtures_dir, f"sqlite:///{tmp_path}/b.db")
    for view in (sqlite_view, rest_view):
        for model in view.values():
            for v in model["versions"].values():
                v.pop("history_lengths")  # REST answers carry latest values only
    assert rest_view == sqlite_view


def test_filestore_agrees_with_sqlite_but_for_run_ids_and_noise(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    sqlite_view = _import("sqlite", tmp_path, fixtures_dir, f"sqlite:///{tmp_path}/a.db")
    files_view = _import("filestore", tmp_path, fixtures_dir, f"sqlite:///{tmp_path}/b.db")
    assert _without_noise(files_view) == _without_noise(sqlite_view)
    for name, model in files_view.items():
        for number, v in model["versions"].items():
            assert v["history_lengths"] == sqlite_view[name]["versions"][number][
                "history_lengths"]
            assert v["metrics"]["val_auc"] == pytest.approx(
                sqlite_view[name]["versions"][number]["metrics"]["val_auc"], abs=1e-3)


@pytest.mark.postgres
def test_rest_import_on_postgresql_matches_expected(
    tmp_path: Path, fixtures_dir: Path, postgres_url: str
) -> None:
    _import("rest", tmp_path, fixtures_dir, postgres_url)
    with Workspace.open(postgres_url) as ws:
        assert_matches_expected(ws, load_expected(fixtures_dir))
