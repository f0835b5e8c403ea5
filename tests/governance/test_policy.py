"""Gate policies from YAML: the issue's example parses; every malformation names line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.domain.governance import CheckKind
from governance_app.errors import InputError
from governance_app.governance.policy import parse_policy, policy_from_dict, read_policy

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "governance" / (
    "production-promotion.yaml")


def test_issue_example_parses() -> None:
    policy = read_policy(EXAMPLE)
    assert policy.name == "production-promotion" and policy.gate == "production"
    assert [c.kind for c in policy.checks] == [CheckKind.METRIC, CheckKind.METRIC,
                                               CheckKind.FAIRNESS, CheckKind.DRIFT,
                                               CheckKind.EVIDENCE]
    assert policy.checks[1].blocking is False and policy.checks[0].min == 0.77
    assert policy.checks[2].sensitive == "sex" and policy.checks[2].max == 0.1
    assert policy.quorum.approvals == 2 and policy.quorum.roles == {"chair": 1}
    assert policy.separation_of_duties is True
    assert policy.meaning("approve") == "Approved for promotion to production"
    assert policy.meaning("reject") == "Rejected for promotion to production"
    assert len(policy.digest) == 64
    assert policy_from_dict(policy.as_dict()) == policy  # stored form round-trips


def test_digest_ignores_formatting_and_comments() -> None:
    text = EXAMPLE.read_text()
    reformatted = text.replace("{approvals: 2, roles: {chair: 1}}",
                               "\n  approvals: 2\n  roles:\n    chair: 1").replace(
        "min: 0.77", "min: 7.7e-1")
    assert parse_policy("a.yaml", reformatted).digest == read_policy(EXAMPLE).digest


@pytest.mark.parametrize(("old", "new", "location", "words"), [
    ("max: 0.1", "max: high", "line 8 (checks[2].max)", "'high' is not number"),
    ("gate: production ", "gat: production ", "line 3 (gat)", "unknown field 'gat'"),
    ("{drift: share_of_drifted_columns, max: 0.3}", "{drift: share_of_drifted_columns}",
     "line 9 (checks[3])", "needs a threshold"),
    ("sensitive: sex, ", "", "line 8 (checks[2].sensitive)", "'sensitive' is missing"),
    ("{drift:", "{metric: x, drift:", "line 9 (checks[3])", "more than one kind"),
    ("approvals: 2", "approvals: 0", "line 11 (quorum.approvals)", "less than the minimum"),
    ("roles: {chair: 1}", "roles: {chair: 3}", "line 11 (quorum.roles)", "more approvals"),
    ("{evidence: lineage}", "{evidence: lineage, blockng: false}", "line 10 (checks[4].blockng)",
     "unknown field 'blockng'"),
    ("separation_of_duties: true", "separation_of_duties: maybe",
     "line 12 (separation_of_duties)", "is not boolean"),
])
def test_malformed_policy_names_line_and_field(old: str, new: str, location: str,
                                               words: str) -> None:
    text = EXAMPLE.read_text()
    assert old in text
    with pytest.raises(InputError) as info:
        parse_policy("policy.yaml", text.replace(old, new, 1))
    assert info.value.location == location, str(info.value)
    assert words in str(info.value)
    assert str(info.value).startswith("policy.yaml, ")


def test_bad_yaml_and_aliases_are_refused() -> None:
    with pytest.raises(InputError, match="line 3, column 1"):
        parse_policy("p.yaml", "policy: x\ngate: [a\n")
    with pytest.raises(InputError, match="aliases|anchors"):
        parse_policy("p.yaml", "policy: &a x\ngate: *a\nchecks: []\nquorum: {approvals: 1}\n")
    with pytest.raises(InputError, match="mapping"):
        parse_policy("p.yaml", "- a list\n")
