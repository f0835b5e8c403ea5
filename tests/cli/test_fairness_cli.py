"""``governance-app fairness`` and ``slices``: JSON equal to Fairlearn's numbers, human tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fairness"
TABLE = str(FIXTURES / "predictions.csv")
FAIRLEARN_NAMES = {"accuracy": "accuracy_score", "precision": "precision_score",
                   "balanced_accuracy": "balanced_accuracy_score"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _oracle_check(analysis: dict) -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    assert analysis["row_count"] == expected["rows"]
    blocks = {"&".join(a["attributes"]): a["report"] for a in analysis["analyses"]}
    assert set(blocks) == set(expected["by_attribute"])
    for name, block in expected["by_attribute"].items():
        report = blocks[name]
        groups = {"|".join(g["key"]): g for g in report["groups"]}
        for key, metrics in block["groups"].items():
            for metric, value in metrics.items():
                ours = groups[key]["metrics"][FAIRLEARN_NAMES.get(metric, metric)]
                if value is None:
                    assert ours["value"] is None and ours["reason"]
                else:
                    assert ours["value"] == pytest.approx(value, abs=1e-12), (name, key, metric)
        for metric, value in block["overall"].items():
            ours = report["overall"]["metrics"][FAIRLEARN_NAMES.get(metric, metric)]["value"]
            assert ours == pytest.approx(value, abs=1e-12)
        for name_, value in block.items():
            if name_.endswith(("_difference", "_ratio")):
                assert report["summary"][name_]["value"] == pytest.approx(value, abs=1e-12)


def test_fairness_json_equals_fairlearn(capsys) -> None:
    code, out, _ = run(capsys, "fairness", TABLE, "--label", "label", "--prediction",
                       "prediction", "--sensitive", "gender,class", "--convention", "fairlearn",
                       "--min-group-size", "1", "--json")
    assert code == 0
    _oracle_check(json.loads(out))


def test_fairness_human_table(capsys) -> None:
    code, out, _ = run(capsys, "fairness", TABLE, "--label", "label", "--score", "score",
                       "--threshold", "0.5", "--sensitive", "gender,class", "--bootstrap", "50")
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("group") and "TPR" in line)
    assert header.split()[:4] == ["group", "n", "selection", "rate"]
    assert "FPR" in header and "ROC AUC" in header and "95% CI" in header
    assert "== gender  (reference group: male)" in out
    female = next(line for line in lines if line.startswith("female "))
    assert "0.8406" in female  # selection rate to 4 significant digits
    assert "fail (15.93)" in out and "insufficient data" in out and "pass (1)" in out
    assert "— female | restaurant staff, FPR: no negatives (label 0) in the group" in out
    assert "* fewer than 30 rows" in out
    assert "demographic parity" in out and "equalized odds" in out


def test_fairness_stored_for_a_model(capsys, tmp_path: Path, mlflow_db: Path) -> None:
    db = str(tmp_path / "board.db")
    assert run(capsys, "--db", db, "import", str(mlflow_db))[0] == 0
    code, out, _ = run(capsys, "--db", db, "import", TABLE, "--model", "loan_approval:2",
                       "--label", "label", "--prediction", "prediction",
                       "--sensitive", "gender,class")
    assert code == 0 and "as predictions" in out and "1 fairness results" in out
    code, out, _ = run(capsys, "--db", db, "fairness", "--model", "loan_approval:2")
    assert code == 0 and "### loan_approval:2" in out and "== gender × class" in out
    code, out, _ = run(capsys, "--db", db, "fairness", "--model", "loan_approval:2", "--json")
    [stored] = json.loads(out)
    assert stored["model"] == "loan_approval" and stored["row_count"] == 1104
    code, out, _ = run(capsys, "--db", db, "fairness", "--model", "loan_approval:1")
    assert code == 0 and "no fairness results" in out


def test_slices_json_and_table(capsys) -> None:
    code, out, _ = run(capsys, "slices", TABLE, "--label", "label", "--prediction", "prediction",
                       "--columns", "gender,class,age,fare", "--top", "3", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["metric"] == "error_rate" and 1 <= len(report["slices"]) <= 3
    top = report["slices"][0]
    assert {"column": "gender", "value": "female"} in top["conditions"]
    assert top["p_adjusted"] < 0.05 and top["effect_size"] > 0
    code, out, _ = run(capsys, "slices", TABLE, "--label", "label", "--prediction", "prediction",
                       "--columns", "gender,class", "--metric", "fnr", "--max-conditions", "2")
    assert code == 0 and "false_negative_rate" in out and "slice" in out.splitlines()[1]


def test_bad_input_exits_2_with_the_reason(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "fairness", TABLE, "--label", "label", "--prediction",
                       "prediction", "--sensitive", "race")
    assert code == 2 and "missing column 'race'" in err
    code, _, err = run(capsys, "fairness", TABLE, "--label", "label", "--sensitive", "gender")
    assert code == 2 and "--threshold" in err
    code, _, err = run(capsys, "fairness")
    assert code == 2 and "no prediction table" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("label,prediction,g\n0,1,a\n1,0,b,c\n", encoding="utf-8")
    code, _, err = run(capsys, "slices", str(bad), "--label", "label", "--prediction", "p")
    assert code == 2 and "line 3" in err


def test_import_with_bins_reference_minimum_and_bootstrap(capsys, tmp_path: Path,
                                                          mlflow_db: Path) -> None:
    """``import --bins age=...`` buckets a numeric attribute exactly as ``pandas.cut`` does."""
    import pandas as pd

    edges = [0, 18, 40, 65, 80]
    db = str(tmp_path / "board.db")
    assert run(capsys, "--db", db, "import", str(mlflow_db))[0] == 0
    code, out, err = run(capsys, "--db", db, "import", TABLE, "--model", "loan_approval:2",
                         "--label", "label", "--prediction", "prediction",
                         "--sensitive", "gender,age", "--bins", "age=0,18,40,65,80",
                         "--reference", "female|[18, 40)", "--min-group-size", "5",
                         "--bootstrap", "0")
    assert code == 0, err
    code, out, _ = run(capsys, "--db", db, "fairness", "--model", "loan_approval:2", "--json")
    assert code == 0
    [stored] = json.loads(out)
    settings = stored["settings"]
    assert settings["bins"] == {"age": [float(e) for e in edges]}
    assert (settings["reference"], settings["min_group_size"], settings["bootstrap"]) == (
        "female|[18, 40)", 5, 0)
    reports = {"&".join(a["attributes"]): a["report"] for a in stored["analyses"]}
    ours = {g["key"][0]: g["count"] for g in reports["age"]["groups"]}
    frame = pd.read_csv(TABLE)
    # [a, b) bins, the last closed on both sides, as the importer declares them.
    cut = pd.cut(frame["age"], edges, right=False, include_lowest=True)
    pairs = enumerate(zip(edges[:-1], edges[1:], strict=True))
    cut = cut.cat.rename_categories([f"[{a:g}, {b:g}{']' if i == len(edges) - 2 else ')'}"
                                     for i, (a, b) in pairs])
    cut[frame["age"] == edges[-1]] = cut.cat.categories[-1]
    expected = cut.value_counts().to_dict()
    assert ours == expected and sum(ours.values()) == len(frame)
    assert reports["gender&age"]["reference"] == ["female", "[18, 40)"]
    assert reports["age"]["min_group_size"] == 5


@pytest.mark.parametrize(("bins", "message"), [
    ("age", "COL=e1,e2,e3"), ("age=1,x", "not a number"), ("age=5,1", "strictly increasing"),
])
def test_import_refuses_bad_bins(capsys, tmp_path: Path, bins: str, message: str) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "b.db"), "import", TABLE, "--model",
                       "loan_approval:2", "--label", "label", "--prediction", "prediction",
                       "--sensitive", "gender,age", "--bins", bins)
    assert code == 2 and message in err
