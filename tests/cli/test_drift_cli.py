"""``governance-app drift-history --model`` on a real workspace, human and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.cli import main

ROOT = Path(__file__).parents[2]
EVIDENTLY = ROOT / "tests" / "fixtures" / "evidently"
TYPE_INFERENCE = EVIDENTLY / "type_inference"


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


def test_drift_json_reports_statistic_and_p_value_of_every_test(tmp_path: Path, capsys) -> None:
    from scipy import stats

    rng = np.random.default_rng(11)
    reference, current = rng.normal(0, 1, 400), rng.normal(0.3, 1, 300)  # ≤ 1000 rows: KS
    pd.DataFrame({"x": reference}).to_csv(tmp_path / "ref.csv", index=False)
    pd.DataFrame({"x": current}).to_csv(tmp_path / "cur.csv", index=False)
    assert main(["drift", "--reference", str(tmp_path / "ref.csv"), "--current",
                 str(tmp_path / "cur.csv"), "--json"]) == 0
    [column] = json.loads(capsys.readouterr().out)["columns"]
    oracle = stats.ks_2samp(reference, current)
    assert column["method"] == "ks"
    assert column["statistic"] == pytest.approx(oracle.statistic, rel=1e-9)  # D
    assert column["p_value"] == pytest.approx(oracle.pvalue, rel=1e-6)
    assert column["score"] == column["p_value"]  # what the threshold judges
    assert {"ks_statistic", "ks_p_value"} <= set(column["statistics"])


def test_drift_methods_all_prints_every_statistic_of_every_column(capsys) -> None:
    args = ["drift", "--reference", str(TYPE_INFERENCE / "reference.parquet"), "--current",
            str(TYPE_INFERENCE / "current.parquet"), "--methods", "all"]
    assert main([*args, "--json"]) == 0
    columns = {c["column"]: c for c in json.loads(capsys.readouterr().out)["columns"]}
    assert set(columns["income"]["statistics"]) == {
        "ks_statistic", "ks_p_value", "wasserstein", "wasserstein_raw", "psi", "jensenshannon"}
    assert {"psi", "jensenshannon", "chisquare_statistic", "chisquare_p_value"} <= set(
        columns["num_accounts"]["statistics"])
    assert columns["income"]["method"] == "wasserstein"  # the verdict stays the chosen one
    assert main(args) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("column") and "psi" in line)
    assert "ks_statistic" in header and "ks_p_value" in header and "chisquare_p_value" in header
