"""Read a model-risk policy from YAML: tiering scorecard, revalidation cadence, finding rules.

The format (``resources/schemas/risk-policy-1.0.schema.json``, documented in docs/policies.md)
is written by a model-risk team, so every mistake names the line and the field. Templates for
SR 26-2 tiering and the EU AI Act high-risk checklist ship in ``resources/policies/``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.domain.risk import (
    Answer,
    FindingRules,
    Question,
    RevalidationRule,
    RiskPolicy,
    Scorecard,
    Severity,
    TierRule,
)
from governance_app.errors import InputError
from governance_app.governance.canonical import sha256_hex
from governance_app.governance.yaml_locations import location
from governance_app.importers.safe_io import MAX_YAML_BYTES, parse_yaml, read_text

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

SCHEMA_FILE = "risk-policy-1.0.schema.json"
TEMPLATES = ("sr26-2-tiering.yaml", "eu-ai-act-high-risk.yaml")


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def is_risk_policy(doc: Any) -> bool:
    """Whether a parsed YAML document is a risk policy (rather than a gate policy)."""
    return isinstance(doc, dict) and "risk_policy" in doc


def schema_text() -> str:
    """The JSON schema risk policies are validated against (its digest names the rules a
    cached state was derived under)."""
    return resources.files("governance_app.resources").joinpath(
        "schemas", SCHEMA_FILE).read_text(encoding="utf-8")


def parse_risk_policy(source: str | Path, text: str, *, validate: bool = True) -> RiskPolicy:
    """Parse and validate a risk policy.

    Args:
        validate: ``False`` only for a text already validated against this very schema (a
            replay cache's, whose file names the schema's digest): it skips loading
            jsonschema, never the checks below it.

    Raises:
        InputError: malformed YAML, a field missing, unknown or of the wrong kind, a tier
            named twice or never reachable, a cadence for a tier the scorecard lacks (each with
            the line and field path, and what was expected there).
    """
    doc = parse_yaml(source, text, strict=True)  # a duplicate key must not silently win
    if not isinstance(doc, dict):
        raise InputError(source, "a risk policy is a YAML mapping", location="line 1",
                         expected="risk_policy:, scorecard:, revalidation:, findings:")
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
                    ) if validate else []
    if errors:
        error = errors[0]
        parts: list[str | int] = list(error.absolute_path)
        schema = error.schema if isinstance(error.schema, dict) else {}
        problem, expected = error.message, schema.get("description")
        if error.validator == "required":
            missing = next((f for f in error.validator_value if f not in error.instance), "?")
            problem, expected = f"required field {missing!r} is missing", (
                schema.get("properties", {}).get(missing, {}).get("description"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = sorted(schema.get("properties", {}))
            extra = next((k for k in error.instance if k not in known), "?")
            parts.append(extra)
            problem, expected = f"unknown field {extra!r}", "one of " + ", ".join(known)
        raise InputError(source, problem, location=location(text, parts), expected=expected)
    scorecard = _scorecard(source, text, doc.get("scorecard"))
    revalidation = _revalidation(source, text, doc.get("revalidation"), scorecard)
    raw_findings = doc.get("findings") or {}
    findings = FindingRules(
        closers=tuple(str(r) for r in raw_findings.get("closers", ["validator"])),
        blocking_severity=Severity(raw_findings["blocking_severity"])
        if raw_findings.get("blocking_severity") else None,
        max_exception_days=raw_findings.get("max_exception_days"),
    )
    policy = RiskPolicy(
        name=doc["risk_policy"], description=str(doc.get("description", "")),
        scorecard=scorecard, revalidation=revalidation, findings=findings,
        checklist=tuple(dict(item) for item in doc.get("checklist", [])),
    )
    return with_digest(policy)


def _scorecard(source: str | Path, text: str, raw: dict[str, Any] | None) -> Scorecard | None:
    if raw is None:
        return None
    seen: set[str] = set()
    questions = []
    for i, q in enumerate(raw["questions"]):
        if q["id"] in seen:
            raise InputError(source, f"question {q['id']!r} is asked twice",
                             location=location(text, ["scorecard", "questions", i, "id"]),
                             expected="a unique id per question")
        seen.add(q["id"])
        helps = q.get("help", {})
        questions.append(Question(
            id=q["id"], text=q["text"], weight=float(q.get("weight", 1)),
            answers=tuple(Answer(str(value), float(points), str(helps.get(value, "")))
                          for value, points in q["answers"].items())))
    tiers = sorted((TierRule(int(t["tier"]), float(t["min_score"]), str(t.get("label", "")))
                    for t in raw["tiers"]), key=lambda t: -t.min_score)
    numbers = [t.tier for t in tiers]
    if len(set(numbers)) != len(numbers):
        raise InputError(source, "a tier is listed twice", location=location(
            text, ["scorecard", "tiers"]), expected="one entry per tier")
    if tiers[-1].min_score > 0:
        raise InputError(source, f"a score below {tiers[-1].min_score:g} falls in no tier",
                         location=location(text, ["scorecard", "tiers"]),
                         expected="one tier with min_score: 0")
    if [t.tier for t in tiers] != sorted(numbers):
        raise InputError(source, "higher scores must give more material (lower-numbered) "
                         "tiers", location=location(text, ["scorecard", "tiers"]),
                         expected="tier 1 with the highest min_score")
    return Scorecard(tuple(questions), tuple(tiers))


def _revalidation(source: str | Path, text: str, raw: dict[str, Any] | None,
                  scorecard: Scorecard | None) -> RevalidationRule | None:
    if raw is None:
        return None
    cadence = {int(k): int(v) for k, v in raw["cadence_months"].items()}
    if scorecard is not None:
        missing = sorted({t.tier for t in scorecard.tiers} - set(cadence))
        if missing:
            raise InputError(source, f"no cadence for tier {missing[0]}",
                             location=location(text, ["revalidation", "cadence_months"]),
                             expected="months for every tier of the scorecard")
    triggers = raw.get("triggers") or {}
    return RevalidationRule(
        cadence_months=cadence,
        drift_share_above=triggers.get("drift_share_above"),
        on_new_version=bool(triggers.get("new_version", False)),
        finding_severity=Severity(triggers["finding_severity"])
        if triggers.get("finding_severity") else None,
    )


def with_digest(policy: RiskPolicy) -> RiskPolicy:
    """The policy with ``digest`` set to the SHA-256 of its canonical JSON."""
    from dataclasses import replace

    return replace(policy, digest=sha256_hex(policy.as_dict()))


def read_risk_policy(path: Path) -> RiskPolicy:
    """Read a risk policy file (size-limited, UTF-8). Raises InputError as parse does."""
    return parse_risk_policy(path, read_text(path, limit=MAX_YAML_BYTES))


def template_text(name: str) -> str:
    """The text of a shipped template (``sr26-2-tiering.yaml``, ``eu-ai-act-high-risk.yaml``)."""
    if name not in TEMPLATES:
        raise InputError(name, "no such policy template", expected=", ".join(TEMPLATES))
    return resources.files("governance_app.resources").joinpath(
        "policies", name).read_text(encoding="utf-8")
