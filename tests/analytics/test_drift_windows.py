"""Drift history: windows on a real CSV, reference table or window, gaps, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from governance_app.analytics.drift_select import compare_tables
from governance_app.analytics.drift_windows import (
    drift_history,
    parse_window,
    split_windows,
    window_length,
)
from governance_app.errors import ImportCancelled, InputError

EVIDENTLY = Path(__file__).resolve().parents[1] / "fixtures" / "evidently"


@pytest.fixture
def weekly_csv(tmp_path: Path) -> Path:
    """The Evidently fixture's 8 weekly windows as one monitoring table with a timestamp."""
    frames = []
    for week in range(1, 9):
        frame = pd.read_csv(EVIDENTLY / f"window-{week:02d}.csv")
        start = pd.Timestamp("2026-01-12", tz="UTC") + pd.Timedelta(weeks=week - 1)
        step = pd.Timedelta(days=7) / len(frame)
        frame.insert(0, "ts", [(start + i * step).isoformat() for i in range(len(frame))])
        frames.append(frame)
    path = tmp_path / "monitoring.csv"
    pd.concat(frames).sample(frac=1.0, random_state=3).to_csv(path, index=False)  # unordered
    return path


def test_weekly_history_equals_comparing_each_week(weekly_csv: Path) -> None:
    table = pd.read_csv(weekly_csv)
    reference = pd.read_csv(EVIDENTLY / "reference.csv")
    seen: list[int] = []
    history = drift_history(table, "ts", "1W", reference=reference,
                            progress=lambda done, total, _: seen.append(done))
    assert len(history.windows) == 8 and seen == list(range(1, 9))
    assert history.windows[0].start == datetime(2026, 1, 12, tzinfo=UTC)  # a Monday
    assert history.windows[0].end == datetime(2026, 1, 19, tzinfo=UTC)
    assert history.columns == tuple(reference.columns)
    for i, window in enumerate(history.windows, start=1):
        direct = compare_tables(reference, pd.read_csv(EVIDENTLY / f"window-{i:02d}.csv"))
        assert window.n_rows == (3000 if i % 2 else 800)
        for ours, want in zip(window.drift.columns, direct.columns, strict=True):
            assert ours.score == pytest.approx(want.score, abs=1e-12)
            assert ours.drifted == want.drifted
    assert not history.windows[0].drift.drifted and history.windows[-1].drift.drifted


def test_reference_window_of_the_same_table(weekly_csv: Path) -> None:
    table = pd.read_csv(weekly_csv)
    start, end = parse_window("2026-01-12/2026-01-19")
    history = drift_history(table, "ts", "7D", reference_window=(start, end))
    assert history.n_ref_rows == 3000
    assert history.reference.startswith("window 2026-01-12")
    first = history.windows[0].drift
    assert all(c.score == pytest.approx(0.0, abs=1e-12) for c in first.columns)


def test_empty_windows_are_kept_with_a_reason() -> None:
    table = pd.DataFrame({
        "ts": ["2026-03-01T01:00", "2026-03-01T02:00", "2026-03-03T05:00"],
        "x": [1.0, 2.0, 3.0],
    })
    history = drift_history(table, "ts", "1D", reference=pd.DataFrame({"x": np.arange(10.0)}))
    assert [w.n_rows for w in history.windows] == [2, 0, 1]
    gap = history.windows[1].drift.columns[0]
    assert gap.score is None and gap.reason == "no non-null current value"


def test_hour_windows_align_to_the_clock_and_naive_times_are_utc() -> None:
    table = pd.DataFrame({"ts": ["2026-03-01 10:59", "2026-03-01 11:00"], "x": [1, 2]})
    windows = split_windows(table, "ts", "1h")
    assert [(s.hour, e.hour, len(f)) for s, e, f in windows] == [(10, 11, 1), (11, 12, 1)]
    assert windows[0][0].tzinfo is not None


def test_missing_time_column() -> None:
    with pytest.raises(InputError) as err:
        split_windows(pd.DataFrame({"x": [1]}), "ts", "1D", source="m.csv")
    assert err.value.source == "m.csv" and "no time column 'ts'" in str(err.value)


def test_unreadable_timestamp_names_the_row() -> None:
    table = pd.DataFrame({"ts": ["2026-03-01", "not a date", None], "x": [1, 2, 3]})
    with pytest.raises(InputError) as err:
        split_windows(table, "ts", "1D", source="m.csv")
    assert err.value.location == "row 2, column ts"
    assert "2 row(s)" in str(err.value)


@pytest.mark.parametrize("text", ["soon", "-1D", "0h"])
def test_bad_window_length(text: str) -> None:
    with pytest.raises(InputError, match="--window"):
        window_length(text)


@pytest.mark.parametrize("text", ["2026-01-01", "2026-01-08/2026-01-01", "a/b"])
def test_bad_reference_window(text: str) -> None:
    with pytest.raises(InputError, match="--reference-window"):
        parse_window(text)


def test_reference_choice_and_empty_reference_window() -> None:
    table = pd.DataFrame({"ts": ["2026-03-01"], "x": [1.0]})
    with pytest.raises(InputError, match="either a reference table or a reference window"):
        drift_history(table, "ts", "1D")
    with pytest.raises(InputError, match="no rows in the reference window"):
        drift_history(table, "ts", "1D", reference_window=parse_window("2025-01-01/2025-01-02"))


def test_schema_mismatch_between_table_and_reference() -> None:
    table = pd.DataFrame({"ts": ["2026-03-01"], "x": [1.0], "y": [2.0]})
    with pytest.raises(InputError, match="columns differ"):
        drift_history(table, "ts", "1D", reference=pd.DataFrame({"x": [1.0]}))


def test_cancel_between_windows() -> None:
    table = pd.DataFrame({"ts": ["2026-03-01", "2026-03-02"], "x": [1.0, 2.0]})
    with pytest.raises(ImportCancelled):
        drift_history(table, "ts", "1D", reference=table[["x"]], is_cancelled=lambda: True)
