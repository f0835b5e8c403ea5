"""Tables of the cloud registries and trackers: a version's origin and its platform's own
decision, and evaluations the platform computed (Vertex evaluations, Clarify bias reports).

One origin row per version (re-importing replaces it when its digest moved); one evaluation row
per (version, source, platform id). JSON columns hold what is always read whole.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlVersionOrigin(Base):
    """Where a version came from (``origin``, ``source_id``) and its platform's decision."""

    __tablename__ = "version_origins"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), unique=True)
    origin: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(Text)
    model_source_id: Mapped[str] = mapped_column(Text, default="")
    external_decision: Mapped[str] = mapped_column(String(64), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decision_history: Mapped[dict[str, Any]]
    """``{"events": [{decision, note, at, by}, …]}``, oldest first."""
    details: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))


class SqlExternalEvaluation(Base):
    """Metrics a platform computed for a version, under the platform's own names."""

    __tablename__ = "external_evaluations"
    __table_args__ = (UniqueConstraint("version_id", "source", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    source: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(512))
    display_name: Mapped[str] = mapped_column(String(512), default="")
    created_at: Mapped[str] = mapped_column(String(40), default="")
    metrics: Mapped[dict[str, Any]]
    slices: Mapped[dict[str, Any]]
    """``{"slices": [{feature, value, metrics, source_id}, …]}``."""
    details: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
