"""Pipeline use cases: the evidence a pipeline run recorded for a model version."""

from __future__ import annotations

from typing import Any

from governance_app.services.workspace import Workspace
from governance_app.store import pipeline_reader


def version_evidence(ws: Workspace, name: str, version: int) -> dict[str, Any]:
    """``classification_metrics`` (confusion matrix, ROC points) and ``slice_metrics`` a
    Kubeflow run recorded for the version, each with its artifact URI; ``{}`` when none."""
    with ws.session() as session:
        return pipeline_reader.version_evidence(session, name, version)
