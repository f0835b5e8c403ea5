"""SageMaker Model Registry importer: saved answers of the AWS CLI or boto3.

Reads ``aws sagemaker list-model-package-groups``, ``list-model-packages``,
``describe-model-package-group``, ``describe-model-package`` and ``list-tags`` answers, one file
or a folder of them (subfolders included, e.g. ``history/`` with earlier ``describe`` answers).
Package groups become models (named by the group name, as SageMaker users name them) and
packages become versions (numbered by ``ModelPackageVersion``). The ARN of each is kept as the
version's origin, the approval status as a read-only *external decision* with its history.

Timestamps come in every rendering the tools print (:mod:`cloud_fields`). ``list-tags`` answers
carry no resource ARN, so their file name says which group they belong to:
``list-tags[.model-package-group].<group>.json``, as ``aws … > file`` scripts name them.
Nothing is fetched: S3 URIs of model data and metric reports are recorded as text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from governance_app.domain.cloud import CloudSnapshot, DecisionEvent, VersionOrigin
from governance_app.domain.registry import ModelVersion, RegisteredModel, RegistrySnapshot
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers.cloud_fields import Fields, iso
from governance_app.importers.folder_listing import ListedFile, visible_json_files
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.sagemaker_lineage import lineage_of

KIND = "sagemaker-registry"
MAX_FILES = 100_000
DETECT_BYTES = 4096
DETECT_ALL = 200
"""Folders of up to this many answers are detected by the head of every one …"""
DETECT_SAMPLE = 64
"""… larger ones by the heads of this many, spread evenly over the sorted files."""


def _shape(data: Any) -> str | None:
    """Which answer a parsed file is, or ``None``."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("ModelPackageGroupSummaryList"), list):
        return "groups"
    if isinstance(data.get("ModelPackageSummaryList"), list):
        return "packages"
    if "ModelPackageArn" in data and "ModelPackageGroupName" in data:
        return "package"
    if "ModelPackageGroupArn" in data and "ModelPackageGroupName" in data:
        return "group"
    if "ModelPackageArn" in data and len(data) == 1:
        return "update"  # update-model-package answers only name the ARN: nothing to keep
    if isinstance(data.get("Tags"), list) and set(data) <= {"Tags", "NextToken"}:
        return "tags"
    return None


def _listed(path: Path) -> list[ListedFile]:
    """The answers under a folder: ``*.json`` files but hidden ones.

    Raises:
        InputError: a link among them (links are neither followed nor read, so nothing outside
            the folder is ever opened and the files need no resolving one by one), or more
            than :data:`MAX_FILES` of them.
    """
    files = visible_json_files(path, MAX_FILES, "a folder of SageMaker answers")
    for file in files:
        if file.link:
            raise InputError(file.as_path(), "is a link; links are not followed",
                             expected="the answers themselves inside the folder")
    return files


def _answers(path: Path) -> list[tuple[Path, str]]:
    """Each file to read, with its name relative to the folder (a lone file: its own name)."""
    if path.is_file():
        return [(path, path.name)]
    return [(file.as_path(), file.rel) for file in _listed(path)]


_HEAD_KEYS = ('"ModelPackageGroupSummaryList"', '"ModelPackageSummaryList"', '"ModelPackageArn"',
              '"ModelPackageGroupArn"')


def _sample(files: list[ListedFile]) -> list[ListedFile]:
    """Every file of a folder up to :data:`DETECT_ALL` of them, else :data:`DETECT_SAMPLE`
    spread evenly from the first to the last (the reader checks every one, naming a file that
    is not an answer)."""
    if len(files) <= DETECT_ALL:
        return files
    last = len(files) - 1
    return [files[round(i * last / (DETECT_SAMPLE - 1))] for i in range(DETECT_SAMPLE)]


def _head_says(file: str) -> bool | None:
    """True for the head of a registry answer, None for a list-tags answer (which any
    AWS service prints), False for anything else."""
    with open(file, "rb") as fh:
        head = fh.read(DETECT_BYTES).decode("utf-8", "replace")
    if any(key in head for key in _HEAD_KEYS):
        return True
    return None if '"Tags"' in head else False


def detect(path: Path) -> bool:
    """JSON answers of the SageMaker registry: a file, or a folder holding only such files.

    A folder of many answers is judged by a sample of them: reading the head of each of
    10,000 answers was a tenth of importing them, and the reader reads every one anyway.
    """
    try:
        if path.is_file():
            return path.suffix.lower() == ".json" and _head_says(os.fspath(path)) is True
        files = _listed(path)
        # A FIFO or a device would block or never end: none is opened, sampled or not.
        if not files or not all(file.is_file for file in files):
            return False
        sure = False
        for file in _sample(files):
            says = _head_says(file.path)
            if says is False:
                return False
            sure = sure or bool(says)
        return sure
    except (OSError, InputError):
        return False


@dataclass
class _Group:
    name: str
    arn: str = ""
    description: str = ""
    created_at: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class _Answer:
    """One describe/list entry of a package, with where it was read (for ordering)."""

    fields: Fields
    in_history: bool
    order: str
    full: bool  # a describe answer (not a list summary)


@dataclass
class _Reading:
    groups: dict[str, _Group] = field(default_factory=dict)
    packages: dict[str, list[_Answer]] = field(default_factory=dict)
    tag_files: list[tuple[Path, Fields]] = field(default_factory=list)

    def group(self, name: str) -> _Group:
        return self.groups.setdefault(name, _Group(name))


def _read_group(reading: _Reading, f: Fields) -> None:
    group = reading.group(f.text("ModelPackageGroupName", required=True))
    group.arn = f.text("ModelPackageGroupArn") or group.arn
    group.description = f.text("ModelPackageGroupDescription") or group.description
    group.created_at = f.time("CreationTime") or group.created_at


def _read_file(reading: _Reading, file: Path, rel: str) -> None:
    data = safe_io.read_json(file)
    shape = _shape(data)
    top = Fields.top(file, data)
    if shape is None:
        raise InputError(file, "is not a SageMaker Model Registry answer",
                         expected="a list-model-package-groups, list-model-packages, describe-"
                         "model-package(-group) or list-tags answer")
    in_history = "history" in rel.split("/")[:-1] or ".before-update" in file.name
    if shape == "groups":
        for item in top.objects("ModelPackageGroupSummaryList"):
            _read_group(reading, item)
    elif shape == "group":
        _read_group(reading, top)
    elif shape in ("packages", "package"):
        items = top.objects("ModelPackageSummaryList") if shape == "packages" else [top]
        for item in items:
            arn = item.text("ModelPackageArn", required=True)
            reading.group(item.text("ModelPackageGroupName", required=True))
            reading.packages.setdefault(arn, []).append(
                _Answer(item, in_history, rel, full=shape == "package"))
    elif shape == "tags":
        reading.tag_files.append((file, top))


def _tags_owner(reading: _Reading, file: Path) -> str:
    stem = file.name[: -len(".json")]
    for name in sorted(reading.groups, key=len, reverse=True):
        if stem == name or stem.endswith("." + name):
            return name
    raise InputError(file, "list-tags answers name no resource, and this file name names no "
                     "model package group of the import",
                     expected="a file named list-tags.model-package-group.<group name>.json")


def _details(f: Fields) -> dict[str, Any]:
    """What SageMaker says about a package beyond the registry fields, as plain JSON."""
    out: dict[str, Any] = {}
    spec = f.obj("InferenceSpecification")
    if spec is not None:
        out["images"] = [c.text("Image") for c in spec.objects("Containers")]
        out["model_data"] = [c.text("ModelDataUrl") for c in spec.objects("Containers")
                             if c.text("ModelDataUrl")]
        frameworks = [f"{c.text('Framework')} {c.text('FrameworkVersion')}".strip()
                      for c in spec.objects("Containers") if c.text("Framework")]
        if frameworks:
            out["frameworks"] = frameworks
    metrics = f.obj("ModelMetrics")
    if metrics is not None:
        out["metrics"] = _metric_reports(metrics)
    lifecycle = f.obj("ModelLifeCycle")
    if lifecycle is not None:
        out["lifecycle_stage"] = lifecycle.text("Stage")
        out["lifecycle_stage_status"] = lifecycle.text("StageStatus")
        if lifecycle.text("StageDescription"):
            out["lifecycle_stage_description"] = lifecycle.text("StageDescription")
    source = f.obj("SourceAlgorithmSpecification")
    if source is not None:
        out["source_algorithms"] = [a.text("AlgorithmName") for a in
                                    source.objects("SourceAlgorithms")]
    meta = f.obj("MetadataProperties")
    if meta is not None:
        for key, label in (("GeneratedBy", "training_job"), ("CommitId", "commit"),
                           ("Repository", "repository"), ("ProjectId", "project")):
            if meta.text(key):
                out[label] = meta.text(key)
    data_sources = [v for k, v in f.string_map("CustomerMetadataProperties").items()
                    if "dataset" in k or "data_source" in k]
    data_sources += [c.text("S3Uri") for c in _data_sources(f)]
    if data_sources:
        out["data_sources"] = data_sources
    for key, label in (("Domain", "domain"), ("Task", "task"),
                       ("SamplePayloadUrl", "sample_payload")):
        if f.text(key):
            out[label] = f.text(key)
    if f.has("CustomerMetadataProperties"):
        out["customer_metadata"] = f.string_map("CustomerMetadataProperties")
    return out


def _data_sources(f: Fields) -> list[Fields]:
    """S3 data sources of validation jobs (``ValidationSpecification``), if any."""
    spec = f.obj("ValidationSpecification")
    out: list[Fields] = []
    if spec is None:
        return out
    for profile in spec.objects("ValidationProfiles"):
        job = profile.obj("TransformJobDefinition")
        inp = job.obj("TransformInput") if job else None
        src = inp.obj("DataSource") if inp else None
        s3 = src.obj("S3DataSource") if src else None
        if s3 is not None:
            out.append(s3)
    return out


def _metric_reports(metrics: Fields) -> dict[str, str]:
    """``ModelQuality.Statistics`` → its S3 URI, for every report ``ModelMetrics`` names."""
    out: dict[str, str] = {}
    for group, value in metrics.data.items():
        if not isinstance(value, dict):
            continue
        for report, spec in value.items():
            if isinstance(spec, dict) and isinstance(spec.get("S3Uri"), str):
                out[f"{group}.{report}"] = spec["S3Uri"]
    return out


def _decision(f: Fields, by_key: str = "LastModifiedBy") -> DecisionEvent:
    by = f.obj(by_key)
    return DecisionEvent(
        decision=f.text("ModelApprovalStatus"),
        note=f.text("ApprovalDescription"),
        at=iso(f.time("LastModifiedTime") or f.time("CreationTime")),
        by=by.text("UserProfileName") if by else "",
    )


def _version(arn: str, answers: list[_Answer], group: _Group) -> tuple[ModelVersion,
                                                                        VersionOrigin]:
    def rank(a: _Answer) -> tuple[bool, bool, str, str]:
        moment = a.fields.time("LastModifiedTime") or a.fields.time("CreationTime")
        return (not a.in_history, a.full, iso(moment), a.order)

    ordered = sorted(answers, key=rank)
    current = ordered[-1].fields
    full = [a for a in ordered if a.full]
    number = current.integer("ModelPackageVersion")
    if number is None or number < 0:
        raise current.error("ModelPackageVersion", f"ModelPackageVersion is {number!r}",
                            "a version number")
    details = _details(current)
    creator = current.obj("CreatedBy")
    version = ModelVersion(
        model_name=group.name,
        version=number,
        stage="None",
        description=current.text("ModelPackageDescription"),
        source=(details.get("model_data") or [""])[0],
        status=current.text("ModelPackageStatus") or "READY",
        user=creator.text("UserProfileName") if creator else "",
        created_at=current.time("CreationTime"),
        updated_at=current.time("LastModifiedTime"),
        tags=dict(details.get("customer_metadata", {})),
    )
    history: list[DecisionEvent] = []
    for answer in ordered:
        if not answer.full and len(full) > 0:
            continue
        event = _decision(answer.fields)
        if event.decision and (not history or history[-1].decision != event.decision
                               or history[-1].note != event.note):
            history.append(event)
    origin = VersionOrigin(
        model_name=group.name,
        version=number,
        origin="sagemaker",
        source_id=arn,
        model_source_id=group.arn,
        external_decision=current.text("ModelApprovalStatus"),
        decision_note=current.text("ApprovalDescription"),
        decision_history=history,
        details=details,
    )
    return version, origin


def build(reading: _Reading, path: Path, sha256: str) -> CloudSnapshot:
    """Turn the answers read into registry records and origins."""
    for file, tags in reading.tag_files:
        owner = reading.groups[_tags_owner(reading, file)]
        for item in tags.objects("Tags"):
            owner.tags[item.text("Key", required=True)] = item.text("Value")
    models: dict[str, RegisteredModel] = {}
    origins: list[VersionOrigin] = []
    for name, group in sorted(reading.groups.items()):
        models[name] = RegisteredModel(name=name, description=group.description,
                                       created_at=group.created_at, tags=dict(group.tags))
    seen: dict[tuple[str, int], str] = {}
    for arn, answers in reading.packages.items():
        group_name = answers[-1].fields.text("ModelPackageGroupName", required=True)
        version, origin = _version(arn, answers, reading.groups[group_name])
        if (group_name, version.version) in seen:
            raise answers[-1].fields.error(
                "ModelPackageVersion", f"{group_name} version {version.version} is named by "
                f"two ARNs ({seen[(group_name, version.version)]} and {arn})",
                "one ARN per package version")
        seen[(group_name, version.version)] = arn
        models[group_name].versions.append(version)
        origins.append(origin)
    for model in models.values():
        model.versions.sort(key=lambda v: v.version)
        stamps = [t for v in model.versions for t in (v.updated_at, v.created_at) if t]
        model.updated_at = max(stamps, default=model.created_at)
    registry = RegistrySnapshot(KIND, str(path), sha256, models=list(models.values()))
    return CloudSnapshot(KIND, str(path), sha256, registry, origins=origins,
                         lineage=lineage_of(origins))


@importer(KIND, "SageMaker Model Registry answers (list/describe model packages and groups, "
          "list-tags; AWS CLI v1/v2 or boto3 JSON), a file or a folder", detect)
def read_sagemaker_registry(path: Path, context: ImportContext) -> CloudSnapshot:
    """Read every answer under ``path`` into models, versions and their origins.

    Raises:
        InputError: a file is not a registry answer, or a field has the wrong type (names the
            file, field path and line).
    """
    sha256 = safe_io.sha256_of_path(path)
    files = _answers(path)
    reading = _Reading()
    for i, (file, rel) in enumerate(files):
        context.check_cancelled()
        _read_file(reading, file, rel)
        if i % 200 == 0:
            context.report(i, len(files), f"read {file.name}")
    context.report(len(files), len(files), "SageMaker answers read")
    return build(reading, path, sha256)
