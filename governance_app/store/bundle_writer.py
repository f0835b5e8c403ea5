"""Store a :class:`BundleSnapshot`: the registry, then its lineage, in the caller's transaction.

The import service maps one snapshot type to one writer; a bundle carries two kinds of records,
so this writer calls the two that exist rather than teaching either about the other. Both run
inside the one session the service opened, so a failure in the lineage part rolls back the
registry part too: a bundle is imported whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from governance_app.domain.bundle_snapshot import BundleSnapshot
from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.store.lineage_writer import save_lineage
from governance_app.store.registry_writer import save_snapshot

Tick = Callable[[int, int, str], None]


def save_bundle(
    session: Session, snapshot: BundleSnapshot, import_id: int, tick: Tick
) -> dict[str, int]:
    """Write the registry records, then the lineage nodes and edges; returns both summaries.

    Progress: the registry takes the first 80 steps of 100, lineage (when present) the rest.
    """
    has_lineage = snapshot.lineage is not None
    share = 80 if has_lineage else 100

    def registry_tick(done: int, total: int, message: str) -> None:
        tick(int(share * done / max(total, 1)), 100, message)

    changes = dict(save_snapshot(session, snapshot, import_id, registry_tick))
    if snapshot.lineage is None:
        return changes

    def lineage_tick(done: int, total: int, message: str) -> None:
        tick(share + int((100 - share) * done / max(total, 1)), 100, message)

    lineage = LineageSnapshot(
        kind=snapshot.kind,
        source=snapshot.source,
        source_sha256=snapshot.source_sha256,
        graph=snapshot.lineage,
    )
    for key, count in save_lineage(session, lineage, import_id, lineage_tick).items():
        changes[key] = changes.get(key, 0) + count
    return changes
