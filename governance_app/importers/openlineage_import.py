"""Registers the OpenLineage reader with the importer registry (kind ``openlineage``).

Kept apart from :mod:`openlineage` (reading and merging) so that module stays about the
format. Detection must be cheap and must not claim other JSON exports: a ``.jsonl``/``.ndjson``
file is ours by its suffix; a ``.json`` file only when its first event carries ``eventTime``,
``producer`` and a ``run`` or ``job``; a folder when every file in it is one of those.
The identity rule for model versions can be changed per import with the ``model_namespace``
and ``model_prefix`` settings (defaults: ``mlflow://registry``, ``models/``).
"""

from __future__ import annotations

import os
from pathlib import Path

from governance_app.domain.lineage import DEFAULT_MODEL_RULE, ModelIdentityRule
from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.errors import InputError
from governance_app.importers.json_outline import JsonOutline, outline
from governance_app.importers.openlineage import SUFFIXES, load_openlineage
from governance_app.importers.registry import ImportContext, importer

KIND = "openlineage"
_LINES = (".jsonl", ".ndjson")
_SETTINGS = ("model_namespace", "model_prefix")


EVENT_KEYS = ("eventTime", "producer")
"""Every OpenLineage event has these; a RunEvent or JobEvent also has ``run`` or ``job``
(a DatasetEvent has ``dataset``)."""


EVENT_TOP_LEVEL = frozenset({"eventTime", "eventType", "producer", "schemaURL", "run", "job",
                             "inputs", "outputs", "dataset"})
"""Every top-level key an OpenLineage event may have: any other one ends the scan (not ours)."""


def _is_event_outline(found: JsonOutline) -> bool:
    return found.has(*EVENT_KEYS) and any(k in found.keys for k in ("run", "job", "dataset"))


def _json_file_is_events(path: Path) -> bool:
    """Stream the outermost keys (or the first event's, in a list): the Java client writes
    ``producer`` after facets that can be megabytes long, so neither order nor size may matter."""
    found = outline(path, wanted=(*EVENT_KEYS, "run"), only=EVENT_TOP_LEVEL)
    return found.container in ("object", "array") and _is_event_outline(found)


def near_miss(path: Path) -> str | None:
    """A JSON file with some of an event's keys: which event keys it lacks."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return None
    found = outline(path)
    seen = [k for k in ("eventTime", "eventType", "producer", "schemaURL", "run", "job")
            if k in found.keys]
    if len(seen) < 2 or _is_event_outline(found):
        return None
    missing = [k for k in EVENT_KEYS if k not in found.keys]
    if not any(k in found.keys for k in ("run", "job", "dataset")):
        missing.append("run, job or dataset")
    return f"an OpenLineage event without {' and '.join(missing)}"


def _file_is_events(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in _LINES:
        return True
    return suffix == ".json" and _json_file_is_events(path)


def detect(path: Path) -> bool:
    """A ``.jsonl``/``.ndjson`` file, a ``.json`` file of events, or a folder of only those."""
    if path.is_file():
        return _file_is_events(path)
    if not path.is_dir():
        return False
    found = False
    for folder, dirs, names in os.walk(path, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            file = Path(folder, name)
            if file.suffix.lower() not in SUFFIXES or not _file_is_events(file):
                return False
            found = True
    return found


def _rule(ctx: ImportContext, path: Path) -> ModelIdentityRule:
    settings = dict(ctx.options.settings)
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise InputError(
            path,
            f"OpenLineage imports take no setting {', '.join(map(repr, unknown))}",
            expected=f"only {', '.join(_SETTINGS)}",
        )
    return ModelIdentityRule(
        namespace=str(settings.get("model_namespace", DEFAULT_MODEL_RULE.namespace)),
        prefix=str(settings.get("model_prefix", DEFAULT_MODEL_RULE.prefix)),
    )


@importer(KIND, "OpenLineage RunEvents (.json, .jsonl/.ndjson, or a folder of them)", detect,
          near_miss=near_miss)
def read(path: Path, ctx: ImportContext) -> LineageSnapshot:
    """Read every event under ``path`` into one lineage snapshot, touching no database.

    Raises:
        InputError: an event is invalid (names file, line and field), the path holds no
            events, or a setting is unknown.
        ImportCancelled: the context reported a cancel request.
    """
    result = load_openlineage(path, ctx, _rule(ctx, path))
    return LineageSnapshot(
        kind=KIND,
        source=str(path),
        source_sha256=result.source_sha256,
        graph=result.graph,
        events=result.events,
        runs=result.runs,
        files=result.files,
        notes=result.notes,
    )
