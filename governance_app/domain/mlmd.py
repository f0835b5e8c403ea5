"""ML Metadata records as Kubeflow Pipelines writes them, read from a store or its JSON export.

Plain values only: property wrappers (``stringValue``, ``structValue`` …) are already
unwrapped, enums are names (``COMPLETE``, ``OUTPUT``), times are epoch milliseconds as MLMD
keeps them. The KFP importers turn these into lineage, registry records and evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class MlmdArtifact:
    id: int
    type: str
    uri: str
    name: str = ""
    state: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    created_ms: int | None = None

    @property
    def display_name(self) -> str:
        return str(self.properties.get("display_name") or self.name or self.uri.rsplit("/", 1)[-1])


@dataclass(slots=True)
class MlmdExecution:
    id: int
    type: str
    state: str = ""
    name: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    created_ms: int | None = None
    updated_ms: int | None = None

    @property
    def task_name(self) -> str:
        return str(self.properties.get("task_name") or self.properties.get("display_name")
                   or self.name or f"execution {self.id}")


@dataclass(slots=True)
class MlmdEvent:
    artifact_id: int
    execution_id: int
    type: str
    key: str = ""
    time_ms: int | None = None


@dataclass(slots=True)
class MlmdContext:
    id: int
    type: str
    name: str
    properties: dict[str, Any] = field(default_factory=dict)
    created_ms: int | None = None


@dataclass(slots=True)
class MlmdStore:
    """Everything read from one ML Metadata store (or export).

    Attributes:
        executions_of: context id → execution ids (associations).
        artifacts_of: context id → artifact ids (attributions).
        parents: child context id → parent context ids.
    """

    schema_version: str = ""
    artifacts: dict[int, MlmdArtifact] = field(default_factory=dict)
    executions: dict[int, MlmdExecution] = field(default_factory=dict)
    events: list[MlmdEvent] = field(default_factory=list)
    contexts: dict[int, MlmdContext] = field(default_factory=dict)
    executions_of: dict[int, list[int]] = field(default_factory=dict)
    artifacts_of: dict[int, list[int]] = field(default_factory=dict)
    parents: dict[int, list[int]] = field(default_factory=dict)
