"""Evidently 0.4.40, 0.6.7, 0.7.0 and 0.7.10 exports, written by each version itself, import
as the same drift result; defaults the file leaves out are resolved as Evidently did."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from governance_app.errors import InputError, UnknownSourceError
from governance_app.importers import registry
from governance_app.importers.evidently_v07 import parse_metric_id
from governance_app.importers.registry import ImportContext, ImportOptions

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "evidently_versions"
DRIFTED = {"utilization", "num_accounts", "region"}
SCORES = {"income": 0.6526553552301099, "age": 0.08490212231423508,
          "utilization": 0.015123757271749798, "num_accounts": 0.0016428154874737633,
          "channel": 0.271163155747345}
FILES = [f"{v}/{f}" for v in ("0.4.40", "0.6.7")
         for f in ("report", "snapshot", "testsuite", "testsuite-snapshot")]
FILES += [f"{v}/{f}" for v in ("0.7.0", "0.7.10") for f in ("report", "snapshot")]


def _load(path: Path):
    assert registry.detect(path) == "evidently"
    snapshot = registry.load(path, context=ImportContext(options=ImportOptions(model="m:1")))
    (result,) = snapshot.results
    return result


@pytest.mark.parametrize("name", FILES)
def test_every_version_and_shape_gives_the_same_verdicts(name: str) -> None:
    result = _load(HERE / f"{name}.json")
    columns = {c.column: c for c in result.drift.columns}
    assert set(columns) == set(SCORES) | {"region"}
    assert {c for c, col in columns.items() if col.drifted} == DRIFTED
    assert result.drift.share_drifted == 0.5 and result.drift.drifted
    places = 3 if name.endswith("testsuite") else 12  # a TestSuite rounds to 3 decimals
    for column, score in SCORES.items():
        assert columns[column].score == pytest.approx(score, abs=0.5 * 10**-places)
        assert columns[column].threshold == 0.05
    if not name.endswith("report") or name.startswith("0.4") or name.startswith("0.6"):
        assert (columns["age"].method, columns["region"].method) == ("ks", "chisquare")
    if not name.endswith("testsuite") and not name.endswith("testsuite-snapshot"):
        # The user's own drift test of income (PSI at 0.1) is kept beside the preset's K-S.
        (other,) = result.details["other_results"]
        assert other["column"] == "income" and other["threshold"] == 0.1
        assert other["method"] in ("psi", "PSI")
        assert other["score"] == pytest.approx(0.020733790787661924)


@pytest.mark.parametrize("version", ["0.7.0", "0.7.10"])
def test_compact_form_resolves_defaults_from_the_drifted_count(version: str) -> None:
    result = _load(HERE / version / "report.json")
    age = result.drift.column("age")
    assert age.p_value == pytest.approx(SCORES["age"])  # held as a p-value, not a distance
    assert age.method == "default p-value test (≤1,000 reference rows)"
    assert "count of drifted columns shows the default p-value test" in \
        result.details["defaults"]


@pytest.mark.parametrize("version", ["0.7.0", "0.7.10", "0.4.40"])
def test_snapshots_keep_evidentlys_histograms(version: str) -> None:
    result = _load(HERE / version / "snapshot.json")
    histograms = result.details["distributions"]
    assert set(histograms) == set(SCORES) | {"region"}
    for sides in histograms.values():
        assert set(sides) == {"reference", "current"}
        assert len(sides["reference"]["x"]) >= len(sides["reference"]["y"]) > 0
    assert "distributions" not in _load(HERE / "0.6.7" / "testsuite.json").details


def test_metric_id_arguments() -> None:
    assert parse_metric_id("ValueDrift(column=bmi,method=psi,threshold=0.1)") == (
        "ValueDrift", {"column": "bmi", "method": "psi", "threshold": "0.1"})
    assert parse_metric_id("ValueDrift(column=a,b)") == ("ValueDrift", {"column": "a,b"})
    assert parse_metric_id("DriftedColumnsCount(drift_share=0.5)") == (
        "DriftedColumnsCount", {"drift_share": "0.5"})
    assert parse_metric_id("not a metric") == ("", {})


def test_method_without_threshold_takes_that_tests_default(tmp_path: Path) -> None:
    doc = json.loads((HERE / "0.7.0" / "report.json").read_text(encoding="utf-8"))
    doc["metrics"][-1]["metric_id"] = "ValueDrift(column=income,method=wasserstein)"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    other = _load(path).details["other_results"][0]
    assert (other["method"], other["threshold"]) == ("wasserstein", 0.1)


def _broken_count(tmp_path: Path, count: float | None) -> Path:
    doc = json.loads((HERE / "0.7.10" / "report.json").read_text(encoding="utf-8"))
    if count is None:
        doc["metrics"] = [m for m in doc["metrics"]
                          if not m["metric_id"].startswith("DriftedColumnsCount")]
    else:
        doc["metrics"][0]["value"]["count"] = count
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(("count", "says"), [
    (None, "has no DriftedColumnsCount to tell"),
    (5.0, "its count of 5 drifted columns fits neither of Evidently's choices"),
])
def test_defaults_that_cannot_be_known_are_refused(tmp_path: Path, count, says: str) -> None:
    path = _broken_count(tmp_path, count)
    with pytest.raises(InputError) as caught:
        _load(path)
    message = str(caught.value)
    assert f"{path}, metrics: does not say which test Evidently used for income" in message
    assert says in message and "Snapshot.dumps()" in message


def test_custom_method_without_threshold_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(HERE / "0.7.0", folder)
    doc = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    doc["metrics"][-1]["metric_id"] = "ValueDrift(column=income,method=my_test)"
    (folder / "report.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        registry.load(folder, context=ImportContext(options=ImportOptions(model="m:1")))
    assert "report.json, metrics[7].metric_id.method: method 'my_test' has no threshold" in str(
        caught.value)


def test_evidently_report_without_drift_metrics_says_so(tmp_path: Path) -> None:
    doc = json.loads((HERE / "0.6.7" / "report.json").read_text(encoding="utf-8"))
    doc["metrics"] = [{"metric": "ColumnSummaryMetric", "result": {}}]
    path = tmp_path / "quality.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(UnknownSourceError) as caught:
        registry.detect(path)
    message = str(caught.value)
    assert "it looks like an Evidently export without drift results" in message
    assert "expected evidently:" in message


def test_value_drift_tabs_give_histograms_without_the_preset_table(tmp_path: Path) -> None:
    doc = json.loads((HERE / "0.7.10" / "snapshot.json").read_text(encoding="utf-8"))
    doc["widgets"] = []  # as when ValueDrift metrics are run without DataDriftPreset
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    histograms = _load(path).details["distributions"]
    age = histograms["age"]
    widths = [b - a for a, b in zip(age["current"]["x"], age["current"]["x"][1:], strict=False)]
    assert sum(d * w for d, w in zip(age["current"]["y"], widths, strict=True)) == \
        pytest.approx(1.0)  # percentages turned into a density
    assert sum(histograms["region"]["reference"]["y"]) == pytest.approx(100.0)
