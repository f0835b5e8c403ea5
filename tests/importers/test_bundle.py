"""The bundle importer: real files in tmp_path, exact records out, errors that name the place."""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import sys
from array import array
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    MetricSeries,
    ModelVersion,
    RegisteredModel,
    Run,
)
from governance_app.errors import ImportCancelled, InputError
from governance_app.importers import bundle
from governance_app.importers.json_paths import field_path, locate
from governance_app.importers.registry import ImportContext

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "registry.json"
RUN_A = "a" * 32
RUN_B = "b" * 32


def valid_doc() -> dict[str, Any]:
    return {
        "format": "governance-app/bundle",
        "format_version": "1.0",
        "exported_at": "2026-04-01T12:00:00+02:00",
        "source": {"system": "acme-hub 1.0", "uri": "https://hub.acme.example"},
        "experiments": [
            {
                "name": "credit-risk",
                "artifact_location": "s3://acme/credit",
                "tags": {"team": "risk"},
                "created_at": "2026-01-02T08:00:00Z",
            },
            {"name": "fraud"},
        ],
        "runs": [
            {
                "run_id": RUN_A,
                "experiment": "credit-risk",
                "name": "baseline",
                "user": "zoë",
                "status": "FINISHED",
                "start_time": "2026-01-03T09:00:00Z",
                "end_time": "2026-01-03T10:00:00.5+01:00",
                "artifact_uri": "s3://acme/credit/aaa",
                "params": {"max_depth": "5", "learning_rate": "0.05"},
                "tags": {"mlflow.user": "zoë"},
                "metrics": {
                    "val_auc": [
                        {"step": 0, "timestamp": "2026-01-03T09:01:00Z", "value": 0.61},
                        {"step": 1, "timestamp": "2026-01-03T09:02:00.250Z", "value": 0.7},
                        {"step": 2, "timestamp": "2026-01-03T09:03:00Z", "value": 1},
                    ]
                },
                "inputs": [
                    {
                        "name": "loans-train",
                        "digest": "abc123",
                        "source_type": "s3",
                        "source": "s3://lake/loans.parquet",
                        "context": "training",
                    }
                ],
            },
            {"run_id": RUN_B, "experiment": "fraud", "status": "FAILED"},
        ],
        "models": [
            {
                "name": "credit_default",
                "description": "Défaut de paiement — 12 months",
                "tags": {"owner": "Zoë Ångström"},
                "aliases": {"champion": 1, "challenger": 2},
                "versions": [
                    {
                        "version": 1,
                        "stage": "Production",
                        "run_id": RUN_A,
                        "source": f"runs:/{RUN_A}/model",
                        "user": "zoë",
                        "created_at": "2026-01-04T00:00:00Z",
                        "tags": {"validated": "true"},
                    },
                    {"version": 2, "run_id": "external-run-7"},
                ],
            }
        ],
    }


def write(tmp_path: Path, doc: Any, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def read(path: Path) -> Any:
    return bundle.read(path, ImportContext())


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def error_for(tmp_path: Path, doc: Any) -> InputError:
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        read(path)
    assert str(path) in str(info.value)
    return info.value


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_valid_bundle_round_trips_into_exact_records(tmp_path: Path) -> None:
    path = write(tmp_path, valid_doc())
    snap = read(path)

    assert snap.kind == "bundle"
    assert snap.source == str(path)
    assert snap.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert snap.experiments == [
        Experiment(
            name="credit-risk",
            artifact_location="s3://acme/credit",
            created_at=utc(2026, 1, 2, 8),
            tags={"team": "risk"},
        ),
        Experiment(name="fraud"),
    ]
    t0 = 1767430860000  # 2026-01-03T09:01:00Z in epoch milliseconds
    series = MetricSeries(
        "val_auc",
        array("q", [0, 1, 2]),
        array("q", [t0, t0 + 60250, t0 + 120000]),
        array("d", [0.61, 0.7, 1.0]),
    )
    assert snap.runs == [
        Run(
            run_id=RUN_A,
            experiment_name="credit-risk",
            name="baseline",
            user="zoë",
            status="FINISHED",
            start_time=utc(2026, 1, 3, 9),
            end_time=utc(2026, 1, 3, 9, 0, 0, 500000),
            artifact_uri="s3://acme/credit/aaa",
            params={"max_depth": "5", "learning_rate": "0.05"},
            tags={"mlflow.user": "zoë"},
            metrics={"val_auc": series},
            inputs=[
                DatasetInput(
                    "loans-train", "abc123", "s3", "s3://lake/loans.parquet", context="training"
                )
            ],
        ),
        Run(run_id=RUN_B, experiment_name="fraud", status="FAILED"),
    ]
    assert snap.models == [
        RegisteredModel(
            name="credit_default",
            description="Défaut de paiement — 12 months",
            tags={"owner": "Zoë Ångström"},
            aliases={"champion": 1, "challenger": 2},
            versions=[
                ModelVersion(
                    model_name="credit_default",
                    version=1,
                    stage="Production",
                    source=f"runs:/{RUN_A}/model",
                    run_id=RUN_A,
                    user="zoë",
                    created_at=utc(2026, 1, 4),
                    tags={"validated": "true"},
                    aliases=["champion"],
                ),
                ModelVersion(
                    model_name="credit_default",
                    version=2,
                    run_id="external-run-7",
                    aliases=["challenger"],
                ),
            ],
        )
    ]
    assert snap.counts()["metric_points"] == 3


def test_minimal_bundle_without_lists_is_empty(tmp_path: Path) -> None:
    doc = {k: valid_doc()[k] for k in ("format", "format_version", "exported_at", "source")}
    snap = read(write(tmp_path, doc))
    assert (snap.experiments, snap.runs, snap.models) == ([], [], [])


def _set(doc: dict[str, Any], dotted: str, value: Any) -> None:
    """Set (or with value=DELETE remove) the field at a path like ``runs.0.metrics``."""
    *parents, last = [int(p) if p.isdigit() else p for p in dotted.split("/")]
    node: Any = doc
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()

SCHEMA_ERRORS = [
    # (field to change, new value, location named, words in the message)
    ("runs/1/run_id", DELETE, "runs[1]", "required field 'run_id' is missing"),
    (
        "runs/0/parmas",
        {"a": "b"},
        "runs[0].parmas",
        "unknown field 'parmas' (did you mean 'params'?)",
    ),
    ("runs/0/metrics/val_auc/1/value", "0.7", "runs[0].metrics.val_auc[1].value", "not of type"),
    ("runs/0/metrics/val_auc/2/step", 1.5, "runs[0].metrics.val_auc[2].step", "not of type"),
    ("runs/0/metrics/val_auc/0/value", True, "runs[0].metrics.val_auc[0].value", "not of type"),
    ("runs/0/status", "DONE", "runs[0].status", "is not one of"),
    ("runs/0/params/max_depth", 5, "runs[0].params.max_depth", "not of type 'string'"),
    ("runs/0/tags/mlflow.user", None, 'runs[0].tags["mlflow.user"]', "not of type 'string'"),
    ("runs/0/inputs/0/digest", DELETE, "runs[0].inputs[0]", "'digest' is missing"),
    ("runs/0/experiment", "", "runs[0].experiment", "should be non-empty"),
    ("runs/1/run_id", "r" * 129, "runs[1].run_id", "is too long"),
    ("models/0/versions/0/stage", "Prod", "models[0].versions[0].stage", "is not one of"),
    ("models/0/versions/1/version", 0, "models[0].versions[1].version", "less than the minimum"),
    ("models/0/aliases/champion", "1", "models[0].aliases.champion", "not of type 'integer'"),
    ("models/0/versions", DELETE, "models[0]", "'versions' is missing"),
    ("source/system", DELETE, "source", "'system' is missing"),
    ("experiments/1/name", " fraud", "experiments[1].name", "not in the expected form"),
    ("comment", "hi", "comment", "unknown field 'comment'"),
    ("experiments", {}, "experiments", "not of type 'array'"),
]


@pytest.mark.parametrize(("field", "value", "location", "words"), SCHEMA_ERRORS)
def test_schema_errors_name_the_field_path(
    tmp_path: Path, field: str, value: Any, location: str, words: str
) -> None:
    doc = valid_doc()
    _set(doc, field, value)
    error = error_for(tmp_path, doc)
    assert error.location is not None
    assert error.location.split(", line ")[0] == location
    assert words in str(error)
    assert ", line " in error.location
    assert error.expected


def test_schema_error_names_the_line_of_the_field(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["runs"][0]["metrics"]["val_auc"][1]["value"] = "seven"
    error = error_for(tmp_path, doc)
    line = line_of(tmp_path / "bundle.json", '"value": "seven"')
    assert error.location == f"runs[0].metrics.val_auc[1].value, line {line}"


def test_first_error_by_path_is_reported(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["runs"][1]["status"] = "NOPE"
    doc["runs"][0]["status"] = "DONE"
    doc["models"][0]["versions"][0]["stage"] = "Prod"
    assert error_for(tmp_path, doc).location.startswith("models[0].versions[0].stage")


@pytest.mark.parametrize(
    "field",
    [
        "exported_at",
        "runs/0/start_time",
        "runs/0/metrics/val_auc/1/timestamp",
        "models/0/versions/0/created_at",
    ],
)
def test_zone_less_timestamp_is_refused(tmp_path: Path, field: str) -> None:
    doc = valid_doc()
    _set(doc, field, "2026-01-03T09:02:00")
    error = error_for(tmp_path, doc)
    assert "has no zone" in error.problem
    assert "with seconds and a zone" in (error.expected or "")


def test_impossible_date_is_refused(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["runs"][0]["metrics"]["val_auc"][2]["timestamp"] = "2026-02-30T09:03:00Z"
    error = error_for(tmp_path, doc)
    assert error.location.startswith("runs[0].metrics.val_auc[2].timestamp, line ")
    assert "not a real date" in error.problem


def test_infinite_value_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, valid_doc())
    path.write_text(path.read_text().replace('"value": 0.61', '"value": 1e999'))
    line = line_of(path, '"value": 1e999')
    # safe_io.parse_json refuses the overflowing literal itself, naming its line and column.
    with pytest.raises(InputError, match="1e999 is not a finite JSON number") as info:
        read(path)
    assert str(path) in str(info.value)
    assert info.value.location.startswith(f"line {line}, column ")


def test_integer_too_large_for_a_float_is_refused(tmp_path: Path) -> None:
    # An integer literal parses as a Python int of any size: bundle.py's own guard refuses it.
    path = write(tmp_path, valid_doc())
    path.write_text(path.read_text().replace('"value": 0.61', '"value": 1' + "0" * 400))
    line = line_of(path, '"value": 1000')
    with pytest.raises(InputError, match="not a finite 64-bit number") as info:
        read(path)
    assert str(path) in str(info.value)
    assert info.value.location == f"runs[0].metrics.val_auc[0].value, line {line}"


def test_run_of_unknown_experiment(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["runs"][1]["experiment"] = "fruad"
    error = error_for(tmp_path, doc)
    assert error.location.startswith("runs[1].experiment, line ")
    assert "'fruad' is not in the bundle's experiments" in error.problem
    assert "'credit-risk', 'fraud'" in (error.expected or "")


def test_duplicate_run_id_names_both_places(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["runs"][1]["run_id"] = RUN_A
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        read(path)
    first, second = _run_id_lines(path)
    assert info.value.location == f"runs[1].run_id, line {second}"
    assert f"already used at runs[0].run_id, line {first}" in info.value.problem


def _run_id_lines(path: Path) -> tuple[int, int]:
    lines = [
        i
        for i, text in enumerate(path.read_text().splitlines(), 1)
        if f'"run_id": "{RUN_A}"' in text
    ]
    return lines[0], lines[1]


@pytest.mark.parametrize(
    ("change", "location", "words"),
    [
        (
            lambda d: d["models"][0]["versions"][1].update(version=1),
            "models[0].versions[1].version",
            "already used at models[0].versions[0].version",
        ),
        (
            lambda d: d["experiments"][1].update(name="credit-risk"),
            "experiments[1].name",
            "already used at experiments[0].name",
        ),
        (
            lambda d: d["models"].append(copy.deepcopy(d["models"][0])),
            "models[1].name",
            "already used at models[0].name",
        ),
        (
            lambda d: d["models"][0]["aliases"].update(champion=7),
            "models[0].aliases.champion",
            "points to version 7",
        ),
    ],
)
def test_semantic_errors(tmp_path: Path, change: Any, location: str, words: str) -> None:
    doc = valid_doc()
    change(doc)
    error = error_for(tmp_path, doc)
    assert error.location.startswith(location + ", line ")
    assert words in error.problem


def test_version_run_outside_the_bundle_is_allowed(tmp_path: Path) -> None:
    snap = read(write(tmp_path, valid_doc()))
    assert snap.models[0].versions[1].run_id == "external-run-7"


@pytest.mark.parametrize("version", ["2.0", "0.9", "10.1"])
def test_unsupported_major_version_is_refused(tmp_path: Path, version: str) -> None:
    doc = valid_doc()
    doc["format_version"] = version
    error = error_for(tmp_path, doc)
    assert error.location.startswith("format_version, line ")
    assert f"bundle format {version} is not supported" in error.problem
    assert "reads bundle format 1.x only" in error.problem


@pytest.mark.parametrize("version", ["1", "v1.0", 1.0, "1.0.0"])
def test_malformed_version_is_refused(tmp_path: Path, version: Any) -> None:
    doc = valid_doc()
    doc["format_version"] = version
    assert "is not MAJOR.MINOR" in error_for(tmp_path, doc).problem


def test_newer_minor_version_ignores_fields_it_does_not_know(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["format_version"] = "1.3"
    doc["runs"][0]["lineage"] = {"parents": []}
    doc["runs"][0]["metrics"]["val_auc"][0]["unit"] = "ratio"
    snap = read(write(tmp_path, doc))
    assert snap.runs[0].metrics["val_auc"].values.tolist() == [0.61, 0.7, 1.0]
    doc["runs"][0]["status"] = "DONE"  # fields it knows are still checked
    assert error_for(tmp_path, doc).location.startswith("runs[0].status")


def test_same_version_refuses_unknown_fields(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["runs"][0]["metrics"]["val_auc"][0]["unit"] = "ratio"
    error = error_for(tmp_path, doc)
    assert error.location.startswith("runs[0].metrics.val_auc[0].unit, line ")


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ([1, 2], "top level is a JSON list"),
        ({"format": "mlflow"}, "format is 'mlflow'"),
        ({"runs": []}, "field 'format' is missing"),
    ],
)
def test_not_a_bundle(tmp_path: Path, doc: Any, words: str) -> None:
    assert words in str(error_for(tmp_path, doc))


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "governance-app/bundle",\n  "runs": [,]\n}\n')
    with pytest.raises(InputError) as info:
        read(path)
    assert info.value.location.startswith("line 3")


def test_cancel_stops_the_read(tmp_path: Path) -> None:
    path = write(tmp_path, valid_doc())
    with pytest.raises(ImportCancelled):
        bundle.read(path, ImportContext(is_cancelled=lambda: True))


def test_detect(tmp_path: Path) -> None:
    assert bundle.detect(write(tmp_path, valid_doc()))
    assert not bundle.detect(write(tmp_path, {"registered_models": []}, "rest.json"))
    assert not bundle.detect(write(tmp_path, valid_doc(), "bundle.txt"))
    assert not bundle.detect(tmp_path)
    # Sorted keys put the marker after the experiments: found beyond the first chunk too.
    doc = valid_doc()
    doc["experiments"] = [{"name": f"e{i:05d}", "tags": {"x": "y" * 50}} for i in range(2000)]
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(doc, sort_keys=True, indent=1))
    assert path.read_text().index('"format"') > 64 * 1024
    assert bundle.detect(path)


def test_locate_and_field_path() -> None:
    text = '{"a": [1, {"b.c": {"d": [true, "x"]}}]}'
    parts = ["a", 1, "b.c", "d", 1]
    assert field_path(parts) == 'a[1]["b.c"].d[1]'
    assert text[locate(text, parts) :].startswith('"x"')
    assert locate(text, ["a", 5]) is None
    assert locate(text, ["z"]) is None


def test_shipped_demo_bundle_validates_and_loads() -> None:
    assert bundle.detect(DEMO)
    snap = read(DEMO)
    models = {m.name: m for m in snap.models}
    assert set(models) == {
        "credit_default",
        "fraud_detector",
        "churn_propensity",
        "readmission_risk",
        "loan_pricing",
    }
    credit = models["credit_default"]
    assert [v.version for v in credit.versions] == [1, 2, 3, 4]
    assert credit.aliases == {"champion": 3, "challenger": 4}
    assert (credit.versions[2].stage, credit.versions[3].stage) == ("Production", "Staging")
    assert credit.owner == "Zoë Ångström"
    runs = {r.run_id: r for r in snap.runs}
    assert all(v.run_id in runs for m in snap.models for v in m.versions)
    assert sum(r.status == "FAILED" for r in snap.runs) >= 1
    for run in snap.runs:
        assert 6 <= len(run.params) <= 12 and 3 <= len(run.metrics) <= 6
        for series in run.metrics.values():
            assert 20 <= len(series) <= 60
            assert list(series.timestamps) == sorted(series.timestamps)
    assert DEMO.stat().st_size < 2 * 1024 * 1024


def test_demo_bundle_is_what_the_generator_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_demo_bundle", ROOT / "scripts" / "make_demo_bundle.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    out = tmp_path / "registry.json"
    module.main([str(out)])
    assert out.read_bytes() == DEMO.read_bytes()
