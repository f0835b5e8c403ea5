"""Lineage tables: nodes by their natural id, and the directed edges between them.

Only what OpenLineage (or another lineage source) reports is stored here. Lineage that follows
from the MLflow registry (version ← run ← dataset inputs) is derived from the registry tables
when a graph is asked for (:mod:`lineage_reader`), so it is never duplicated and never stale.

Node ids are the natural keys of :mod:`governance_app.domain.lineage` (``dataset:…``, ``job:…``,
``run:…``, ``model:…``), stable across imports, so re-importing the same events matches rows by
id and edges by their (source, target, kind) triple.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlLineageNode(Base):
    """One dataset, job, run or model version as lineage sources reported it.

    ``digest`` covers every stored field, so an import compares one string to see whether a
    node moved; ``first_import_id``/``last_import_id`` say which imports told us about it.
    """

    __tablename__ = "lineage_nodes"
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    namespace: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    facets: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    first_import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    last_import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), index=True)


class SqlLineageEdge(Base):
    """A directed link ``source → target`` in the direction data flows, once per kind."""

    __tablename__ = "lineage_edges"
    __table_args__ = (UniqueConstraint("source", "target", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(
        Text, ForeignKey("lineage_nodes.id", ondelete="CASCADE")
    )
    target: Mapped[str] = mapped_column(
        Text, ForeignKey("lineage_nodes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    first_import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
