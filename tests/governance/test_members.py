"""One signature, one person (21 CFR 11.100(a)): names and keys are never shared or reused,
and only a key the member proved they hold, confirmed out of band, joins the board."""

from __future__ import annotations

import pytest

from governance_app.errors import InputError
from governance_app.governance import keys
from governance_app.governance.root import (
    RootRefused,
    apply_change,
    founding_root,
    member_entry,
)
from tests.governance.helpers import FAST


def _key() -> keys.NewKey:
    return keys.generate("pw", scrypt_n=FAST)


def _request(name: str, roles: list[str], key: keys.NewKey, purpose: str = "admit") -> dict:
    return {"purpose": purpose, "name": name, "roles": roles, "email": "",
            "public_key": key.public_pem, "fingerprint": key.fingerprint}


@pytest.fixture
def board():
    ana = _key()
    root = founding_root(member_entry("Ana Lima", ["chair"], "", ana.public_pem,
                                      ana.fingerprint))
    bo = _key()
    request = _request("Bo Chen", ["risk"], bo)
    root = apply_change(root, {"type": "admit", "name": "Bo Chen",
                               "fingerprint": bo.fingerprint}, request)
    return root, ana, bo


def test_admission_needs_the_fingerprint_read_out_of_band(board) -> None:
    root, _, _ = board
    cy = _key()
    with pytest.raises(RootRefused, match="confirm it out of band"):
        apply_change(root, {"type": "admit", "name": "Cy", "fingerprint": "0" * 64},
                     _request("Cy", ["risk"], cy))
    after = apply_change(root, {"type": "admit", "name": "Cy", "fingerprint": cy.fingerprint},
                         _request("Cy", ["risk"], cy))
    assert after.version == 3 and after.document["previous"] == root.digest
    assert after.member("Cy").fingerprint == cy.fingerprint


def test_a_second_member_with_the_same_name_is_refused(board) -> None:
    root, _, _ = board
    other = _key()
    with pytest.raises(RootRefused, match="already on the board"):
        apply_change(root, {"type": "admit", "name": "Bo Chen",
                            "fingerprint": other.fingerprint},
                     _request("Bo Chen", ["chair"], other))


def test_a_key_already_held_by_a_member_cannot_be_given_to_another(board) -> None:
    root, _, bo = board
    with pytest.raises(RootRefused, match="already belongs"):
        apply_change(root, {"type": "admit", "name": "Cy", "fingerprint": bo.fingerprint},
                     _request("Cy", ["chair"], bo))


def test_a_revoked_name_is_not_reassigned_but_can_be_rekeyed(board) -> None:
    root, _, _ = board
    root = apply_change(root, {"type": "revoke", "name": "Bo Chen", "reason": "lost laptop"})
    assert not root.member("Bo Chen").active
    new = _key()
    with pytest.raises(RootRefused, match="already on the board"):
        apply_change(root, {"type": "admit", "name": "Bo Chen",
                            "fingerprint": new.fingerprint}, _request("Bo Chen", ["risk"], new))
    rekeyed = apply_change(root, {"type": "rekey", "name": "Bo Chen",
                                  "fingerprint": new.fingerprint},
                           _request("Bo Chen", ["risk"], new, "rekey"))
    assert rekeyed.member("Bo Chen").active
    assert rekeyed.member("Bo Chen").fingerprint == new.fingerprint


def test_the_last_chair_cannot_be_revoked(board) -> None:
    root, _, _ = board
    with pytest.raises(RootRefused, match="last chair"):
        apply_change(root, {"type": "revoke", "name": "Ana Lima", "reason": "retiring"})
    with pytest.raises(RootRefused, match="needs a reason"):
        apply_change(root, {"type": "revoke", "name": "Bo Chen", "reason": " "})


def test_empty_names_and_missing_roles_are_input_errors() -> None:
    with pytest.raises(InputError, match="member name"):
        member_entry("  ", ["chair"], "", "pem", "fp")
    with pytest.raises(InputError, match="member roles"):
        member_entry("Eve", [" "], "", "pem", "fp")
    with pytest.raises(RootRefused, match="chair"):
        founding_root(member_entry("Eve", ["risk"], "", "pem", "fp"))
