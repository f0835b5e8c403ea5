"""Model card table: every card attached to a version, and every section written in the app.

Rows are never replaced: a newer card is a new row and the report assembles what it prints
from the newest (``domain.model_card.effective_card``), so earlier cards stay as history.
Sections, details and metrics are JSON: a card is always read whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlModelCard(Base):
    """One imported card file, or one section written in the app (``format`` ``written``).

    ``source_sha256`` is the card file's digest (for written text, of the text), so the same
    file imported twice for a version is stored once.
    """

    __tablename__ = "model_cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    format: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(512))
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    sections: Mapped[dict[str, Any]]
    """Section key (``intended-use`` …) → markdown text."""
    details: Mapped[dict[str, Any]]
    """Label → plain text (overview, owners, licences, references, …), in print order."""
    body: Mapped[str] = mapped_column(Text, default="")
    metrics: Mapped[dict[str, Any]]
    """``{"metrics": [ {name, value, text, slice, task, lower, upper, threshold}, … ]}``."""
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(256))
