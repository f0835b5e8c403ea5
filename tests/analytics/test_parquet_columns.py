"""Parquet read straight into numpy gives the same drift and fairness results as pandas.

``governance-app drift`` and ``fairness`` read Parquet files without pandas
(``engines.parquet_columns``) to start faster; these tests hold that path to the DataFrame
path's results, bit for bit, on varied real files: nulls, text with categories seen only in
the current data, booleans with and without nulls, 8- to 64-bit integers (also with nulls,
which pandas reads as floats), floats, several row groups (one Arrow dictionary each), and
tables whose types only pandas reads (timestamps with zones, categories, nullable integers,
a stored index), which must fall back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from governance_app.analytics.coded_column import CodedColumn
from governance_app.analytics.drift_select import DriftPolicy, compare_tables
from governance_app.engines.parquet_columns import read_parquet_columns
from governance_app.errors import InputError
from governance_app.importers.safe_io import sha256_of_path
from governance_app.services import drift as drift_service
from governance_app.services import fairness as fairness_service
from governance_app.store.fairness_codec import encode_analysis

WORDS = ["alpha", "beta", "gamma", "délta", "東京", "", "zeta"]


def _table(rows: int, seed: int, shift: float, extra_word: str | None = None) -> pa.Table:
    """Varied columns, with nulls written as Arrow nulls (not NaN) where the type allows."""
    rng = np.random.default_rng(seed)

    def nulls(p: float) -> np.ndarray:
        return rng.random(rows) < p

    words = WORDS + ([extra_word] if extra_word else [])
    text = rng.choice(words, rows, p=None)
    ints_with_nulls = rng.integers(-5, 50, rows)
    bools = rng.random(rows) < 0.3 + shift / 4
    return pa.table({
        "num": pa.array(rng.normal(shift, 1.0, rows)),
        "num_nan": pa.array(np.where(nulls(0.1), np.nan, rng.lognormal(shift, 1.0, rows))),
        "num_null": pa.array(rng.normal(0, 1, rows), mask=nulls(0.05)),
        "f32": pa.array(rng.normal(shift, 2, rows).astype(np.float32)),
        "count": pa.array(rng.poisson(3 + 5 * shift, rows)),
        "few_ints": pa.array(rng.integers(0, 4 if shift else 30, rows).astype(np.int32)),
        "int_null": pa.array(ints_with_nulls, mask=nulls(0.2)),
        "u8": pa.array(rng.integers(0, 200, rows).astype(np.uint8)),
        "big": pa.array(rng.integers(2**62, 2**62 + 40, rows).astype(np.int64)),
        "flag": pa.array(bools),
        "flag_null": pa.array(bools, mask=nulls(0.15)),
        "text": pa.array(text),
        "text_null": pa.array(text, mask=nulls(0.25)),
        "large_text": pa.array(list(text), type=pa.large_string()),
    })


def _write(table: pa.Table, path: Path, row_group_size: int | None = None) -> Path:
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


@pytest.fixture(params=[(600, None), (5000, 1700)], ids=["small", "row-groups"])
def pair(request, tmp_path: Path) -> tuple[Path, Path]:
    rows, groups = request.param
    ref = _write(_table(rows, 1, 0.0), tmp_path / "ref.parquet", groups)
    cur = _write(_table(rows, 2, 0.4, extra_word="only-in-current"), tmp_path / "cur.parquet",
                 groups)
    return ref, cur


def test_columns_hold_what_pandas_holds(pair: tuple[Path, Path]) -> None:
    for path in pair:
        fast = read_parquet_columns(path)
        frame = pd.read_parquet(path)
        assert fast is not None
        assert fast.columns == list(frame.columns) and len(fast) == len(frame)
        assert fast.dtypes == {c: str(t) for c, t in frame.dtypes.items()}
        for name in fast.columns:
            mine, theirs = fast[name], frame[name]
            if isinstance(mine, CodedColumn):
                labels, counts, nulls = mine.counts_by_first_appearance()
                found = theirs.value_counts(sort=False, dropna=True)
                assert labels == list(found.index) and counts.tolist() == found.tolist()
                assert nulls == int(theirs.isna().sum())
            else:
                assert mine.dtype == theirs.dtype
                np.testing.assert_array_equal(mine, theirs.to_numpy())


@pytest.mark.parametrize("policy", [DriftPolicy(), DriftPolicy(all_statistics=True),
                                    DriftPolicy(binning="evidently", all_statistics=True)],
                         ids=["defaults", "all-statistics", "evidently-bins"])
def test_drift_is_identical_to_the_pandas_path(pair: tuple[Path, Path],
                                               policy: DriftPolicy) -> None:
    ref, cur = pair
    fast = compare_tables(read_parquet_columns(ref), read_parquet_columns(cur), policy)
    slow = compare_tables(pd.read_parquet(ref), pd.read_parquet(cur), policy)
    assert repr(fast) == repr(slow)
    by_name = {c.column: c for c in fast.columns}
    assert "only-in-current" in by_name["text"].unseen_categories
    assert by_name["text_null"].nulls_ref > 0 and by_name["flag_null"].nulls_cur > 0
    assert by_name["int_null"].column_type == by_name["num"].column_type  # floats, as pandas


def test_compute_drift_reads_parquet_without_pandas_and_agrees(
        pair: tuple[Path, Path]) -> None:
    ref, cur = pair
    reference, current = drift_service.read_tables(ref, cur)
    assert not isinstance(reference, pd.DataFrame) and not isinstance(current, pd.DataFrame)
    result = drift_service.compute_drift(ref, cur)
    slow = compare_tables(pd.read_parquet(ref), pd.read_parquet(cur), DriftPolicy(),
                          sources=(str(ref), str(cur)))
    assert repr(result.drift) == repr(slow)
    assert result.details["n_ref_rows"] == len(pd.read_parquet(ref))


def test_few_integers_in_a_small_current_window_are_categories_on_both_paths(
        tmp_path: Path) -> None:
    """Evidently's rule (drift_columns.integer_as_categories) on a numpy column."""
    rng = np.random.default_rng(5)
    ref = _write(pa.table({"n": rng.integers(0, 40, 3000)}), tmp_path / "r.parquet")
    cur = _write(pa.table({"n": rng.integers(0, 4, 200)}), tmp_path / "c.parquet")
    fast = compare_tables(read_parquet_columns(ref), read_parquet_columns(cur))
    slow = compare_tables(pd.read_parquet(ref), pd.read_parquet(cur))
    assert repr(fast) == repr(slow)
    assert fast.columns[0].method == "jensenshannon"
    assert str(fast.columns[0].column_type) == str(slow.columns[0].column_type)


def _pandas_only(tmp_path: Path) -> dict[str, Path]:
    stamps = pd.date_range("2026-01-01", periods=50, freq="h", tz="Europe/Berlin")
    frames = {
        "zoned-timestamps": pd.DataFrame({"t": stamps, "x": np.arange(50.0)}),
        "category": pd.DataFrame({"c": pd.Categorical(["a", "b"] * 25), "x": np.arange(50.0)}),
        "nullable-int": pd.DataFrame({"i": pd.array([1, None] * 25, dtype="Int64")}),
        "stored-index": pd.DataFrame({"x": np.arange(50.0)}, index=np.arange(50) * 2),
    }
    paths = {}
    for name, frame in frames.items():
        paths[name] = tmp_path / f"{name}.parquet"
        frame.to_parquet(paths[name])
    return paths


def test_types_only_pandas_reads_fall_back_to_it(tmp_path: Path) -> None:
    paths = _pandas_only(tmp_path)
    assert {name: read_parquet_columns(p) for name, p in paths.items()} == dict.fromkeys(paths)
    stamps = paths["zoned-timestamps"]
    reference, current = drift_service.read_tables(stamps, stamps)
    assert isinstance(reference, pd.DataFrame) and isinstance(current, pd.DataFrame)
    result = drift_service.compute_drift(stamps, stamps)
    assert {c.column for c in result.drift.columns} == {"t", "x"}


def test_differing_dtypes_on_the_two_sides_fall_back(tmp_path: Path) -> None:
    """An integer column with nulls on one side only: pandas decides how the two compare."""
    ref = _write(pa.table({"i": pa.array(np.arange(100))}), tmp_path / "r.parquet")
    cur = _write(pa.table({"i": pa.array(np.arange(100), mask=np.arange(100) % 7 == 0)}),
                 tmp_path / "c.parquet")
    reference, current = drift_service.read_tables(ref, cur)
    assert isinstance(reference, pd.DataFrame) and isinstance(current, pd.DataFrame)


def test_an_unreadable_parquet_file_keeps_its_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    assert read_parquet_columns(bad) is None
    with pytest.raises(InputError, match="bad.parquet"):
        drift_service.compute_drift(bad, bad)


# -- fairness ------------------------------------------------------------------------------------


def _predictions(rows: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    score = rng.random(rows)
    return pa.table({
        "race": pa.array(rng.choice(["Ωmega", "black", "white", "asian"], rows)),
        "sex": pa.array(rng.choice(["f", "m"], rows)),
        "age_band": pa.array(rng.integers(1, 4, rows).astype(np.int16)),
        "member": pa.array(rng.random(rows) < 0.5),
        "income": pa.array(rng.lognormal(10, 1, rows), mask=rng.random(rows) < 0.1),
        "label": pa.array((rng.random(rows) < score).astype(np.int8)),
        "prediction": pa.array(score >= 0.5),
        "score": pa.array(score),
    })


@pytest.mark.parametrize("outcome", [{"prediction": "prediction"},
                                     {"score": "score", "threshold": 0.4}],
                         ids=["prediction", "score-threshold"])
def test_fairness_is_identical_to_the_pandas_path(tmp_path: Path, outcome: dict) -> None:
    path = _write(_predictions(4000, 9), tmp_path / "preds.parquet", 1500)
    settings = fairness_service.parse_settings({
        "label": "label", "sensitive": ["race", "sex", "age_band", "member"], "bootstrap": 30,
        "seed": 3, "min_group_size": 20, "convention": "strict", "tau": 0.8, **outcome})
    common = {"source": str(path), "source_sha256": sha256_of_path(path)}
    fast = fairness_service.analyse_columns(read_parquet_columns(path), settings, **common)
    slow = fairness_service.analyse_frame(pd.read_parquet(path), settings, **common)
    assert fast is not None
    assert encode_analysis(fast) == encode_analysis(slow)
    assert fast.schema == slow.schema and fast.row_count == slow.row_count == 4000
    by_file = fairness_service.analyse_file(
        path, label="label", sensitive="race,sex,age_band,member", bootstrap=30, seed=3,
        min_group_size=20, **outcome)
    assert encode_analysis(by_file) == encode_analysis(slow)


def test_fairness_errors_keep_the_pandas_wording(tmp_path: Path) -> None:
    """A table the fast path does not accept (a null label) is judged by the DataFrame path,
    which names the column and the first row."""
    table = _predictions(300, 4)
    labels = table.column("label").to_numpy().copy()
    table = table.set_column(table.schema.get_field_index("label"), "label",
                             pa.array(labels, mask=np.arange(300) == 6))
    path = _write(table, tmp_path / "preds.parquet")
    settings = fairness_service.parse_settings({"label": "label", "prediction": "prediction",
                                                "sensitive": ["race"], "bootstrap": 0})
    assert fairness_service.analyse_columns(read_parquet_columns(path), settings,
                                            source=str(path), source_sha256="") is None
    wording = r"preds.parquet, column 'label', row 7: 1 missing value\(s\) in 'label'"
    with pytest.raises(InputError, match=wording):
        fairness_service.analyse_file(path, label="label", prediction="prediction",
                                      sensitive="race", bootstrap=0)


@pytest.mark.parametrize("values", [
    np.random.default_rng(3).poisson(4, 5000),
    np.random.default_rng(4).integers(-3, 3, 100).astype(np.int8),
    np.random.default_rng(5).random(50) < 0.3,
    np.random.default_rng(6).integers(0, 2**62, 1000),
    np.array([2**63 + 5, 2**63 + 1, 2**63 + 5], dtype=np.uint64),
    np.array([-2**63, 2**63 - 1, 5]),
    np.zeros(0, dtype=np.int64),
], ids=["poisson", "int8", "bool", "wide", "uint64", "extremes", "empty"])
def test_integers_and_booleans_count_as_pandas_counts(values: np.ndarray) -> None:
    """Counted with numpy (bincount, or a sort for wide ranges), in value_counts' order."""
    from governance_app.analytics.drift_categories import prepare_categorical

    mine = prepare_categorical(values)
    theirs = pd.Series(values).value_counts(sort=False)
    assert list(mine.labels) == list(theirs.index) and mine.counts.tolist() == theirs.tolist()
    assert [type(v) for v in mine.labels] == [type(v) for v in theirs.index]


@pytest.mark.parametrize("values", [
    np.random.default_rng(3).poisson(4, 5000),
    np.random.default_rng(4).integers(-3, 3, 100).astype(np.int8),
    np.random.default_rng(6).integers(2**62, 2**62 + 50, 1000),
    np.array([2**63 + 5, 2**63 + 1, 2**63 + 5], dtype=np.uint64),
    np.array([-2**63, 2**63 - 1, 5]),
    np.array([7]),
], ids=["poisson", "int8", "large", "uint64", "extremes", "one"])
def test_integers_sorted_by_counting_equal_a_sort(values: np.ndarray) -> None:
    from governance_app.analytics.drift_stats import sort_numeric

    mine, nulls = sort_numeric(values)
    expected = np.sort(values.astype(np.float64))
    assert nulls == 0 and mine.dtype == expected.dtype
    np.testing.assert_array_equal(mine, expected)
