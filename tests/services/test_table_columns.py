"""Describing a prediction table from its header and a sample, for the attach dialog."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from governance_app.errors import InputError
from governance_app.services.table_columns import (
    describe_table,
    parse_bin_edges,
    parse_bins_option,
)

PREDICTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "fairness" / "predictions.csv"
COLUMNS = ["gender", "age", "class", "embarked", "fare", "sibsp", "parch", "label", "age_group",
           "score", "prediction"]


def _check_titanic(description) -> None:
    assert description.names() == COLUMNS
    assert description.suggested_label == "label"
    assert description.suggested_prediction == "prediction"
    assert description.suggested_score == "score"
    assert description.sensitive_candidates == ["gender", "class", "embarked", "age_group"]
    assert "label" not in description.feature_candidates
    assert "age" in description.numeric_columns() and "label" not in description.numeric_columns()
    gender = description.column("gender")
    assert (gender.n_unique_sample, gender.is_binary, gender.is_numeric) == (2, False, False)
    label = description.column("label")
    assert label.is_binary and label.n_unique_sample == 2
    assert description.column("class").n_unique_sample == 7


def test_csv_reads_only_a_sample() -> None:
    description = describe_table(PREDICTIONS)
    _check_titanic(description)
    assert description.rows is None and description.sample_rows == 1104
    small = describe_table(PREDICTIONS, sample_rows=50)
    assert small.sample_rows == 50 and small.names() == COLUMNS


def test_parquet_reads_schema_and_first_row_group(tmp_path: Path) -> None:
    frame = pd.read_csv(PREDICTIONS)
    target = tmp_path / "predictions.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target, row_group_size=300)
    description = describe_table(target)
    _check_titanic(description)
    assert description.rows == len(frame) == 1104
    assert description.sample_rows == 300  # the first row group only


def test_other_names_and_score_only(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Target,proba,region,flag\n1,0.9,north,True\n0,0.2,south,False\n"
                    "1,0.7,north,True\n", encoding="utf-8")
    description = describe_table(path)
    assert description.suggested_label == "Target"
    assert description.suggested_prediction is None
    assert description.suggested_score == "proba"
    assert description.column("flag").is_binary
    assert description.sensitive_candidates == ["region", "flag"]


def test_a_named_label_that_is_not_binary_is_not_suggested(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("label,y_pred,g\n2,1,a\n0,0,b\n", encoding="utf-8")
    description = describe_table(path)
    assert description.suggested_label is None and description.suggested_prediction == "y_pred"


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("empty.csv", b"", "the file is empty"),
    ("header.csv", b"label,prediction\n", "no rows"),
    ("ragged.csv", b"a,b\n1,2\n3,4,5\n", "line 3"),
    ("latin1.csv", "label,g\n1,caf\u00e9\n".encode("latin-1"), "line 2"),
    ("broken.parquet", b"PAR1 not really", "not a readable Parquet file"),
    ("table.xlsx", b"x", "unknown suffix"),
])
def test_unreadable_files_say_why(tmp_path: Path, name: str, content: bytes,
                                  problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        describe_table(path)
    assert name in str(raised.value) and problem in str(raised.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        describe_table(tmp_path / "nope.csv")


def test_bin_edges() -> None:
    assert parse_bin_edges(" 0, 18,65 ,120") == [0.0, 18.0, 65.0, 120.0]
    assert parse_bins_option(["age=0,18,65", "income=0,1e5,1e9"]) == {
        "age": [0.0, 18.0, 65.0], "income": [0.0, 1e5, 1e9]}
    assert parse_bins_option(None) == {}
    for bad, message in (("1", "at least two"), ("1,1", "strictly increasing"),
                         ("1,a", "not a number")):
        with pytest.raises(InputError, match=message):
            parse_bin_edges(bad, "age")
    with pytest.raises(InputError, match="given twice"):
        parse_bins_option(["age=0,1", "age=0,2"])
    with pytest.raises(InputError, match="COL=e1,e2,e3"):
        parse_bins_option(["=0,1"])
