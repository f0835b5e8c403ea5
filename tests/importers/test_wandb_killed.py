"""Logs that wandb itself left behind when its run was killed: refused naming the offset,
or imported up to the damage with ``--partial``."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.domain.cloud import CloudSnapshot
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions
from governance_app.importers.wandb_records import BLOCK, CorruptLog

KILLED = Path(__file__).resolve().parents[1] / "fixtures" / "wandb" / "killed" / "wandb"
RUNS = sorted(KILLED.glob("offline-run-*"))
PARTIAL = ImportContext(options=ImportOptions(settings={"partial": True}))


@pytest.mark.parametrize("run_dir", RUNS, ids=lambda p: p.name)
def test_refused_at_the_cut_record_then_read_up_to_it(run_dir: Path) -> None:
    log = next(run_dir.glob("*.wandb"))
    assert log.stat().st_size % BLOCK == 0  # wandb wrote whole blocks, the last record is cut
    with pytest.raises(CorruptLog) as caught:
        registry.load(run_dir)
    offset = caught.value.offset
    assert 0 < offset < log.stat().st_size
    assert f"byte offset {offset}" in str(caught.value)
    result = registry.load(run_dir, "wandb-offline", PARTIAL)
    assert isinstance(result, CloudSnapshot) and result.partial_logs == 1
    (run,) = result.registry.runs
    assert run.name.startswith("killed-")
    assert run.status == "KILLED" and run.tags["wandb.log_cut_at_byte"] == str(offset)
    assert run.params == {"lr": "0.01", "seed": "7"}
    loss, acc = run.metrics["loss"], run.metrics["acc"]
    assert len(loss) == len(acc) > 100
    assert list(loss.steps) == list(range(len(loss)))  # every row before the cut, in order
    assert list(loss.values) == [1.0 / (s + 1) for s in loss.steps]


def test_the_idle_run_lost_only_its_last_unwritten_rows() -> None:
    idle = next(p for p in RUNS if "killed-when-idle" in
                registry.load(p, "wandb-offline", PARTIAL).registry.runs[0].name)
    (run,) = registry.load(idle, "wandb-offline", PARTIAL).registry.runs
    assert 150 < len(run.metrics["loss"]) < 200
