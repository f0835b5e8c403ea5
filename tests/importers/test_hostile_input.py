"""Broken and hostile MLflow file-store and REST input: each a clean InputError naming the place.

Every case breaks a copy in tmp_path and checks that the message names the file and the line
or field, so a user can fix the export instead of guessing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.importers import mlflow_filestore, mlflow_rest, registry
from governance_app.importers.registry import ImportContext

EXP = "577776451036522151"
RUN = "5d96cf172a5b43849bdb6d469f89ac62"
ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
       for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


def _fs_error(root: Path) -> str:
    with pytest.raises(InputError) as caught:
        registry.load(root, kind="mlflow-filestore")
    return str(caught.value)


def _rest_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        registry.load(path, kind="mlflow-rest")
    return str(caught.value)


# -- file store ------------------------------------------------------------------------------


def test_truncated_meta_yaml(mlruns_copy: Path) -> None:
    meta = mlruns_copy / EXP / RUN / "meta.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text[: text.index("experiment_id: '") + 20], encoding="utf-8")
    message = _fs_error(mlruns_copy)
    assert f"{RUN}/meta.yaml, line " in message and "expected valid YAML" in message


def test_meta_yaml_cut_before_run_id(mlruns_copy: Path) -> None:
    meta = mlruns_copy / EXP / RUN / "meta.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text[: text.index("run_id:")], encoding="utf-8")
    message = _fs_error(mlruns_copy)
    assert f"{RUN}/meta.yaml, field run_id: run_id is missing" in message


def test_yaml_alias_bomb(mlruns_copy: Path) -> None:
    (mlruns_copy / EXP / "meta.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    message = _fs_error(mlruns_copy)
    assert f"{EXP}/meta.yaml, line 1" in message and "not accepted" in message


def test_param_that_is_not_utf8(mlruns_copy: Path) -> None:
    (mlruns_copy / EXP / RUN / "params" / "max_depth").write_bytes(b"ok\n\xff\xfe5")
    message = _fs_error(mlruns_copy)
    assert "params/max_depth, line 2: byte 0xff" in message and "UTF-8" in message


def test_metric_line_with_four_fields(mlruns_copy: Path) -> None:
    metric = mlruns_copy / EXP / RUN / "metrics" / "val_auc"
    lines = metric.read_text().splitlines()
    lines[2] += " 9"
    metric.write_text("\n".join(lines) + "\n")
    message = _fs_error(mlruns_copy)
    assert "metrics/val_auc, line 3: metric line has 4 fields" in message
    assert "timestamp value step" in message


def test_metric_value_that_is_not_a_number(mlruns_copy: Path) -> None:
    metric = mlruns_copy / EXP / RUN / "metrics" / "val_logloss"
    lines = metric.read_text().splitlines()
    timestamp, _, step = lines[1].split()
    lines[1] = f"{timestamp} high {step}"
    metric.write_text("\n".join(lines) + "\n")
    message = _fs_error(mlruns_copy)
    assert "metrics/val_logloss, line 2, field value: value 'high' is not a number" in message


def test_empty_metric_file(mlruns_copy: Path) -> None:
    (mlruns_copy / EXP / RUN / "metrics" / "val_auc").write_text("")
    assert "metrics/val_auc, line 1: metric file has no points" in _fs_error(mlruns_copy)


def test_version_meta_without_version(mlruns_copy: Path) -> None:
    meta = mlruns_copy / "models" / "loan_approval" / "version-2" / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: 2\n", ""), "utf-8")
    message = _fs_error(mlruns_copy)
    assert "version-2/meta.yaml, field version: version is missing" in message


def test_status_that_is_not_a_run_status(mlruns_copy: Path) -> None:
    meta = mlruns_copy / EXP / RUN / "meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("status: 3", "status: 9"), "utf-8")
    assert f"{RUN}/meta.yaml, field status: status is 9" in _fs_error(mlruns_copy)


def test_symlink_leaving_the_root(mlruns_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    param = mlruns_copy / EXP / RUN / "params" / "max_depth"
    param.unlink()
    param.symlink_to(secret)
    message = _fs_error(mlruns_copy)
    assert "params/max_depth: path leads outside the source folder" in message


def test_symlinked_run_folder_leaving_the_root(mlruns_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (mlruns_copy / EXP / RUN).rename(outside)
    (mlruns_copy / EXP / RUN).symlink_to(outside, target_is_directory=True)
    assert f"{RUN}: path leads outside the source folder" in _fs_error(mlruns_copy)


def test_unknown_folder_beside_runs(mlruns_copy: Path) -> None:
    (mlruns_copy / EXP / "notes").mkdir()
    (mlruns_copy / EXP / "notes" / "todo.txt").write_text("x")
    message = _fs_error(mlruns_copy)
    assert f"{EXP}/notes: not an MLflow run folder (expected meta.yaml with run_id)" in message


def test_run_folder_without_meta_yaml(mlruns_copy: Path) -> None:
    (mlruns_copy / EXP / RUN / "meta.yaml").unlink()
    assert f"{RUN}: not an MLflow run folder" in _fs_error(mlruns_copy)


def test_empty_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as caught:
        registry.load(empty)  # nothing recognises it
    assert str(empty) in str(caught.value)
    with pytest.raises(InputError) as caught:
        mlflow_filestore.read(empty, ImportContext())
    assert "holds no MLflow experiments or registered models" in str(caught.value)


# -- REST JSON -------------------------------------------------------------------------------


def test_bad_json(rest_copy: Path) -> None:
    path = rest_copy / "runs-search.json"
    path.write_text(path.read_text(encoding="utf-8")[:500], encoding="utf-8")
    message = _rest_error(rest_copy)
    assert "runs-search.json, line " in message and "expected valid JSON" in message


def test_duplicate_json_keys(rest_copy: Path) -> None:
    path = rest_copy / "model-versions-search.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"version": "2",', '"version": "2", "version": "3",', 1), "utf-8")
    message = _rest_error(rest_copy)
    assert "model-versions-search.json, line 5, column" in message
    assert "'version' appears twice" in message


def test_nan_where_a_number_belongs(rest_copy: Path) -> None:
    path = rest_copy / "runs-search.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"value": 0.5,', '"value": NaN,', 1), encoding="utf-8")
    message = _rest_error(rest_copy)
    assert "runs-search.json, line 26, column 22" in message and "NaN is not a" in message


def test_metric_value_of_the_wrong_type(rest_copy: Path) -> None:
    path = rest_copy / "runs-search.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"value": 0.5,', '"value": "0.5",', 1), encoding="utf-8")
    message = _rest_error(rest_copy)
    assert "runs-search.json, $.runs[0].data.metrics[1].value, line 26: value is '0.5'" in message


def test_json_that_is_not_utf8(rest_copy: Path) -> None:
    path = rest_copy / "experiments-search.json"
    text = path.read_text(encoding="utf-8").replace("loan", "l\u00f6an")
    path.write_bytes(text.encode("latin-1"))
    message = _rest_error(rest_copy)
    assert "experiments-search.json, line 20: byte 0xf6" in message


def test_json_symlink_leaving_the_root(rest_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"runs": []}))
    (rest_copy / "runs-2.json").symlink_to(outside)
    assert "runs-2.json: path leads outside the source folder" in _rest_error(rest_copy)


def test_json_that_is_no_search_answer(rest_copy: Path) -> None:
    (rest_copy / "notes.json").write_text(json.dumps({"hello": []}))
    message = _rest_error(rest_copy)
    assert "notes.json, top level: top level holds hello" in message
    assert not mlflow_rest.detect(rest_copy)


def test_empty_rest_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        mlflow_rest.read(tmp_path, ImportContext())
    assert f"{tmp_path}: holds no .json files" in str(caught.value)


def test_an_integer_too_long_for_python_is_a_clean_error(tmp_path) -> None:
    """Python's int() refuses > 4300 digits with a bare ValueError; we name file and line."""
    from governance_app.errors import InputError
    from governance_app.importers.safe_io import read_json

    path = tmp_path / "runs-search.json"
    path.write_text('{"runs": [\n  {"info": {"start_time": 1' + "0" * 5000 + "}}]}",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"runs-search.json, line 2.*5001-digit number"):
        read_json(path)
