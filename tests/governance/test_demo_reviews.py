"""The demo's review board is built with the demo through the board's signed acts: signed
reviews, a granted gate, an attestation that verifies, and a workspace that verifies."""

from __future__ import annotations

from pathlib import Path

from governance_app.domain.governance import ReviewState
from governance_app.governance.attestation import verify_attestation
from governance_app.services import audit as audit_service
from governance_app.services import reviews as service
from governance_app.services.demo import build_demo_workspace
from governance_app.services.demo_reviews import DEMO_KEY_FOLDER
from governance_app.services.workspace import Workspace


def test_demo_board(tmp_path: Path) -> None:
    url = build_demo_workspace(tmp_path / "demo.db")
    assert sorted(p.name for p in (tmp_path / DEMO_KEY_FOLDER).iterdir()) == [
        "ana.key", "malik.key", "sofia.key",
        "sofia.key.seal.json"]  # Sofia Rossi's document key: she seals the demo's model card
    with Workspace.open(url) as ws:
        states = {(r.ref, r.policy.gate): r.state for r in service.list_reviews(ws)}
        assert states == {("credit_default:4", "staging"): ReviewState.APPROVED,
                          ("credit_default:3", "production"): ReviewState.REJECTED,
                          ("credit_default:4", "production"): ReviewState.OPEN}
        grants = {(g["model"], g["gate"]): g["version"] for g in service.gate_grants(ws)}
        assert grants == {("credit_default", "staging"): 4}
        [approved] = service.list_reviews(ws, "approved")
        keys, quorum = service.approver_keys(ws, approved.id)
        result = verify_attestation(service.attestation_envelope(ws, approved.id), keys, quorum)
        assert len(result.verified_keyids) == 2
        result = audit_service.verify_board(ws)
        assert result.ok and result.breaks == () and result.mismatches == ()
        assert result.root is not None and result.root.version == 5  # 2 admissions, 2 policies
