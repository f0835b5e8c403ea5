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
        "ana.key", "malik.key", "malik.key.seal.json", "sofia.key",
        "sofia.key.seal.json"]  # document keys: Sofia Rossi seals the demo's model card,
    # Malik Haddad (the validator) its validation report
    with Workspace.open(url) as ws:
        states = {(r.ref, r.policy.gate): r.state for r in service.list_reviews(ws)}
        assert states == {("credit_default:4", "staging"): ReviewState.APPROVED,
                          ("credit_default:3", "production"): ReviewState.REJECTED,
                          ("credit_default:4", "production"): ReviewState.OPEN,
                          ("churn_propensity:1", "validated"): ReviewState.APPROVED}
        grants = {(g["model"], g["gate"]): g["version"] for g in service.gate_grants(ws)}
        assert grants == {("credit_default", "staging"): 4,
                          ("churn_propensity", "validated"): 1}
        approved = next(r for r in service.list_reviews(ws, "approved")
                        if r.ref == "credit_default:4")
        keys, quorum = service.approver_keys(ws, approved.id)
        result = verify_attestation(service.attestation_envelope(ws, approved.id), keys, quorum)
        assert len(result.verified_keyids) == 2
        result = audit_service.verify_board(ws)
        assert result.ok and result.breaks == () and result.mismatches == ()
        assert result.root is not None and result.root.version == 6  # 2 admissions, 3 policies


def test_demo_model_risk(tmp_path: Path) -> None:
    """The Inventory has real content: an overdue tier-1 model, a blocking high finding with
    its thread, an approval that lapses within a month, an accepted exception."""
    from datetime import date, timedelta

    from governance_app.services import risk

    url = build_demo_workspace(tmp_path / "demo.db")
    with Workspace.open(url) as ws:
        rows = {r.model: r for r in risk.inventory(ws)}
        assert {m: r.tier for m, r in rows.items()} == {
            "credit_default": 1, "fraud_detector": 1, "readmission_risk": 1,
            "loan_pricing": 2, "churn_propensity": 3}
        assert rows["fraud_detector"].overdue and rows["fraud_detector"].open_findings["high"]
        assert rows["fraud_detector"].due_reason.startswith("high finding #1 open")
        assert rows["readmission_risk"].overdue
        assert rows["readmission_risk"].due_reason == "never validated"
        assert not rows["credit_default"].overdue  # validated by its staging approval
        churn = rows["churn_propensity"]
        assert churn.expiring and churn.approved_gate == "validated" and not churn.lapses
        later = {r.model: r for r in risk.inventory(ws, date.today() + timedelta(days=30))}
        assert later["churn_propensity"].lapses[0].startswith("the approval expired on")
        findings = risk.list_findings(ws)
        leak = next(f for f in findings if f.model == "fraud_detector")
        assert [c.member for c in leak.thread] == ["Malik Haddad", "Sofia Rossi"]
        exception = next(f for f in findings if f.model == "readmission_risk")
        assert exception.status.value == "accepted" and exception.exception_until is not None
        assert audit_service.verify_board(ws).ok
