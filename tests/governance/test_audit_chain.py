"""The audit chain on SQLite and the real PostgreSQL: appends, triggers, tampering, anchors."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from governance_app.domain.audit import GENESIS_HASH
from governance_app.errors import GovernanceError, ImportCancelled
from governance_app.governance import audit
from governance_app.services import audit as audit_service
from governance_app.services import board
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlAuditEvent
from tests.governance.helpers import PASSPHRASE, add_events, add_member


@pytest.fixture
def ws(workspace_url, memory_keyring):
    with Workspace.open(workspace_url) as workspace:
        yield workspace


def _tamper(ws: Workspace, *statements: str) -> None:
    """Run SQL as someone who can write the database and drops the append-only triggers."""
    engine = create_engine(ws.url)
    with engine.begin() as connection:
        if ws.backend == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _recompute_from(ws: Workspace, first: int) -> None:
    """Forge a consistent chain from ``first`` on, as an attacker with DB access could."""
    with ws.session() as session:
        rows = session.query(SqlAuditEvent).order_by(SqlAuditEvent.seq).all()
        updates = []
        prev = GENESIS_HASH
        for row in rows:
            doc = audit.event_document(row.seq, row.at, row.actor, row.kind, row.subject,
                                       row.model, row.payload, prev)
            new = audit.event_hash(prev, doc)
            if row.seq >= first:
                updates.append((row.seq, prev, new))
            prev = new
    _tamper(ws, *[f"UPDATE audit_events SET prev_hash = '{p}', hash = '{h}' WHERE seq = {s}"
                  for s, p, h in updates])


def test_appended_events_chain_and_verify(ws) -> None:
    add_events(ws, 5)
    events = audit_service.list_events(ws)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    doc = audit.event_document(3, events[2].at, "tester", "test.event", "thing 2",
                               "credit_default", {"i": 2, "x": 2 / 3}, events[1].hash)
    assert events[2].hash == audit.event_hash(events[1].hash, doc)
    assert audit_service.head(ws).as_dict() == {"seq": 5, "hash": events[-1].hash}
    report = audit_service.verify_workspace(ws)
    assert report.ok and report.events == 5 and report.head.seq == 5


def test_event_queries_filter_by_model_kind_actor_and_time(ws) -> None:
    add_events(ws, 3)
    with ws.session(immediate=True) as session:
        audit.append_event(session, "other", "ana", "x", {}, model="churn",
                           at=datetime.now(UTC) + timedelta(days=1))
    assert len(audit_service.list_events(ws, model="credit_default")) == 3
    assert [e.kind for e in audit_service.list_events(ws, kinds=["other"])] == ["other"]
    assert [e.seq for e in audit_service.list_events(
        ws, since=datetime.now(UTC) + timedelta(hours=1))] == [4]
    assert [e.actor for e in audit_service.list_events(ws, actor="ana")] == ["ana"]


def test_the_database_refuses_update_and_delete(ws) -> None:
    add_events(ws, 2)
    engine = create_engine(ws.url)
    try:
        for statement in ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1",
                          "DELETE FROM audit_events WHERE seq = 2",
                          "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        if ws.backend == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text("TRUNCATE audit_events"))
    finally:
        engine.dispose()
    assert audit_service.verify_workspace(ws).ok


def test_payload_that_is_not_json_is_refused_and_nothing_is_stored(ws) -> None:
    with pytest.raises(GovernanceError, match="non-finite"), ws.session() as session:
        audit.append_event(session, "bad", "x", "y", {"v": float("nan")})
    assert audit_service.head(ws).seq == 0


def test_an_edited_row_is_named(ws) -> None:
    add_events(ws, 5)
    _tamper(ws, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    report = audit_service.verify_workspace(ws)
    assert not report.ok
    assert report.first_broken.seq == 3 and "edited" in report.first_broken.problem


def test_a_deleted_row_is_named(ws) -> None:
    add_events(ws, 5)
    _tamper(ws, "DELETE FROM audit_events WHERE seq = 3")
    report = audit_service.verify_workspace(ws)
    assert report.first_broken.seq == 3
    assert "#3 is missing" in report.first_broken.problem


def _checkpoint(ws: Workspace, name: str) -> int:
    """A checkpoint act by ``name``; returns the seq of the head it signs."""
    cp, _ = audit_service.checkpoint(ws, name, PASSPHRASE)
    return cp.seq


def test_a_recomputed_chain_is_caught_by_the_act_covering_it(ws) -> None:
    add_member(ws, "Ana Lima")                                # event 1: the founding
    add_events(ws, 3)                                         # events 2-4
    assert _checkpoint(ws, "Ana Lima") == 4                   # event 5 signs head #4
    _tamper(ws, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    _recompute_from(ws, 3)  # a consistent chain again: only the signed act can tell
    result = audit_service.verify_board(ws)
    assert not result.ok and result.chain.ok  # the hashes alone now hold
    [broken] = result.breaks
    assert broken.seq == 5 and "moved or replayed" in broken.problem


def test_truncating_the_tail_is_caught_by_a_checkpoint_file(ws, tmp_path) -> None:
    add_member(ws, "Ana Lima")
    add_events(ws, 3)
    cp = tmp_path / "cp.json"
    audit_service.checkpoint(ws, "Ana Lima", PASSPHRASE, output=cp)  # head #4, event 5
    add_events(ws, 2)
    _tamper(ws, "DELETE FROM audit_events WHERE seq >= 4")
    result = audit_service.verify_board(ws, witness_args=[str(cp)])
    assert not result.ok
    assert [(w.seq, held) for w, held in result.witnesses if w.source == str(cp)] == [
        (4, False)]


def test_a_revoked_key_cannot_act_and_its_earlier_acts_still_hold(ws) -> None:
    add_member(ws, "Ana Lima")
    add_member(ws, "Bo Chen")
    assert _checkpoint(ws, "Bo Chen")
    board.revoke(ws, "Bo Chen", "lost laptop", "Ana Lima", PASSPHRASE)
    with pytest.raises(GovernanceError, match="revoked"):
        _checkpoint(ws, "Bo Chen")
    result = audit_service.verify_board(ws)
    assert result.ok and len(result.root.members) == 2
    assert result.root.member("Bo Chen").revoked == "lost laptop"


def test_forged_signature_bytes_are_a_break(ws) -> None:
    add_member(ws, "Ana Lima")
    _checkpoint(ws, "Ana Lima")
    head = audit_service.head(ws).seq
    _tamper(ws, "UPDATE audit_events SET payload = json_set(payload, "
            f"'$.act.body.purpose', 'forged') WHERE seq = {head}" if ws.backend == "sqlite" else
            "UPDATE audit_events SET payload = jsonb_set(payload::jsonb, "
            "'{act,body,purpose}', '\"forged\"')::json "
            f"WHERE seq = {head}")
    _recompute_from(ws, head)
    [broken] = audit_service.verify_board(ws).breaks
    assert broken.seq == head and "does not verify" in broken.problem


def test_concurrent_appends_never_fork_the_chain(ws) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with Workspace.open(ws.url, upgrade=False) as mine:
                for i in range(15):
                    with mine.session(immediate=True) as session:
                        audit.append_event(session, "race", f"writer {n}", str(i), {"i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = audit_service.verify_workspace(ws)
    assert report.ok and report.events == 60


def test_an_import_appends_its_event_in_the_same_transaction(ws, mlflow_db) -> None:
    record = import_path(ws, mlflow_db)
    (event,) = audit_service.list_events(ws, kinds=["import"])
    assert event.payload["import_id"] == record.id
    assert event.payload["sha256"] == record.source_sha256
    assert event.payload["counts"] == record.counts and event.payload["changes"] == record.changes
    calls = {"n": 0}

    def cancel_while_storing() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(ImportCancelled):
        import_path(ws, mlflow_db, is_cancelled=cancel_while_storing)
    assert len(audit_service.list_events(ws, kinds=["import"])) == 1
    assert audit_service.verify_workspace(ws).ok
