"""Browse the registry: model list, one model, a version with its run, two versions compared."""

from __future__ import annotations

import math

from governance_app.domain.registry import RegisteredModel
from governance_app.domain.views import (
    MetricDelta,
    ModelSummary,
    ParamDiff,
    VersionComparison,
    VersionDetail,
)
from governance_app.errors import InputError, NotFoundError
from governance_app.services.workspace import Workspace
from governance_app.store import pipeline_reader, registry_reader


def list_models(ws: Workspace) -> list[ModelSummary]:
    with ws.session() as session:
        return registry_reader.model_summaries(session)


def get_model(ws: Workspace, name: str) -> RegisteredModel:
    """Raises NotFoundError when no model has that name."""
    with ws.session() as session:
        return registry_reader.get_model(session, name)


def get_version_detail(ws: Workspace, name: str, version: int) -> VersionDetail:
    """A version with the run that produced it (``run`` is None when that run was not
    imported: MLflow versions may point at runs of another tracking server)."""
    with ws.session() as session:
        model = registry_reader.get_model(session, name)
        match = [v for v in model.versions if v.version == version]
        if not match:
            raise NotFoundError(f"model {name!r} has no version {version}")
        mv = match[0]
        evidence = pipeline_reader.version_evidence(session, name, version)
        if mv.run_id and registry_reader.has_run(session, mv.run_id):
            run, experiment = registry_reader.get_run(session, mv.run_id)
            return VersionDetail(mv, run, experiment, evidence)
        return VersionDetail(mv, None, pipeline_evidence=evidence)


def compare_versions(ws: Workspace, name: str, a: int, b: int) -> VersionComparison:
    """Every metric of either version with ``b − a``, every param with both values."""
    left = get_version_detail(ws, name, a)
    right = get_version_detail(ws, name, b)
    la, lb = left.latest_metrics, right.latest_metrics
    metrics = [
        MetricDelta(k, _number(la.get(k)), _number(lb.get(k))) for k in sorted(set(la) | set(lb))
    ]
    pa = left.run.params if left.run else {}
    pb = right.run.params if right.run else {}
    params = [ParamDiff(k, pa.get(k), pb.get(k)) for k in sorted(set(pa) | set(pb))]
    return VersionComparison(left, right, metrics, params)


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def parse_version_ref(ref: str) -> tuple[str, int | None]:
    """``name`` or ``name:version`` as typed on the command line.

    Raises:
        InputError: the version part is not a positive whole number.
    """
    name, sep, version = ref.rpartition(":")
    if not sep:
        return ref, None
    if not version.isdigit() or int(version) < 1:
        raise InputError(
            ref,
            f"version {version!r} is not a version number",
            expected="MODEL or MODEL:VERSION with VERSION a whole number ≥ 1",
        )
    return name, int(version)
