"""Registry records: experiments, runs, metric histories, datasets, models and versions.

These are what every registry importer produces (MLflow SQLite, file store, REST JSON, our
bundle) and what the store gives back. They carry no database identity: natural keys identify
them (experiment name, run id, model name + version), so the same export imported twice, or the
same registry exported in two forms, describes the same records.

Times are timezone-aware UTC ``datetime`` values; metric timestamps stay as MLflow keeps them,
integer milliseconds since the epoch, because a history can hold millions of points.
"""

from __future__ import annotations

import hashlib
import json
import math
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_from_millis(millis: int | None) -> datetime | None:
    """Convert MLflow's epoch milliseconds to an aware UTC datetime (``None`` stays ``None``)."""
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000.0, tz=UTC)


def millis_from_utc(moment: datetime | None) -> int | None:
    """The inverse of :func:`utc_from_millis`, exact to the millisecond."""
    if moment is None:
        return None
    return round(moment.timestamp() * 1000)


@dataclass(slots=True)
class MetricSeries:
    """The full history of one metric of one run, as three parallel compact arrays.

    ``array`` keeps 24 bytes a point instead of ~100 for tuples, which matters for registries
    with millions of points. Points keep the order they were logged in.
    """

    key: str
    steps: array = field(default_factory=lambda: array("q"))
    timestamps: array = field(default_factory=lambda: array("q"))
    values: array = field(default_factory=lambda: array("d"))

    def append(self, step: int, timestamp: int, value: float) -> None:
        self.steps.append(step)
        self.timestamps.append(timestamp)
        self.values.append(value)

    def __len__(self) -> int:
        return len(self.values)

    def latest_index(self) -> int:
        """Index of the point MLflow reports as the latest value.

        MLflow's ``latest_metrics`` keeps the point with the greatest (step, timestamp, value),
        NaN counting as smaller than any number; we follow it so "latest" means the same here.
        """
        if not self.values:
            raise ValueError(f"metric {self.key!r} has no points")

        def rank(i: int) -> tuple[int, int, bool, float]:
            v = self.values[i]
            nan = math.isnan(v)
            return (self.steps[i], self.timestamps[i], not nan, 0.0 if nan else v)

        # Only points at the greatest step can win: find them with numpy over the array's
        # buffer (a history can hold millions of points), then rank those few in index order,
        # so ties resolve to the first maximal point as ranking every point would.
        import numpy as np  # here: the domain module is loaded at start-up, numpy is not

        steps = np.frombuffer(self.steps, dtype=np.int64)
        candidates = np.flatnonzero(steps == steps.max()).tolist()
        return max(candidates, key=rank)

    @property
    def latest_value(self) -> float:
        return self.values[self.latest_index()]

    def digest(self) -> str:
        """SHA-256 over the exact points, to detect a changed history on re-import."""
        h = hashlib.sha256(self.key.encode())
        h.update(self.steps.tobytes())
        h.update(self.timestamps.tobytes())
        h.update(self.values.tobytes())
        return h.hexdigest()


@dataclass(slots=True)
class DatasetInput:
    """A dataset a run consumed (``mlflow.log_input``), with the context it was used in."""

    name: str
    digest: str
    source_type: str = ""
    source: str = ""
    schema: str = ""
    profile: str = ""
    context: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Experiment:
    name: str
    source_id: str = ""
    artifact_location: str = ""
    lifecycle_stage: str = "active"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Run:
    run_id: str
    experiment_name: str
    name: str = ""
    user: str = ""
    status: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    artifact_uri: str = ""
    lifecycle_stage: str = "active"
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, MetricSeries] = field(default_factory=dict)
    inputs: list[DatasetInput] = field(default_factory=list)
    # Latest values as the source reported them when it has no history (MLflow REST runs/search).
    latest_metrics: dict[str, float] = field(default_factory=dict)

    def latest_metric_values(self) -> dict[str, float]:
        """Latest value of every metric: from the history where there is one."""
        out = dict(self.latest_metrics)
        for key, series in self.metrics.items():
            if len(series):
                out[key] = series.latest_value
        return out


@dataclass(slots=True)
class ModelVersion:
    model_name: str
    version: int
    stage: str = "None"
    description: str = ""
    source: str = ""
    run_id: str = ""
    run_link: str = ""
    status: str = "READY"
    user: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """``name:version``, how users name a version on the command line."""
        return f"{self.model_name}:{self.version}"


@dataclass(slots=True)
class RegisteredModel:
    name: str
    description: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    versions: list[ModelVersion] = field(default_factory=list)

    @property
    def owner(self) -> str:
        """Who answers for the model: its ``owner`` tag, else the newest version's creator."""
        if self.tags.get("owner"):
            return self.tags["owner"]
        for version in sorted(self.versions, key=lambda v: v.version, reverse=True):
            if version.user:
                return version.user
        return ""

    @property
    def latest_version(self) -> ModelVersion | None:
        return max(self.versions, key=lambda v: v.version, default=None)


@dataclass(slots=True)
class RegistrySnapshot:
    """Everything one registry import read, before it is stored in one transaction."""

    kind: str
    source: str
    source_sha256: str
    experiments: list[Experiment] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    models: list[RegisteredModel] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "experiments": len(self.experiments),
            "runs": len(self.runs),
            "params": sum(len(r.params) for r in self.runs),
            "metric_points": sum(len(s) for r in self.runs for s in r.metrics.values()),
            "dataset_inputs": sum(len(r.inputs) for r in self.runs),
            "models": len(self.models),
            "versions": sum(len(m.versions) for m in self.models),
        }


@dataclass(slots=True, frozen=True)
class ImportRecord:
    """One completed import, as the workspace remembers it."""

    id: int
    kind: str
    source: str
    source_sha256: str
    imported_at: datetime
    counts: dict[str, int]
    changes: dict[str, int]


_DIGEST_TEXT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode
"""``json.dumps`` with these options, without building an encoder a call (an import digests
every record: 60,000 for 10,000 SageMaker packages)."""


def content_digest(payload: object) -> str:
    """SHA-256 of a JSON-able value, used to tell whether a record changed between imports.

    Only compares our own records with themselves, never signed: sorting keys is enough here.
    """
    return hashlib.sha256(_DIGEST_TEXT(payload).encode()).hexdigest()
