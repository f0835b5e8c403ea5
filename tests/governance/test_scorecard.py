"""Scorecard assessment: weighted points, the tier they reach, and refused answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_app.errors import InputError
from governance_app.governance.risk_policy import parse_risk_policy, template_text
from governance_app.governance.scorecard import assess, read_answers

SR = parse_risk_policy("sr26-2-tiering.yaml", template_text("sr26-2-tiering.yaml"))

HIGH = {"financial_exposure": "high", "regulatory_use": "direct", "customer_impact": "decides",
        "automation": "automated", "complexity": "complex", "data_sensitivity": "direct"}
LOW = {"financial_exposure": "low", "regulatory_use": "no", "customer_impact": "none",
       "automation": "advisory", "complexity": "simple", "data_sensitivity": "no"}


def test_all_highest_answers_score_the_maximum_and_tier_1() -> None:
    result = assess(SR, HIGH)
    assert result.score == result.max_score == 36
    assert result.tier == 1 and result.tier_label == "high materiality"
    assert result.policy_digest == SR.digest


def test_lowest_answers_tier_3_with_weighted_points() -> None:
    result = assess(SR, LOW)
    # 3×1 + 3×0 + 2×0 + 2×1 + 1×1 + 1×0
    assert result.score == 6
    assert result.points == {"financial_exposure": 3, "regulatory_use": 0,
                             "customer_impact": 0, "automation": 2, "complexity": 1,
                             "data_sensitivity": 0}
    assert result.tier == 3
    assert "score 6 of 36 → tier 3" in result.rationale()


def test_tier_boundaries_are_inclusive() -> None:
    # 26 = tier 1's lowest score: 3×3 + 3×3 + 2×2 + 2×1 + 1×2 + 1×0
    answers = {"financial_exposure": "high", "regulatory_use": "direct",
               "customer_impact": "influences", "automation": "advisory",
               "complexity": "moderate", "data_sensitivity": "no"}
    assert assess(SR, answers).score == 26
    assert assess(SR, answers).tier == 1
    answers["complexity"] = "simple"
    assert assess(SR, answers).tier == 2


def test_yaml_false_is_read_as_the_word_no(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("\n".join(f"{k}: {v}" for k, v in LOW.items()) + "\n", encoding="utf-8")
    answers, text = read_answers(path)
    assert answers["regulatory_use"] is False  # what YAML 1.1 makes of `no`
    assert assess(SR, answers, path, text).tier == 3


def test_unknown_question_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("financial_exposure: high\nmagic: yes\n", encoding="utf-8")
    answers, text = read_answers(path)
    with pytest.raises(InputError, match=r"answers.yaml, line 2 \(magic\): 'magic' is not a "
                                          r"question of sr26-2-tiering"):
        assess(SR, answers, path, text)


def test_missing_and_invalid_answers_are_refused() -> None:
    partial = dict(HIGH)
    del partial["automation"]
    with pytest.raises(InputError, match="question 'automation' is not answered"):
        assess(SR, partial)
    wrong = dict(HIGH, automation="sometimes")
    with pytest.raises(InputError, match=r"'sometimes' is not an answer to 'automation'.*"
                                          r"advisory, reviewed, automated"):
        assess(SR, wrong)


def test_policy_without_scorecard() -> None:
    eu = parse_risk_policy("eu", template_text("eu-ai-act-high-risk.yaml"))
    with pytest.raises(InputError, match="has no scorecard"):
        assess(eu, HIGH)
