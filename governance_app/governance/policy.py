"""Read a gate policy from YAML: safe parsing, schema validation, errors that name the line.

Policies are written by hand, so a mistake must point at the line and the field
(``policy.yaml, line 7 (checks[2].max): ...``). The YAML is parsed alias-free
(:func:`~governance_app.importers.safe_io.parse_yaml`), validated against
``resources/schemas/policy-1.0.schema.json``, and composed a second time into nodes whose marks
map each field path to its line.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.domain.drift import P_VALUE_METHODS
from governance_app.domain.governance import Check, CheckKind, GatePolicy, Quorum
from governance_app.errors import InputError
from governance_app.governance.canonical import sha256_hex
from governance_app.governance.yaml_locations import line_of, location
from governance_app.importers.safe_io import MAX_YAML_BYTES, parse_yaml, read_text

if TYPE_CHECKING:  # jsonschema loads with the first policy read, not with the CLI or window
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "policy-1.0.schema.json"
KIND_KEYS = ("metric", "fairness", "drift", "evidence")


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    try:
        root = resources.files("governance_app.resources")
        text = root.joinpath("schemas", SCHEMA_FILE).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        path = Path(__file__).resolve().parents[2] / "resources" / "schemas" / SCHEMA_FILE
        text = path.read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _first_error(doc: Any) -> ValidationError | None:
    """The most useful schema error: for a check, the error of the branch its kind key picks
    (``oneOf`` alone would only say "not valid under any of the given schemas")."""
    # By place in the document; at one place an unknown field (a typo) explains a missing one.
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (
        list(map(str, e.absolute_path)), e.validator != "additionalProperties"))
    if not errors:
        return None
    error = errors[0]
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        kinds = [k for k in KIND_KEYS if k in error.instance]
        if len(kinds) == 1:
            branch = error.validator_value[KIND_KEYS.index(kinds[0])]
            sub = _validator().descend(error.instance, branch)
            inner = sorted(sub, key=lambda e: list(map(str, e.absolute_path)))
            if inner:
                # Report it under the check's own path.
                inner[0].path.extendleft(reversed(list(error.absolute_path)))
                return inner[0]
    return error


def _describe(error: ValidationError, doc: Any) -> tuple[list[str | int], str, str | None]:
    parts: list[str | int] = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = schema.get("description")
    problem = error.message
    if error.validator == "required":
        missing = next((f for f in error.validator_value if f not in error.instance), "?")
        problem = f"required field {missing!r} is missing"
        parts.append(missing)
        expected = schema.get("properties", {}).get(missing, {}).get("description") or (
            f"a {missing!r} field")
    elif error.validator == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extra = next((k for k in error.instance if k not in known), "?")
        parts.append(extra)
        close = difflib.get_close_matches(str(extra), known, n=1)
        problem = f"unknown field {extra!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
        expected = "one of " + ", ".join(known)
    elif error.validator == "oneOf":
        kinds = [k for k in KIND_KEYS if k in (error.instance or {})]
        problem = ("a check names more than one kind: " + ", ".join(kinds)) if kinds else (
            "a check must name its kind")
    elif error.validator == "anyOf":
        problem = "a check needs a threshold"
        expected = "min, max or both"
    elif error.validator == "type":
        problem = f"{error.instance!r} is not {error.validator_value}"
        expected = expected or f"a {error.validator_value}"
    return parts, problem, expected


def parse_policy(source: str | Path, text: str) -> GatePolicy:
    """Parse and validate a policy document.

    Raises:
        InputError: the YAML is malformed (line and column), or a field is missing, unknown or
            of the wrong kind (line and field path, and what was expected there).
    """
    doc = parse_yaml(source, text, strict=True)  # a duplicate key must not silently win
    if not isinstance(doc, dict):
        raise InputError(source, "a policy is a YAML mapping", location="line 1",
                         expected="policy:, gate:, checks:, quorum:")
    error = _first_error(doc)
    if error is not None:
        parts, problem, expected = _describe(error, doc)
        where = location(text, parts)
        raise InputError(source, problem, location=where, expected=expected)
    checks = tuple(_check(item) for item in doc["checks"])
    quorum = Quorum(int(doc["quorum"]["approvals"]),
                    {str(k): int(v) for k, v in (doc["quorum"].get("roles") or {}).items()})
    if sum(quorum.roles.values()) > quorum.approvals:
        line = line_of(text, ["quorum", "roles"])
        raise InputError(source, "the roles ask for more approvals than the quorum's total",
                         location=f"line {line} (quorum.roles)",
                         expected=f"at most {quorum.approvals} role approvals in all")
    policy = GatePolicy(
        name=doc["policy"],
        gate=doc["gate"],
        checks=checks,
        quorum=quorum,
        separation_of_duties=bool(doc.get("separation_of_duties", True)),
        description=str(doc.get("description", "")),
        drift=_drift_section(source, text, doc.get("drift")),
    )
    return with_digest(policy)


def _drift_section(source: str | Path, text: str, section: Any) -> dict[str, Any] | None:
    """The ``drift:`` section in canonical form (numbers as floats, only the keys given).

    The schema has checked names and types; what it cannot say is that a p-value threshold
    (``ks``, ``chisquare``, ``z``: drift when p < threshold) must be below 1, or every column
    would drift.

    Raises:
        InputError: a p-value method with a threshold of 1 or more (line and field).
    """
    if section is None:
        return None
    out: dict[str, Any] = {}
    for key in ("method", "threshold", "drift_share"):
        if key in section:
            out[key] = float(section[key]) if key != "method" else str(section[key])
    rules = [((), out)]
    if "columns" in section:
        out["columns"] = {}
        for column, rule in section["columns"].items():
            out["columns"][str(column)] = {k: (float(v) if k == "threshold" else str(v))
                                           for k, v in rule.items()}
            rules.append((("columns", str(column)), out["columns"][str(column)]))
    for path, rule in rules:
        method = rule.get("method") or (out.get("method") if path else None)
        threshold = rule.get("threshold")
        if method in P_VALUE_METHODS and threshold is not None and threshold >= 1:
            parts: list[str | int] = ["drift", *path, "threshold"]

            raise InputError(source, f"{threshold:g} is not a p-value threshold for {method}",
                             location=location(text, parts),
                             expected=f"a p-value below 1 for {method}, e.g. 0.05")
    return out


def with_digest(policy: GatePolicy) -> GatePolicy:
    """The policy with ``digest`` set to the SHA-256 of its canonical JSON."""
    from dataclasses import replace

    return replace(policy, digest=sha256_hex(policy.as_dict()))


def _check(item: dict[str, Any]) -> Check:
    kind = next(CheckKind(k) for k in KIND_KEYS if k in item)

    def bound(key: str) -> float | None:
        return float(item[key]) if item.get(key) is not None else None

    return Check(kind=kind, name=str(item[kind.value]), min=bound("min"), max=bound("max"),
                 blocking=bool(item.get("blocking", True)), sensitive=item.get("sensitive"),
                 source=item.get("source"), tolerance=bound("tolerance"))


def read_policy(path: Path) -> GatePolicy:
    """Read a policy file (size-limited, UTF-8). Raises InputError like :func:`parse_policy`."""
    return parse_policy(path, read_text(path, limit=MAX_YAML_BYTES))


def policy_from_dict(data: dict[str, Any]) -> GatePolicy:
    """Rebuild a stored policy from :meth:`GatePolicy.as_dict` (already validated once)."""
    checks = tuple(
        Check(kind=CheckKind(c["kind"]), name=c["name"], min=c.get("min"), max=c.get("max"),
              blocking=c.get("blocking", True), sensitive=c.get("sensitive"),
              source=c.get("source"), tolerance=c.get("tolerance"))
        for c in data["checks"]
    )
    return with_digest(GatePolicy(
        name=data["policy"], gate=data["gate"], checks=checks,
        quorum=Quorum(data["quorum"]["approvals"], dict(data["quorum"].get("roles", {}))),
        separation_of_duties=data["separation_of_duties"],
        description=data.get("description", ""), drift=data.get("drift"),
    ))
