"""Store drift results under their model version; a result already stored is not stored again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from governance_app.domain.drift_records import DriftResult, DriftSnapshot
from governance_app.errors import InputError
from governance_app.store.drift_codec import result_to_row
from governance_app.store.registry_reader import version_pk
from governance_app.store.schema import SqlChange
from governance_app.store.schema_drift import SqlDriftResult

Tick = Callable[[int, int, str], None]


def split_model_ref(model: str) -> tuple[str, int]:
    """``NAME:VERSION`` → ``(NAME, VERSION)``.

    Raises:
        InputError: the text does not name a version.
    """
    name, sep, version = model.rpartition(":")
    if not sep or not name or not version.isdigit():
        raise InputError("--model", f"{model!r} does not name a model version",
                         expected="NAME:VERSION, e.g. credit_default:3")
    return name, int(version)


def save_results(session: Session, name: str, version: int, results: Sequence[DriftResult],
                 import_id: int | None = None, tick: Tick | None = None) -> dict[str, int]:
    """Store ``results`` under ``name:version``; returns ``{"drift_results_added": n, ...}``.

    Raises:
        NotFoundError: the workspace has no such version (import its registry first).
    """
    pk = version_pk(session, name, version)
    known = set(session.scalars(select(SqlDriftResult.digest)
                                .where(SqlDriftResult.version_id == pk)))
    rows = []
    for result in results:
        row = result_to_row(result)
        if row["digest"] in known:
            continue
        known.add(row["digest"])
        rows.append({**row, "version_id": pk, "import_id": import_id})
    if tick:
        tick(1, 2, f"storing {len(rows)} drift results")
    if rows:
        session.execute(insert(SqlDriftResult), rows)
        if import_id is not None:
            session.execute(insert(SqlChange), [
                {"import_id": import_id, "entity": "drift_result",
                 "key": f"{name}:{version}/{r['label']}", "change": "added"} for r in rows])
    if tick:
        tick(2, 2, "drift results stored")
    return {"drift_results_added": len(rows),
            "drift_results_unchanged": len(results) - len(rows)}


def save_drift(session: Session, snapshot: DriftSnapshot, import_id: int,
               tick: Tick) -> dict[str, int]:
    """The import service's writer for :class:`DriftSnapshot` (see ``services.importing``)."""
    name, version = split_model_ref(snapshot.model)
    return save_results(session, name, version, snapshot.results, import_id, tick)
