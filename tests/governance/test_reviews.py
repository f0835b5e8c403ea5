"""Review sessions on SQLite and the real PostgreSQL: quorum, every refusal with its reason,
the gate granted (apart from registry aliases), and the signed act each step appends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from governance_app.domain.governance import Decision, ReviewState
from governance_app.errors import InputError, NotFoundError
from governance_app.governance import keys
from governance_app.governance.audit import audit_events
from governance_app.governance.canonical import canonical_bytes, sha256_hex
from governance_app.governance.reviews import SignatureRefused
from governance_app.services import audit as audit_service
from governance_app.services import board as board_service
from governance_app.services import models as model_service
from governance_app.services import reviews as service
from governance_app.services.importing import import_path
from tests.governance.review_helpers import MODEL, REGISTRY, Board, make_board, passphrase


@pytest.fixture
def board(workspace_url: str, tmp_path: Path) -> Iterator[Board]:
    b = make_board(workspace_url, tmp_path / "keys")
    yield b
    b.ws.close()


def ANA(board: Board) -> tuple[str, str, Path]:  # noqa: N802 - reads as the member
    """The acting member's arguments: Ana Lima, the chair, with her passphrase and key."""
    return "Ana Lima", passphrase("Ana Lima"), board.key_files["Ana Lima"]


def kinds(board: Board) -> list[str]:
    with board.ws.session() as session:
        return [e.kind for e in audit_events(session)]


def refused(board: Board, review_id: int, name: str, decision: str = "approve", **kw) -> str:
    with pytest.raises(SignatureRefused) as info:
        board.sign(review_id, name, decision, **kw)
    return info.value.reason


def test_open_freezes_evidence_and_statement(board: Board) -> None:
    review = board.open_review(f"{MODEL}:1")
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
    review = board.open_review(f"{MODEL}:1")
    after, first = board.sign(review.id, "Bo Chen", comment="AUC is fine")
    assert after.state is ReviewState.OPEN and after.progress().approvals == 1
    assert first.meaning == "Approved for promotion to production"
    signed = json.loads(first.payload)
    body = signed["body"]
    assert signed["kind"] == "review.sign" and signed["signer"] == first.fingerprint
    assert body["review"] == service.review_hash(board.ws, review.id)  # named by its opening
    assert body["review_id"] == review.id and body["decision"] == "approve"
    assert body["evidence_sha256"] == review.evidence_digest
    assert body["comment"] == "AUC is fine" and body["signer"] == "Bo Chen"
    assert canonical_bytes(signed) == first.payload
    assert keys.verify(board.public_pems["Bo Chen"], first.signature, first.payload)

    # A second non-chair could not complete the quorum: refused for the missing role.
    assert refused(board, review.id, "Carla Diaz") == "missing_role"

    done, second = board.sign(review.id, "Ana Lima")
    assert done.state is ReviewState.APPROVED
    assert done.progress().met and "quorum met" in done.close_reason
    assert [(g["model"], g["version"], g["gate"]) for g in service.gate_grants(board.ws)] == [
        (MODEL, 1, "production")]
    assert "production" not in model_service.get_model(board.ws, MODEL).aliases
    # The second signature's act follows the chain head after the first one's event.
    assert json.loads(second.payload)["prev"]["seq"] > signed["prev"]["seq"]
    assert kinds(board)[-3:] == ["review.open", "review.sign", "review.sign"]
    result = audit_service.verify_board(board.ws)
    assert result.ok, (result.breaks, result.mismatches)


def test_reject_by_required_role_closes_review(board: Board) -> None:
    review = board.open_review(f"{MODEL}:1")
    after, _ = board.sign(review.id, "Bo Chen", "reject", comment="dissent")
    assert after.state is ReviewState.OPEN  # risk is no required role: recorded dissent
    closed, sig = board.sign(review.id, "Ana Lima", "reject")
    assert closed.state is ReviewState.REJECTED
    assert sig.meaning == "Rejected for promotion to production"
    assert service.gate_grants(board.ws) == []
    assert kinds(board)[-1] == "review.sign"
    assert refused(board, review.id, "Dev Patel") == "closed"


@pytest.mark.parametrize("case", ["wrong_passphrase", "revoked", "already_signed",
                                  "separation_of_duties", "closed", "blocking_check_failed",
                                  "evidence_changed"])
def test_each_refusal_names_its_reason(board: Board, case: str) -> None:
    version = 2 if case == "blocking_check_failed" else 1
    review = board.open_review(f"{MODEL}:{version}")
    before = kinds(board)
    if case == "wrong_passphrase":
        assert refused(board, review.id, "Ana Lima", secret="guess") == case
    elif case == "revoked":
        board_service.revoke(board.ws, "Dev Patel", "left the board", *ANA(board))
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
        service.withdraw_review(board.ws, review.id, "superseded by v3", *ANA(board))
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
    review = board.open_review(f"{MODEL}:3")
    lineage = next(c for c in review.checks if c["check"]["kind"] == "evidence")
    assert lineage["result"] == "fail"
    with pytest.raises(InputError):
        service.withdraw_review(board.ws, review.id, "  ", *ANA(board))
    gone, _ = service.withdraw_review(board.ws, review.id, "no training data", *ANA(board))
    assert gone.state is ReviewState.WITHDRAWN and gone.close_reason == "no training data"
    assert kinds(board)[-1] == "review.withdraw"
    with pytest.raises(SignatureRefused):
        service.withdraw_review(board.ws, review.id, "again", *ANA(board))
    with pytest.raises(NotFoundError):
        service.get_review(board.ws, 999)
    with pytest.raises(NotFoundError):
        service.open_review(board.ws, f"{MODEL}:1", "no-such-policy", *ANA(board))
    with pytest.raises(InputError):
        service.open_review(board.ws, MODEL, "board-test", *ANA(board))
    with pytest.raises(InputError):
        service.list_reviews(board.ws, "pending")


def test_policy_versions(board: Board, tmp_path: Path) -> None:
    policy, version = service.add_policy(board.ws, Path(__file__).parents[1] / "fixtures"
                                         / "governance" / "board-policy.yaml", *ANA(board))
    assert version == 1  # same text again: no new version
    changed = tmp_path / "p.yaml"
    changed.write_text((Path(__file__).parents[1] / "fixtures" / "governance"
                        / "board-policy.yaml").read_text().replace("0.77", "0.8"))
    _, version = service.add_policy(board.ws, changed, *ANA(board))
    assert version == 2
    [(latest, v)] = service.list_policies(board.ws)
    assert v == 2 and latest.checks[0].min == 0.8 and latest.digest != policy.digest
    assert Decision("approve") is Decision.APPROVE


def test_one_open_review_per_version_and_gate(board: Board) -> None:
    first = board.open_review(f"{MODEL}:1")
    with pytest.raises(SignatureRefused, match=f"review #{first.id} of {MODEL}:1") as info:
        board.open_review(f"{MODEL}:1")
    assert info.value.reason == "already_open"
    with pytest.raises(InputError, match="needs a reason"):
        board.open_review(f"{MODEL}:1", supersede=True)
    second = board.open_review(f"{MODEL}:1", supersede=True, reason="new evidence")
    old = service.get_review(board.ws, first.id)
    assert old.state is ReviewState.WITHDRAWN and "superseded by review #2" in old.close_reason
    assert service.get_review(board.ws, second.id).state is ReviewState.OPEN
    assert audit_service.verify_board(board.ws).ok
