"""The audit report's layout from plain values (no workspace): the events table runs over many
pages with its header on each, cuts long cells, and prints every name; empty sections say so."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader

from governance_app.domain.audit import AuditEvent, ChainHead, VerificationReport
from governance_app.reports.audit_report import AuditData, AuditScope, audit_story
from governance_app.reports.document import Footer, build_pdf, page_size

ZOE = "Zoë Ångström-Łukasiewicz"
HEADER = ("Time", "Kind", "Actor", "Subject", "Hash")
"""Each column is one text object, so extracted text has the header words column-wise."""


def _data(events: int) -> AuditData:
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    rows = [AuditEvent(i, start + timedelta(minutes=i), ZOE if i % 2 else "demo builder",
                       "review.sign" if i % 3 else "import",
                       f"review:{i}" if i != 7 else "a subject far too long " * 10, None, {},
                       f"{i - 1:064x}", f"{i:064x}") for i in range(1, events + 1)]
    head = ChainHead(events, f"{events:064x}")
    scope = AuditScope(model=None, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30),
                       workspace="board.db (SQLite)", generated_at=start, producer=ZOE)
    return AuditData(scope=scope, reviews=[], events=rows,
                     verification=VerificationReport(events, head, 0, 0), checkpoints=[],
                     members=[], certificates=[], versions=[], chain_head=head)


def _pages(data: AuditData) -> list[str]:
    buffer = io.BytesIO()
    build_pdf(buffer, lambda frame: audit_story(data, frame, lambda message: None),
              size=page_size("A4"), footer=Footer("Audit report", "test", "head"),
              metadata={"title": "t"})
    return [" ".join(p.extract_text().split()) for p in PdfReader(buffer).pages]


def test_events_table_repeats_its_header_on_every_page_it_reaches() -> None:
    pages = _pages(_data(400))
    with_events = [p for p in pages if "review:" in p]
    assert len(with_events) >= 5
    assert all(word in p for p in with_events for word in HEADER)
    text = " ".join(pages)
    assert ZOE in text and "review:400" in text
    assert "a subject far too long a subject far too…" in text  # cut to its column
    assert "2026-11-01 to 2026-11-30 inclusive" in text


def test_empty_sections_say_so_in_one_line() -> None:
    text = " ".join(_pages(_data(0)))
    for line in ("No reviews in scope", "No audit events in the period.",
                 "No checkpoint was signed in the period.", "The workspace has no board members.",
                 "No member has a document certificate yet.",
                 "No reviewed version in scope has a recorded metric history."):
        assert line in text
