"""The Evidently importer on real exports written by Evidently 0.7.23 and a wild 0.6.1 project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from governance_app.domain.drift import METHOD_LABELS
from governance_app.errors import InputError
from governance_app.importers.evidently import read_evidently
from governance_app.importers.registry import ImportContext, ImportOptions, detect

EVIDENTLY = Path(__file__).parents[1] / "fixtures" / "evidently"
EXPECTED = json.loads((EVIDENTLY / "expected.json").read_text())["weeks"]
MODEL = ImportContext(options=ImportOptions(model="credit_default:3"))


def _columns(result) -> dict[str, tuple[str, float, float, bool]]:
    return {c.column: (METHOD_LABELS.get(c.method, c.method), c.threshold, c.score, c.drifted)
            for c in result.drift.columns}


@pytest.mark.parametrize("form", ["legacy", "reports", "snapshots"])
def test_every_form_gives_evidentlys_values(form: str) -> None:
    snapshot = read_evidently(EVIDENTLY / form, MODEL)
    assert snapshot.model == "credit_default:3"
    by_label = {r.label: r for r in snapshot.results}
    assert len(by_label) == len(EXPECTED) == 8
    for week in EXPECTED:
        result = by_label[f"week-{week['week']:02d}"]
        want = {name: (v["method"], v["threshold"], v["value"], v["value"] >= v["threshold"])
                for name, v in week["columns"].items()}
        assert _columns(result) == want  # exact: values are kept as Evidently wrote them
        assert len(result.source_sha256["report"]) == 64


@pytest.mark.parametrize("form", ["legacy", "snapshots"])
def test_timestamps_are_kept_and_order_the_results(form: str) -> None:
    results = read_evidently(EVIDENTLY / form, MODEL).results
    assert [r.timestamp.isoformat() for r in results] == [w["timestamp"] for w in EXPECTED]


def test_drift_begins_in_week_four() -> None:
    results = read_evidently(EVIDENTLY / "legacy", MODEL).results
    assert [r.drift.n_drifted for r in results][:3] == [0, 0, 0]
    assert all(r.drift.n_drifted > 0 for r in results[3:])
    assert [r.drift.drifted for r in results] == [False] * 4 + [True] * 4


def test_one_file_imports_alone_and_detects() -> None:
    path = EVIDENTLY / "snapshots" / "week-05.json"
    assert detect(path) == "evidently"
    assert detect(EVIDENTLY / "legacy") == "evidently"
    snapshot = read_evidently(path, MODEL)
    assert [r.label for r in snapshot.results] == ["week-05"]
    assert snapshot.counts() == {"drift_results": 1, "drift_columns": 6, "skipped_files": 0}


def test_legacy_keeps_evidentlys_distributions() -> None:
    result = read_evidently(EVIDENTLY / "legacy" / "week-04.json", MODEL).results[0]
    dist = result.details["distributions"]["age"]
    assert set(dist) == {"reference", "current"} and len(dist["current"]["x"]) == 11


def test_the_wild_project_skips_snapshots_without_drift() -> None:
    wild = EVIDENTLY / "wild" / "philjhowson-MLOps_accidents" / "data_drift"
    snapshot = read_evidently(wild, MODEL)
    assert len(snapshot.results) == 1  # the 0.6.1 legacy report, 29 columns
    result = snapshot.results[0]
    assert len(result.drift.columns) == 29 and result.details["evidently_version"] == "0.6.1"
    assert len(snapshot.skipped) == 5  # metadata.json and four data-quality snapshots
    errors = [s for s in snapshot.skipped if "ERROR" in s]
    assert errors == [next(s for s in snapshot.skipped if "84 SUCCESS" in s)]
    assert "6 ERROR" in errors[0]  # ERROR is its own state, not folded into FAIL


def test_a_project_without_any_drift_is_a_clear_error() -> None:
    workspace = (EVIDENTLY / "wild" / "philjhowson-MLOps_accidents" / "data_drift"
                 / "accidents-workspace")
    with pytest.raises(InputError, match="holds no Evidently drift results"):
        read_evidently(workspace, MODEL)


def test_model_is_required() -> None:
    with pytest.raises(InputError, match="--model NAME:VERSION"):
        read_evidently(EVIDENTLY / "reports", ImportContext())
    with pytest.raises(InputError, match="does not name a model version"):
        read_evidently(EVIDENTLY / "reports", ImportContext(options=ImportOptions(model="x")))


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(EVIDENTLY / "reports", folder)
    broken = folder / "week-03.json"
    broken.write_text(broken.read_text().replace('"tests"', '\n\n"tests" :: '))
    with pytest.raises(InputError, match=r"week-03.json, line 3, column"):
        read_evidently(folder, MODEL)


def test_a_missing_score_names_the_field(tmp_path: Path) -> None:
    doc = json.loads((EVIDENTLY / "legacy" / "week-02.json").read_text())
    del doc["metrics"][1]["result"]["drift_by_columns"]["age"]["drift_score"]
    path = tmp_path / "week-02.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"drift_by_columns\.age\.drift_score"):
        read_evidently(path, MODEL)
