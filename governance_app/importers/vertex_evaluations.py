"""Vertex AI model evaluations and evaluation slices (classification metrics).

``ModelEvaluation`` answers (``models/<id>@<v>/evaluations`` list or get, or ``gcloud ai
model-evaluations list``) become evidence of a version under Vertex's own metric names:
``auRoc``, ``auPrc``, ``logLoss``, the confusion matrix, and the confidence metrics (one row per
threshold). ``ModelEvaluationSlice`` answers add per-slice metrics (``sex = female``), shown in
the Fairness view's slice tab.

An evaluation's resource name does not always say which version it evaluated (the list answer
of ``models/<id>@2/evaluations`` names ``models/<id>/evaluations/…``). The version is taken, in
this order, from the name (``models/<id>@<v>``), from the pipeline job in the evaluation's
``metadata.pipeline_job_id`` matching a version's producing pipeline job, or from the file name
(``models@<v>.evaluations…json``, as scripts name REST answers); otherwise it is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance_app.domain.cloud import EvaluationSlice, ExternalEvaluation, VersionOrigin
from governance_app.importers.cloud_fields import Fields, iso

SOURCE = "vertex-evaluation"
EVALUATION = re.compile(r"(projects/[^/]+/locations/[^/]+/models/[^/@]+)(?:@(\d+))?/"
                        r"evaluations/([^/]+)\Z")
SLICE = re.compile(r"(.+/evaluations/[^/]+)/slices/[^/]+\Z")
FILE_VERSION = re.compile(r"@(\d+)")
SCALARS = ("auRoc", "auPrc", "logLoss", "meanAbsoluteError", "rootMeanSquaredError")


def is_evaluation(data: Any) -> bool:
    return isinstance(data, dict) and bool(EVALUATION.match(str(data.get("name", ""))))


def is_slice(data: Any) -> bool:
    return isinstance(data, dict) and bool(SLICE.match(str(data.get("name", "")))) and (
        "slice" in data)


@dataclass
class PendingEvaluation:
    """An evaluation read, waiting for the models of the import to name its version."""

    fields: Fields
    file: Path


def _metrics(f: Fields | None) -> tuple[dict[str, float], dict[str, Any]]:
    """Scalar metrics by Vertex name, and the structured rest (matrix, confidence rows)."""
    if f is None:
        return {}, {}
    scalars = {key: f.number(key) for key in SCALARS if f.has(key)}
    details: dict[str, Any] = {}
    matrix = f.obj("confusionMatrix")
    if matrix is not None:
        rows = matrix.data.get("rows", [])
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise matrix.error("rows", "rows is not a list of rows", "a matrix of counts")
        details["confusion_matrix"] = {
            "labels": [s.text("displayName") for s in matrix.objects("annotationSpecs")],
            "rows": [[_count(matrix, i, x) for x in row] for i, row in enumerate(rows)],
        }
    confidence = []
    for row in f.objects("confidenceMetrics"):
        confidence.append({key: row.number(key) for key in row.data
                           if isinstance(row.data[key], (int, float, str))
                           and key != "confusionMatrix"})
    if confidence:
        details["confidence_metrics"] = confidence
    return scalars, details


def _count(matrix: Fields, i: int, value: Any) -> float:
    """A confusion-matrix cell: ``116``, ``116.0`` and ``"116"`` are the same count."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise matrix.error("rows", f"row {i} holds {value!r}", "numbers") from None
    return number


def version_of(pending: PendingEvaluation, origins: dict[tuple[str, int], VersionOrigin],
               option: tuple[str, int] | None) -> tuple[str, int]:
    """The (model, version) an evaluation belongs to (module docstring for the order)."""
    f = pending.fields
    match = EVALUATION.match(f.text("name"))
    assert match is not None
    resource, number, _ = match.groups()
    candidates = [o for o in origins.values() if o.model_source_id == resource]
    if number is not None:
        for o in candidates:
            if o.version == int(number):
                return o.model_name, o.version
    metadata = f.obj("metadata")
    job = metadata.text("pipeline_job_id") if metadata and isinstance(
        metadata.data.get("pipeline_job_id"), str) else ""
    if job:
        for o in candidates:
            if str(o.details.get("pipeline_job", "")).endswith("/" + job):
                return o.model_name, o.version
    in_name = FILE_VERSION.search(pending.file.name)
    if in_name:
        for o in candidates:
            if o.version == int(in_name.group(1)):
                return o.model_name, o.version
    if option is not None:
        return option
    raise f.error("name", f"cannot tell which version of {resource} this evaluation is of: "
                  "import it with the model's versions, or name the version with --model",
                  "models/<id>@<version>/evaluations/… or the model answers in the same import")


def build(pending: PendingEvaluation, model: str, version: int,
          slices: list[Fields]) -> ExternalEvaluation:
    f = pending.fields
    name = f.text("name", required=True)
    metrics, details = _metrics(f.obj("metrics"))
    details["metrics_schema"] = f.text("metricsSchemaUri")
    metadata = f.obj("metadata")
    if metadata is not None:
        details["metadata"] = metadata.data
    if f.texts("sliceDimensions"):
        details["slice_dimensions"] = f.texts("sliceDimensions")
    out_slices = []
    for s in slices:
        spec = s.obj("slice", required=True)
        assert spec is not None
        scalars, rest = _metrics(s.obj("metrics"))
        matrix = rest.get("confusion_matrix")
        if matrix:
            scalars.update(_rates(matrix["rows"]))
        out_slices.append(EvaluationSlice(spec.text("dimension", required=True),
                                          spec.text("value"), scalars, s.text("name")))
    return ExternalEvaluation(
        model_name=model, version=version, source=SOURCE, name=name,
        display_name=f.text("displayName"), metrics=metrics, slices=out_slices,
        details=details, created_at=iso(f.time("createTime")),
    )


def _rates(rows: list[list[float]]) -> dict[str, float]:
    """Rates of a 2×2 matrix (rows: true class, columns: predicted; class 1 positive)."""
    if len(rows) != 2 or any(len(r) != 2 for r in rows):
        return {}
    (tn, fp), (fn, tp) = rows
    total = tn + fp + fn + tp
    out = {"count": total}
    if total:
        out["selection_rate"] = (tp + fp) / total
        out["accuracy"] = (tp + tn) / total
    if tp + fn:
        out["tpr"] = tp / (tp + fn)
    if fp + tn:
        out["fpr"] = fp / (fp + tn)
    return out
