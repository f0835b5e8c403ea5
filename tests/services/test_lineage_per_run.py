"""Per-run lineage in the demo workspace (issue 3): every monthly run of
``credit_risk.train_credit_default`` trains one version, and each version's upstream lists
only the training set its own run read."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.services import lineage
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
LAKE = "dataset:s3://meridian-lake/lending/credit_default/"
MONTHS = ("2026-03", "2026-05", "2026-07", "2026-09")


@pytest.fixture
def ws(workspace_url: str):  # noqa: ANN201 - an open workspace holding the demo lineage
    with Workspace.open(workspace_url) as opened:
        import_path(opened, DEMO / "registry.json")
        import_path(opened, DEMO / "lineage" / "events.jsonl")
        yield opened


@pytest.mark.parametrize(("version", "month"), [(2, "2026-03"), (3, "2026-05"), (4, "2026-07")])
def test_each_version_lists_only_its_own_training_set(
    ws: Workspace, version: int, month: str
) -> None:
    up = {n.id for n in lineage.upstream_datasets(ws, "credit_default", version)}
    training = {i for i in up if i.startswith(LAKE)}
    assert training == {f"{LAKE}{month}/train.parquet"}
    assert "dataset:warehouse://meridian-dw/features.credit_default_v3" in up
    holdouts = {i for i in up if "holdout" in i}  # MLflow's own per-run input
    assert len(holdouts) == 1 and month in next(iter(holdouts))


def test_the_training_job_still_reaches_every_month(ws: Workspace) -> None:
    graph = lineage.lineage_graph(ws, "credit_risk.train_credit_default", "upstream")
    assert {f"{LAKE}{m}/train.parquet" for m in MONTHS} <= set(graph.nodes)
    runs = [i for i in graph.nodes if i.startswith("run:")]
    assert len(runs) >= 4
    up3 = lineage.lineage_graph(ws, "credit_default:3", "upstream")
    assert [i for i in up3.nodes if i.startswith("job:")] != []  # runs named by their jobs
    assert {i for i in up3.nodes if i.startswith(LAKE)} == {f"{LAKE}2026-05/train.parquet"}
