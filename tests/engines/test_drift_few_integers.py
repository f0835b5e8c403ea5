"""One drift comparison through DuckDB and Spark applies Evidently's few-integers rule as the
in-memory path does: an integer column whose current sample has few distinct values is compared
as categories (Jensen–Shannon here), with many it stays numeric (Wasserstein)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.services.drift import compute_drift
from tests.engines.test_engines_agree import assert_same_drift


def tables(folder: Path) -> tuple[Path, Path]:
    """A 5,000-row reference; a small current window whose ``visits`` take three values."""
    rng = np.random.default_rng(12)
    reference = pd.DataFrame({"visits": rng.integers(0, 40, 5000),
                              "spread": rng.integers(0, 40, 5000),
                              "amount": np.round(rng.gamma(2, 3, 5000), 2)})
    current = pd.DataFrame({"visits": rng.choice([2, 3, 41], 300),  # 41: not in the reference
                            "spread": rng.integers(0, 40, 300),
                            "amount": np.round(rng.gamma(2, 3.5, 300), 2)})
    ref, cur = folder / "reference.parquet", folder / "current.parquet"
    reference.to_parquet(ref, index=False)
    current.to_parquet(cur, index=False)
    return ref, cur


def test_duckdb_compares_few_current_integers_as_categories(tmp_path: Path) -> None:
    ref, cur = tables(tmp_path)
    memory = compute_drift(ref, cur, engine="memory")
    duck = compute_drift(ref, cur, engine="duckdb")
    assert_same_drift(duck, memory)
    visits = duck.drift.column("visits")
    assert (visits.column_type.value, visits.method) == ("cat", "jensenshannon")
    assert visits.unseen_categories == ("41",)
    assert duck.drift.column("spread").method == "wasserstein"  # 40 distinct: numeric
    assert duck.drift.column("amount").method == "wasserstein"


def test_a_method_that_needs_numbers_keeps_the_column_numeric(tmp_path: Path) -> None:
    ref, cur = tables(tmp_path)
    asked = {"visits": {"method": "ks"}}
    memory = compute_drift(ref, cur, engine="memory", overrides=asked)
    duck = compute_drift(ref, cur, engine="duckdb", overrides=asked)
    assert_same_drift(duck, memory)
    assert duck.drift.column("visits").method == "ks"


@pytest.mark.spark
def test_spark_compares_few_current_integers_as_categories(spark, tmp_path: Path) -> None:  # noqa: ANN001
    ref, cur = tables(tmp_path)
    memory = compute_drift(ref, cur, engine="memory")
    result = compute_drift(ref, cur, engine="spark")
    assert_same_drift(result, memory)
    assert result.drift.column("visits").method == "jensenshannon"
