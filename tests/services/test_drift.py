"""Drift services on real SQLite and PostgreSQL workspaces: stored = imported, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.domain.drift import METHOD_LABELS
from governance_app.errors import InputError, NotFoundError
from governance_app.importers.evidently import read_evidently
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.services import drift as drift_service
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

ROOT = Path(__file__).parents[2]
EVIDENTLY = ROOT / "tests" / "fixtures" / "evidently"
REGISTRY = ROOT / "resources" / "demo" / "registry.json"


@pytest.fixture
def ws(workspace_url: str):
    with Workspace.open(workspace_url) as workspace:
        import_path(workspace, REGISTRY)
        yield workspace


def test_stored_values_equal_the_imported_ones(ws: Workspace) -> None:
    record = import_path(ws, EVIDENTLY / "legacy", model="credit_default:3")
    assert record.kind == "evidently"
    assert record.changes == {"drift_results_added": 8, "drift_results_unchanged": 0}
    read = read_evidently(EVIDENTLY / "legacy",
                          ImportContext(options=ImportOptions(model="credit_default:3")))
    stored = drift_service.drift_results(ws, "credit_default", 3)
    assert [r.label for r in stored] == [r.label for r in read.results]
    for s, r in zip(stored, read.results, strict=True):
        assert s.drift == r.drift  # every float bit for bit, verdicts, methods
        assert s.timestamp == r.timestamp and s.source_sha256 == r.source_sha256
        assert s.details["distributions"] == r.details["distributions"]


def test_reimport_is_idempotent_and_forms_share_a_history(ws: Workspace) -> None:
    import_path(ws, EVIDENTLY / "snapshots", model="credit_default:3")
    again = import_path(ws, EVIDENTLY / "snapshots", model="credit_default:3")
    assert again.changes == {"drift_results_added": 0, "drift_results_unchanged": 8}
    history = drift_service.drift_history(ws, "credit_default", 3)
    assert len(history.windows) == 8
    starts = [w.start for w in history.windows]
    assert starts == sorted(starts)
    expected = json.loads((EVIDENTLY / "expected.json").read_text())["weeks"]
    for window, week in zip(history.windows, expected, strict=True):
        assert {c.column: c.score for c in window.drift.columns} == {
            k: v["value"] for k, v in week["columns"].items()}


def test_latest_drift_is_the_newest_result(ws: Workspace) -> None:
    assert drift_service.latest_drift(ws, "credit_default", 3) is None
    import_path(ws, EVIDENTLY / "snapshots", model="credit_default:3")
    latest = drift_service.latest_drift(ws, "credit_default", 3)
    assert latest is not None and latest.label == "week-08"
    assert latest.share_of_drifted_columns == pytest.approx(4 / 6)
    assert latest.metric_value("share_of_drifted_columns") == latest.share_drifted
    assert len(latest.digest) == 64 and latest.drifted


def test_compact_reports_without_time_are_listed_last(ws: Workspace) -> None:
    import_path(ws, EVIDENTLY / "reports", model="credit_default:3")
    results = drift_service.drift_results(ws, "credit_default", 3)
    assert [r.label for r in results] == [f"week-{i:02d}" for i in range(1, 9)]
    assert all(r.timestamp is None for r in results)
    assert drift_service.drift_history(ws, "credit_default", 3).windows == ()
    methods = {METHOD_LABELS.get(c.method) for c in results[0].drift.columns}
    assert methods == {"Wasserstein distance (normed)", "Jensen-Shannon distance"}


def test_an_unknown_version_stores_nothing(ws: Workspace) -> None:
    with pytest.raises(NotFoundError, match="credit_default:99"):
        import_path(ws, EVIDENTLY / "legacy", model="credit_default:99")
    assert drift_service.latest_drift(ws, "credit_default", 3) is None


def test_compute_history_needs_one_reference(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("ts,x\n2026-01-01,1\n")
    with pytest.raises(InputError, match="needs one reference"):
        drift_service.compute_history(table, "ts", "1D")


def monitoring_table(tmp_path: Path) -> Path:
    """The 8 weekly windows as one monitoring table with a timestamp column."""
    import pandas as pd

    frames = []
    for week in json.loads((EVIDENTLY / "expected.json").read_text())["weeks"]:
        frame = pd.read_csv(EVIDENTLY / f"window-{week['week']:02d}.csv")
        start = pd.Timestamp(week["timestamp"])
        frame.insert(0, "ts", start + pd.to_timedelta(range(len(frame)), unit="min"))
        frames.append(frame)
    path = tmp_path / "monitoring.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def test_computed_drift_reproduces_evidently() -> None:
    week = json.loads((EVIDENTLY / "expected.json").read_text())["weeks"][3]
    result = drift_service.compute_drift(EVIDENTLY / "reference.csv", EVIDENTLY / "window-04.csv")
    assert result.source_kind == "computed"
    assert set(result.source_sha256) == {"reference", "current"}
    for c in result.drift.columns:
        want = week["columns"][c.column]
        assert METHOD_LABELS[c.method] == want["method"] and c.threshold == want["threshold"]
        assert c.score == pytest.approx(want["value"], abs=1e-9)


def test_computed_history_is_stored_beside_imported_results(ws: Workspace,
                                                            tmp_path: Path) -> None:
    table = monitoring_table(tmp_path)
    results = drift_service.compute_history(table, "ts", "7D", EVIDENTLY / "reference.csv",
                                            ws=ws, model="credit_default:3")
    assert len(results) == 8 and [r.drift.drifted for r in results] == [False] * 4 + [True] * 4
    import_path(ws, EVIDENTLY / "snapshots", model="credit_default:3")
    stored = drift_service.drift_results(ws, "credit_default", 3)
    assert sorted({r.source_kind for r in stored}) == ["computed", "evidently"]
    computed = [r for r in stored if r.source_kind == "computed"]
    assert [r.drift for r in computed] == [r.drift for r in results]
    assert computed[0].details["time_column"] == "ts"
    again = drift_service.store_results(ws, "credit_default:3", results)
    assert again == {"drift_results_added": 0, "drift_results_unchanged": 8}
