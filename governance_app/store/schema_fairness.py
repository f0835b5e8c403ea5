"""The fairness table: results computed from a prediction table, attached to a model version.

Rows of the prediction table are never copied here (they can run to millions); the row keeps
the file's SHA-256, schema and row count beside the settings and the computed report, so the
numbers always name exactly what they were computed from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlFairnessResult(Base):
    """One analysis of one prediction table under one set of settings, for one model version.

    Unique on (version, file digest, settings digest): importing the same table with the same
    settings again adds nothing.
    """

    __tablename__ = "fairness_results"
    __table_args__ = (UniqueConstraint("model_version_id", "source_sha256", "settings_digest"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    schema: Mapped[dict[str, Any]]
    row_count: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]]
    settings_digest: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
