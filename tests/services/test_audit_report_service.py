"""The audit report and model card services on SQLite and on the real PostgreSQL server: a
review board, back-dated events to test the period's edges, sealing, verify, the record of
every generated report."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from pathlib import Path

import pytest

from governance_app.governance.audit import append_event
from governance_app.reports.manifest import extract_manifest
from governance_app.services import audit as audit_service
from governance_app.services import audit_report, reports
from tests.governance.review_helpers import MODEL, Board, make_board, passphrase

CHAIR = "Ana Lima"


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


@pytest.fixture
def board(workspace_url: str, tmp_path: Path) -> Board:
    """Two reviews signed today, a checkpoint, and events back-dated into March 2026."""
    board = make_board(workspace_url, tmp_path / "board")
    approved = board.open_review(f"{MODEL}:1")
    board.sign(approved.id, "Bo Chen", comment="AUC is fine")
    board.sign(approved.id, CHAIR)
    rejected = board.open_review(f"{MODEL}:1")
    board.sign(rejected.id, CHAIR, "reject", comment="not this time")
    audit_service.checkpoint(board.ws, CHAIR, passphrase(CHAIR), board.key_files[CHAIR])
    with board.ws.session(immediate=True) as session:
        for day, hour, minute in ((1, 0, 0), (10, 12, 0), (31, 23, 59)):
            append_event(session, "note.backdated", "test", f"march {day}", {"day": day},
                         model=MODEL, at=_local(date(2026, 3, day), hour, minute))
        append_event(session, "note.backdated", "test", "april 1", {"day": 1}, model=MODEL,
                     at=_local(date(2026, 4, 1), 0, 0))
        append_event(session, "note.other", "test", "february 28", {}, model="other_model",
                     at=_local(date(2026, 2, 28), 23, 59))
    return board


def _report(board: Board, name: str, **kwargs) -> reports.ReportResult:
    return audit_report.build_audit_report(board.ws, board.folder / name, CHAIR,
                                           passphrase(CHAIR), key_file=board.key_files[CHAIR],
                                           **kwargs)


def test_audit_report_is_sealed_verifiable_and_recorded(board: Board) -> None:
    steps: list[tuple[int, int, str]] = []
    result = _report(board, "audit.pdf", model=MODEL,
                     progress=lambda done, total, message: steps.append((done, total, message)))
    manifest = extract_manifest(result.path.read_bytes())
    assert manifest == result.manifest and manifest["kind"] == "audit"
    kinds = [s["kind"] for s in manifest["signatures"]]
    assert kinds.count("review-signature") == 3 and kinds.count("checkpoint") == 1
    assert manifest["latest_checkpoint"]["kind"] == "checkpoint"
    assert len(manifest["evidence"]) == 2
    verified = reports.verify_report(result.path, board.ws)
    assert verified.ok, verified.failed
    assert all(done <= total for done, total, _ in steps) and steps[-1][2] == "sealing"
    listed = reports.generated_reports(board.ws)
    assert listed[0].kind == "audit" and listed[0].parameters["model"] == MODEL
    assert listed[0].sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()


def test_model_card_on_each_backend(board: Board) -> None:
    out = board.folder / "card.pdf"
    result = reports.build_model_card(board.ws, f"{MODEL}:1", out, CHAIR, passphrase(CHAIR),
                                      key_file=board.key_files[CHAIR])
    assert result.manifest["kind"] == "model-card" and len(result.manifest["signatures"]) == 3
    assert reports.verify_report(out, board.ws).ok
    first = reports.generated_reports(board.ws)[0]
    assert (first.kind, first.path, first.producer) == ("model-card", out.resolve(), CHAIR)


def test_period_edges_are_inclusive_local_days(board: Board) -> None:
    march = audit_report.gather_audit(board.ws, None, date(2026, 3, 1), date(2026, 3, 31),
                                      CHAIR)
    assert [e.subject for e in march.events] == ["march 1", "march 10", "march 31"]
    assert march.reviews == [] and march.checkpoints == []
    one_day = audit_report.gather_audit(board.ws, MODEL, date(2026, 3, 10), date(2026, 3, 10),
                                        CHAIR)
    assert [e.subject for e in one_day.events] == ["march 10"]
    other = audit_report.gather_audit(board.ws, "other_model", None, date(2026, 3, 31), CHAIR)
    assert [e.subject for e in other.events] == ["february 28"]
    today = audit_report.gather_audit(board.ws, MODEL, date.today(), None, CHAIR)
    assert len(today.reviews) == 2 and len(today.checkpoints) == 1
    assert {e.subject for e in today.events}.isdisjoint({"march 1", "april 1"})


def test_a_period_with_nothing_gives_a_valid_report(board: Board) -> None:
    result = _report(board, "empty.pdf", date_from=date(2025, 1, 1), date_to=date(2025, 1, 2))
    assert result.manifest["signatures"] == [] and result.manifest["evidence"] == []
    assert reports.verify_report(result.path, board.ws).ok


def test_cancelled_before_sealing_writes_nothing(board: Board) -> None:
    before = len(reports.generated_reports(board.ws))
    with pytest.raises(reports.ReportCancelled):
        _report(board, "never.pdf", is_cancelled=lambda: True)
    assert not (board.folder / "never.pdf").exists()
    assert not (board.folder / "never.pdf.partial").exists()
    assert len(reports.generated_reports(board.ws)) == before
