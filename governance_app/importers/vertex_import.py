"""The Vertex AI importer: one file or a folder of ``gcloud ai … --format=json`` / REST answers.

Each file is recognised by its shape: a Model or a list of them (``models.get``,
``models.listVersions``, ``gcloud ai models describe/list-versions``), model evaluations, their
slices, pipeline jobs, and metadata lineage subgraphs. Models are read first, so evaluations and
pipeline lineage can be joined to the versions they concern (:mod:`vertex_models`,
:mod:`vertex_evaluations`, :mod:`vertex_pipeline`). Nothing is fetched: ``gs://``, ``bq://`` and
``https://`` URIs are recorded as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.domain.cloud import CloudSnapshot, VersionOrigin
from governance_app.domain.lineage import EdgeKind, LineageEdge, LineageNode, NodeKind
from governance_app.domain.lineage import model_version_id as version_node
from governance_app.domain.registry import RegisteredModel, RegistrySnapshot
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers import vertex_evaluations as ve
from governance_app.importers import vertex_models as vm
from governance_app.importers import vertex_pipeline as vp
from governance_app.importers.cloud_fields import Fields
from governance_app.importers.folder_listing import ListedFile, visible_json_files
from governance_app.importers.registry import ImportContext, importer

KIND = "vertex"
MAX_FILES = 20_000
MAX_DETECT_FILES = 500
"""Folders of more answers are not taken for Vertex's (its exports are a few files a model)."""
_LISTS = {"models": vm.is_model, "modelEvaluations": ve.is_evaluation,
          "modelEvaluationSlices": ve.is_slice, "pipelineJobs": vp.is_pipeline_job}


def _items(data: Any) -> tuple[str, list[tuple[tuple[str | int, ...], Any]]] | None:
    """(shape, [(field path, item)]) of a parsed answer, or ``None`` when it is not Vertex's."""
    for key, test in _LISTS.items():
        if isinstance(data, dict) and set(data) <= {key, "nextPageToken"} and isinstance(
                data.get(key), list):
            return key, [((key, i), item) for i, item in enumerate(data[key])]
        if test(data):
            return key, [((), data)]
    if isinstance(data, list) and data:
        for key, test in _LISTS.items():
            if all(test(item) for item in data):
                return key, [((i,), item) for i, item in enumerate(data)]
    if vp.is_subgraph(data):
        return "subgraph", [((), data)]
    return None


def _listed(path: Path) -> list[ListedFile]:
    return visible_json_files(path, MAX_FILES, "a folder of Vertex AI answers")


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else [file.as_path() for file in _listed(path)]


def detect(path: Path) -> bool:
    """Vertex answers: JSON whose resources are named ``projects/…/locations/…/…``, with at
    least one model, evaluation, slice, pipeline job or subgraph, and nothing else."""
    try:
        if path.is_file():
            files = [path] if path.suffix.lower() == ".json" else []
        else:  # counted before a Path is made: a folder of 10,000 other answers is common
            listed = _listed(path)
            if len(listed) > MAX_DETECT_FILES:
                return False
            files = [file.as_path() for file in listed]
        if not files:
            return False
        for file in files:
            if not file.is_file() or file.stat().st_size > 64 * 1024 * 1024:
                return False
            with file.open("rb") as fh:  # a cheap look first: other JSON is never parsed
                if b"projects/" not in fh.read(65536):
                    return False
            if _items(safe_io.read_json(file)) is None:
                return False
        return True
    except (OSError, InputError):
        return False


def _parsed(path: Path, context: ImportContext) -> dict[str, list[tuple[Fields, Path]]]:
    within = path if path.is_dir() else None
    found: dict[str, list[tuple[Fields, Path]]] = {k: [] for k in [*_LISTS, "subgraph"]}
    files = _files(path)
    for i, file in enumerate(files):
        context.check_cancelled()
        context.report(i, len(files), f"read {file.name}")
        data = safe_io.read_json(file, root=within)
        shape = _items(data)
        if shape is None:
            raise InputError(file, "is not a Vertex AI answer", expected="a Model, model list, "
                             "model evaluations, evaluation slices, pipeline jobs or a lineage "
                             "subgraph (gcloud --format=json or REST)")
        key, items = shape
        for parts, item in items:
            from governance_app.importers.json_paths import Places

            found[key].append((Fields(Places(file, root="$", within=within), parts, item), file))
    return found


@importer(KIND, "Vertex AI answers (models describe/list-versions, evaluations, slices, "
          "pipeline jobs, lineage subgraphs; gcloud --format=json or REST), a file or a folder",
          detect)
def read_vertex(path: Path, context: ImportContext) -> CloudSnapshot:
    """Read Vertex answers into models, versions, origins, evaluations and lineage.

    Raises:
        InputError: a file is no Vertex answer, a field has the wrong type, or an evaluation
            cannot be tied to a version (names file, field path and line).
    """
    option = _model_option(path, context)
    found = _parsed(path, context)
    models: dict[str, RegisteredModel] = {}
    origins: dict[tuple[str, int], VersionOrigin] = {}
    resources: dict[str, str] = {}
    for f, _ in found["models"]:
        vm.read_model(f, models, origins, resources)
    slices: dict[str, list[Fields]] = {}
    for f, _ in found["modelEvaluationSlices"]:
        match = ve.SLICE.match(f.text("name", required=True))
        assert match is not None
        slices.setdefault(match.group(1), []).append(f)
    evaluations = []
    for f, file in found["modelEvaluations"]:
        model, version = ve.version_of(ve.PendingEvaluation(f, file), origins, option)
        name = f.text("name", required=True)
        evaluations.append(ve.build(ve.PendingEvaluation(f, file), model, version,
                                    slices.pop(name, [])))
    if slices:
        (orphan, items), *_ = slices.items()
        raise items[0].error("name", f"slices of evaluation {orphan}, which this import does "
                             "not hold", "the evaluation's answer in the same import")
    lineage = vp.VertexLineage(resources)
    for f, _ in found["pipelineJobs"]:
        lineage.pipeline_job(f)
    for f, _ in found["subgraph"]:
        lineage.subgraph(f)
    _join_versions(lineage, origins)
    sha256 = safe_io.sha256_of_path(path)
    registry = RegistrySnapshot(KIND, str(path), sha256, models=list(models.values()))
    return CloudSnapshot(KIND, str(path), sha256, registry, origins=list(origins.values()),
                         evaluations=evaluations, lineage=lineage.graph)


def _join_versions(lineage: vp.VertexLineage, origins: dict[tuple[str, int], VersionOrigin]
                   ) -> None:
    """Each version is ``produced`` by the pipeline job that made it, when that job is read."""
    for (model, number), origin in origins.items():
        job = origin.details.get("pipeline_job") or origin.details.get("training_pipeline")
        if not job or f"run:{job}" not in lineage.graph.nodes:
            continue
        node = version_node(model, number)
        lineage.graph.add_node(LineageNode(node, NodeKind.MODEL_VERSION, f"{model}/{number}"))
        lineage.graph.add_edge(LineageEdge(f"run:{job}", node, EdgeKind.PRODUCED.value))


def _model_option(path: Path, context: ImportContext) -> tuple[str, int] | None:
    settings = set(context.options.settings)
    if settings:
        raise InputError(path, f"unknown option(s) {', '.join(sorted(settings))} for Vertex AI "
                         "answers", expected="--model NAME:VERSION at most")
    if context.options.model is None:
        return None
    name, sep, version = context.options.model.rpartition(":")
    if not sep or not version.isdigit():
        raise InputError(path, f"--model {context.options.model!r}",
                         expected="NAME:VERSION with VERSION a whole number")
    return name, int(version)
