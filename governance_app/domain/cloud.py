"""Records of the cloud registries and trackers: where a version came from, what its source
platform decided about it, and evaluations the platform computed.

SageMaker Model Registry, Vertex AI and Weights & Biases fill the same registry and lineage
records as MLflow (:mod:`governance_app.domain.registry`, :mod:`governance_app.domain.lineage`);
what only they have is kept here:

* :class:`VersionOrigin`: the platform a version came from and the platform's own id for it
  (an ARN, a Vertex resource name, a W&B artifact id), so a board can find it at the source;
* an *external decision*: what the platform says about the version (SageMaker's model
  approval status). It is read-only evidence: the board's own signed review decides the gate;
* :class:`ExternalEvaluation`: metrics the platform computed (a Vertex model evaluation and its
  slices, a SageMaker Clarify bias report), kept with the platform's own metric names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from governance_app.domain.lineage import LineageGraph
from governance_app.domain.registry import RegistrySnapshot

ORIGIN_LABELS: dict[str, str] = {
    "mlflow": "MLflow",
    "sagemaker": "SageMaker",
    "vertex": "Vertex AI",
    "wandb": "W&B",
    "kubeflow": "Kubeflow",
    "dvc": "DVC",
    "bundle": "bundle",
}
"""How each origin is named to people; the key is what the store keeps."""


SHOWN_DETAILS: tuple[tuple[str, str], ...] = (
    ("lifecycle_stage", "lifecycle stage"), ("training_job", "training job"),
    ("pipeline_job", "pipeline job"), ("training_pipeline", "training pipeline"),
    ("source_algorithms", "source algorithms"), ("images", "images"),
    ("data_sources", "data sources"), ("metrics", "metric reports"),
    ("wandb_version", "W&B version"), ("producing_run", "producing run"),
    ("run_id", "run"), ("task", "task"), ("model_version", "version label"),
    ("artifact_uri", "artifact"), ("stage", "DVC stage"), ("path", "output"), ("md5", "MD5"),
)
"""Origin details people are shown (key, label), in this order; the rest stays in the record."""


def detail_lines(origin: VersionOrigin) -> list[tuple[str, str]]:
    """``(label, text)`` of the shown details the origin has (lists and maps joined)."""
    out = []
    for key, label in SHOWN_DETAILS:
        value = origin.details.get(key)
        if not value:
            continue
        if isinstance(value, dict):
            text = "; ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            text = ", ".join(map(str, value))
        else:
            text = str(value)
        out.append((label, text))
    return out


def origin_label(origin: str) -> str:
    """The display name of an origin key; unknown keys are shown as they are."""
    return ORIGIN_LABELS.get(origin, origin or "unknown")


@dataclass(slots=True)
class DecisionEvent:
    """One step of the platform's decision history (e.g. PendingManualApproval → Approved)."""

    decision: str
    note: str = ""
    at: str = ""  # ISO 8601 UTC; a string so the history is stored and compared verbatim
    by: str = ""


@dataclass(slots=True)
class VersionOrigin:
    """Where one model version came from and what its platform said about it.

    Attributes:
        model_name: the model as its users name it (SageMaker group, Vertex displayName,
            W&B artifact collection).
        version: the version number in this workspace.
        origin: a key of :data:`ORIGIN_LABELS`.
        source_id: the platform's own id of the version (ARN, resource name, artifact id).
        model_source_id: the platform's id of the model (group ARN, Vertex model resource).
        external_decision: the platform's decision word (``Approved``, ``Rejected``,
            ``PendingManualApproval``); "" when the platform has none.
        decision_note: the platform's reason for it (SageMaker ``ApprovalDescription``).
        decision_history: earlier decisions, oldest first, when the export holds them.
        details: everything else the platform says about the version, JSON values
            (lifecycle stage, inference images, customer metadata, lineage fields, metrics).
    """

    model_name: str
    version: int
    origin: str
    source_id: str
    model_source_id: str = ""
    external_decision: str = ""
    decision_note: str = ""
    decision_history: list[DecisionEvent] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.model_name}:{self.version}"


@dataclass(slots=True)
class EvaluationSlice:
    """Metrics of one slice of an evaluation (``sex = female``)."""

    feature: str
    value: str
    metrics: dict[str, float]
    source_id: str = ""


@dataclass(slots=True)
class ExternalEvaluation:
    """Metrics a platform computed for a version, under the platform's own names.

    Attributes:
        model_name, version: the version it is evidence of.
        source: ``vertex-evaluation`` or ``clarify-bias``.
        name: the platform's id of the evaluation (resource name, or report file name).
        display_name: how the platform titles it.
        metrics: overall metrics (``auRoc``, ``logLoss``…), numbers only.
        slices: per-slice metrics (Vertex slices; Clarify facets, one per facet value and stage).
        details: the rest (confusion matrix, confidence metrics, dataset, metadata).
        created_at: ISO 8601 UTC when the platform made it, "" if not stated.
    """

    model_name: str
    version: int
    source: str
    name: str
    display_name: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    slices: list[EvaluationSlice] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""

    @property
    def ref(self) -> str:
        return f"{self.model_name}:{self.version}"


@dataclass(slots=True)
class CloudSnapshot:
    """What a cloud importer read: registry records, origins, evaluations and lineage.

    The registry part is stored by the same writer as MLflow's, so every view, gate and report
    works on these versions unchanged.
    """

    kind: str
    source: str
    source_sha256: str
    registry: RegistrySnapshot
    origins: list[VersionOrigin] = field(default_factory=list)
    evaluations: list[ExternalEvaluation] = field(default_factory=list)
    lineage: LineageGraph = field(default_factory=LineageGraph)
    notes: list[str] = field(default_factory=list)
    partial_logs: int = 0
    """Damaged logs imported only up to the damage, at the user's request (``--partial``)."""

    def counts(self) -> dict[str, int]:
        out = {k: v for k, v in self.registry.counts().items() if v}
        if self.origins:
            out["origins"] = len(self.origins)
        decisions = sum(1 for o in self.origins if o.external_decision)
        if decisions:
            out["external_decisions"] = decisions
        if self.evaluations:
            out["evaluations"] = len(self.evaluations)
            out["slices"] = sum(len(e.slices) for e in self.evaluations)
        if self.partial_logs:
            out["partial_logs"] = self.partial_logs
        if self.lineage.nodes:
            out["lineage_nodes"] = len(self.lineage.nodes)
            out["lineage_edges"] = len(self.lineage.edges)
        return out
