"""Review sessions on SQLite and the real PostgreSQL: quorum, every refusal with its reason,
the gate alias granted, and the audit events each state change appends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance_app.domain.governance import Decision, ReviewState
from governance_app.errors import InputError, NotFoundError
from governance_app.governance import keys
from governance_app.governance.audit import audit_events, verify_chain
from governance_app.governance.canonical import canonical_bytes, sha256_hex
from governance_app.governance.members import revoke_member
from governance_app.governance.reviews import SignatureRefused
from governance_app.services import models as model_service
from governance_app.services import reviews as service
from governance_app.services.importing import import_path
from tests.governance.review_helpers import MODEL, REGISTRY, Board, make_board


@pytest.fixture
def board(workspace_url: str, tmp_path: Path) -> Iterator[Board]:
    b = make_board(workspace_url, tmp_path / "keys")
    yield b
    b.ws.close()


def kinds(board: Board) -> list[str]:
    with board.ws.session() as session:
        return [e.kind for e in audit_events(session)]


def refused(board: Board, review_id: int, name: str, decision: str = "approve", **kw) -> str:
    with pytest.raises(SignatureRefused) as info:
        board.sign(review_id, name, decision, **kw)
    return info.value.reason


def test_open_freezes_evidence_and_statement(board: Board) -> None:
    review = service.open_review(board.ws, f"{MODEL}:1", "board-test", actor="Chair's office")
    assert review.state is ReviewState.OPEN
    results = {c["label"]: c["result"] for c in review.checks}
    assert results == {"val_auc ≥ 0.77": "pass", "demographic_parity_ratio ≥ 0.8": "warning",
                       "lineage evidence": "pass"}
    assert review.evidence_digest == sha256_hex(review.evidence)
    subject = review.statement["subject"][0]
    assert subject["name"] == f"model:{MODEL}/1"
    assert subject["digest"] == {"sha256": "b" * 64}  # the artifact digest tag
    assert review.statement["predicate"]["evidence"]["digest"]["sha256"] == review.evidence_digest
    assert kinds(board)[-1] == "review.open"
    assert [r.id for r in service.list_reviews(board.ws, "open")] == [review.id]
    assert service.list_reviews(board.ws, "approved") == []


def test_quorum_with_chair_grants_alias_and_records_events(board: Board) -> None:
    review = service.open_review(board.ws, f"{MODEL}:1", "board-test")
    after, first = board.sign(review.id, "Bo Chen", comment="AUC is fine")
    assert after.state is ReviewState.OPEN and after.progress().approvals == 1
    assert first.meaning == "Approved for promotion to production"
    signed = json.loads(first.payload)
    assert signed["review_id"] == review.id and signed["decision"] == "approve"
    assert signed["evidence_sha256"] == review.evidence_digest
    assert signed["comment"] == "AUC is fine" and signed["signer"] == "Bo Chen"
    assert canonical_bytes(signed) == first.payload
    assert keys.verify(board.public_pems["Bo Chen"], first.signature, first.payload)

    # A second non-chair could not complete the quorum: refused for the missing role.
    assert refused(board, review.id, "Carla Diaz") == "missing_role"

    done, second = board.sign(review.id, "Ana Lima")
    assert done.state is ReviewState.APPROVED
    assert done.progress().met and "quorum met" in done.close_reason
    assert model_service.get_model(board.ws, MODEL).aliases["production"] == 1
    # The second signature covers the chain head after the first one's event.
    assert json.loads(second.payload)["chain_head"]["seq"] > signed["chain_head"]["seq"]
    assert kinds(board)[-5:] == ["review.open", "review.sign", "review.sign", "review.decide",
                                 "model.promote"]
    with board.ws.session() as session:
        report = verify_chain(session)
    assert not report.findings, report.findings


def test_reject_by_required_role_closes_review(board: Board) -> None:
    review = service.open_review(board.ws, f"{MODEL}:1", "board-test")
    after, _ = board.sign(review.id, "Bo Chen", "reject", comment="dissent")
    assert after.state is ReviewState.OPEN  # risk is no required role: recorded dissent
    closed, sig = board.sign(review.id, "Ana Lima", "reject")
    assert closed.state is ReviewState.REJECTED
    assert sig.meaning == "Rejected for promotion to production"
    assert "production" not in model_service.get_model(board.ws, MODEL).aliases
    assert kinds(board)[-1] == "review.decide"
    assert refused(board, review.id, "Dev Patel") == "closed"


@pytest.mark.parametrize("case", ["wrong_passphrase", "revoked", "already_signed",
                                  "separation_of_duties", "closed", "blocking_check_failed",
                                  "evidence_changed"])
def test_each_refusal_names_its_reason(board: Board, case: str) -> None:
    version = 2 if case == "blocking_check_failed" else 1
    review = service.open_review(board.ws, f"{MODEL}:{version}", "board-test")
    before = kinds(board)
    if case == "wrong_passphrase":
        assert refused(board, review.id, "Ana Lima", secret="guess") == case
    elif case == "revoked":
        with board.ws.session() as session:
            revoke_member(session, "Dev Patel", "left the board", actor="test")
        before = kinds(board)
        assert refused(board, review.id, "Dev Patel") == case
    elif case == "already_signed":
        board.sign(review.id, "Bo Chen")
        before = kinds(board)
        assert refused(board, review.id, "Bo Chen") == case
    elif case == "separation_of_duties":
        with pytest.raises(SignatureRefused, match="created credit_scorer:1") as info:
            board.sign(review.id, "Jonas Berg")
        assert info.value.reason == case
    elif case == "closed":
        service.withdraw_review(board.ws, review.id, "superseded by v3", actor="test")
        before = kinds(board)
        assert refused(board, review.id, "Ana Lima") == case
    elif case == "blocking_check_failed":
        # (Ana Lima created version 2: separation of duties would refuse her first.)
        with pytest.raises(SignatureRefused, match="val_auc ≥ 0.77"):
            board.sign(review.id, "Dev Patel")
        # A reject is still allowed: the board may say no to a failing version.
        assert board.sign(review.id, "Dev Patel", "reject")[0].state is ReviewState.REJECTED
        return
    else:
        # A re-import of the registry moved the source run's latest val_auc.
        doc = json.loads(REGISTRY.read_text())
        doc["runs"][0]["metrics"]["val_auc"][-1]["value"] = 0.83
        changed = board.folder / "registry-v2.json"
        changed.write_text(json.dumps(doc))
        import_path(board.ws, changed)
        before = kinds(board)
        assert refused(board, review.id, "Ana Lima") == case
    assert kinds(board) == before  # a refusal stores nothing


def test_withdraw_and_lookups(board: Board) -> None:
    review = service.open_review(board.ws, f"{MODEL}:3", "board-test")
    lineage = next(c for c in review.checks if c["check"]["kind"] == "evidence")
    assert lineage["result"] == "fail"
    with pytest.raises(InputError):
        service.withdraw_review(board.ws, review.id, "  ")
    gone = service.withdraw_review(board.ws, review.id, "no training data", actor="test")
    assert gone.state is ReviewState.WITHDRAWN and gone.close_reason == "no training data"
    assert kinds(board)[-1] == "review.withdraw"
    with pytest.raises(SignatureRefused):
        service.withdraw_review(board.ws, review.id, "again")
    with pytest.raises(NotFoundError):
        service.get_review(board.ws, 999)
    with pytest.raises(NotFoundError):
        service.open_review(board.ws, f"{MODEL}:1", "no-such-policy")
    with pytest.raises(InputError):
        service.open_review(board.ws, MODEL, "board-test")
    with pytest.raises(InputError):
        service.list_reviews(board.ws, "pending")


def test_policy_versions(board: Board, tmp_path: Path) -> None:
    policy, version = service.add_policy(board.ws, Path(__file__).parents[1] / "fixtures"
                                         / "governance" / "board-policy.yaml")
    assert version == 1  # same text again: no new version
    changed = tmp_path / "p.yaml"
    changed.write_text((Path(__file__).parents[1] / "fixtures" / "governance"
                        / "board-policy.yaml").read_text().replace("0.77", "0.8"))
    _, version = service.add_policy(board.ws, changed)
    assert version == 2
    [(latest, v)] = service.list_policies(board.ws)
    assert v == 2 and latest.checks[0].min == 0.8 and latest.digest != policy.digest
    assert Decision("approve") is Decision.APPROVE
