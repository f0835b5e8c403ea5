"""Import a path into a workspace: read it all first, then store it in one transaction."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from governance_app.domain.registry import ImportRecord
from governance_app.errors import InputError
from governance_app.gc_pause import gc_paused
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext, ImportOptions, Snapshot
from governance_app.services.workspace import Workspace
from governance_app.store import registry_reader
from governance_app.store.schema import SqlImport

ProgressFn = Callable[[int, int, str], None]
Tick = Callable[[int, int, str], None]
Writer = Callable[[Session, Any, int, Tick], dict[str, int]]
"""``writer(session, snapshot, import_id, tick) -> changes``: stores one snapshot type."""


_WRITERS: dict[tuple[str, str], tuple[str, str]] = {
    ("governance_app.domain.registry", "RegistrySnapshot"):
        ("governance_app.store.registry_writer", "save_snapshot"),
    ("governance_app.domain.lineage_snapshot", "LineageSnapshot"):
        ("governance_app.store.lineage_writer", "save_lineage"),
    ("governance_app.importers.prediction_table", "PredictionTableSnapshot"):
        ("governance_app.services.fairness", "store_prediction_table"),
    ("governance_app.domain.drift_records", "DriftSnapshot"):
        ("governance_app.services.drift", "save_drift"),
    ("governance_app.domain.bundle_snapshot", "BundleSnapshot"):
        ("governance_app.store.bundle_writer", "save_bundle"),
    ("governance_app.domain.model_card", "ModelCardSnapshot"):
        ("governance_app.services.model_cards", "store_card_snapshot"),
    ("governance_app.domain.pipeline_snapshot", "PipelineSnapshot"):
        ("governance_app.store.pipeline_writer", "save_pipeline"),
    ("governance_app.domain.cloud", "CloudSnapshot"):
        ("governance_app.store.cloud_writer", "save_cloud"),
}
"""The store writer for each snapshot type (by the type's module and name); a capability
adds its own here.

Named, not imported: the writers pull in pandas and the analytics, and the window and the
CLI parser import this module at start-up (tests/packaging/test_startup_imports.py). Only the
writer an import needs is loaded: importing a DVC project or a Kubeflow run paid ~1.2 s of
CPU for pandas, which only the prediction-table writer uses.
"""


def _writer_for(snapshot: object) -> Writer | None:
    """The writer of ``snapshot``'s exact type, imported now; None if there is none."""
    kind = type(snapshot)
    where = _WRITERS.get((kind.__module__, kind.__qualname__))
    if where is None:
        return None
    module, name = where
    writer: Writer = getattr(importlib.import_module(module), name)
    return writer


def import_path(
    ws: Workspace,
    path: Path,
    kind: str | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    *,
    model: str | None = None,
    settings: Mapping[str, Any] | None = None,
    source_label: str | None = None,
) -> ImportRecord:
    """Import one source (file or folder) all-or-nothing.

    The source is read and validated completely before the database is touched, so a
    malformed file anywhere leaves the workspace exactly as it was. Progress runs 0–100:
    reading takes the first 70, storing the rest; cancelling at any point stores nothing.

    Args:
        model: ``NAME:VERSION`` that evidence (prediction tables, drift reports, model cards)
            is attached to.
        settings: format-specific options (e.g. ``label``, ``sensitive`` for a prediction
            table).
        source_label: how the import record and audit trail name the source; the path by
            default (the demo names its shipped files without the install location).

    Raises:
        InputError: the source is malformed (names the file, line or field).
        UnknownSourceError: no importer recognises the path.
        ImportCancelled: ``is_cancelled()`` became true.
    """
    report = progress or (lambda done, total, message: None)
    cancelled = is_cancelled or (lambda: False)
    path = Path(path)

    def reading(done: int, total: int, message: str) -> None:
        report(int(70 * done / total) if total else 0, 100, message)

    # Reading and storing make many objects and no cycles: the collector's full passes over
    # the growing heap were a quarter of the CPU of 10,000 SageMaker answers (gc_pause.py).
    with gc_paused():
        options = ImportOptions(model=model, settings=dict(settings or {}))
        context = ImportContext(reading, cancelled, options)
        snapshot = registry.load(path, kind, context)
        context.check_cancelled()
        writer = _writer_for(snapshot)
        if writer is None:
            raise InputError(path, f"{snapshot.kind} sources cannot be stored in this version")

        def storing(done: int, total: int, message: str) -> None:
            report(70 + int(29 * done / total), 100, message)
            context.check_cancelled()

        from governance_app.services.audit import (  # keys, keyring: only to store
            record_import,
            registry_before_import,
        )

        counts = snapshot.counts()
        with ws.session() as session:
            before = registry_before_import(session)
            label = source_label or str(path)
            import_id = _start_import(session, snapshot, label, counts)
            changes = writer(session, snapshot, import_id, storing)
            _record_origins(session, snapshot, import_id, changes)
            counts = snapshot.counts()  # an engine may have counted what the reader could not
            session.execute(update(SqlImport).where(SqlImport.id == import_id)
                            .values(changes=changes, counts=counts))
            record_import(session, snapshot.kind, label, snapshot.source_sha256, counts, changes,
                          import_id, model, registry_before=before)
            context.check_cancelled()
            record = registry_reader.list_imports(session)[-1]
    report(100, 100, "import complete")
    return record


def _record_origins(session: Session, snapshot: Snapshot, import_id: int,
                    changes: dict[str, int]) -> None:
    """Store where each MLflow or Kubeflow version came from (the cloud writers store their
    own), after the writer numbered the versions, and the DVC stage of versions a DVC stage
    produced; adds to ``changes``."""
    from governance_app.importers.registry_origins import registry_origins
    from governance_app.services.dvc_origins import record_dvc_origins
    from governance_app.store.cloud_writer import save_origins

    origins = registry_origins(snapshot)
    found = [*(save_origins(session, origins, import_id) if origins else {}).items()]
    # Only a DVC project or new versions can complete a DVC stage ↔ version match.
    if snapshot.kind == "dvc" or getattr(snapshot, "models", None):
        found += record_dvc_origins(session, import_id).items()
    for key, value in found:
        changes[key] = changes.get(key, 0) + value


def _start_import(session: Session, snapshot: Snapshot, label: str, counts: dict[str, int]) -> int:
    return session.execute(
        insert(SqlImport).values(
            kind=snapshot.kind, source=label, source_sha256=snapshot.source_sha256,
            imported_at=datetime.now(UTC), counts=counts, changes={},
        ).returning(SqlImport.id)
    ).scalar_one()


def list_imports(ws: Workspace) -> list[ImportRecord]:
    with ws.session() as session:
        return registry_reader.list_imports(session)


def workspace_counts(ws: Workspace) -> dict[str, int]:
    with ws.session() as session:
        return registry_reader.table_counts(session)


def detect_kind(path: Path) -> str:
    """The kind import would detect for ``path`` (raises as :func:`import_path` would)."""
    return registry.detect(Path(path))


def import_kinds() -> dict[str, str]:
    """Every source kind the app can import, with a description for people."""
    return {kind: info.description for kind, info in registry.importers().items()}
