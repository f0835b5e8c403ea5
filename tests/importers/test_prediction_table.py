"""The prediction-table reader: real CSV and Parquet files, and every bad input named clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers.prediction_table import (
    PredictionTableSnapshot,
    parse_settings,
    read_table,
)
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.services.fairness import analyse_file
from governance_app.store.fairness_codec import encode_analysis

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fairness"
SETTINGS = {"label": "label", "prediction": "prediction", "sensitive": ["gender", "class"]}


def _load(path: Path, model: str | None = "loan_approval:2", **settings) -> PredictionTableSnapshot:
    options = ImportOptions(model=model, settings=settings or SETTINGS)
    return registry.load(path, None, ImportContext(options=options))  # type: ignore[return-value]


@pytest.fixture
def csv_copy(tmp_path: Path) -> Path:
    target = tmp_path / "predictions.csv"
    shutil.copyfile(FIXTURES / "predictions.csv", target)
    return target


@pytest.fixture
def parquet_copy(tmp_path: Path) -> Path:
    target = tmp_path / "predictions.parquet"
    pd.read_csv(FIXTURES / "predictions.csv").to_parquet(target, engine="pyarrow", index=False)
    return target


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_detects_and_reads_a_csv_with_digest_schema_and_model(csv_copy: Path) -> None:
    assert registry.detect(csv_copy) == "predictions"
    snapshot = _load(csv_copy)
    assert snapshot.kind == "predictions"
    assert (snapshot.model, snapshot.version) == ("loan_approval", 2)
    assert snapshot.row_count == 1104
    assert snapshot.counts() == {"rows": 1104, "columns": 11, "sensitive_attributes": 2}
    assert snapshot.schema["label"] == "int64" and snapshot.schema["gender"] in ("object", "str")
    assert len(snapshot.source_sha256) == 64
    assert snapshot.settings.sensitive == ("gender", "class")


def test_parquet_and_csv_give_the_same_results(csv_copy: Path, parquet_copy: Path) -> None:
    assert registry.detect(parquet_copy) == "predictions"
    assert _load(parquet_copy).row_count == 1104
    kwargs = dict(label="label", prediction="prediction", score="score",
                  sensitive="gender,class", features=["age", "fare"])
    a = encode_analysis(analyse_file(csv_copy, **kwargs))
    b = encode_analysis(analyse_file(parquet_copy, **kwargs))
    for key in ("source", "source_sha256", "schema"):
        a.pop(key), b.pop(key)
    assert a == b


def test_missing_model_says_model_is_needed(csv_copy: Path) -> None:
    with pytest.raises(InputError, match="--model NAME:VERSION"):
        _load(csv_copy, model=None)
    with pytest.raises(InputError, match="NAME:VERSION"):
        _load(csv_copy, model="loan_approval")


def test_missing_columns_are_all_named(csv_copy: Path) -> None:
    with pytest.raises(InputError, match="missing columns 'y', 'race'") as info:
        _load(csv_copy, label="y", prediction="prediction", sensitive=["gender", "race"])
    assert "the table's columns" in str(info.value) and "gender" in str(info.value)


def test_settings_are_checked(csv_copy: Path) -> None:
    with pytest.raises(InputError, match="--score COL with --threshold"):
        _load(csv_copy, label="label", score="score", sensitive=["gender"])
    with pytest.raises(InputError, match="no sensitive attribute"):
        _load(csv_copy, label="label", prediction="prediction")
    with pytest.raises(InputError, match="unknown setting"):
        _load(csv_copy, label="label", prediction="prediction", sensitive="gender", colour="red")
    with pytest.raises(InputError, match="--bootstrap"):
        parse_settings({**SETTINGS, "bootstrap": -1})
    with pytest.raises(InputError, match="--tau"):
        parse_settings({**SETTINGS, "tau": 1.5})


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the file is empty"):
        _load(_write(tmp_path, ""))
    with pytest.raises(InputError, match="no rows"):
        _load(_write(tmp_path, "label,prediction,gender,class\n", "h.csv"))


def test_a_malformed_csv_line_is_named(tmp_path: Path) -> None:
    text = "label,prediction,gender,class\n1,1,male,1st\n0,0,female,2nd,extra\n1,0,male,3rd\n"
    with pytest.raises(InputError, match="line 3") as info:
        _load(_write(tmp_path, text))
    assert "malformed CSV" in str(info.value) and "t.csv" in str(info.value)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("label,prediction,gender,class\n1,1,m\xe4nnlich,1st\n".encode("latin-1"))
    with pytest.raises(InputError, match="line 2.*not UTF-8|not UTF-8.*line 2"):
        _load(path)


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"label,prediction\n1,0\n")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_table(path)


def test_non_binary_labels_and_nans_are_clear_errors(tmp_path: Path) -> None:
    three = _write(tmp_path, "label,prediction,g\n0,0,a\n1,1,b\n2,1,a\n", "three.csv")
    with pytest.raises(InputError, match="label") as info:
        analyse_file(three, label="label", prediction="prediction", sensitive="g")
    assert "row 3" in str(info.value)
    nan = _write(tmp_path, "label,prediction,g\n0,0,a\n,1,b\n1,1,a\n", "nan.csv")
    with pytest.raises(InputError, match="row 2"):
        analyse_file(nan, label="label", prediction="prediction", sensitive="g")
    nan_group = _write(tmp_path, "label,prediction,g\n0,0,a\n1,1,\n1,1,a\n", "nang.csv")
    with pytest.raises(InputError, match="'g'"):
        analyse_file(nan_group, label="label", prediction="prediction", sensitive="g")


def test_score_with_threshold_predicts_at_or_above_the_cut(tmp_path: Path) -> None:
    path = _write(tmp_path, "label,score,g\n1,0.5,a\n0,0.49,a\n1,0.9,b\n0,0.7,b\n")
    analysis = analyse_file(path, label="label", score="score", threshold=0.5, sensitive="g",
                            min_group_size=1, bootstrap=0)
    report = analysis.analysis("g").report
    assert report.group(("a",)).metrics["selection_rate"].value == 0.5
    assert report.group(("b",)).metrics["selection_rate"].value == 1.0
    assert analysis.settings["threshold"] == 0.5 and analysis.analysis("g").bootstrap is None
