"""Risk policies: the shipped templates parse, every mistake names its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.domain.risk import Severity
from governance_app.errors import InputError
from governance_app.governance.risk_policy import (
    TEMPLATES,
    parse_risk_policy,
    read_risk_policy,
    template_text,
)

MINIMAL = """\
risk_policy: small
scorecard:
  questions:
    - id: impact
      text: How large is the impact?
      weight: 2
      answers: {low: 1, high: 3}
  tiers:
    - {tier: 1, min_score: 5}
    - {tier: 2, min_score: 0}
revalidation:
  cadence_months: {1: 12, 2: 24}
"""


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_parse_and_have_stable_digests(name: str) -> None:
    text = template_text(name)
    first, second = parse_risk_policy(name, text), parse_risk_policy(name, text)
    assert first.digest == second.digest and len(first.digest) == 64
    assert first.revalidation is not None
    assert first.findings.blocking_severity is Severity.HIGH
    assert "validator" in first.findings.closers


def test_sr26_2_template_covers_every_tier_with_a_cadence() -> None:
    policy = parse_risk_policy("sr", template_text("sr26-2-tiering.yaml"))
    assert policy.scorecard is not None and policy.revalidation is not None
    tiers = {t.tier for t in policy.scorecard.tiers}
    assert tiers == {1, 2, 3}
    assert policy.revalidation.cadence_months == {1: 12, 2: 24, 3: 36}
    # "no" is an answer word, not YAML's False
    regulatory = next(q for q in policy.scorecard.questions if q.id == "regulatory_use")
    assert [a.value for a in regulatory.answers] == ["no", "indirect", "direct"]


def test_eu_ai_act_checklist_maps_every_annex_iv_item() -> None:
    policy = parse_risk_policy("eu", template_text("eu-ai-act-high-risk.yaml"))
    items = [c["item"] for c in policy.checklist]
    for number in range(1, 10):
        assert any(i.startswith(f"Annex IV {number}") for i in items), number
    assert all(c["held_in"] for c in policy.checklist)


def test_minimal_policy(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    policy = read_risk_policy(path)
    assert policy.name == "small"
    assert policy.scorecard is not None
    assert [t.tier for t in policy.scorecard.tiers] == [1, 2]
    assert policy.scorecard.questions[0].max_points == 6


@pytest.mark.parametrize(("change", "line", "field", "words"), [
    (("weight: 2", "weight: -1"), 6, "scorecard.questions[0].weight", "-1 is less than or equal"),
    (("weight: 2", "wieght: 2"), 6, "scorecard.questions[0].wieght", "unknown field 'wieght'"),
    (("{1: 12, 2: 24}", "{1: 12}"), 12, "revalidation.cadence_months", "no cadence for tier 2"),
    (("{tier: 2, min_score: 0}", "{tier: 2, min_score: 1}"), 9, "scorecard.tiers",
     "falls in no tier"),
    (("{tier: 2, min_score: 0}", "{tier: 1, min_score: 0}"), 9, "scorecard.tiers",
     "listed twice"),
])
def test_mistakes_name_the_line_and_field(change: tuple[str, str], line: int, field: str,
                                          words: str) -> None:
    text = MINIMAL.replace(*change)
    with pytest.raises(InputError) as caught:
        parse_risk_policy("small.yaml", text)
    message = str(caught.value)
    assert message.startswith(f"small.yaml, line {line} ({field}): ")
    assert words in message


def test_a_question_asked_twice_is_refused() -> None:
    text = MINIMAL.replace("  tiers:", """    - id: impact
      text: again
      answers: {low: 1}
  tiers:""")
    with pytest.raises(InputError, match=r"line 8 \(scorecard.questions\[1\].id\).*twice"):
        parse_risk_policy("small.yaml", text)


def test_not_a_mapping() -> None:
    with pytest.raises(InputError, match="a risk policy is a YAML mapping"):
        parse_risk_policy("x.yaml", "- a\n- b\n")
