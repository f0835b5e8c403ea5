"""Where a review's checks read from: one model version in one workspace.

The pure evaluation lives in :mod:`governance_app.governance.evidence`; this adapter answers
its questions through the other capabilities' services (registry, fairness, drift, lineage).
Fairness, drift and lineage services are optional at import time: a build or workspace without
them yields an explicit *error* result for the check ("no fairness result for sensitive
attribute sex"), never a silent pass.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from typing import Any

from governance_app.domain.views import VersionDetail
from governance_app.errors import GovernanceError, NotFoundError
from governance_app.governance.canonical import iso_utc, sha256_hex
from governance_app.governance.evidence import (
    Blocker,
    Reading,
    beside_value,
    blockers,
    contradictions,
)
from governance_app.services import models as model_service
from governance_app.services.workspace import Workspace

__all__ = ["WorkspaceEvidence", "Blocker", "blockers", "beside_value", "contradictions",
           "version_record_digest"]
"""``blockers`` and ``beside_value`` read frozen evidence for the front ends (the Sign dialog,
the Reviews view), which call services only."""

ARTIFACT_DIGEST_TAGS = ("artifact_sha256", "governance.artifact_sha256")
"""Version tags that may carry the model artifact's SHA-256 (the statement's subject digest)."""


def _optional(module: str, function: str) -> Any:
    """A service function of another capability, or None when this build lacks it."""
    try:
        return getattr(importlib.import_module(f"governance_app.services.{module}"), function)
    except (ImportError, AttributeError):
        return None


def version_record_digest(detail: VersionDetail) -> str:
    """SHA-256 of the version's canonical registry record, without stage and aliases (which a
    promotion itself changes), so granting the gate does not alter the subject."""
    v = detail.version
    return sha256_hex({
        "model": v.model_name,
        "version": v.version,
        "source": v.source,
        "run_id": v.run_id,
        "user": v.user,
        "status": v.status,
        "description": v.description,
        "created_at": iso_utc(v.created_at) if v.created_at else None,
        "tags": dict(v.tags),
    })


class WorkspaceEvidence:
    """The :class:`~governance_app.governance.evidence.EvidenceSource` of one version."""

    def __init__(self, ws: Workspace, name: str, version: int) -> None:
        self.ws = ws
        self.name = name
        self.version = version
        self.detail = model_service.get_version_detail(ws, name, version)

    def subject(self) -> dict[str, Any]:
        v = self.detail.version
        record = version_record_digest(self.detail)
        artifact = next((v.tags[t] for t in ARTIFACT_DIGEST_TAGS if v.tags.get(t)), "")
        return {
            "model": v.model_name,
            "version": v.version,
            "artifact_uri": v.source,
            "artifact_sha256": artifact or None,
            "record_sha256": record,
            "digest": artifact or record,
            "digest_of": "artifact" if artifact else "registry record",
            "run_id": v.run_id,
            "created_by": v.user,
        }

    def metric(self, name: str) -> Reading:
        run = self.detail.run
        inputs = {"run_id": self.detail.version.run_id, "metric": name}
        if run is None:
            return Reading(None, inputs, missing=(
                f"the version's source run {self.detail.version.run_id or '(none)'} is not in "
                "this workspace"))
        series = run.metrics.get(name)
        if series is not None and len(series):
            i = series.latest_index()
            inputs |= {"step": series.steps[i], "timestamp": series.timestamps[i]}
            value = series.values[i]
            source = series.digest()
        elif name in run.latest_metrics:
            value = run.latest_metrics[name]
            source = sha256_hex({"run": run.run_id, "metric": name, "value": _finite(value)})
        else:
            known = ", ".join(sorted(run.latest_metric_values())) or "none"
            return Reading(None, inputs, missing=(
                f"unknown metric {name!r}: run {run.run_id} has no such metric (it has: {known})"))
        if not math.isfinite(value):
            return Reading(None, inputs, {f"run:{run.run_id}/metric:{name}": source},
                           missing=f"{name} is {value} in run {run.run_id}")
        return Reading(value, inputs, {f"run:{run.run_id}/metric:{name}": source})

    def fairness(self, metric: str, sensitive: str) -> Reading:
        inputs = {"metric": metric, "sensitive": sensitive}
        missing = f"no fairness result for sensitive attribute {sensitive}"
        latest = _optional("fairness", "latest_fairness")
        value_of = _optional("fairness", "metric_value")
        if latest is None or value_of is None:
            return Reading(None, inputs, missing=missing)
        try:
            result = latest(self.ws, self.name, self.version, sensitive)
        except NotFoundError:
            return Reading(None, inputs, missing=missing)
        inputs["fairness_result_id"] = getattr(result, "id", None)
        try:
            value = value_of(result, metric, sensitive)
        except GovernanceError as exc:  # unknown metric, or undefined on this data
            return Reading(None, inputs, missing=str(exc))
        value = getattr(value, "value", value)
        sources = {f"fairness:{sensitive}": sha256_hex({
            "result_id": getattr(result, "id", None),
            "settings_sha256": getattr(result, "settings_digest", ""),
            "metric": metric, "value": _finite(float(value)),
        })}
        return Reading(float(value), inputs, sources)

    def drift(self, metric: str, policy: dict[str, Any] | None = None,
              origin: str | None = None) -> Reading:
        """The latest drift result's ``metric``: computed by the app when one exists (or
        ``origin="computed"``), else imported (``origin="declared"``: a monitoring team's
        Evidently report)."""
        inputs: dict[str, Any] = {"metric": metric}
        latest = _optional("drift", "latest_drift")
        if latest is None:
            return Reading(None, inputs, missing="no drift result for this version")
        kinds = {"computed": True, "declared": False}
        wanted = kinds.get(origin) if origin is not None else None
        if wanted is None and origin is None:  # the default: computed when there is one
            computed = latest(self.ws, self.name, self.version, computed=True)
            wanted = computed is not None
        if origin is not None:
            inputs["origin"] = origin
        try:
            # judged again by the policy's drift section (it is in the policy's digest)
            result = latest(self.ws, self.name, self.version, policy, computed=wanted)
        except GovernanceError as exc:
            return Reading(None, inputs, missing=str(exc))
        if policy is not None:
            inputs["judged_by"] = "policy drift section"
        used = "computed" if wanted else "declared"
        if result is None:
            return Reading(None, inputs, missing=(
                "no drift result for this version" if origin is None
                else f"no {origin} drift result for this version"), origin=used)
        value = _drift_value(result, metric)
        sources = {"drift": _digest_of(result)}
        if value is None:
            return Reading(None, inputs, sources, origin=used,
                           missing=f"unknown drift metric {metric!r} in the latest drift result")
        return Reading(float(value), inputs, sources, origin=used)

    def computed_metric(self, metric: str, sensitive: str | None = None) -> Reading:
        """The app's own computation of a metric the model team may also have logged (a
        fairness summary such as ``demographic_parity_ratio``), from the attached
        predictions: for ``sensitive``, or the worst over the attributes analysed."""
        if sensitive:
            reading = self.fairness(metric, sensitive)
            return Reading(reading.value, reading.inputs, reading.sources, reading.missing,
                           origin="computed")
        results = _optional("fairness", "fairness_results")
        value_of = _optional("fairness", "metric_value")
        worst_of = min if metric.endswith("_ratio") else max
        inputs: dict[str, Any] = {"metric": metric}
        if results is None or value_of is None or not metric.endswith(("_ratio", "_difference")):
            return Reading(None, inputs, missing=f"no computed {metric}", origin="computed")
        try:
            stored = results(self.ws, self.name, self.version)
        except NotFoundError:
            stored = []
        found: dict[str, float] = {}
        for result in stored[-1:]:
            for key in getattr(result.analysis, "analyses", {}):
                if len(key) != 1:
                    continue
                try:
                    found[key[0]] = float(value_of(result, metric, key[0]))
                except GovernanceError:
                    continue
        if not found:
            return Reading(None, inputs, missing=f"no computed {metric}", origin="computed")
        attribute = worst_of(found, key=found.__getitem__)
        inputs |= {"sensitive": attribute, "worst_of": sorted(found)}
        reading = self.fairness(metric, attribute)
        return Reading(reading.value, {**reading.inputs, **inputs}, reading.sources,
                       reading.missing, origin="computed")

    def lineage(self) -> Reading:
        upstream = _optional("lineage", "upstream_datasets")
        nodes = None
        if upstream is not None:
            try:
                nodes = list(upstream(self.ws, self.name, self.version))
            except NotFoundError:  # not in the lineage graph: the registry still knows inputs
                nodes = None
        if nodes is not None:
            inputs: dict[str, Any] = {"via": "lineage graph",
                                      "datasets": sorted(n.id for n in nodes)}
            sources = {n.id: sha256_hex({"id": n.id, "facets": n.facets}) for n in nodes}
        else:
            run = self.detail.run
            ds = list(run.inputs) if run else []
            inputs = {"via": "registry run inputs", "run_id": self.detail.version.run_id,
                      "datasets": sorted(i.name for i in ds)}
            sources = {f"dataset:{i.name}": i.digest for i in ds}
        if not inputs["datasets"]:
            return Reading(False, inputs, sources,
                           missing="no upstream training data is recorded for this version")
        return Reading(True, inputs, sources)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _digest_of(result: Any) -> str:
    """A stored result's own digest when it has one, else the hash of its repr."""
    for attr in ("digest", "sha256", "source_sha256"):
        value = getattr(result, attr, None)
        if isinstance(value, str) and value:
            return value
    return hashlib.sha256(repr(result).encode("utf-8")).hexdigest()


def _drift_value(result: Any, metric: str) -> float | None:
    for attr in ("metric_value", "value_of"):
        fn = getattr(result, attr, None)
        if callable(fn):
            value = fn(metric)
            return getattr(value, "value", value)
    for attr in ("metrics", "summary", "dataset_metrics"):
        table = getattr(result, attr, None)
        if isinstance(table, dict) and metric in table:
            value = table[metric]
            return getattr(value, "value", value)
    value = getattr(result, metric, None)
    return float(value) if isinstance(value, int | float) else None
