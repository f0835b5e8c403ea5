"""The CLI verbs on a real workspace file: tables for people, JSON for machines, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from governance_app.cli import main


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "board.db")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_models_show_and_compare(capsys, db: str, mlflow_db: Path) -> None:
    code, out, _ = run(capsys, "--db", db, "import", str(mlflow_db))
    assert code == 0
    assert "as mlflow-sqlite" in out and "5 runs" in out and "5 run added" in out

    code, out, _ = run(capsys, "--db", db, "models")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["model", "latest", "versions", "aliases", "stage", "owner",
                                "updated"]
    assert any(line.startswith("loan_approval") and "champion→2" in line for line in lines)

    code, out, _ = run(capsys, "--db", db, "models", "--json")
    models = {m["name"]: m for m in json.loads(out)}
    assert models["loan_approval"]["aliases"] == {"challenger": 3, "champion": 2}
    assert models["readmission_risk"]["latest_version"] == 2

    code, out, _ = run(capsys, "--db", db, "show", "loan_approval:2", "--json")
    shown = json.loads(out)
    assert shown["version"]["stage"] == "Production"
    assert shown["latest_metrics"]["val_auc"] == 0.76079297687252
    assert len(shown["run"]["metrics"]["val_auc"]["values"]) == 5

    code, out, _ = run(capsys, "--db", db, "show", "loan_approval")
    assert code == 0 and "Production" in out and "ünïcode" in out

    code, out, _ = run(capsys, "--db", db, "compare", "loan_approval", "1", "3", "--json")
    compared = json.loads(out)
    deltas = {m["key"]: m["delta"] for m in compared["metrics"]}
    assert deltas["val_auc"] == pytest.approx(0.7806934384825412 - 0.7405078412730622, abs=0)
    assert {p["key"] for p in compared["params"] if p["changed"]} == {
        "learning_rate", "max_depth", "training_data"}


def test_unknown_model_and_bad_input_exit_2_with_a_message(capsys, db: str, tmp_path) -> None:
    code, _, err = run(capsys, "--db", db, "show", "nope:1")
    assert code == 2 and "no registered model named 'nope'" in err
    bad = tmp_path / "runs-search.json"
    bad.write_text('{"runs": [', encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", str(bad))
    assert code == 2 and "runs-search.json" in err


def test_imports_lists_each_import_with_its_digest(capsys, db: str, mlflow_db: Path) -> None:
    run(capsys, "--db", db, "import", str(mlflow_db))
    run(capsys, "--db", db, "import", str(mlflow_db))
    code, out, _ = run(capsys, "--db", db, "imports", "--json")
    records = json.loads(out)
    assert [r["kind"] for r in records] == ["mlflow-sqlite", "mlflow-sqlite"]
    assert records[1]["changes"] == {}


def test_demo_builds_a_workspace_with_models(capsys, tmp_path) -> None:
    code, out, _ = run(capsys, "demo", "--no-window")
    assert code == 0
    url = out.strip()
    code, out, _ = run(capsys, "--db", url, "models", "--json")
    assert len(json.loads(out)) >= 4


def test_installed_entry_point_prints_its_version() -> None:
    exe = shutil.which("governance-app") or str(Path(sys.executable).with_name("governance-app"))
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("governance-app ")


@pytest.mark.postgres
def test_a_postgresql_workspace_works_the_same(capsys, postgres_url: str, mlflow_db) -> None:
    assert run(capsys, "--db", postgres_url, "import", str(mlflow_db))[0] == 0
    code, out, _ = run(capsys, "--db", postgres_url, "models", "--json")
    assert code == 0
    assert sorted(m["name"] for m in json.loads(out)) == ["loan_approval", "readmission_risk"]


def test_gui_verbs_open_the_window_through_the_runner_they_are_given(capsys, db: str) -> None:
    opened: list[str] = []
    assert main(["--db", db, "gui"], run_gui=lambda url: opened.append(url) or 0) == 0
    assert opened and opened[0].endswith("board.db")
    assert main(["demo"], run_gui=lambda url: opened.append(url) or 0) == 0
    assert opened[1].endswith("demo.db")
    code, _, err = run(capsys, "--db", db, "gui")
    assert code == 2 and "no window" in err


def test_the_console_command_can_open_a_window_without_the_cli_importing_qt() -> None:
    import governance_app.entry as entry

    code = (
        "import sys, governance_app.cli; "
        "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    assert entry._run_gui.__module__ == "governance_app.entry"
