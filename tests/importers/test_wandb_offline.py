"""W&B offline run folders decoded without wandb, checked against wandb's own reading
(``expected.json``, written by ``wandb leet inspect``)."""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

import pytest

from governance_app.domain.cloud import CloudSnapshot
from governance_app.errors import InputError
from governance_app.importers import registry
from governance_app.importers import wandb_records as wr
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.importers.wandb_offline import flatten

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "wandb" / "credit-risk"
EXPECTED = json.loads((PROJECT / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def snapshot() -> CloudSnapshot:
    result = registry.load(PROJECT / "wandb")
    assert isinstance(result, CloudSnapshot)
    return result


def test_detected_from_the_project_the_wandb_folder_and_one_run() -> None:
    run_dir = PROJECT / EXPECTED["runs"][0]["run_dir"]
    for path in (PROJECT, PROJECT / "wandb", run_dir, PROJECT / EXPECTED["runs"][0]["run_file"]):
        assert registry.detect(path) == "wandb-offline", path


def test_runs_match_wandbs_own_reading(snapshot: CloudSnapshot) -> None:
    runs = {r.run_id: r for r in snapshot.registry.runs}
    assert len(runs) == EXPECTED["run_count"]
    for want in EXPECTED["runs"]:
        run = runs[want["id"]]
        assert run.name == want["name"]
        assert run.experiment_name == want["project"] == "credit-risk"
        assert run.status == "FINISHED" and want["exit_code"] == 0
        assert run.tags["wandb.group"] == want["group"]
        assert run.tags["wandb.job_type"] == want["job_type"]
        assert run.tags["wandb.tags"] == ", ".join(want["tags"])
        assert run.tags["wandb.notes"] == want["notes"]
        assert run.start_time is not None
        assert run.start_time.isoformat().replace("+00:00", "Z") == want["start_time"]
        for key, value in flatten(want["config"]).items():
            stored = run.params[key]
            assert (stored if isinstance(value, str) else json.loads(stored)) == value, key


def test_full_history_and_summary(snapshot: CloudSnapshot) -> None:
    runs = {r.run_id: r for r in snapshot.registry.runs}
    for want in EXPECTED["runs"]:
        run = runs[want["id"]]
        keys = {k for row in want["history"] for k in row if k != "step" and
                not k.startswith("_")}
        assert set(run.metrics) == keys
        for key in keys:
            rows = [row for row in want["history"] if key in row]
            series = run.metrics[key]
            assert list(series.values) == [row[key] for row in rows]
            assert list(series.steps) == [row["step"] for row in rows]
            assert list(series.timestamps) == [round(row["_timestamp"] * 1000) for row in rows]
        numeric = {k: v for k, v in flatten(want["summary"]).items()
                   if isinstance(v, (int, float)) and not k.startswith("_")}
        assert run.latest_metrics == pytest.approx(numeric)


def test_model_artifacts_become_versions_of_their_collection(snapshot: CloudSnapshot) -> None:
    (model,) = snapshot.registry.models
    assert model.name == "credit-risk-model"
    logged = [(r["id"], a) for r in sorted(EXPECTED["runs"], key=lambda r: r["start_time"])
              for a in r["artifacts_logged"] if a["type"] == "model"]
    assert [v.run_id for v in model.versions] == [run_id for run_id, _ in logged]
    assert [v.tags["wandb.version"] for v in model.versions] == ["v0", "v1", "v2"]
    assert [v.tags["wandb.digest"] for v in model.versions] == [a["digest"] for _, a in logged]
    # an alias claimed by several logged versions stays with the newest, as W&B moves it
    assert model.aliases == {"latest": 3, "candidate": 3, "production": 2}
    origins = {o.version: o for o in snapshot.origins}
    assert origins[2].source_id == "wandb://credit-risk/credit-risk-model:v1@" + logged[1][1][
        "digest"]
    assert origins[2].details["manifest"][0]["path"] == "model.json"
    assert origins[2].details["metadata"]["learning_rate"] == 0.003


def test_inputs_are_joined_to_artifacts_by_digest(snapshot: CloudSnapshot) -> None:
    dataset = next(a for r in EXPECTED["runs"] for a in r["artifacts_logged"]
                   if a["type"] == "dataset")
    for run in snapshot.registry.runs:
        if run.tags["wandb.job_type"] != "train":
            assert run.inputs == []
            continue
        (inp,) = run.inputs
        assert (inp.name, inp.digest) == (dataset["name"], dataset["digest"])
        assert inp.tags == {"joined_by": "digest", "named_in": "config.dataset"}
        assert "wandb.unmatched_inputs" not in run.tags
    graph = snapshot.lineage
    producer = next(r["id"] for r in EXPECTED["runs"] if r["artifacts_logged"][0] is dataset)
    dataset_node = f"dataset:wandb://credit-risk/{dataset['name']}:v0"
    sources = {e.source for e in graph.edges if e.target == dataset_node}
    assert sources == {f"run:{producer}"}
    assert sum(1 for e in graph.edges if e.source == dataset_node and e.kind == "input") == 3
    assert "model:credit-risk-model/2" in graph.nodes
    facet = graph.nodes[dataset_node].facets["wandb_artifact"]
    assert facet["type"] == "dataset" and facet["aliases"] == dataset["aliases"]
    assert [(e["path"], e["digest"], e["size"]) for e in facet["manifest"]] == [
        (e["path"], e["digest"], e["size"]) for e in dataset["manifest"]["entries"]]


def test_an_unmatched_digest_is_said_plainly() -> None:
    training = next(r for r in EXPECTED["runs"] if r["job_type"] == "train")
    result = registry.load(PROJECT / training["run_dir"])
    (run,) = result.registry.runs
    assert run.inputs == []
    assert run.tags["wandb.unmatched_inputs"] == (
        "config.dataset digest 3e6049dad68349e58bcb52c2d7ef11e3 matches no artifact of this "
        "import")


def _run_copy(tmp_path: Path) -> Path:
    run = next(r for r in EXPECTED["runs"] if r["job_type"] == "train")
    target = tmp_path / "wandb" / Path(run["run_dir"]).name
    shutil.copytree(PROJECT / run["run_dir"], target)
    for p in [target, *target.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    return next(target.glob("*.wandb"))


def _offsets(data: bytes) -> list[int]:
    return [offset for offset, _ in wr.read_records(Path("log"), data)]


def test_a_flipped_byte_is_refused_naming_the_offset(tmp_path: Path) -> None:
    log = _run_copy(tmp_path)
    data = bytearray(log.read_bytes())
    damaged = _offsets(bytes(data))[40]
    data[damaged + 10] ^= 0xFF
    log.write_bytes(bytes(data))
    with pytest.raises(wr.CorruptLog) as caught:
        registry.load(log.parent)
    assert caught.value.offset == damaged
    assert f"byte offset {damaged}" in str(caught.value)
    assert "CRC-32" in str(caught.value)


def test_partial_imports_what_precedes_a_truncation(tmp_path: Path) -> None:
    log = _run_copy(tmp_path)
    data = log.read_bytes()
    cut = _offsets(data)[60] + 5
    log.write_bytes(data[:cut])
    with pytest.raises(InputError, match="byte offset"):
        registry.load(log.parent)
    context = ImportContext(options=ImportOptions(settings={"partial": True}))
    result = registry.load(log.parent, "wandb-offline", context)
    assert isinstance(result, CloudSnapshot)
    (run,) = result.registry.runs
    assert result.partial_logs == 1 and result.counts()["partial_logs"] == 1
    assert run.status == "KILLED"
    assert 0 < len(run.metrics["train_loss"]) < 50
    assert int(run.tags["wandb.log_cut_at_byte"]) <= cut


def test_framing_rules() -> None:
    header = wr.MAGIC + (0xBEE1).to_bytes(2, "little") + b"\0"
    payload = b"\x08\x01"

    def chunk(kind: int) -> bytes:
        crc = zlib.crc32(payload, zlib.crc32(bytes([kind])))
        return crc.to_bytes(4, "little") + len(payload).to_bytes(2, "little") + bytes(
            [kind]) + payload

    assert list(wr.read_records(Path("x"), header + chunk(1))) == [(7, payload)]
    assert list(wr.read_records(Path("x"), header + chunk(2) + chunk(4))) == [
        (7, payload + payload)]
    with pytest.raises(wr.CorruptLog, match="header"):
        list(wr.read_records(Path("x"), b"PK\x03\x04" + chunk(1)))
    with pytest.raises(wr.CorruptLog, match="out of order"):
        list(wr.read_records(Path("x"), header + chunk(4)))
    with pytest.raises(wr.CorruptLog, match="ends inside a record"):
        list(wr.read_records(Path("x"), header + chunk(2)))


def test_wire_decoder_rejects_garbage() -> None:
    assert wr.fields(b"\x08\x96\x01\x12\x02hi") == {1: [150], 2: [b"hi"]}
    for bad in (b"\x12\x05ab", b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", b"\x0b",
                b"\x00\x01"):
        with pytest.raises(wr.WireError):
            wr.fields(bad)


def test_a_log_written_by_wandb_0_16() -> None:
    """The same framing and records from an older wandb; its metadata file names the user."""
    result = registry.load(PROJECT.parent / "legacy-0.16")
    assert isinstance(result, CloudSnapshot)
    (run,) = result.registry.runs
    assert (run.name, run.status, run.user) == ("train-0.16", "FINISHED", "fixture-user")
    assert run.params == {"lr": "0.01", "optimizer.name": "sgd"}
    assert run.tags["wandb.group"] == "g" and run.tags["wandb.job_type"] == "train"
    assert list(run.metrics["loss"].values) == [1.0 / (s + 1) for s in range(20)]
    assert run.latest_metrics["best"] == 0.9
    (model,) = result.registry.models
    assert model.name == "legacy-model"
    assert model.aliases == {"candidate": 1, "latest": 1}
    assert result.origins[0].details["manifest"][0]["path"] == "model.json"
