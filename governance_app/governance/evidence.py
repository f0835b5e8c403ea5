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
    origin: str = ""
    """``computed`` or ``declared`` when the source knows (not part of the evidence)."""


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


COMPUTED = "computed"
DECLARED = "declared"
DEFAULT_TOLERANCE = 0.05
"""Computed and declared numbers further apart than this are flagged as a contradiction."""


def _read(check: Check, source: EvidenceSource, drift_policy: dict[str, Any] | None,
          origin: str | None) -> Reading | None:
    """One reading of ``check`` from ``origin`` (``None``: the kind's default source);
    ``None`` when the source cannot read that origin at all (an older adapter)."""
    kind = check.kind
    if kind is CheckKind.METRIC:
        origin = origin or DECLARED  # a run's logged metric is the team's own number
        if origin == DECLARED:
            return source.metric(check.name)
        computed = getattr(source, "computed_metric", None)
        return computed(check.name, check.sensitive) if computed is not None else None
    if kind is CheckKind.FAIRNESS:
        origin = origin or COMPUTED
        if origin == COMPUTED:
            return source.fairness(check.name, check.sensitive or "")
        return source.metric(check.name)  # the same number as the team logged it
    if kind is CheckKind.DRIFT:
        args: tuple[Any, ...] = (check.name, drift_policy) if drift_policy is not None else (
            check.name,)
        if origin is None:  # computed when a computed result exists, else imported
            return source.drift(*args)
        try:
            return source.drift(*args, origin=origin)  # type: ignore[call-arg]
        except TypeError:  # an adapter without origins
            return None
    return source.lineage()


def _number(reading: Reading | None) -> float | None:
    value = reading.value if reading is not None else None
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        return None
    return float(value)


def _cross_check(check: Check, source: EvidenceSource, drift_policy: dict[str, Any] | None,
                 reading: Reading) -> tuple[dict[str, Any], dict[str, str], str]:
    """Read the same number from the other origin; a difference beyond the tolerance is a
    contradiction, recorded next to both numbers (inputs, sources and the detail's words)."""
    used = reading.origin or check.source or (
        DECLARED if check.kind is CheckKind.METRIC else COMPUTED)
    other_origin = COMPUTED if used == DECLARED else DECLARED
    try:
        other = _read(check, source, drift_policy, other_origin)
    except Exception:  # noqa: BLE001 - the second opinion is optional; never fails a check
        other = None
    mine, theirs = _number(reading), _number(other)
    # Only what a policy asked for or a contradiction adds to the evidence: an agreeing second
    # opinion leaves the document (and the digest of a review opened earlier) as it was.
    inputs: dict[str, Any] = {"origin": used} if check.source is not None else {}
    if other is None or mine is None or theirs is None:
        return inputs, {}, ""
    tolerance = check.tolerance if check.tolerance is not None else DEFAULT_TOLERANCE
    if abs(mine - theirs) <= tolerance:
        return inputs, {}, ""
    numbers = {used: mine, other_origin: theirs}
    sources = {f"{other_origin}:{k}": v for k, v in other.sources.items()}
    inputs["contradiction"] = {"declared": numbers[DECLARED], "computed": numbers[COMPUTED],
                               "difference": abs(mine - theirs), "tolerance": tolerance,
                               "other_inputs": {k: v for k, v in other.inputs.items()
                                                if k != "origin"}}
    words = (f"contradiction: declared {numbers[DECLARED]:.4g} vs computed "
             f"{numbers[COMPUTED]:.4g} (differ by {abs(mine - theirs):.4g} > tolerance "
             f"{tolerance:g}); judged on the {used} number")
    return inputs, sources, words


def evaluate_check(check: Check, source: EvidenceSource,
                   drift_policy: dict[str, Any] | None = None) -> CheckResult:
    """One check against the source. Never raises for missing data: a check that cannot be
    evaluated is an ``error`` result naming what is missing, never a silent pass.

    ``drift_policy`` is the policy's ``drift:`` section: drift checks read the stored result
    judged again by its methods, thresholds and drift share. A metric, fairness or drift
    check reads its number from ``check.source`` (or the kind's default), and reads the same
    number from the other origin when it can: a difference beyond the tolerance is flagged
    as a contradiction next to both numbers."""
    reading = _read(check, source, drift_policy, check.source)
    if reading is None:
        reading = Reading(None, missing=f"this workspace cannot read a {check.source} "
                          f"{check.name}")
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
    extra, other_sources, words = _cross_check(check, source, drift_policy, reading)
    inputs = {**reading.inputs, **extra}
    sources = {**reading.sources, **other_sources}
    if value is None or isinstance(value, bool) or not math.isfinite(float(value)):
        detail = reading.missing or f"{check.name} has no numeric value"
        return CheckResult(check, Outcome.ERROR, None, detail, inputs, sources)
    ok, detail = _judge(check, float(value))
    return CheckResult(check, Outcome.PASS if ok else failed, float(value),
                       f"{detail}; {words}" if words else detail, inputs, sources)


def contradiction_of(check: dict[str, Any]) -> dict[str, float] | None:
    """The contradiction recorded in a frozen check (``CheckResult.as_dict``), if any."""
    found = (check.get("inputs") or {}).get("contradiction")
    return found if isinstance(found, dict) else None


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
    } | ({"contradictions": contradictions} if (contradictions := [
        r.check.label for r in results if "contradiction" in r.inputs]) else {}))


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


def beside_value(check: dict[str, Any], fmt: Any = lambda v: f"{v:.4g}") -> str:
    """What a table prints after a frozen check's value when computed and declared disagree:
    the other number, named (``⚠ computed 0.31``); empty otherwise."""
    found = contradiction_of(check)
    if found is None:
        return ""
    origin = (check.get("inputs") or {}).get("origin") or check.get("check", {}).get("source")
    if origin is None:
        origin = DECLARED if check.get("check", {}).get("kind") == "metric" else COMPUTED
    other = COMPUTED if origin == DECLARED else DECLARED
    return f"⚠ {other} {fmt(found[other])}"


def contradictions(evidence: dict[str, Any]) -> list[tuple[str, dict[str, float]]]:
    """Each frozen check whose computed and declared numbers disagree: (label, numbers)."""
    return [(str(c.get("label", "?")), found) for c in evidence.get("checks", [])
            if (found := contradiction_of(c)) is not None]
