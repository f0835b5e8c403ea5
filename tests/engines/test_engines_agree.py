"""DuckDB (and Spark) give the in-memory numbers: Fairlearn's, Evidently's, on awkward tables."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.engines.base import EngineUnavailable, pick_engine
from governance_app.engines.source import resolve_source
from governance_app.errors import InputError
from governance_app.services.drift import compute_drift, compute_history
from governance_app.services.fairness import analyse_file, find_slices_in_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAIR = {"label": "label", "prediction": "prediction", "score": "score",
        "sensitive": ["gender", "class"], "convention": "fairlearn", "min_group_size": 1}
FAIRLEARN_NAMES = {"accuracy": "accuracy_score", "precision": "precision_score",
                   "balanced_accuracy": "balanced_accuracy_score"}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def assert_same_drift(ours, oracle) -> None:  # noqa: ANN001  two DriftResults
    for a, b in zip(ours.drift.columns, oracle.drift.columns, strict=True):
        assert (a.column, a.method, a.threshold, a.drifted) == (b.column, b.method, b.threshold,
                                                                b.drifted)
        assert (a.n_ref, a.n_cur, a.nulls_ref, a.nulls_cur) == (b.n_ref, b.n_cur, b.nulls_ref,
                                                                b.nulls_cur)
        assert set(a.unseen_categories) == set(b.unseen_categories)
        assert _close(a.score, b.score) and _close(a.statistic, b.statistic), a.column
        assert _close(a.p_value, b.p_value), a.column
    assert ours.drift.share_drifted == oracle.drift.share_drifted


@pytest.fixture
def predictions(tmp_path: Path) -> Path:
    target = tmp_path / "predictions.csv"
    shutil.copyfile(FIXTURES / "fairness" / "predictions.csv", target)
    return target


def test_duckdb_fairness_equals_memory_and_fairlearn(predictions: Path) -> None:
    memory = analyse_file(predictions, engine="memory", **FAIR)
    duck = analyse_file(predictions, engine="duckdb", **FAIR)
    assert duck.analyses == memory.analyses  # bootstrap included: same seed, same counts
    expected = json.loads((FIXTURES / "fairness" / "expected.json").read_text())
    for name, block in expected["by_attribute"].items():
        report = duck.analysis(name.split("&")).report
        for key, metrics in block["groups"].items():
            row = report.group(tuple(key.split("|")))
            for metric, value in metrics.items():
                ours = row.metrics[FAIRLEARN_NAMES.get(metric, metric)].value
                assert ours == pytest.approx(value, rel=1e-12) if value is not None else True
    record = duck.computation
    assert record is not None and record["engine"] == "duckdb" and record["version"]
    assert record["source"]["sha256"] == memory.source_sha256 == duck.source_sha256
    assert sum(map(sum, record["statistics"]["cells"])) == 1104
    assert record["statistics"]["score_decimals"] is None


def test_duckdb_reads_a_folder_of_parquet_and_fingerprints_it(predictions: Path,
                                                              tmp_path: Path) -> None:
    frame = pd.read_csv(predictions)
    folder = tmp_path / "lake"
    folder.mkdir()
    for i, start in enumerate((0, 400, 800)):
        frame.iloc[start:start + 400].to_parquet(folder / f"part-{i}.parquet")
    memory = analyse_file(predictions, engine="memory", **FAIR)
    lake = analyse_file(folder, engine="auto", **FAIR)
    assert lake.analyses == memory.analyses
    listing = lake.computation["source"]["files"]
    assert [f[0] for f in listing] == ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
    assert all(size > 0 for _, size, _ in listing)
    assert lake.source_sha256 == resolve_source(folder).digest()


def test_duckdb_names_bad_input(tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("label,prediction,group\n1,1,a\n,0,b\n2,1,a\n")
    with pytest.raises(InputError, match="1 missing value.*'label'"):
        analyse_file(table, engine="duckdb", label="label", prediction="prediction",
                     sensitive="group")
    with pytest.raises(InputError, match="missing column 'sex'"):
        analyse_file(table, engine="duckdb", label="label", prediction="prediction",
                     sensitive="sex")
    with pytest.raises(InputError, match="catalogue table"):
        pick_engine("duckdb", [resolve_source(table=" db.preds")])


@pytest.mark.parametrize("week", [1, 5, 8])
def test_duckdb_drift_equals_memory_on_evidentlys_fixture(week: int) -> None:
    ref = FIXTURES / "evidently" / "reference.csv"
    cur = FIXTURES / "evidently" / f"window-{week:02d}.csv"
    memory = compute_drift(ref, cur, engine="memory")
    duck = compute_drift(ref, cur, engine="duckdb")
    assert_same_drift(duck, memory)
    expected = json.loads((FIXTURES / "evidently" / "expected.json").read_text())
    for name, oracle in expected["weeks"][week - 1]["columns"].items():
        assert duck.drift.column(name).score == pytest.approx(oracle["value"], abs=1e-9)
    computation = duck.details["computation"]
    assert computation["engine"] == "duckdb"
    assert set(computation["statistics"]) == {c.column for c in duck.drift.columns}


def _awkward(tmp_path: Path) -> tuple[Path, Path]:
    """Nulls, small samples (KS p-values), all-equal values, 64-bit integers, timestamps with
    zones, a category only in the current data, a column empty in the current data."""
    rng = np.random.default_rng(11)
    n_ref, n_cur = 400, 300
    ref = pd.DataFrame({
        "x": np.where(rng.random(n_ref) < 0.1, np.nan, np.round(rng.normal(size=n_ref), 2)),
        "same": np.full(n_ref, 2.5),
        "big": (2**62 + rng.integers(0, 50, n_ref) * 1024).astype(np.int64),
        "kind": rng.choice(["a", "b", "c"], n_ref),
        "when": pd.date_range("2026-01-01", periods=n_ref, freq="h", tz="Europe/Paris"),
        "gone": rng.normal(size=n_ref),
    })
    cur = pd.DataFrame({
        "x": np.round(rng.normal(0.3, 1, n_cur), 2),
        "same": np.full(n_cur, 2.5),
        "big": (2**62 + rng.integers(10, 60, n_cur) * 1024).astype(np.int64),
        "kind": rng.choice(["a", "b", "d"], n_cur),
        "when": pd.date_range("2026-01-05", periods=n_cur, freq="h", tz="Europe/Paris"),
        "gone": np.full(n_cur, np.nan),
    })
    ref_path, cur_path = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    ref.to_parquet(ref_path)
    cur.to_parquet(cur_path)
    return ref_path, cur_path


def test_duckdb_drift_on_awkward_tables(tmp_path: Path) -> None:
    ref, cur = _awkward(tmp_path)
    memory = compute_drift(ref, cur, engine="memory")
    duck = compute_drift(ref, cur, engine="duckdb")
    assert_same_drift(duck, memory)
    assert duck.drift.column("kind").unseen_categories == ("d",)
    assert duck.drift.column("gone").reason == "no non-null current value"
    assert duck.drift.column("x").nulls_ref > 0


def test_spark_without_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                             predictions: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(EngineUnavailable, match=r"governance-app\[spark\].*Java 17"):
        analyse_file(predictions, engine="spark", **FAIR)


@pytest.mark.spark
def test_spark_gives_the_same_numbers(spark, predictions: Path, tmp_path: Path) -> None:  # noqa: ANN001
    memory = analyse_file(predictions, engine="memory", **FAIR)
    spark.read.csv(str(predictions), header=True, inferSchema=True).createOrReplaceTempView(
        "predictions_view")
    by_table = analyse_file(None, table="predictions_view", engine="auto", **FAIR)
    assert by_table.analyses == memory.analyses  # bootstrap included: same seed, same counts
    assert by_table.computation["engine"] == "spark"
    files = by_table.computation["source"]["files"]
    assert files[0][0].endswith("predictions.csv") and files[0][1] > 0
    kwargs = {"label": "label", "prediction": "prediction", "columns": ["age", "fare", "gender"]}
    assert (find_slices_in_file(predictions, engine="spark", **kwargs)
            == find_slices_in_file(predictions, engine="memory", **kwargs))
    ref, cur = _awkward(tmp_path)
    columns = ["x", "kind"]
    oracle = compute_drift(ref, cur, columns=columns, engine="memory")
    result = compute_drift(ref, cur, columns=columns, engine="spark")
    assert_same_drift(result, oracle)
    times = pd.date_range("2026-03-01", periods=600, freq="37min", tz="America/New_York")
    rng = np.random.default_rng(9)
    monitoring = pd.DataFrame({"at": times, "amount": np.round(rng.gamma(2, 10, 600), 1),
                               "kind": rng.choice(["a", "b"], 600)})
    monitoring.to_parquet(tmp_path / "monitoring.parquet")
    window = ("2026-03-01", "2026-03-05")
    oracle_history = compute_history(tmp_path / "monitoring.parquet", "at", "1D",
                                     reference_window=window, engine="memory")
    spark_history = compute_history(tmp_path / "monitoring.parquet", "at", "1D",
                                    reference_window=window, engine="spark")
    assert [r.label for r in spark_history] == [r.label for r in oracle_history]
    for a, b in zip(spark_history, oracle_history, strict=True):
        assert a.details["n_rows"] == b.details["n_rows"]
        assert_same_drift(a, b)
