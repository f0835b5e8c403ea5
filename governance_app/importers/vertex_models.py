"""Vertex AI models: ``gcloud ai models describe/list-versions --format=json`` and REST answers.

A Vertex model is one resource (``projects/…/models/<id>``) with numbered versions; here it is a
model named by its ``displayName`` (as its users name it), each ``versionId`` a version, with
``versionAliases`` (``default`` included) as aliases and ``labels`` as tags. The resource name
(``…/models/<id>@<version>``) is the version's origin; the pipeline job or training pipeline
that made it, its artifact URI and container image are kept as the origin's details.

Protobuf JSON is read in all its forms (:mod:`cloud_fields`): int64 as strings, enums by name,
default fields omitted.
"""

from __future__ import annotations

import re
from typing import Any

from governance_app.domain.cloud import VersionOrigin
from governance_app.domain.registry import ModelVersion, RegisteredModel
from governance_app.importers.cloud_fields import Fields

MODEL_NAME = re.compile(r"projects/[^/]+/locations/[^/]+/models/[^/@]+\Z")


def is_model(data: Any) -> bool:
    """A Model resource: a ``…/models/<id>`` name and a display name."""
    return (isinstance(data, dict) and isinstance(data.get("name"), str)
            and bool(MODEL_NAME.match(data["name"])) and "displayName" in data)


def read_model(f: Fields, models: dict[str, RegisteredModel],
               origins: dict[tuple[str, int], VersionOrigin],
               resources: dict[str, str]) -> None:
    """Add one Model answer (one version) to ``models`` and ``origins``.

    ``resources`` maps each Vertex model resource name to the display name it was given, so
    two resources with one display name are refused rather than merged.
    """
    resource = f.text("name", required=True)
    display = f.text("displayName", required=True)
    known = resources.setdefault(resource, display)
    if known != display:
        raise f.error("displayName", f"model {resource} is named {display!r} here and "
                      f"{known!r} elsewhere", "one display name per model resource")
    for other, name in resources.items():
        if name == display and other != resource:
            raise f.error("displayName", f"two Vertex models ({other} and {resource}) share "
                          f"the display name {display!r}", "one model per display name")
    number = f.integer("versionId", required=False) or 1
    if number < 1:
        raise f.error("versionId", f"versionId is {number}", "a version number ≥ 1")
    model = models.setdefault(display, RegisteredModel(name=display))
    model.description = f.text("description") or model.description
    created = f.time("createTime")
    if created and (model.created_at is None or created < model.created_at):
        model.created_at = created
    updated = f.time("updateTime")
    if updated and (model.updated_at is None or updated > model.updated_at):
        model.updated_at = updated
    aliases = f.texts("versionAliases")
    version = ModelVersion(
        model_name=display, version=number, description=f.text("versionDescription"),
        source=f.text("artifactUri"), status="READY",
        created_at=f.time("versionCreateTime") or created,
        updated_at=f.time("versionUpdateTime") or updated,
        tags=f.string_map("labels"), aliases=sorted(aliases),
    )
    model.versions = [v for v in model.versions if v.version != number] + [version]
    model.versions.sort(key=lambda v: v.version)
    for alias in aliases:
        model.aliases[alias] = number
    origins[(display, number)] = VersionOrigin(
        model_name=display, version=number, origin="vertex",
        source_id=f"{resource}@{number}", model_source_id=resource, details=_details(f))


def _details(f: Fields) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, label in (("pipelineJob", "pipeline_job"), ("trainingPipeline", "training_pipeline"),
                       ("artifactUri", "artifact_uri"), ("metadataArtifact", "metadata_artifact"),
                       ("metadataSchemaUri", "metadata_schema_uri"), ("etag", "etag")):
        if f.text(key):
            out[label] = f.text(key)
    container = f.obj("containerSpec")
    if container is not None and container.text("imageUri"):
        out["images"] = [container.text("imageUri")]
    source = f.obj("modelSourceInfo")
    if source is not None and source.text("sourceType"):
        out["source_type"] = source.text("sourceType")
    return out
