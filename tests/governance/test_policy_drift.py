"""A gate policy's ``drift:`` section: parsed, validated with file, line and field, digested."""

from __future__ import annotations

import pytest

from governance_app.errors import InputError
from governance_app.governance.policy import parse_policy, policy_from_dict

HEAD = """policy: p
gate: production
checks:
  - {drift: share_of_drifted_columns, max: 0.3}
quorum: {approvals: 1}
"""

SECTION = HEAD + """drift:
  threshold: 0.15
  drift_share: 0.4
  columns:
    income: {method: psi, threshold: 0.2}
    age: {method: ks}
    region: {threshold: 0.25}
"""


def test_the_section_is_kept_in_canonical_form_and_in_the_digest() -> None:
    policy = parse_policy("p.yaml", SECTION)
    assert policy.drift == {"threshold": 0.15, "drift_share": 0.4, "columns": {
        "income": {"method": "psi", "threshold": 0.2}, "age": {"method": "ks"},
        "region": {"threshold": 0.25}}}
    bare = parse_policy("p.yaml", HEAD)
    assert bare.drift is None and "drift" not in bare.as_dict()  # old digests stay
    assert policy.digest != bare.digest
    again = policy_from_dict(policy.as_dict())
    assert again.drift == policy.drift and again.digest == policy.digest


@pytest.mark.parametrize("section,problem,where", [
    ("  columns:\n    age: {method: pzi}\n", "'pzi' is not one of",
     "line 8 (drift.columns.age.method)"),
    ("  columns:\n    age: {treshold: 0.1}\n", "unknown field 'treshold' (did you mean "
     "'threshold'?)", "line 8 (drift.columns.age.treshold)"),
    ("  columns:\n    age: {method: ks, threshold: 5}\n", "5 is not a p-value threshold for ks",
     "line 8 (drift.columns.age.threshold)"),
    ("  method: chisquare\n  columns:\n    age: {threshold: 1}\n",
     "1 is not a p-value threshold for chisquare", "line 9 (drift.columns.age.threshold)"),
    ("  drift_share: 1.5\n", "1.5 is greater than the maximum of 1", "line 7 (drift.drift_share)"),
    ("  threshold: -1\n", "-1 is less than or equal to the minimum of 0",
     "line 7 (drift.threshold)"),
    ("  columns: {}\n", "should be non-empty", "line 7 (drift.columns)"),
    ("  columns:\n    age: {}\n", "should be non-empty", "line 8 (drift.columns.age)"),
    ("  share: 0.5\n", "unknown field 'share'", "line 7 (drift.share)"),
])
def test_mistakes_name_the_line_and_the_field(section: str, problem: str, where: str) -> None:
    with pytest.raises(InputError) as err:
        parse_policy("p.yaml", HEAD + "drift:\n" + section)
    assert problem in str(err.value)
    assert err.value.location == where
    assert str(err.value).startswith("p.yaml, " + where)
