"""Model card text of a version: imported cards, sections written in the app, and the card a
report prints. What the CLI's ``card`` verb and the GUI's "Model card text…" dialog call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from governance_app.domain.model_card import (
    CARD_SECTIONS,
    EffectiveCard,
    ModelCard,
    ModelCardSnapshot,
    effective_card,
)
from governance_app.errors import InputError
from governance_app.governance.audit import append_event
from governance_app.services import models as model_service
from governance_app.services.members import os_user
from governance_app.services.workspace import Workspace
from governance_app.store import model_card_reader, model_card_writer

CARD_EVENT = "card.section"
MAX_SECTION_CHARS = 200_000


def store_card_snapshot(session: Session, snapshot: ModelCardSnapshot, import_id: int,
                        tick: Callable[[int, int, str], None]) -> dict[str, int]:
    """The import service's writer for :class:`ModelCardSnapshot` (recorded as the OS user)."""
    return model_card_writer.save_card(session, snapshot, import_id, os_user(), tick)


def _version(ref: str) -> tuple[str, int]:
    name, version = model_service.parse_version_ref(ref)
    if version is None:
        raise InputError(ref, "model card text belongs to one version", expected="MODEL:VERSION")
    return name, version


def card_history(ws: Workspace, ref: str) -> list[ModelCard]:
    """Every card and written section of ``MODEL:VERSION``, oldest first.

    Raises:
        InputError: ``ref`` names no version. NotFoundError: no such version.
    """
    name, version = _version(ref)
    with ws.session() as session:
        return model_card_reader.cards_of_version(session, name, version)


def current_card(ws: Workspace, name: str, version: int) -> EffectiveCard | None:
    """What a report prints for ``name:version`` (``None`` when nothing is attached)."""
    with ws.session() as session:
        return effective_card(model_card_reader.cards_of_version(session, name, version))


def set_card_section(ws: Workspace, ref: str, section: str, text: str,
                     author: str | None = None) -> ModelCard:
    """Write one section of the card of ``MODEL:VERSION``, stored and audited together.

    The earlier text stays stored (history); the card prints the newest. The audit event
    carries the text's SHA-256 and the whole text, so the trail shows what was written.

    Args:
        section: one of :data:`CARD_SECTIONS` (``intended-use``, ``out-of-scope``, …).
        author: who wrote it; the OS user when not given.

    Raises:
        InputError: unknown section, empty or oversized text, ``ref`` names no version.
        NotFoundError: no such version.
    """
    name, version = _version(ref)
    if section not in CARD_SECTIONS:
        raise InputError("--section", f"unknown card section {section!r}",
                         expected=" or ".join(CARD_SECTIONS))
    body = text.replace("\r\n", "\n").strip()
    if not body:
        raise InputError("--text", "the section text is empty", expected="some text")
    if len(body) > MAX_SECTION_CHARS:
        raise InputError("--text", f"the section text has {len(body)} characters",
                         expected=f"at most {MAX_SECTION_CHARS}")
    who = (author or "").strip() or os_user()
    with ws.session(immediate=True) as session:
        row_id = model_card_writer.write_section(session, name, version, section, body, who)
        stored = next(c for c in model_card_reader.cards_of_version(session, name, version)
                      if c.id == row_id)
        append_event(session, CARD_EVENT, who, f"{name}:{version}", {
            "model": name, "version": version, "section": section, "card_id": row_id,
            "sha256": stored.source_sha256, "text": body}, model=name)
    return stored


def card_as_dict(card: EffectiveCard | None) -> dict[str, Any]:
    """The printed card as plain JSON (``card show --json``)."""
    if card is None:
        return {"attached": False}
    base = card.card
    return {
        "attached": True,
        "source": None if base is None else {
            "format": base.format, "name": base.source_name, "sha256": base.source_sha256,
            "title": base.title, "recorded_at": base.recorded_at.isoformat(),
            "recorded_by": base.recorded_by},
        "sections": {k: {"text": text, "from": src.source_name, "format": src.format,
                         "by": src.recorded_by, "at": src.recorded_at.isoformat()}
                     for k, (text, src) in card.sections.items()},
        "details": dict(base.details) if base else {},
        "metrics": [m.as_dict() for m in base.metrics] if base else [],
        "body": base.body if base else "",
        "history": [{"id": c.id, "format": c.format, "name": c.source_name,
                     "sha256": c.source_sha256, "at": c.recorded_at.isoformat(),
                     "by": c.recorded_by} for c in card.history],
    }
