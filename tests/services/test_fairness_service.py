"""Fairness evidence in a real workspace (SQLite file and PostgreSQL): Fairlearn's numbers,
stored at full precision, idempotent re-imports, nothing stored on error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from governance_app.domain.fairness import ParityVerdict
from governance_app.errors import ImportCancelled, InputError, NotFoundError
from governance_app.services.fairness import (
    MetricUndefined,
    analyse_file,
    fairness_results,
    latest_fairness,
    metric_value,
)
from governance_app.services.importing import import_path, list_imports
from governance_app.services.workspace import Workspace
from governance_app.store.fairness_reader import count_results

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fairness"
FAIRLEARN_NAMES = {"accuracy": "accuracy_score", "precision": "precision_score",
                   "balanced_accuracy": "balanced_accuracy_score"}
SUMMARY = ("demographic_parity_difference", "demographic_parity_ratio",
           "equalized_odds_difference", "equalized_odds_ratio")
ORACLE = {"label": "label", "prediction": "prediction", "score": "score",
          "sensitive": ["gender", "class"], "convention": "fairlearn", "min_group_size": 1,
          "features": ["age", "fare", "embarked"]}


@pytest.fixture
def ws(workspace_url: str, mlflow_db: Path):
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, mlflow_db)
        yield workspace


@pytest.fixture
def table(tmp_path: Path) -> Path:
    target = tmp_path / "predictions.csv"
    shutil.copyfile(FIXTURES / "predictions.csv", target)
    return target


def _count(ws: Workspace) -> int:
    with ws.session() as session:
        return count_results(session)


def test_stored_results_equal_fairlearn(ws: Workspace, table: Path) -> None:
    record = import_path(ws, table, model="loan_approval:2", settings=ORACLE)
    assert record.kind == "predictions" and record.changes == {"fairness_results": 1}
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    [stored] = fairness_results(ws, "loan_approval", 2)
    assert stored.ref == "loan_approval:2" and stored.import_id == record.id
    assert stored.analysis.row_count == expected["rows"] == 1104
    assert stored.analysis.source_sha256 == record.source_sha256
    assert stored.analysis.schema["gender"] in ("object", "str")
    for name, block in expected["by_attribute"].items():
        report = stored.analysis.analysis(name.split("&")).report
        for key, metrics in block["groups"].items():
            row = report.group(tuple(key.split("|")))
            for metric, value in metrics.items():
                ours = row.metrics[FAIRLEARN_NAMES.get(metric, metric)]
                if value is None:
                    assert row.count == 0 and ours.value is None and ours.reason
                else:
                    assert ours.value == pytest.approx(value, abs=1e-12), (name, key, metric)
        for metric, value in block["overall"].items():
            ours = report.overall.metrics[FAIRLEARN_NAMES.get(metric, metric)].value
            assert ours == pytest.approx(value, abs=1e-12)
        for summary in SUMMARY:
            assert metric_value(stored, summary, name.replace("&", ",")) == pytest.approx(
                block[summary], abs=1e-12)


def test_stored_equals_computed_bit_for_bit(ws: Workspace, table: Path) -> None:
    import_path(ws, table, model="loan_approval:2", settings=ORACLE)
    stored = latest_fairness(ws, "loan_approval", 2, "gender")
    computed = analyse_file(table, label="label", prediction="prediction", score="score",
                            sensitive=["gender", "class"], convention="fairlearn",
                            min_group_size=1, features=["age", "fare", "embarked"])
    assert stored.analysis.analyses == computed.analyses
    assert stored.analysis.slices == computed.slices
    assert stored.analysis.settings == computed.settings
    boot = stored.analysis.analysis("gender").bootstrap
    assert boot is not None and boot.n_resamples == 200 and boot.seed == 20261125
    verdicts = {(p.key, p.metric): p.verdict for p in stored.analysis.analysis("gender").parity}
    assert verdicts[(("female",), "selection_rate")] is ParityVerdict.FAIL
    assert stored.analysis.slices is not None and stored.analysis.slices.slices


def test_reimport_is_idempotent_and_new_settings_add_a_result(ws: Workspace, table: Path) -> None:
    import_path(ws, table, model="loan_approval:2", settings=ORACLE)
    again = import_path(ws, table, model="loan_approval:2", settings=ORACLE)
    assert again.changes == {}
    assert _count(ws) == 1
    other = import_path(ws, table, model="loan_approval:2",
                        settings={**ORACLE, "sensitive": ["age_group"], "features": []})
    assert other.changes == {"fairness_results": 1}
    assert _count(ws) == 2
    assert latest_fairness(ws, "loan_approval", 2).analysis.settings["sensitive"] == ["age_group"]
    assert latest_fairness(ws, "loan_approval", 2, "gender").analysis.settings["sensitive"] == [
        "gender", "class"]
    with pytest.raises(NotFoundError, match="no fairness results for sensitive"):
        latest_fairness(ws, "loan_approval", 2, "embarked")


def test_nothing_is_stored_on_error(ws: Workspace, table: Path, tmp_path: Path) -> None:
    imports_before = len(list_imports(ws))
    bad = tmp_path / "bad.csv"
    bad.write_text("label,prediction,gender\n0,0,a\n2,1,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="label"):
        import_path(ws, bad, model="loan_approval:2", settings={**ORACLE, "sensitive": "gender",
                                                                "features": []})
    with pytest.raises(NotFoundError, match="loan_approval:99"):
        import_path(ws, table, model="loan_approval:99", settings=ORACLE)
    with pytest.raises(InputError, match="--model"):
        import_path(ws, table, settings=ORACLE)
    calls = []

    def cancel_while_storing() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ImportCancelled):
        import_path(ws, table, model="loan_approval:2", settings=ORACLE,
                    is_cancelled=cancel_while_storing)
    assert _count(ws) == 0
    assert len(list_imports(ws)) == imports_before


def test_metric_value_explains_what_it_cannot_give(ws: Workspace, table: Path,
                                                   tmp_path: Path) -> None:
    import_path(ws, table, model="loan_approval:2",
                settings={**ORACLE, "convention": "strict", "min_group_size": 30})
    stored = latest_fairness(ws, "loan_approval", 2)
    assert 0 <= metric_value(stored, "equalized_odds_difference", "gender") <= 1
    assert metric_value(stored, "accuracy_score", "gender") == pytest.approx(0.8097826086956522)
    with pytest.raises(NotFoundError, match="known"):
        metric_value(stored, "no_such_metric", "gender")
    with pytest.raises(NotFoundError, match="analysed"):
        metric_value(stored, "accuracy_score", "embarked")
    none_predicted = tmp_path / "none.csv"
    none_predicted.write_text("label,prediction,g\n0,0,a\n1,0,b\n1,0,a\n", encoding="utf-8")
    analysis = analyse_file(none_predicted, label="label", prediction="prediction",
                            sensitive="g", min_group_size=1)
    with pytest.raises(MetricUndefined, match="no predicted positives"):
        metric_value(analysis, "precision_score", "g")
    with pytest.raises(NotFoundError):
        fairness_results(ws, "no_model", 1)
