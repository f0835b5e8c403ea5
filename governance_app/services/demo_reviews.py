"""The demo's review board: policies, three members, and reviews signed at demo-build time.

!!! DEMO ONLY — KNOWN PASSPHRASES !!!
The members created here have passphrases written in this file (``DEMO_PASSPHRASES``) so that
the bundled demo can show signed reviews and a verifiable attestation on a fresh machine, and
so that a visitor can sign the open review in the GUI. Their keys are key files inside the demo
data folder (``demo-keys/``), never the OS keyring. Nothing here may be used for a real
workspace: a real member chooses their own passphrase (``governance-app member add``).
The demo founds its board and admits its members through the same signed acts as a real
board, so the demo workspace verifies against its own root.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from governance_app.errors import GovernanceError
from governance_app.services import board
from governance_app.services import reviews as review_service
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace

DEMO_KEY_FOLDER = "demo-keys"
DEMO_MEMBERS: dict[str, tuple[list[str], str]] = {
    "Ana Lima": (["chair"], "ana.lima@meridian.example"),
    "Malik Haddad": (["risk"], "malik.haddad@meridian.example"),
    "Sofia Rossi": (["compliance"], "sofia.rossi@meridian.example"),
}
DEMO_PASSPHRASES = {name: f"demo-only {name.split()[0].lower()}" for name in DEMO_MEMBERS}
"""DEMO ONLY: publicly known passphrases (see the module docstring)."""

POLICY_FILES = ("production-promotion.yaml", "staging-promotion.yaml")
ACTOR = "demo builder"


def _policy_path(name: str) -> Path:
    return Path(str(resources.files("governance_app.resources") / "demo" / "policies" / name))


def build_demo_reviews(ws: Workspace, folder: Path) -> None:
    """Add the demo board to a freshly built demo workspace in ``folder``.

    * v4 of credit_default approved for ``staging`` by Malik Haddad and Ana Lima (the alias is
      granted; ``governance-app attest`` works on it);
    * v3 rejected for ``production`` (fairness and drift checks fail) by Ana Lima, with
      Malik Haddad's dissenting reject on record;
    * v4 open for ``production``: the meeting's agenda (its drift check has no result yet).

    Raises:
        GovernanceError: the demo sources no longer allow these steps (a test catches it).
    """
    keys_dir = folder / DEMO_KEY_FOLDER
    shutil.rmtree(keys_dir, ignore_errors=True)
    keys_dir.mkdir(parents=True)
    key_of = {name: keys_dir / f"{name.split()[0].lower()}.key" for name in DEMO_MEMBERS}
    chair = "Ana Lima"

    def secret(name: str) -> PassphraseSource:
        return PassphraseSource(value=DEMO_PASSPHRASES[name])

    board.found(ws, chair, secret(chair), email=DEMO_MEMBERS[chair][1], key_file=key_of[chair])
    for name, (roles, email) in DEMO_MEMBERS.items():
        if name == chair:
            continue
        request = board.request_membership(ws, name, roles, secret(name), email=email,
                                           key_file=key_of[name])
        board.admit(ws, name, request.detail["fingerprint"], chair, secret(chair),
                    key_of[chair])
    for name in POLICY_FILES:
        board.add_policy(ws, _policy_path(name), chair, secret(chair), key_of[chair])

    def sign(review_id: int, name: str, decision: str, comment: str) -> None:
        review_service.sign_review(ws, review_id, name, decision, DEMO_PASSPHRASES[name],
                                   comment, key_of[name])

    def open_review(ref: str, policy: str) -> int:
        review, _ = review_service.open_review(ws, ref, policy, chair, secret(chair),
                                               key_of[chair])
        return review.id

    staging = open_review("credit_default:4", "staging-promotion")
    sign(staging, "Malik Haddad", "approve", "AUC and equalized odds within limits.")
    sign(staging, "Ana Lima", "approve", "Shadow-score for a month before production.")
    rejected = open_review("credit_default:3", "production-promotion")
    sign(rejected, "Malik Haddad", "reject", "Equalized odds gap by sex is 0.23.")
    sign(rejected, "Ana Lima", "reject", "Fairness and drift checks fail; retrain first.")
    agenda = open_review("credit_default:4", "production-promotion")
    if review_service.get_review(ws, staging).state.value != "approved" or agenda is None:
        raise GovernanceError("the demo's staging review was not approved")


DEMO_REPORT_FOLDER = "demo-reports"
DEMO_CARD_PRODUCER = "Sofia Rossi"


def build_demo_card(ws: Workspace, folder: Path) -> Path:
    """Seal the model card of the reviewed credit_default v4 into ``folder/demo-reports``, as
    the compliance member, so the Reports view lists and previews a real report from the start.

    Raises:
        GovernanceError: the card cannot be built from the demo (a test catches it).
    """
    from governance_app.services.reports import build_model_card  # reportlab: only here

    out = folder / DEMO_REPORT_FOLDER / "credit_default-v4-model-card.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    return build_model_card(ws, "credit_default:4", out, DEMO_CARD_PRODUCER,
                            DEMO_PASSPHRASES[DEMO_CARD_PRODUCER]).path


DEMO_VALIDATOR = "Malik Haddad"


def build_demo_validation(ws: Workspace, folder: Path) -> Path:
    """Seal the validation report of credit_default v4 beside the card, as the risk member
    (its scope, tests, the open medium finding and the staging approval's signatures), so the
    Reports view has each kind of version report from the start.

    Raises:
        GovernanceError: the report cannot be built from the demo (a test catches it).
    """
    from governance_app.services.validation_report import build_validation_report

    out = folder / DEMO_REPORT_FOLDER / "credit_default-v4-validation-report.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    return build_validation_report(ws, "credit_default:4", out, DEMO_VALIDATOR,
                                   DEMO_PASSPHRASES[DEMO_VALIDATOR]).path
