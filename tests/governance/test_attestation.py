"""Promotion attestations: our verifier and securesystemslib's DSSE ``Envelope.verify`` agree."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey

from governance_app.errors import CheckFailed, InputError
from governance_app.governance import keys
from governance_app.governance.attestation import (
    PAYLOAD_TYPE,
    STATEMENT_TYPE,
    pae,
    public_keys_from_pems,
    verify_attestation,
)
from governance_app.services import reviews as service
from tests.governance.review_helpers import MODEL, Board, make_board


@pytest.fixture
def approved(tmp_path: Path) -> Iterator[tuple[Board, int]]:
    board = make_board(f"sqlite:///{tmp_path / 'ws.db'}", tmp_path / "keys")
    review = board.open_review(f"{MODEL}:1")
    board.sign(review.id, "Bo Chen")
    board.sign(review.id, "Ana Lima")
    yield board, review.id
    board.ws.close()


def sslib_keys(board: Board, names: list[str]) -> list[SSlibKey]:
    out = []
    for name in names:
        public = keys.load_public_pem(board.public_pems[name])
        out.append(SSlibKey.from_crypto(public, keyid=keys.fingerprint(public)))
    return out


def sslib_envelope(document: dict) -> Envelope:
    # Envelope.from_dict rewrites the signature dicts it is given in place: hand it a copy.
    return Envelope.from_dict(copy.deepcopy(document))


def test_pae_matches_dsse_spec() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world")


def test_envelope_verifies_with_ours_and_securesystemslib(approved: tuple[Board, int]) -> None:
    board, review_id = approved
    envelope = service.attestation_envelope(board.ws, review_id)
    assert envelope["payloadType"] == PAYLOAD_TYPE and len(envelope["signatures"]) == 2
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == STATEMENT_TYPE
    assert statement["subject"][0]["name"] == f"model:{MODEL}/1"
    assert statement["predicate"]["decision"] == "approve"

    pems, quorum = service.approver_keys(board.ws, review_id)
    assert quorum == 2
    result = verify_attestation(envelope, pems, quorum)
    assert len(result.verified_keyids) == 2 and result.subject == f"model:{MODEL}/1"

    accepted = sslib_envelope(envelope).verify(
        sslib_keys(board, ["Bo Chen", "Ana Lima"]), 2)
    assert set(accepted) == set(pems)
    # The quorum is a real threshold: one key alone is not enough for either verifier.
    with pytest.raises(VerificationError):
        sslib_envelope(envelope).verify(sslib_keys(board, ["Bo Chen", "Carla Diaz"]), 2)
    with pytest.raises(CheckFailed):
        verify_attestation(envelope, public_keys_from_pems([board.public_pems["Bo Chen"]]), 2)


def test_tampered_envelopes_fail(approved: tuple[Board, int]) -> None:
    board, review_id = approved
    envelope = service.attestation_envelope(board.ws, review_id)
    pems, quorum = service.approver_keys(board.ws, review_id)

    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["subject"][0]["name"] = f"model:{MODEL}/2"  # promote another version
    forged = dict(envelope, payload=base64.b64encode(json.dumps(statement).encode()).decode())
    with pytest.raises(CheckFailed, match="0 valid signature"):
        verify_attestation(forged, pems, quorum)
    with pytest.raises(VerificationError):
        sslib_envelope(forged).verify(sslib_keys(board, ["Bo Chen", "Ana Lima"]), 2)

    # The same signature twice counts once.
    doubled = dict(envelope, signatures=[envelope["signatures"][0]] * 2)
    with pytest.raises(CheckFailed, match="1 valid signature"):
        verify_attestation(doubled, pems, quorum)
    with pytest.raises(InputError, match="payloadType"):
        verify_attestation(dict(envelope, payloadType="text/plain"), pems, quorum)
    not_statement = dict(envelope, payload=base64.b64encode(b'{"_type": "x"}').decode())
    with pytest.raises(InputError, match="_type"):
        verify_attestation(not_statement, pems, quorum)


def test_open_review_has_no_attestation(approved: tuple[Board, int]) -> None:
    board, _ = approved
    review = board.open_review(f"{MODEL}:2")
    with pytest.raises(InputError, match="is open"):
        service.attestation_envelope(board.ws, review.id)
