"""The model registry of an MLflow file store: ``mlruns/models/<name>/version-<n>/``.

Each registered model folder holds its ``meta.yaml``, ``tags/``, ``aliases/`` (one file per
alias holding a version number) and a ``version-<n>`` folder per version. MLflow marks a
deleted version with a stage instead of removing its folder; such versions are left out.
"""

from __future__ import annotations

import os
import re

from governance_app.domain.registry import ModelVersion, RegisteredModel, utc_from_millis
from governance_app.errors import InputError
from governance_app.importers.confined_tree import ConfinedTree
from governance_app.importers.mlflow_filestore_meta import (
    META,
    millis_field,
    read_meta,
    tag_map,
    text_field,
)

DELETED_STAGE = "Deleted_Internal"
"""Stage the file registry gives a deleted version instead of removing its folder."""

_VERSION_DIR = re.compile(r"version-(\d+)")


def read_model(tree: ConfinedTree, folder: str) -> RegisteredModel:
    """The registered model in ``folder`` with its versions, deleted versions left out."""
    listing = tree.listing(folder)
    path, meta = read_meta(tree, folder, listing, "name", "registered model")
    name = text_field(meta, "name", path)
    if name != os.path.basename(folder):
        raise InputError(
            path,
            f"name {name!r} differs from its folder's name",
            location="field name",
            expected="the model folder's name",
        )
    # MLflow reads aliases from the aliases/ folder and ignores the copy in meta.yaml.
    if "aliases" in listing:
        raw = [(a, tree.read_text(f).strip(), f) for a, f in tree.files(listing["aliases"])]
    else:
        raw = [(a, v, str(path)) for a, v in tag_map(meta.get("aliases"), path, "aliases").items()]
    aliases = {}
    for alias, value, where in raw:
        if not value.isdigit():
            raise InputError(
                where,
                f"alias {alias!r} points at {value!r}",
                location=f"alias {alias}",
                expected="a version number",
            )
        aliases[alias] = int(value)
    model = RegisteredModel(
        name=name,
        description=text_field(meta, "description", path),
        created_at=utc_from_millis(millis_field(meta, "creation_timestamp", path)),
        updated_at=utc_from_millis(millis_field(meta, "last_updated_timestamp", path)),
        tags=tree.texts(listing.get("tags")),
        aliases=aliases,
    )
    for entry in tree.folders(folder, frozenset({"tags", "aliases"})):
        match = _VERSION_DIR.fullmatch(entry.name)
        if match is None:
            raise InputError(
                entry.path,
                "not an MLflow model version folder",
                expected=f"version-<n>/{META} with version",
            )
        version = _version(tree, entry.path, name, int(match.group(1)), aliases)
        if version is not None:
            model.versions.append(version)
    model.versions.sort(key=lambda v: v.version)
    return model


def _version(
    tree: ConfinedTree, folder: str, model: str, number: int, aliases: dict[str, int]
) -> ModelVersion | None:
    listing = tree.listing(folder)
    path, meta = read_meta(tree, folder, listing, "version", "model version")
    version = meta["version"]
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool) or version != number:
        raise InputError(
            path,
            f"version is {meta['version']!r}",
            location="field version",
            expected=f"{number}, the number in the folder's name",
        )
    stage = text_field(meta, "current_stage", path) or "None"
    if stage == DELETED_STAGE:
        return None
    return ModelVersion(
        model_name=model,
        version=version,
        stage=stage,
        description=text_field(meta, "description", path),
        source=text_field(meta, "source", path),
        run_id=text_field(meta, "run_id", path),
        run_link=text_field(meta, "run_link", path),
        status=text_field(meta, "status", path) or "READY",
        user=text_field(meta, "user_id", path),
        created_at=utc_from_millis(millis_field(meta, "creation_timestamp", path)),
        updated_at=utc_from_millis(millis_field(meta, "last_updated_timestamp", path)),
        tags=tree.texts(listing.get("tags")),
        aliases=sorted(a for a, v in aliases.items() if v == version),
    )
