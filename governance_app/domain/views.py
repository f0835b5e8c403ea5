"""Read models the front ends show: summaries and comparisons built from registry records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from governance_app.domain.registry import MetricSeries, ModelVersion, Run


@dataclass(slots=True, frozen=True)
class ModelSummary:
    """One row of the Models table."""

    name: str
    latest_version: int | None
    version_count: int
    aliases: dict[str, int]
    stage: str
    """Stage of the latest version (MLflow's ``current_stage``), "None" when it has none."""
    owner: str
    updated_at: datetime | None
    description: str


@dataclass(slots=True)
class VersionDetail:
    """A model version with the run that produced it, for the detail panel."""

    version: ModelVersion
    run: Run | None
    experiment_name: str = ""
    pipeline_evidence: dict = field(default_factory=dict)
    """Evaluation evidence a pipeline run recorded (Kubeflow ClassificationMetrics, slice
    metrics), as :func:`governance_app.services.pipelines.version_evidence` gives it."""

    @property
    def metric_series(self) -> dict[str, MetricSeries]:
        return self.run.metrics if self.run else {}

    @property
    def latest_metrics(self) -> dict[str, float]:
        return self.run.latest_metric_values() if self.run else {}


@dataclass(slots=True, frozen=True)
class MetricDelta:
    key: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        """``b - a``; ``None`` when either side lacks the metric."""
        if self.a is None or self.b is None:
            return None
        return self.b - self.a


@dataclass(slots=True, frozen=True)
class ParamDiff:
    key: str
    a: str | None
    b: str | None

    @property
    def changed(self) -> bool:
        return self.a != self.b


@dataclass(slots=True)
class VersionComparison:
    """Two versions side by side: every metric with its delta, every param with a/b values."""

    a: VersionDetail
    b: VersionDetail
    metrics: list[MetricDelta] = field(default_factory=list)
    params: list[ParamDiff] = field(default_factory=list)
