"""Compare what a workspace holds with ``expected.json``: what MLflow's own API returned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from governance_app.services import models as model_service
from governance_app.services.workspace import Workspace


def load_expected(fixtures: Path) -> dict[str, Any]:
    return json.loads((fixtures / "mlflow" / "expected.json").read_text(encoding="utf-8"))


def workspace_view(ws: Workspace) -> dict[str, Any]:
    """The workspace's registry in expected.json's shape, read through the services."""
    out: dict[str, Any] = {}
    for summary in model_service.list_models(ws):
        model = model_service.get_model(ws, summary.name)
        versions = {}
        for v in model.versions:
            detail = model_service.get_version_detail(ws, model.name, v.version)
            assert detail.run is not None, f"{v.ref}: its run was not imported"
            versions[str(v.version)] = {
                "metrics": detail.latest_metrics,
                "params": detail.run.params,
                "run_id": v.run_id,
                "source": v.source,
                "stage": v.stage,
                "tags": v.tags,
                "history_lengths": {k: len(s) for k, s in detail.metric_series.items()},
            }
        out[model.name] = {
            "aliases": model.aliases,
            "description": model.description,
            "tags": model.tags,
            "versions": versions,
        }
    return out


def assert_matches_expected(ws: Workspace, expected: dict[str, Any]) -> dict[str, Any]:
    """Exact equality with MLflow's answers; returns the view for further checks."""
    view = workspace_view(ws)
    assert set(view) == set(expected["models"])
    for name, want in expected["models"].items():
        got = view[name]
        assert got["description"] == want["description"]
        assert got["tags"] == want["tags"]
        assert got["aliases"] == want["aliases"]
        assert set(got["versions"]) == set(want["versions"])
        for number, want_version in want["versions"].items():
            got_version = dict(got["versions"][number])
            got_version.pop("history_lengths")
            assert got_version == want_version, f"{name}:{number}"
    return view
