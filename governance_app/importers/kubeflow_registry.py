"""Registry records and evidence from a Kubeflow Pipelines ML Metadata store.

* Each pipeline run becomes a :class:`Run` of the experiment named after its pipeline, with
  the run's parameters (its root DAG's inputs) and, as latest metrics, every number of every
  ``system.Metrics`` artifact its tasks wrote (a later task's value wins a name clash), except
  slice metrics.
* Each ``system.Model`` a run registered (``registered_model_name`` + ``model_version`` in its
  metadata) becomes a model version of that model, produced by that run; its URI is the
  version's source, its digests, stage and labels are tags (``kfp.*``).
* Evidence on that version, from the same run: every ``system.ClassificationMetrics``
  (confusion matrix with its class labels, ROC points) and every slice-metrics artifact (a
  ``system.Metrics`` whose keys are ``<feature>=<value>/<metric>``), with the artifact's URI.

Version numbers: a label that is a whole number is used as is; others (``1.0.0``) get
provisional numbers in version order, which the store writer reconciles with the versions the
workspace already holds (the ``kfp.model_version`` tag), so re-imports keep numbers stable.
"""

from __future__ import annotations

import re
from typing import Any

from governance_app.domain.mlmd import MlmdArtifact, MlmdStore
from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    ModelVersion,
    RegisteredModel,
    Run,
)
from governance_app.importers.kubeflow_lineage import (
    RUN_STATE,
    StoreIndex,
    ms_to_utc,
    registered_model,
)

VERSION_TAG = "kfp.model_version"
EVIDENCE_FACET = "kfpEvidence"
_SLICE_KEY = re.compile(r"^[^=/]+=[^/]*/.+$")


def version_sort_key(label: str) -> tuple[Any, ...]:
    """Order version labels numerically part by part (``1.10.0`` after ``1.9.0``)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-+]", label))


def _numbers(artifact: MlmdArtifact) -> dict[str, float]:
    return {k: float(v) for k, v in artifact.properties.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def is_slice_metrics(artifact: MlmdArtifact) -> bool:
    numbers = _numbers(artifact)
    return artifact.type == "system.Metrics" and bool(numbers) and all(
        _SLICE_KEY.match(k) for k in numbers)


def _outputs_by_run(store: MlmdStore, index: StoreIndex) -> dict[str, list[MlmdArtifact]]:
    out: dict[str, list[MlmdArtifact]] = {}
    seen: set[tuple[str, int]] = set()
    for event in sorted(store.events, key=lambda e: (e.execution_id, e.artifact_id)):
        run_id = index.run_of.get(event.execution_id)
        artifact = store.artifacts.get(event.artifact_id)
        if run_id is None or artifact is None or event.type != "OUTPUT":
            continue
        if (run_id, artifact.id) not in seen:
            seen.add((run_id, artifact.id))
            out.setdefault(run_id, []).append(artifact)
    return out


def registry_records(
    store: MlmdStore,
) -> tuple[list[Experiment], list[Run], list[RegisteredModel], dict[str, dict[str, Any]]]:
    """Experiments, runs, models with versions, and evidence by placeholder version node id."""
    index = StoreIndex(store)
    outputs = _outputs_by_run(store, index)
    experiments: dict[str, Experiment] = {}
    runs: list[Run] = []
    models: dict[str, RegisteredModel] = {}
    evidence: dict[str, dict[str, Any]] = {}
    for run_id in index.run_ids:
        pipeline = index.pipeline_of[run_id] or "kubeflow"
        experiments.setdefault(pipeline, Experiment(pipeline, source_id=f"kfp:{pipeline}"))
        root = index.root_of.get(run_id)
        state = RUN_STATE.get(root.state, root.state) if root else ""
        params = (root.properties.get("inputs") if root else None) or {}
        run = Run(run_id, pipeline, name=run_id, status=state,
                  start_time=ms_to_utc(root.created_ms) if root else None,
                  end_time=ms_to_utc(root.updated_ms) if root else None,
                  params={str(k): _text(v) for k, v in params.items()},
                  tags={"kfp.pipeline": pipeline})
        run.inputs = _dataset_inputs(store, index, run_id)
        produced = outputs.get(run_id, [])
        for artifact in produced:
            if artifact.type == "system.Metrics" and not is_slice_metrics(artifact):
                run.latest_metrics.update(_numbers(artifact))
        runs.append(run)
        run_evidence = _evidence(produced)
        for artifact in produced:
            model = registered_model(artifact)
            if model is None:
                continue
            name, label = model
            holder = models.setdefault(name, RegisteredModel(name))
            if any(v.tags.get(VERSION_TAG) == label for v in holder.versions):
                continue
            holder.versions.append(_version(artifact, name, label, run))
            evidence[f"model:{name}/{label}"] = run_evidence
    for model in models.values():
        _number_versions(model)
    return list(experiments.values()), runs, list(models.values()), evidence


def _dataset_inputs(store: MlmdStore, index: StoreIndex, run_id: str) -> list[DatasetInput]:
    """Every ``system.Dataset`` a task of the run read, once (its context: the first task that
    read it): what the version detail counts as the run's dataset inputs. The source is the
    artifact's URI, so the registry's dataset node is the same one the lineage import made."""
    out: list[DatasetInput] = []
    seen: set[int] = set()
    for event in store.events:
        artifact = store.artifacts.get(event.artifact_id)
        if (event.type != "INPUT" or artifact is None or artifact.type != "system.Dataset"
                or index.run_of.get(event.execution_id) != run_id):
            continue
        if artifact.id in seen:
            continue
        seen.add(artifact.id)
        task = store.executions[event.execution_id].task_name
        meta = artifact.properties
        digest = str(meta.get("sha256") or meta.get("md5") or "")
        out.append(DatasetInput(name=artifact.display_name, digest=digest, source_type="kfp",
                                source=artifact.uri, context=task))
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _version(artifact: MlmdArtifact, name: str, label: str, run: Run) -> ModelVersion:
    meta = artifact.properties
    tags = {VERSION_TAG: label, "kfp.artifact_uri": artifact.uri}
    for key in ("md5", "sha256", "stage", "source_model_uri", "registry_uri"):
        if meta.get(key) not in (None, ""):
            tags[f"kfp.{key}"] = str(meta[key])
    labels = meta.get("labels")
    if isinstance(labels, dict):
        tags.update({f"label.{k}": str(v) for k, v in labels.items()})
    return ModelVersion(name, 0, source=artifact.uri, run_id=run.run_id,
                        status="READY", created_at=ms_to_utc(artifact.created_ms), tags=tags)


def _number_versions(model: RegisteredModel) -> None:
    """Provisional numbers: whole-number labels as is, the rest after them in version order."""
    taken = {int(v.tags[VERSION_TAG]) for v in model.versions if v.tags[VERSION_TAG].isdigit()}
    following = max(taken, default=0) + 1
    for v in sorted(model.versions, key=lambda v: version_sort_key(v.tags[VERSION_TAG])):
        label = v.tags[VERSION_TAG]
        if label.isdigit():
            v.version = int(label)
        else:
            v.version = following
            following += 1
    model.versions.sort(key=lambda v: v.version)


def _evidence(artifacts: list[MlmdArtifact]) -> dict[str, Any]:
    """ClassificationMetrics and slice metrics of one run, as plain JSON values."""
    classification = []
    slices = []
    for artifact in artifacts:
        if artifact.type == "system.ClassificationMetrics":
            classification.append(_classification(artifact))
        elif is_slice_metrics(artifact):
            per_slice: dict[str, dict[str, float]] = {}
            for key, value in sorted(_numbers(artifact).items()):
                slice_name, _, metric = key.rpartition("/")
                per_slice.setdefault(slice_name, {})[metric] = value
            slices.append({"artifact": artifact.display_name, "uri": artifact.uri,
                           "slices": per_slice})
    out: dict[str, Any] = {}
    if classification:
        out["classification_metrics"] = classification
    if slices:
        out["slice_metrics"] = slices
    return out


def _classification(artifact: MlmdArtifact) -> dict[str, Any]:
    meta = artifact.properties
    matrix = meta.get("confusionMatrix") or {}
    labels = [str(s.get("displayName", "")) for s in matrix.get("annotationSpecs") or []
              if isinstance(s, dict)]
    rows = [list(r.get("row") or []) for r in matrix.get("rows") or [] if isinstance(r, dict)]
    roc = [
        {"threshold": p.get("confidenceThreshold"), "fpr": p.get("falsePositiveRate"),
         "tpr": p.get("recall")}
        for p in meta.get("confidenceMetrics") or [] if isinstance(p, dict)
    ]
    roc.sort(key=lambda p: (p["fpr"] or 0.0, p["tpr"] or 0.0))
    return {"artifact": artifact.display_name, "uri": artifact.uri,
            "confusion_matrix": {"labels": labels, "rows": rows}, "roc": roc}
