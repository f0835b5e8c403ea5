"""One signature, one person (21 CFR 11.100(a)): names and keys are never shared or reused."""

from __future__ import annotations

import pytest

from governance_app.errors import GovernanceError, InputError
from governance_app.governance import keys
from governance_app.governance.members import create_member, list_members, revoke_member
from governance_app.services.workspace import Workspace
from tests.governance.helpers import FAST, add_member


@pytest.fixture
def ws(workspace_url, memory_keyring):
    with Workspace.open(workspace_url) as workspace:
        yield workspace


def test_a_second_member_with_the_same_name_is_refused(ws: Workspace) -> None:
    add_member(ws, "Ana Lima")
    other = keys.generate("other", scrypt_n=FAST)
    with ws.session(immediate=True) as session, pytest.raises(GovernanceError,
                                                               match="already exists"):
        create_member(session, "Ana Lima", ["risk"], "", other, "keyring", actor="test")
    with ws.session() as session:
        assert [m.name for m in list_members(session)] == ["Ana Lima"]


def test_a_key_already_held_by_a_member_cannot_be_given_to_another(ws: Workspace) -> None:
    first = keys.generate("pw", scrypt_n=FAST)
    with ws.session(immediate=True) as session:
        create_member(session, "Bo Chen", ["chair"], "", first, "keyring", actor="test")
    with pytest.raises(GovernanceError, match=first.fingerprint):
        with ws.session(immediate=True) as session:
            create_member(session, "Cy Diaz", ["chair"], "", first, "keyring", actor="test")
    with ws.session() as session:
        assert [m.name for m in list_members(session)] == ["Bo Chen"]


def test_a_revoked_name_is_not_reassigned(ws: Workspace) -> None:
    add_member(ws, "Dev Patel")
    with ws.session(immediate=True) as session:
        revoke_member(session, "Dev Patel", "left the board", actor="test")
    other = keys.generate("new", scrypt_n=FAST)
    with ws.session(immediate=True) as session, pytest.raises(GovernanceError):
        create_member(session, "Dev Patel", ["chair"], "", other, "keyring", actor="test")


def test_empty_names_and_missing_roles_are_input_errors(ws: Workspace) -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    with ws.session(immediate=True) as session:
        with pytest.raises(InputError, match="member name"):
            create_member(session, "  ", ["chair"], "", new, "keyring", actor="test")
        with pytest.raises(InputError, match="member roles"):
            create_member(session, "Eve", [" "], "", new, "keyring", actor="test")
