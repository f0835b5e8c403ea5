"""``governance-app drift-history --model`` on a real workspace, human and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from governance_app.cli import main

ROOT = Path(__file__).parents[2]
EVIDENTLY = ROOT / "tests" / "fixtures" / "evidently"


def test_import_then_history_as_json(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "ws.db")
    assert main(["--db", db, "import", str(ROOT / "resources/demo/registry.json")]) == 0
    assert main(["--db", db, "import", str(EVIDENTLY / "legacy"), "--model",
                 "credit_default:3", "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "drift-history", "--model", "credit_default:3", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [h["label"] for h in history] == [f"week-{i:02d}" for i in range(1, 9)]
    week4 = history[3]
    assert week4["share_of_drifted_columns"] == 2 / 6 and week4["dataset_drift"] is False
    age = next(c for c in week4["columns"] if c["column"] == "age")
    assert age["method_label"] == "Wasserstein distance (normed)"
    assert age["score"] == 0.06954742572654626
    assert main(["--db", db, "drift-history", "--model", "credit_default:3"]) == 0
    text = capsys.readouterr().out
    assert "week-05" in text and "DRIFT" in text and "4/6" in text


def test_import_without_model_exits_2(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "ws.db")
    assert main(["--db", db, "import", str(EVIDENTLY / "reports")]) == 2
    assert "--model NAME:VERSION" in capsys.readouterr().err


def test_history_without_table_or_model_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["--db", str(tmp_path / "ws.db"), "drift-history"]) == 2
    assert "needs a TABLE or --model" in capsys.readouterr().err


def test_drift_of_two_tables_as_json(capsys) -> None:
    assert main(["drift", "--reference", str(EVIDENTLY / "reference.csv"), "--current",
                 str(EVIDENTLY / "window-06.csv"), "--columns", "income", "region",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["column"] for c in result["columns"]] == ["income", "region"]
    assert result["source_kind"] == "computed" and len(result["source_sha256"]["current"]) == 64


def test_drift_of_a_missing_table_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["drift", "--reference", str(tmp_path / "nope.csv"), "--current",
                 str(EVIDENTLY / "window-06.csv")]) == 2
    assert "nope.csv: does not exist" in capsys.readouterr().err
