"""Evaluate a gate's checks now and freeze what they saw into one canonical evidence document.

The evaluation is pure: it asks an :class:`EvidenceSource` for readings (a metric's latest
value, a stored fairness or drift result, whether training data is known) and judges them
against the thresholds. Reading the workspace is the services layer's job
(:mod:`governance_app.services.evidence_sources`), because the import-linter layers forbid
``governance`` from importing ``services``.

The document holds no clock time, so evaluating the same workspace twice gives the same digest:
that is how a signature detects that the evidence changed after the review opened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from governance_app.domain.governance import Check, CheckKind, CheckResult, GatePolicy, Outcome
from governance_app.governance.canonical import normalised, sha256_hex

EVIDENCE_FORMAT = "governance-app/evidence"
EVIDENCE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Reading:
    """What a source found for a check: a value (``None`` when there is nothing to judge, with
    ``missing`` saying why), the inputs that identify it and the SHA-256 of each record read."""

    value: float | bool | None
    inputs: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    missing: str = ""


class EvidenceSource(Protocol):
    """Where checks read from: one model version in one workspace."""

    def subject(self) -> dict[str, Any]:
        """The version's identity: name, version, artifact URI and digest, record digest."""

    def metric(self, name: str) -> Reading:
        """Latest value of ``name`` in the version's source run."""

    def fairness(self, metric: str, sensitive: str) -> Reading:
        """The stored fairness result ``metric`` for attribute ``sensitive``."""

    def drift(self, metric: str, policy: dict[str, Any] | None = None) -> Reading:
        """The latest stored drift result's ``metric``, judged by the policy's ``drift:``
        section when it has one."""

    def lineage(self) -> Reading:
        """Whether the version has upstream training data (value True/False)."""


def _judge(check: Check, value: float) -> tuple[bool, str]:
    below = check.min is not None and value < check.min
    above = check.max is not None and value > check.max
    if below:
        return False, f"{value:.6g} is below the minimum {check.min:g}"
    if above:
        return False, f"{value:.6g} is above the maximum {check.max:g}"
    return True, f"{value:.6g} meets {check.label}"


def evaluate_check(check: Check, source: EvidenceSource,
                   drift_policy: dict[str, Any] | None = None) -> CheckResult:
    """One check against the source. Never raises for missing data: a check that cannot be
    evaluated is an ``error`` result naming what is missing, never a silent pass.

    ``drift_policy`` is the policy's ``drift:`` section: drift checks read the stored result
    judged again by its methods, thresholds and drift share."""
    if check.kind is CheckKind.METRIC:
        reading = source.metric(check.name)
    elif check.kind is CheckKind.FAIRNESS:
        reading = source.fairness(check.name, check.sensitive or "")
    elif check.kind is CheckKind.DRIFT:
        reading = (source.drift(check.name, drift_policy) if drift_policy is not None
                   else source.drift(check.name))
    else:
        reading = source.lineage()
    failed = Outcome.FAIL if check.blocking else Outcome.WARNING
    value = reading.value
    if check.kind is CheckKind.EVIDENCE:
        if value is None:
            outcome, detail = Outcome.ERROR, reading.missing or "no lineage evidence could be read"
        elif value:
            outcome, detail = Outcome.PASS, "the version has upstream training data"
        else:
            outcome, detail = failed, reading.missing or "no upstream training data is recorded"
        return CheckResult(check, outcome, bool(value) if value is not None else None, detail,
                           reading.inputs, reading.sources)
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        detail = reading.missing or f"{check.name} has no numeric value"
        return CheckResult(check, Outcome.ERROR, None, detail, reading.inputs, reading.sources)
    ok, detail = _judge(check, float(value))
    return CheckResult(check, Outcome.PASS if ok else failed, float(value), detail,
                       reading.inputs, reading.sources)


def evaluate(policy: GatePolicy, source: EvidenceSource) -> list[CheckResult]:
    """Every check of the policy, in the policy's order."""
    return [evaluate_check(check, source, policy.drift) for check in policy.checks]


def evidence_document(
    policy: GatePolicy, subject: dict[str, Any], results: list[CheckResult]
) -> dict[str, Any]:
    """The frozen evidence: canonical-JSON-ready (normalised, so a stored copy re-hashes the
    same), without times, so re-evaluation of an unchanged workspace reproduces it."""
    return normalised({
        "format": EVIDENCE_FORMAT,
        "format_version": EVIDENCE_VERSION,
        "subject": subject,
        "policy": {"name": policy.name, "digest": policy.digest, "gate": policy.gate},
        "checks": [r.as_dict() for r in results],
        "blocking_failures": [r.check.label for r in results if r.blocks_approval],
    })


def evidence_digest(document: dict[str, Any]) -> str:
    """SHA-256 of the evidence document's RFC 8785 bytes."""
    return sha256_hex(document)


def freeze(policy: GatePolicy, source: EvidenceSource) -> tuple[dict[str, Any], str]:
    """Evaluate every check now: the evidence document and its digest."""
    document = evidence_document(policy, source.subject(), evaluate(policy, source))
    return document, evidence_digest(document)


@dataclass(frozen=True, slots=True)
class Blocker:
    """A blocking check that forbids approval, and what would lift it (in words)."""

    label: str
    result: str
    detail: str
    remedy: str


def _remedy(check: dict[str, Any], ref: str) -> str:
    """What the board can do about one blocking check of frozen evidence (``check`` as in
    :meth:`CheckResult.as_dict`): bring the missing evidence in, or know that the measured
    value itself fails."""
    spec = check.get("check", {})
    kind, name = spec.get("kind"), spec.get("name", "")
    missing = check.get("result") == Outcome.ERROR.value
    if kind == CheckKind.DRIFT.value:
        return (f"import drift for {ref} (an Evidently report with --model {ref}, or "
                f"drift-history TABLE … --model {ref})" if missing else
                f"the newest drift result of {ref} fails; new monitoring data judged within "
                "the threshold, or a retrained version")
    if kind == CheckKind.FAIRNESS.value:
        attr = spec.get("sensitive") or "the attribute"
        return (f"attach a prediction table to {ref} with --sensitive {attr}" if missing else
                f"{ref}'s measured {name} fails; a retrained version is needed")
    if kind == CheckKind.METRIC.value:
        return (f"import the registry with {name} logged in {ref}'s source run" if missing
                else f"{ref}'s {name} fails the threshold; a better version is needed")
    return f"import the lineage (OpenLineage events or the source run's inputs) of {ref}"


def blockers(evidence: dict[str, Any], ref: str) -> list[Blocker]:
    """The blocking checks of frozen ``evidence`` that forbid approval, each with its remedy.

    A review judges the evidence frozen when it opened, so a remedy works only through a new
    review: the caller says "then withdraw and reopen"."""
    out = []
    for check in evidence.get("checks", []):
        spec = check.get("check", {})
        if spec.get("blocking", True) and check.get("result") in (Outcome.FAIL.value,
                                                                  Outcome.ERROR.value):
            out.append(Blocker(str(check.get("label") or spec.get("name", "?")),
                               str(check.get("result")), str(check.get("detail", "")),
                               _remedy(check, ref)))
    return out
