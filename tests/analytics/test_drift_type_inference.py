"""Column types and methods as Evidently 0.7 infers them, on the window where they differ: an
integer column with few distinct values in a small current window is compared as categories
(Jensen-Shannon), a float one as numbers, whatever its reference holds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics.drift_select import DriftPolicy, compare_tables
from governance_app.domain.drift import ColumnType
from governance_app.services.drift import compute_drift

FIXTURES = Path(__file__).parents[1] / "fixtures" / "evidently" / "type_inference"


def test_small_window_follows_evidentlys_inference_and_scores() -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text())["columns"]
    result = compute_drift(FIXTURES / "reference.parquet", FIXTURES / "current.parquet")
    got = {c.column: c for c in result.drift.columns}
    for column, oracle in expected.items():
        assert got[column].method == oracle["method"], column
        assert got[column].score == pytest.approx(oracle["score"], rel=1e-9), column
    assert got["num_accounts"].column_type is ColumnType.CATEGORICAL  # ≤ 10 integers now
    assert got["income"].column_type is ColumnType.NUMERICAL
    assert got["few_float"].column_type is ColumnType.NUMERICAL  # floats stay numbers


def test_the_current_sample_decides_for_integers() -> None:
    rng = np.random.default_rng(3)
    reference = pd.DataFrame({"n": rng.integers(0, 40, 2000)})
    many = pd.DataFrame({"n": rng.integers(0, 40, 500)})  # > 10 distinct: numbers
    few = pd.DataFrame({"n": rng.integers(0, 6, 500)})  # ≤ 10 distinct: categories
    wide, narrow = (compare_tables(reference, cur, DriftPolicy()).columns[0]
                    for cur in (many, few))
    assert (wide.column_type, wide.method) == (ColumnType.NUMERICAL, "wasserstein")
    assert (narrow.column_type, narrow.method) == (ColumnType.CATEGORICAL, "jensenshannon")
    # A policy that asks for a method on numbers keeps the column numeric.
    kept = compare_tables(reference, few, DriftPolicy(method="ks")).columns[0]
    assert (kept.column_type, kept.method) == (ColumnType.NUMERICAL, "ks")
