"""A digest of what imports stored, so an edit to imported records is caught like any other.

Each import's audit event records the digest of the registry tables before it writes
(``registry_before``, taken under the chain's lock) and after (``registry_sha256``). Nothing but
an import writes these tables, so replay compares each import's *before* with the previous
import's *after* (an edit between two imports), and ``verify`` compares the digest now with the
last import's *after* (an edit since).

Why both digests are full scans (and not, say, an *after* derived from the *before* and what the
import wrote, or a running per-table sum of row hashes kept in the database): the database is
untrusted. Any digest state kept in it, or derived from what the app believes it wrote, is
state an attacker with write access updates along with the row they edit; only a digest
recomputed from the rows themselves when it is recorded reflects their edit. So the *before*
must read every row, and an *after* that skipped rows would merely trust the writer instead of
checking it. What we make cheap is the scan itself (scheme ``v2``):

* rows are read as plain tuples with Core, JSON columns as the text the database holds (no
  JSON parse and no ``json.dumps`` per row), in primary-key order, so the physical order of
  rows (a ``VACUUM``, a PostgreSQL ``CLUSTER``, rows written in another order) never changes it;
* each batch of rows is encoded at once by ``repr`` of a list of tuples of ``None``, ``int``,
  ``float``, ``str`` and ``datetime``, which is unambiguous (strings are quoted and escaped,
  floats print their shortest exact form, NaN included) and runs in C;
* binary columns (metric histories, megabytes each) are fed to the hash as they are, length
  first, never through ``repr``;
* each table has its own SHA-256, and the registry's digest is the SHA-256 of the table names
  and their digests.

Digests of scheme ``v2`` are written ``v2:<hex>``; the digests workspaces recorded before
(64 hex digits, scheme 1) stay comparable: :func:`registry_digest_like` computes the digest in
the scheme of the one it is to be compared with, so the first import after an upgrade records
its *before* in the old scheme and nothing is compared across schemes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Table, Text, cast, select
from sqlalchemy.engine import Connection
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
SCHEME = "v2"
BATCH = 20_000


def registry_sha256(session: Session) -> str:
    """The registry's digest in the current scheme (``v2:<hex>``)."""
    connection = session.connection()
    outer = hashlib.sha256()
    for table in REGISTRY_TABLES:
        outer.update(table.name.encode("ascii") + b"\x00" + table_sha256(connection, table)
                     + b"\n")
    return f"{SCHEME}:{outer.hexdigest()}"


def registry_digest_like(session: Session, previous: str | None) -> str:
    """The registry's digest in the scheme of ``previous`` (the current one if ``None``), so
    the two can be compared."""
    if previous is not None and ":" not in previous:
        return legacy_registry_sha256(session)
    return registry_sha256(session)


def table_sha256(connection: Connection, table: Table) -> bytes:
    """SHA-256 of one table's rows in primary-key order (scheme ``v2``)."""
    plain: list[Column[Any]] = []
    blobs: list[Column[Any]] = []
    for column in table.columns:
        (blobs if isinstance(column.type, LargeBinary) else plain).append(column)
    selected = [cast(c, Text) if isinstance(c.type, JSON) else c for c in plain]
    query = (select(*selected, *blobs).order_by(*table.primary_key.columns)
             .execution_options(yield_per=BATCH))
    digest = hashlib.sha256()
    result = connection.execute(query)
    for part in result.partitions(BATCH):
        _hash_rows(digest, part, len(plain))
    return digest.digest()


def _hash_rows(digest: Any, rows: Sequence[Any], width: int) -> None:
    """Feed one batch: the plain columns of all rows as one ``repr``, then each row's blobs."""
    if len(rows) and width == len(rows[0]):
        digest.update(repr(list(map(tuple, rows))).encode("utf-8", "surrogatepass"))
        return
    digest.update(repr([tuple(row[:width]) for row in rows]).encode("utf-8", "surrogatepass"))
    for row in rows:
        for blob in row[width:]:
            _hash_blob(digest, blob)


def _hash_blob(digest: Any, blob: bytes | memoryview | None) -> None:
    if blob is None:
        digest.update(b"\xff" * 8)
        return
    digest.update(len(blob).to_bytes(8, "big"))
    digest.update(blob)


def legacy_registry_sha256(session: Session) -> str:
    """Scheme 1 (before ``v2``): SHA-256 over every row, ``repr`` of each with JSON values
    re-serialised; kept to compare with digests older workspaces recorded."""
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

