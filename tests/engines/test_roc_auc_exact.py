"""Per-group ROC AUC through the engines is exact: rank sums made where the rows are equal the
in-memory histogram and the pairwise definition (scikit-learn's, Fairlearn's) on heavy ties, a
group with one class, all-equal scores and scores too many to keep exactly; missing scores are
named."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics import sufficient_stats
from governance_app.analytics.fairness_counts import ScoreHistogram
from governance_app.analytics.sufficient_stats import (
    counts_at_threshold,
    from_record,
    threshold_bound,
)
from governance_app.engines import duck
from governance_app.errors import InputError
from governance_app.services.fairness import analyse_file

SETTINGS = {"label": "label", "score": "score", "threshold": 0.5, "sensitive": ["team", "site"],
            "bootstrap": 20, "min_group_size": 1}


def awkward_scores(rows: int = 4000, seed: int = 3) -> pd.DataFrame:
    """Teams: ``ties`` (three score values), ``one_class`` (positives only), ``flat`` (one
    score for everyone), ``spread`` (distinct scores)."""
    rng = np.random.default_rng(seed)
    team = rng.choice(["ties", "one_class", "flat", "spread"], rows)
    label = rng.integers(0, 2, rows)
    label[team == "one_class"] = 1
    score = np.round(rng.random(rows), 6)
    ties = team == "ties"
    score[ties] = rng.choice([0.1, 0.5, 0.9], int(ties.sum())) + 0.2 * label[ties] * (
        rng.random(int(ties.sum())) < 0.3)
    score[team == "flat"] = 0.42
    return pd.DataFrame({"team": team, "site": rng.choice(["north", "south"], rows),
                         "label": label, "score": score})


def pairwise_auc(frame: pd.DataFrame, mask: np.ndarray) -> float:
    """The definition itself: over every (positive, negative) pair, 1 if the positive scores
    higher, 1/2 on a tie (scikit-learn's ``roc_auc_score``, which Fairlearn reports)."""
    y = frame["label"].to_numpy()[mask]
    s = frame["score"].to_numpy()[mask]
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return math.nan
    twice = 2 * int((pos[:, None] > neg[None, :]).sum()) + int((pos[:, None] == neg).sum())
    return twice / (2 * len(pos) * len(neg))


def assert_auc_equal(ours, oracle) -> None:  # noqa: ANN001  two FairnessAnalysis
    for names, analysis in oracle.analyses.items():
        mine = ours.analyses[names].report
        for a, b in zip(mine.groups + (mine.overall,),
                        analysis.report.groups + (analysis.report.overall,), strict=True):
            x, y = a.metrics["roc_auc_score"].value, b.metrics["roc_auc_score"].value
            if y is None:
                assert x is None, (names, a.key)
            else:
                assert math.isclose(x, y, rel_tol=1e-12), (names, a.key, x, y)


def check_against_pairs(analysis, frame: pd.DataFrame) -> None:  # noqa: ANN001
    """Each team's and the overall AUC equal the pairwise count (undefined for one class)."""
    report = analysis.analysis(["team"]).report
    for group in report.groups:
        expected = pairwise_auc(frame, frame["team"].to_numpy() == group.key[0])
        value = group.metrics["roc_auc_score"].value
        if math.isnan(expected):
            assert value is None and group.key == ("one_class",)
        else:
            assert math.isclose(value, expected, rel_tol=1e-12), group.key
    overall = report.overall.metrics["roc_auc_score"].value
    assert math.isclose(overall, pairwise_auc(frame, np.ones(len(frame), bool)), rel_tol=1e-12)


@pytest.fixture
def awkward(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    frame = awkward_scores()
    path = tmp_path / "awkward.parquet"
    frame.to_parquet(path, index=False)
    return path, frame


def test_ties_one_class_and_flat_scores_equal_memory_and_every_pair(awkward) -> None:  # noqa: ANN001
    path, frame = awkward
    memory = analyse_file(path, engine="memory", **SETTINGS)
    duckdb = analyse_file(path, engine="duckdb", **SETTINGS)
    assert duckdb.analyses == memory.analyses  # every metric, bootstrap and verdict
    check_against_pairs(duckdb, frame)
    flat = duckdb.analysis(["team"]).report.group(("flat",)).metrics["roc_auc_score"].value
    assert flat == 0.5  # every pair tied
    stored = duckdb.computation["statistics"]["roc_auc_rank_sums"]
    assert set(stored) == {"", "team", "site", "team,site"}


def test_the_out_of_core_ranking_gives_the_same_integers(awkward, monkeypatch) -> None:  # noqa: ANN001
    path, frame = awkward
    fetched = analyse_file(path, engine="duckdb", **SETTINGS)
    monkeypatch.setattr(duck, "RANK_IN_MEMORY_ROWS", 0)  # rank by windows inside DuckDB
    windowed = analyse_file(path, engine="duckdb", **SETTINGS)
    assert (windowed.computation["statistics"]["roc_auc_rank_sums"]
            == fetched.computation["statistics"]["roc_auc_rank_sums"])
    assert windowed.analyses == fetched.analyses


def test_too_many_scores_are_rounded_in_the_histogram_not_in_the_auc(tmp_path: Path,
                                                                      monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(sufficient_stats, "MAX_EXACT_SCORES", 500)
    monkeypatch.setattr(duck, "MAX_EXACT_SCORES", 500)
    frame = awkward_scores(6000, seed=8)
    path = tmp_path / "many.parquet"
    frame.to_parquet(path, index=False)
    memory = analyse_file(path, engine="memory", **SETTINGS)
    duckdb = analyse_file(path, engine="duckdb", **SETTINGS)
    assert_auc_equal(duckdb, memory)
    check_against_pairs(duckdb, frame)
    record = duckdb.computation["statistics"]
    assert record["score_decimals"] == 2  # 101 levels fit in 500, 1001 do not
    assert len(set(record["scores"]["score"])) <= 500
    stored = from_record(record)
    assert stored.rank_sums is not None
    assert stored.rank_sums[("team",)].auc().tolist() == pytest.approx(
        [g.metrics["roc_auc_score"].value or math.nan
         for g in duckdb.analysis(["team"]).report.groups], rel=1e-12, nan_ok=True)
    # a threshold recompute from the rounded histogram errs by at most the stated rows
    exact = analyse_file(path, engine="memory", **{**SETTINGS, "threshold": 0.3})
    assert stored.scores is not None
    moved = counts_at_threshold(stored.counts, stored.scores, 0.3).flat()
    truth = exact.analysis(["team", "site"]).report
    bound = threshold_bound(stored.scores, 0.3, record["score_decimals"])
    for i, group in enumerate(truth.groups):
        cells = group.cells
        assert abs(int(moved[i][3]) - cells.tp) + abs(int(moved[i][1]) - cells.fp) <= bound[i]


def test_a_small_table_of_distinct_scores_is_ranked_as_it_is(tmp_path: Path,
                                                              monkeypatch) -> None:  # noqa: ANN001
    """Rows mostly of their own score are ranked without counting them per score first; the
    stored statistics (rounded histogram, rank sums) equal those made through the counts."""
    monkeypatch.setattr(sufficient_stats, "MAX_EXACT_SCORES", 500)
    monkeypatch.setattr(duck, "MAX_EXACT_SCORES", 500)
    rng = np.random.default_rng(11)
    spread = pd.DataFrame({"team": "spread", "site": rng.choice(["north", "south"], 6000),
                           "label": rng.integers(0, 2, 6000),
                           "score": rng.permutation(6000) / 6000})
    frame = pd.concat([awkward_scores(2000, seed=11), spread], ignore_index=True)
    path = tmp_path / "distinct.parquet"
    frame.to_parquet(path, index=False)
    as_is = []
    original = duck.DuckDBEngine._as_is
    monkeypatch.setattr(duck.DuckDBEngine, "_as_is",
                        lambda self, *a: as_is.append(1) or original(self, *a))
    ranked = analyse_file(path, engine="duckdb", **SETTINGS)
    assert as_is  # the rows were ranked as they are
    monkeypatch.setattr(duck.DuckDBEngine, "_ranks_as_is", lambda self, *a: False)
    counted = analyse_file(path, engine="duckdb", **SETTINGS)
    stored = [json.dumps(a.computation["statistics"], sort_keys=True) for a in (ranked, counted)]
    assert stored[0] == stored[1]  # as text: the AUC bounds hold NaN
    assert ranked.analyses == counted.analyses
    assert ranked.computation["statistics"]["score_decimals"] is not None  # rounded histogram
    assert_auc_equal(ranked, analyse_file(path, engine="memory", **SETTINGS))
    check_against_pairs(ranked, frame)


def test_an_exact_histogram_has_no_threshold_doubt() -> None:
    hist = ScoreHistogram(1, np.zeros(2, np.int64), np.array([0.2, 0.7]),
                          np.array([1, 2]), np.array([3, 0]))
    assert threshold_bound(hist, 0.5, None).tolist() == [0]
    assert threshold_bound(hist, 0.7, 1).tolist() == [2]


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_a_missing_score_is_named_by_every_engine(tmp_path: Path, engine: str) -> None:
    frame = awkward_scores(200)
    frame.loc[17, "score"] = np.nan
    path = tmp_path / "nulls.parquet"
    frame.to_parquet(path, index=False)
    with pytest.raises(InputError, match=r"1 missing (value|score)\(s\) in 'score'"):
        analyse_file(path, engine=engine, **SETTINGS)


@pytest.mark.spark
def test_spark_ranks_to_the_same_integers(spark, awkward) -> None:  # noqa: ANN001
    path, frame = awkward
    duckdb = analyse_file(path, engine="duckdb", **SETTINGS)
    by_spark = analyse_file(path, engine="spark", **SETTINGS)
    assert (by_spark.computation["statistics"]["roc_auc_rank_sums"]
            == duckdb.computation["statistics"]["roc_auc_rank_sums"])
    assert by_spark.analyses == duckdb.analyses
    check_against_pairs(by_spark, frame)


@pytest.mark.parametrize("in_sql", [False, True])
def test_binned_attributes_rank_by_their_bins(tmp_path: Path, monkeypatch, in_sql: bool) -> None:  # noqa: ANN001
    if in_sql:
        monkeypatch.setattr(duck, "RANK_IN_MEMORY_ROWS", 0)
    frame = awkward_scores(3000, seed=5)
    frame["age"] = np.random.default_rng(5).integers(18, 90, len(frame))
    path = tmp_path / "ages.parquet"
    frame.to_parquet(path, index=False)
    settings = {**SETTINGS, "sensitive": ["age", "site"], "bins": {"age": [18, 30, 60, 89]}}
    memory = analyse_file(path, engine="memory", **settings)
    duckdb = analyse_file(path, engine="duckdb", **settings)
    assert duckdb.analyses == memory.analyses
