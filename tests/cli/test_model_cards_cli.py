"""``import CARD --model``, ``card show`` and ``card set`` on a real workspace, human and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from governance_app.cli import main

ROOT = Path(__file__).parents[2]
CARDS = ROOT / "tests" / "fixtures" / "model_cards"


def _workspace(tmp_path: Path) -> str:
    db = str(tmp_path / "ws.db")
    assert main(["--db", db, "import", str(ROOT / "resources/demo/registry.json")]) == 0
    return db


def test_import_show_and_set(tmp_path: Path, capsys) -> None:
    db = _workspace(tmp_path)
    card = CARDS / "huggingface" / "sample_simple_model_index.md"
    assert main(["--db", db, "import", str(card), "--model", "credit_default:4"]) == 0
    assert "huggingface-card" in capsys.readouterr().out
    notes = tmp_path / "limits.md"
    notes.write_text("- Not for **thin** files.\n", encoding="utf-8")
    assert main(["--db", db, "card", "set", "credit_default:4", "--section", "limitations",
                 "--file", str(notes), "--author", "Ana Lima"]) == 0
    assert "recorded in the audit trail" in capsys.readouterr().out
    assert main(["--db", db, "card", "set", "credit_default:4", "--section", "intended-use",
                 "--text", "Ranking applications.", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["section"] == "intended-use"
    assert main(["--db", db, "card", "show", "credit_default:4", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["source"]["name"] == card.name
    assert shown["sections"]["limitations"]["by"] == "Ana Lima"
    assert [m["value"] for m in shown["metrics"]] == [0.9, 0.66]
    assert len(shown["history"]) == 3
    assert main(["--db", db, "card", "show", "credit_default:4"]) == 0
    text = capsys.readouterr().out
    assert "Not for **thin** files." in text and "f1" in text and "— not stated" in text


def test_errors_exit_2_naming_the_problem(tmp_path: Path, capsys) -> None:
    db = _workspace(tmp_path)
    bad = CARDS / "huggingface" / "sample_invalid_model_index.md"
    assert main(["--db", db, "import", str(bad), "--model", "credit_default:4"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "model-index[0].results[0], line 15" in err
    assert main(["--db", db, "card", "set", "credit_default:4", "--section", "limitations"]) == 2
    assert "--text TEXT or --file FILE" in capsys.readouterr().err
    assert main(["--db", db, "card", "show", "credit_default"]) == 2
    assert main(["--db", db, "card", "show", "credit_default:1"]) == 0
    assert "no model card text attached" in capsys.readouterr().out
