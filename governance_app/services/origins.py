"""Where versions came from, what their platform decided, and what it evaluated.

The front ends ask here for a version's origin (MLflow, SageMaker, Vertex AI, W&B…), its
platform's own id and its read-only *external decision*; the board's signed review, not the
platform, still decides every gate.
"""

from __future__ import annotations

from governance_app.domain.cloud import ExternalEvaluation, VersionOrigin
from governance_app.services.workspace import Workspace
from governance_app.store import cloud_reader


def version_origins(ws: Workspace, model_name: str | None = None
                    ) -> dict[tuple[str, int], VersionOrigin]:
    """Origins by (model, version): every model's, or one model's. Versions absent from the
    result were imported without one (e.g. before origins were recorded)."""
    with ws.session() as session:
        return cloud_reader.origins(session, model_name)


def version_origin(ws: Workspace, model_name: str, version: int) -> VersionOrigin | None:
    """One version's origin, or ``None`` when none was recorded."""
    return version_origins(ws, model_name).get((model_name, version))


def external_evaluations(ws: Workspace, model_name: str, version: int
                         ) -> list[ExternalEvaluation]:
    """Evaluations the source platform computed for a version (Vertex, Clarify)."""
    with ws.session() as session:
        return cloud_reader.evaluations(session, model_name, version)
