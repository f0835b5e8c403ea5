"""Apply a tiering scorecard to a model's answers: score, tier, and the rationale in words.

The answers file is a YAML mapping ``question id: answer`` (``tier assess MODEL --answers
ANSWERS.yaml``). Every question must be answered with one of its allowed answers: a tier that
silently skipped a question would understate the model's materiality.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.domain.risk import Assessment, RiskPolicy
from governance_app.errors import InputError
from governance_app.governance.yaml_locations import location
from governance_app.importers.safe_io import MAX_YAML_BYTES, parse_yaml, read_text


def assess(policy: RiskPolicy, answers: dict[str, Any], source: str | Path = "answers",
           text: str = "") -> Assessment:
    """Score ``answers`` with the policy's scorecard.

    Args:
        source, text: the answers file and its text, so an error can name the line.

    Raises:
        InputError: the policy has no scorecard, or a question is unknown, unanswered or
            answered with a value it does not allow.
    """
    card = policy.scorecard
    if card is None:
        raise InputError(policy.name, "this risk policy has no scorecard to assess with",
                         expected="a policy with a scorecard: section")
    known = {q.id for q in card.questions}
    for key in answers:
        if key not in known:
            raise InputError(source, f"{key!r} is not a question of {policy.name}",
                             location=location(text, [key]) if text else key,
                             expected="one of " + ", ".join(q.id for q in card.questions))
    points: dict[str, float] = {}
    chosen: dict[str, str] = {}
    for question in card.questions:
        if question.id not in answers:
            raise InputError(source, f"question {question.id!r} is not answered",
                             location=question.id,
                             expected=f"{question.id}: one of "
                             + ", ".join(a.value for a in question.answers))
        value = _answer_text(answers[question.id])
        answer = question.answer(value)
        if answer is None:
            raise InputError(source, f"{value!r} is not an answer to {question.id!r}",
                             location=location(text, [question.id]) if text else question.id,
                             expected="one of " + ", ".join(a.value for a in question.answers))
        chosen[question.id] = value
        points[question.id] = question.weight * answer.points
    score = sum(points.values())
    rule = next(t for t in card.tiers if score >= t.min_score)
    return Assessment(
        policy=policy.name, policy_digest=policy.digest, answers=chosen, points=points,
        score=score, max_score=sum(q.max_points for q in card.questions), tier=rule.tier,
        tier_label=rule.label)


def _answer_text(value: Any) -> str:
    """YAML reads ``no`` as False and ``3`` as 3; answers are compared as the words written."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def read_answers(path: Path) -> tuple[dict[str, Any], str]:
    """The answers file's mapping and its text.

    Raises:
        InputError: unreadable, malformed, or not a mapping of question ids to answers.
    """
    text = read_text(path, limit=MAX_YAML_BYTES)
    doc = parse_yaml(path, text, strict=True)
    if isinstance(doc, dict) and isinstance(doc.get("answers"), dict):
        doc = doc["answers"]
    if not isinstance(doc, dict):
        raise InputError(path, "the answers are a YAML mapping", location="line 1",
                         expected="question_id: answer, one per line")
    return doc, text
