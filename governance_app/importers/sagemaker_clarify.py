"""SageMaker Clarify bias reports (``analysis.json``): evidence of one model version.

Clarify writes, for each facet (a sensitive attribute) and each facet value or threshold it was
asked about, the pre-training metrics of the labels (``CI``, ``DPL``, ``KL``, ``JS``…) and the
post-training metrics of the predictions (``DI``, ``DPPL``, ``AD``, ``RD``…). Each becomes a
slice ``facet = value`` of one external evaluation of the version named with ``--model``, with
metric keys ``pre.<NAME>`` and ``post.<NAME>`` under Clarify's own names; the descriptions
Clarify gives are kept. :mod:`governance_app.analytics.clarify_metrics` recomputes the same
metrics from the app's own counts to say whether both agree.

Only the bias sections are read; an ``explanations`` section (SHAP values) is counted, not kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.domain.cloud import CloudSnapshot, EvaluationSlice, ExternalEvaluation
from governance_app.domain.registry import RegistrySnapshot
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers.cloud_fields import Fields
from governance_app.importers.registry import ImportContext, importer

KIND = "clarify"
SOURCE = "clarify-bias"
SECTIONS = {"pre_training_bias_metrics": "pre", "post_training_bias_metrics": "post"}


def detect(path: Path) -> bool:
    """A JSON file whose top level holds a Clarify bias section."""
    try:
        if not path.is_file() or path.suffix.lower() != ".json":
            return False
        with path.open("rb") as fh:
            head = fh.read(65536).decode("utf-8", "replace")
        return any(f'"{key}"' in head for key in SECTIONS)
    except OSError:
        return False


def _version(path: Path, context: ImportContext) -> tuple[str, int]:
    ref = context.options.model
    if not ref:
        raise InputError(path, "a Clarify report does not say which model version it is of",
                         expected="--model NAME:VERSION")
    name, sep, version = ref.rpartition(":")
    if not sep or not name or not version.isdigit() or int(version) < 1:
        raise InputError(path, f"--model {ref!r}", expected="NAME:VERSION, VERSION ≥ 1")
    return name, int(version)


def read_report(path: Path, data: Any) -> tuple[list[EvaluationSlice], dict[str, Any]]:
    """Slices (``facet = value``) with ``pre.``/``post.`` metrics, and the report's details."""
    top = Fields.top(path, data)
    slices: dict[tuple[str, str], EvaluationSlice] = {}
    details: dict[str, Any] = {"descriptions": {}, "version": top.text("version")}
    for section, stage in SECTIONS.items():
        part = top.obj(section)
        if part is None:
            continue
        details[f"{stage}_label"] = part.text("label")
        details["label_value_or_threshold"] = part.text("label_value_or_threshold")
        facets = part.obj("facets", required=True)
        assert facets is not None
        for facet in facets.data:
            for entry in facets.objects(facet):
                value = entry.text("value_or_threshold", required=True)
                piece = slices.setdefault((facet, value), EvaluationSlice(facet, value, {}))
                for metric in entry.objects("metrics"):
                    name = metric.text("name", required=True)
                    if metric.data.get("value") is None:
                        details.setdefault("undefined", []).append(
                            f"{stage}.{name} for {facet}={value}: "
                            f"{metric.text('error') or 'no value'}")
                        continue
                    piece.metrics[f"{stage}.{name}"] = metric.number("value")  # type: ignore
                    details["descriptions"][name] = metric.text("description")
    if not slices:
        raise InputError(path, "holds no facet metrics", expected="pre_training_bias_metrics or "
                         "post_training_bias_metrics with facets")
    if isinstance(data, dict) and "explanations" in data:
        details["explanations_present"] = True
    return list(slices.values()), details


@importer(KIND, "SageMaker Clarify bias report analysis.json (needs --model)", detect)
def read_clarify(path: Path, context: ImportContext) -> CloudSnapshot:
    """Read one ``analysis.json`` as bias evidence of the version named with ``--model``.

    Raises:
        InputError: no ``--model``, unknown settings, or a malformed report (file, field, line).
    """
    if context.options.settings:
        raise InputError(path, f"unknown option(s) {', '.join(sorted(context.options.settings))}"
                         " for a Clarify report", expected="--model NAME:VERSION only")
    model, version = _version(path, context)
    sha256 = safe_io.sha256_of_path(path)
    slices, details = read_report(path, safe_io.read_json(path))
    evaluation = ExternalEvaluation(
        model_name=model, version=version, source=SOURCE, name=f"{path.name} sha256:{sha256}",
        display_name=f"Clarify bias report {path.name}", slices=slices, details=details)
    registry = RegistrySnapshot(KIND, str(path), sha256)
    return CloudSnapshot(KIND, str(path), sha256, registry, evaluations=[evaluation])
