"""Read back what pipeline imports stored on a model version's lineage node (its evidence)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.lineage import model_version_id
from governance_app.store.schema_lineage import SqlLineageNode

EVIDENCE_FACET = "kfpEvidence"
"""The facet the Kubeflow importer stores ClassificationMetrics and slice metrics under."""


def version_evidence(session: Session, name: str, version: int) -> dict[str, Any]:
    """ClassificationMetrics and slice metrics a pipeline recorded for a version ({} if none)."""
    facets = session.scalar(
        select(SqlLineageNode.facets).where(SqlLineageNode.id == model_version_id(name, version))
    )
    if not facets:
        return {}
    return dict(facets.get(EVIDENCE_FACET) or {})
