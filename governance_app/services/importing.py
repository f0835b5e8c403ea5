"""Import a path into a workspace: read it all first, then store it in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, update

from governance_app.domain.registry import ImportRecord
from governance_app.importers import registry
from governance_app.importers.registry import ImportContext
from governance_app.services.workspace import Workspace
from governance_app.store import registry_reader
from governance_app.store.registry_writer import save_snapshot
from governance_app.store.schema import SqlImport

ProgressFn = Callable[[int, int, str], None]


def import_path(
    ws: Workspace,
    path: Path,
    kind: str | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ImportRecord:
    """Import one source (file or folder) all-or-nothing.

    The source is read and validated completely before the database is touched, so a
    malformed file anywhere leaves the workspace exactly as it was. Progress runs 0–100:
    reading takes the first 70, storing the rest; cancelling at any point stores nothing.

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

    context = ImportContext(reading, cancelled)
    snapshot = registry.load(path, kind, context)
    context.check_cancelled()

    def storing(done: int, total: int, message: str) -> None:
        report(70 + int(29 * done / total), 100, message)
        context.check_cancelled()

    counts = snapshot.counts()
    with ws.session() as session:
        import_id = session.execute(
            insert(SqlImport)
            .values(
                kind=snapshot.kind,
                source=str(path),
                source_sha256=snapshot.source_sha256,
                imported_at=datetime.now(UTC),
                counts=counts,
                changes={},
            )
            .returning(SqlImport.id)
        ).scalar_one()
        changes = save_snapshot(session, snapshot, import_id, storing)
        session.execute(update(SqlImport).where(SqlImport.id == import_id).values(changes=changes))
        context.check_cancelled()
        record = registry_reader.list_imports(session)[-1]
    report(100, 100, "import complete")
    return record


def list_imports(ws: Workspace) -> list[ImportRecord]:
    with ws.session() as session:
        return registry_reader.list_imports(session)


def workspace_counts(ws: Workspace) -> dict[str, int]:
    with ws.session() as session:
        return registry_reader.table_counts(session)


def import_kinds() -> dict[str, str]:
    """Every source kind the app can import, with a description for people."""
    return {kind: info.description for kind, info in registry.importers().items()}
