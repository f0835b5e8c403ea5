"""A drift history counted by DuckDB in one pass per column equals the in-memory history:
daily windows (empty ones included), a reference table or window, zoned timestamps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.errors import InputError
from governance_app.services.drift import compute_history

EVIDENTLY = Path(__file__).resolve().parents[1] / "fixtures" / "evidently"


def _same(ours, oracle) -> None:  # noqa: ANN001  two lists of DriftResults
    assert [r.label for r in ours] == [r.label for r in oracle]
    for a, b in zip(ours, oracle, strict=True):
        assert (a.window_start, a.window_end) == (b.window_start, b.window_end)
        assert a.details["n_rows"] == b.details["n_rows"]
        assert a.details["n_ref_rows"] == b.details["n_ref_rows"]
        assert a.drift.drifted == b.drift.drifted
        for x, y in zip(a.drift.columns, b.drift.columns, strict=True):
            assert (x.column, x.method, x.reason, x.n_cur, x.nulls_cur) == (
                y.column, y.method, y.reason, y.n_cur, y.nulls_cur)
            if y.score is None:
                assert x.score is None
            else:
                assert math.isclose(x.score, y.score, rel_tol=1e-12, abs_tol=1e-15)


@pytest.fixture
def monitoring(tmp_path: Path) -> Path:
    """Evidently's 8 weekly windows as one table, one row a minute from each week's start."""
    frames = []
    for week in json.loads((EVIDENTLY / "expected.json").read_text())["weeks"]:
        frame = pd.read_csv(EVIDENTLY / f"window-{week['week']:02d}.csv")
        start = pd.Timestamp(week["timestamp"])
        frame.insert(0, "ts", start + pd.to_timedelta(range(len(frame)), unit="min"))
        frames.append(frame)
    path = tmp_path / "monitoring.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def test_daily_history_with_empty_windows_equals_memory(monitoring: Path) -> None:
    reference = EVIDENTLY / "reference.csv"
    memory = compute_history(monitoring, "ts", "1D", reference, engine="memory")
    duck = compute_history(monitoring, "ts", "1D", reference, engine="duckdb")
    assert len(duck) == 50 and any(r.details["n_rows"] == 0 for r in duck)
    _same(duck, memory)
    record = duck[0].details["computation"]
    assert record["engine"] == "duckdb" and set(record["sources"]) == {"current", "reference"}
    assert set(record["statistics"]) == {c.column for c in duck[0].drift.columns}


def test_reference_window_and_zoned_times_equal_memory(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 3000
    times = pd.date_range("2026-03-01", periods=n, freq="37min", tz="America/New_York")
    frame = pd.DataFrame({
        "at": times,
        "amount": np.round(rng.gamma(2 + np.arange(n) / n, 10), 1),
        "count": rng.integers(0, 2**40, n).astype(np.int64),
        "kind": np.where(np.arange(n) > 2500, "new", rng.choice(["a", "b"], n)),
    })
    frame.loc[::97, "amount"] = np.nan
    path = tmp_path / "monitoring.parquet"
    frame.to_parquet(path)
    window = ("2026-03-01", "2026-03-08")
    memory = compute_history(path, "at", "1D", reference_window=window, engine="memory")
    duck = compute_history(path, "at", "1D", reference_window=window, engine="duckdb")
    _same(duck, memory)
    assert duck[-1].drift.column("kind").unseen_categories == ("new",)
    with pytest.raises(InputError, match="no rows in the reference window"):
        compute_history(path, "at", "1D", reference_window=("2020-01-01", "2020-01-02"),
                        engine="duckdb")
