"""Drift tables: one row per drift result (one report or one window) of a model version.

Per-column results are kept as a JSON list in the row rather than a row per column: a result is
always read whole (a heatmap column, a report page), and JSON keeps every float at full
precision (Python writes the shortest repr that reads back to the same double).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlDriftResult(Base):
    """One drift result: a window (or an Evidently report) compared with its reference.

    ``digest`` is the SHA-256 of the result's canonical content, so importing the same export
    twice adds nothing (unique per model version).
    """

    __tablename__ = "drift_results"
    __table_args__ = (UniqueConstraint("version_id", "digest"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    label: Mapped[str] = mapped_column(String(256), default="")
    timestamp: Mapped[datetime | None]
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    source_kind: Mapped[str] = mapped_column(String(32))
    source_sha256: Mapped[dict[str, Any]]
    """Role → SHA-256 of each source (``{"report": …}`` or ``{"reference": …, "current": …}``)."""
    source_paths: Mapped[dict[str, Any]]
    """Role → path of each source when it was read, for the distribution of a cell."""
    share_drifted: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    drifted: Mapped[bool] = mapped_column(Boolean)
    n_columns: Mapped[int] = mapped_column(Integer)
    n_drifted: Mapped[int] = mapped_column(Integer)
    columns: Mapped[dict[str, Any]]
    """``{"columns": [ {column, column_type, method, threshold, score, …}, … ]}``."""
    details: Mapped[dict[str, Any]]
    """What else the source said: Evidently version and shape, test statuses, distributions."""
    digest: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
