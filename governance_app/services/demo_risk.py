"""The demo's model-risk cycle: tiers, findings with a thread, an approval that will lapse.

Built after the demo's board (``demo_reviews``) with the same demo members and their publicly
known demo passphrases, through the same signed acts as a real board, so every view has real
content: the Inventory shows a tier-1 model overdue for its first validation, a model blocked
by an open high finding, one whose approval expires within the warning window (set "As of" a
month ahead to see it lapse), and the agenda's credit_default with a medium finding the board
can make a condition of its approval.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from governance_app.errors import GovernanceError
from governance_app.services import board, risk
from governance_app.services import reviews as review_service
from governance_app.services.demo_reviews import DEMO_KEY_FOLDER, DEMO_PASSPHRASES
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace

RISK_POLICY_FILE = "model-risk.yaml"
VALIDATION_POLICY_FILE = "periodic-validation.yaml"
CHAIR, RISK, COMPLIANCE = "Ana Lima", "Malik Haddad", "Sofia Rossi"
TIERS: dict[str, tuple[int, str, str]] = {
    "fraud_detector": (1, "Blocks card payments in real time, unreviewed; high loss exposure",
                       "card-payment fraud blocking"),
    "readmission_risk": (1, "Informs clinical follow-up for discharged patients",
                         "30-day readmission follow-up"),
    "loan_pricing": (2, "Prices personal loans within limits a pricing desk reviews",
                     "personal loan pricing"),
    "churn_propensity": (3, "Chooses retention offers; no credit or legal effect",
                         "retention offers"),
}
APPROVAL_EXPIRES_IN = timedelta(days=20)


def _resource(*parts: str) -> Path:
    return Path(str(resources.files("governance_app.resources").joinpath("demo", *parts)))


def build_demo_risk(ws: Workspace, folder: Path) -> None:
    """Add the model-risk cycle to the freshly built demo workspace in ``folder``.

    Raises:
        GovernanceError: the demo sources no longer allow these steps (a test catches it).
    """
    keys_dir = folder / DEMO_KEY_FOLDER
    key = {name: keys_dir / f"{name.split()[0].lower()}.key"
           for name in (CHAIR, RISK, COMPLIANCE)}

    def secret(name: str) -> PassphraseSource:
        return PassphraseSource(value=DEMO_PASSPHRASES[name])

    risk.adopt_risk_policy(ws, _resource("policies", RISK_POLICY_FILE), CHAIR, secret(CHAIR),
                           key[CHAIR])
    board.add_policy(ws, _resource("policies", VALIDATION_POLICY_FILE), CHAIR, secret(CHAIR),
                     key[CHAIR])
    risk.assess_tier(ws, "credit_default", _resource("risk", "credit_default-answers.yaml"),
                     "demo-model-risk", RISK, secret(RISK), key[RISK],
                     use="consumer credit limit decisions")
    for model, (tier, rationale, use) in TIERS.items():
        risk.set_tier(ws, model, tier, rationale, RISK, secret(RISK), key[RISK], use=use)

    today = datetime.now(UTC).date()
    leak, _ = risk.open_finding(
        ws, "fraud_detector:3", type="validation-issue", severity="high",
        title="Chargeback date among the features leaks the label",
        description="The chargeback date is only known after the fraud outcome; validation "
                    "AUC is inflated. Retrain without it and report the honest AUC.",
        owner="Amara Okafor", due=today + timedelta(days=14), member=RISK,
        passphrase=secret(RISK), key_file=key[RISK], evidence=["lineage:fraud_detector:3"])
    risk.comment_finding(ws, leak.id, "Which features were derived after the transaction "
                         "time? Please list them with their timestamps.", RISK, secret(RISK),
                         key[RISK])
    risk.comment_finding(ws, leak.id, "Compliance: the release stays on hold until this is "
                         "closed.", COMPLIANCE, secret(COMPLIANCE), key[COMPLIANCE])
    risk.open_finding(
        ws, "credit_default:4", type="limitation", severity="medium",
        title="Calibration is weaker in the thin-file segment",
        description="Expected vs observed default rate differs by 4 points for applicants with "
                    "fewer than two credit lines.", owner="Zoë Ångström",
        due=today + timedelta(days=45), member=RISK, passphrase=secret(RISK),
        key_file=key[RISK], evidence=["fairness:credit_default:4"])
    exception, _ = risk.open_finding(
        ws, "readmission_risk", type="policy-exception", severity="low",
        title="No challenger model maintained", owner="Dr. Priya Natarajan", member=RISK,
        passphrase=secret(RISK), key_file=key[RISK])
    risk.accept_finding(ws, exception.id, today + timedelta(days=90),
                        "A challenger is planned with the 2027 data refresh.", RISK,
                        secret(RISK), key[RISK])

    review, _ = review_service.open_review(ws, "churn_propensity:1", "periodic-validation",
                                           CHAIR, secret(CHAIR), key[CHAIR])
    review_service.sign_review(ws, review.id, RISK, "approve", DEMO_PASSPHRASES[RISK],
                               "Stable since launch; revalidate after the offer catalogue "
                               "changes.", key[RISK])
    expires = (today + APPROVAL_EXPIRES_IN).isoformat()
    review_service.sign_review_act(
        ws, review.id, CHAIR, "approve", DEMO_PASSPHRASES[CHAIR],
        "Approved until the new offer catalogue ships.", key[CHAIR],
        terms=risk.approval_terms(ws, [], expires))
    if review_service.get_review(ws, review.id).state.value != "approved":
        raise GovernanceError("the demo's periodic validation of churn_propensity failed")
