"""A digest of what imports stored, so an edit to imported records is caught like any other.

Each import's audit event records the digest of the registry tables after it
(``registry_sha256``). Nothing but an import writes them, so ``verify`` recomputes the digest
and compares it with the last import's: an edited metric, a deleted dataset or a moved alias
after the last import is a mismatch.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from governance_app.store.schema import (
    SqlDataset,
    SqlExperiment,
    SqlMetricSeries,
    SqlModelAlias,
    SqlModelVersion,
    SqlRegisteredModel,
    SqlRun,
    SqlRunInput,
)

REGISTRY_TABLES: tuple[Table, ...] = tuple(
    t.__table__ for t in (SqlExperiment, SqlRun, SqlMetricSeries, SqlDataset, SqlRunInput,  # type: ignore[attr-defined]
                          SqlRegisteredModel, SqlModelVersion, SqlModelAlias))


def registry_sha256(session: Session) -> str:
    """SHA-256 over every row of the imported registry tables, in primary-key order."""
    digest = hashlib.sha256()
    connection = session.connection()
    for table in REGISTRY_TABLES:
        digest.update(table.name.encode("ascii") + b"\x00")
        query = select(table).order_by(*table.primary_key.columns)
        for row in connection.execute(query):
            digest.update(repr(tuple(_plain(v) for v in row)).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """One text form per value (NaN allowed: imported metrics may hold it)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, memoryview):
        return bytes(value)
    return value
