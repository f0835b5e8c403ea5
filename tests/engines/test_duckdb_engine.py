"""The DuckDB engine itself: cancellable mid-query, leaves no spill folder behind, reads nothing
it must download; its stored counts answer a new threshold without the rows."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from governance_app.analytics.fairness_metrics import reports_from_counts
from governance_app.analytics.sufficient_stats import counts_at_threshold, from_record
from governance_app.engines.base import EngineCancelled
from governance_app.engines.duck import DuckDBEngine
from governance_app.services.fairness import FairnessCancelled, analyse_file

PREDICTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "fairness" / "predictions.csv"


def test_a_running_query_is_interrupted() -> None:
    stop = threading.Event()
    engine = DuckDBEngine(is_cancelled=stop.is_set)
    threading.Timer(0.3, stop.set).start()
    started = time.perf_counter()
    with pytest.raises(EngineCancelled, match="cancelled"):
        engine._run("SELECT sum(i * i) FROM range(10000000000) t(i)", "sum squares", "range")
    assert time.perf_counter() - started < 30  # the full query would take many minutes
    engine.close()


def test_cancelling_an_analysis_stores_nothing_and_says_so() -> None:
    with pytest.raises(FairnessCancelled, match="nothing was stored"):
        analyse_file(PREDICTIONS, engine="duckdb", label="label", prediction="prediction",
                     sensitive="gender", is_cancelled=lambda: True)


def test_spill_folder_is_private_and_removed() -> None:
    engine = DuckDBEngine(memory_limit="256MB")
    spill = engine._spill
    setting = engine._con.execute("SELECT current_setting('temp_directory'), "
                                  "current_setting('autoinstall_known_extensions')").fetchone()
    assert setting == (spill, False) and os.path.isdir(spill)
    engine.close()
    assert not os.path.exists(spill)


def test_stored_counts_answer_another_threshold_without_the_rows() -> None:
    common = {"label": "label", "score": "score", "sensitive": ["gender", "class"],
              "bootstrap": 0, "engine": "duckdb"}
    at_half = analyse_file(PREDICTIONS, threshold=0.5, **common)
    at_other = analyse_file(PREDICTIONS, threshold=0.37, **common)
    stored = from_record(at_half.computation["statistics"])
    assert stored.scores is not None
    moved = counts_at_threshold(stored.counts, stored.scores, 0.37)
    recomputed = reports_from_counts(moved, stored.scores, min_group_size=30)
    for names, analysis in at_other.analyses.items():
        assert recomputed[names] == analysis.report
