"""Model risk for the front ends: adopt risk policies, assign tiers, run findings, the inventory.

Every change is a signed act by the acting member (asks for their passphrase), recorded
through :func:`governance_app.services.board.record`, so it is replayed and checked by
``verify`` like the gates. Reading (findings, tiers, inventory) uses the state replay derives,
never the tables alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from governance_app.domain.risk import (
    ApprovalTerms,
    Condition,
    Finding,
    FindingType,
    InventoryRow,
    Severity,
)
from governance_app.errors import GovernanceError, InputError, NotFoundError
from governance_app.gc_pause import gc_paused
from governance_app.governance import risk_acts
from governance_app.governance.board_state import BoardState
from governance_app.governance.finding_rules import as_it_stood
from governance_app.governance.inventory import Approval, ModelRecord, build_inventory
from governance_app.governance.revalidation import DriftAlert, NewVersion
from governance_app.governance.risk_policy import parse_risk_policy
from governance_app.governance.risk_state import (
    DerivedFinding,
    DerivedTier,
    FindingFacts,
    RiskState,
)
from governance_app.governance.scorecard import assess, read_answers
from governance_app.importers.safe_io import MAX_YAML_BYTES, parse_yaml, read_text
from governance_app.services import board
from governance_app.services.board import ActResult
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace


def is_risk_policy_file(path: Path) -> bool:
    """Whether ``path`` holds a risk policy (``risk_policy:``) rather than a gate policy."""
    text = read_text(path, limit=MAX_YAML_BYTES)
    doc = parse_yaml(path, text, strict=True)  # as gate policies: a duplicate key is refused
    return isinstance(doc, dict) and "risk_policy" in doc


def _act(ws: Workspace, kind: str, body: dict[str, Any], member: str,
         passphrase: PassphraseSource | str, key_file: Path | None, *, subject: str,
         model: str | None = None) -> ActResult:
    acting = board.member(ws, member)
    signer = board.unlock(acting, passphrase, key_file)
    return board.record(ws, kind, body, signer, actor=acting.name, subject=subject,
                        model=model)


def adopt_risk_policy(ws: Workspace, path: Path, chair: str,
                      passphrase: PassphraseSource | str, key_file: Path | None = None
                      ) -> tuple[str, str, ActResult]:
    """A chair adopts the risk policy in ``path``: returns its name, digest and the act.

    Raises:
        InputError: the file is not a valid risk policy (line and field named).
        ActRefused: the member is not a chair.
    """
    text = read_text(path, limit=MAX_YAML_BYTES)
    policy = parse_risk_policy(path, text)
    body = {"name": policy.name, "digest": policy.digest, "yaml_text": text}
    result = _act(ws, risk_acts.RISK_POLICY, body, chair, passphrase, key_file,
                  subject=f"risk-policy:{policy.name}")
    return policy.name, policy.digest, result


def risk_state(ws: Workspace) -> RiskState:
    return board.state_of(ws).risk


def _known_model(ws: Workspace, model: str) -> str:
    from governance_app.services.models import get_model  # the registry: only for acts

    get_model(ws, model)  # NotFoundError names the models that exist
    return model


def assess_tier(ws: Workspace, model: str, answers_path: Path, policy_name: str, member: str,
                passphrase: PassphraseSource | str, key_file: Path | None = None, *,
                owner: str = "", use: str = "") -> tuple[DerivedTier, ActResult]:
    """Score ``answers_path`` with the adopted policy's scorecard and record the tier.

    Raises:
        NotFoundError: no such model, or the policy was never adopted.
        InputError: an answer is unknown, missing or not allowed (file and line named).
    """
    _known_model(ws, model)
    derived = risk_state(ws).policy(policy_name)
    if derived is None:
        raise NotFoundError(f"no risk policy named {policy_name!r} on the board; a chair adopts "
                            "it with `governance-app policy add FILE --member CHAIR`")
    answers, text = read_answers(answers_path)
    result = assess(derived.policy, answers, answers_path, text)
    body = {"model": model, "method": "scorecard", "tier": result.tier,
            "rationale": result.rationale(), "policy": derived.name,
            "policy_digest": derived.digest, "answers": result.answers,
            "owner": owner or _registry_owner(ws, model), "use": use}
    act = _act(ws, risk_acts.TIER_ASSIGN, body, member, passphrase, key_file,
               subject=f"model:{model}", model=model)
    tier = risk_state(ws).tier_of(model)
    assert tier is not None
    return tier, act


def set_tier(ws: Workspace, model: str, tier: int, rationale: str, member: str,
             passphrase: PassphraseSource | str, key_file: Path | None = None, *,
             owner: str = "", use: str = "") -> tuple[DerivedTier, ActResult]:
    """Record a tier a member judged, with the rationale an auditor will ask for.

    Raises:
        InputError: no rationale, or a tier outside 1–9.
    """
    _known_model(ws, model)
    if not rationale.strip():
        raise InputError("--rationale", "a tier set by a member needs a rationale",
                         expected="--rationale TEXT")
    if not 1 <= tier <= 9:
        raise InputError("--tier", f"{tier} is not a tier", expected="a whole number from 1 to 9")
    previous = risk_state(ws).tier_of(model)
    body = {"model": model, "method": "set", "tier": tier, "rationale": rationale.strip(),
            "owner": owner or (previous.owner if previous else _registry_owner(ws, model)),
            "use": use or (previous.use if previous else "")}
    act = _act(ws, risk_acts.TIER_ASSIGN, body, member, passphrase, key_file,
               subject=f"model:{model}", model=model)
    derived = risk_state(ws).tier_of(model)
    assert derived is not None
    return derived, act


def _registry_owner(ws: Workspace, model: str) -> str:
    from governance_app.services.models import get_model

    try:
        return get_model(ws, model).owner
    except NotFoundError:
        return ""


def parse_day(text: str, option: str) -> date:
    """``YYYY-MM-DD`` from the command line or a form.

    Raises:
        InputError: not such a date (names the option).
    """
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(option, f"{text!r} is not a date", expected="YYYY-MM-DD") from exc


def open_finding(ws: Workspace, ref: str, *, type: str, severity: str, title: str,
                 member: str, passphrase: PassphraseSource | str, key_file: Path | None = None,
                 owner: str = "", due: date | None = None, description: str = "",
                 evidence: Sequence[str] = ()) -> tuple[Finding, ActResult]:
    """Open a finding on ``MODEL`` or ``MODEL:VERSION`` (a signed act).

    Raises:
        InputError: unknown type or severity, an empty title.
        NotFoundError: no such model or version.
    """
    from governance_app.services.models import get_model, parse_version_ref

    name, version = parse_version_ref(ref)
    model = get_model(ws, name)
    if version is not None and version not in {v.version for v in model.versions}:
        raise NotFoundError(f"model {name!r} has no version {version}")
    try:
        kind, level = FindingType(type), Severity(severity)
    except ValueError as exc:
        raise InputError("--type/--severity", str(exc), expected=(
            "--type " + "|".join(t.value for t in FindingType) + " and --severity "
            + "|".join(s.value for s in Severity))) from exc
    if not title.strip():
        raise InputError("--title", "a finding needs a title", expected="--title TEXT")
    body = {"model": name, "version": version, "type": kind.value, "severity": level.value,
            "title": title.strip(), "description": description, "owner": owner or model.owner,
            "due": due.isoformat() if due else None, "evidence": list(evidence)}
    act = _act(ws, risk_acts.FINDING_OPEN, body, member, passphrase, key_file,
               subject=f"finding:{name}", model=name)
    state = risk_state(ws)
    return state.findings[-1].as_finding(), act


def _finding(state: RiskState, finding_id: int) -> DerivedFinding:
    found = state.finding(finding_id)
    if found is None:
        raise NotFoundError(f"no finding #{finding_id} in this workspace")
    return found


def comment_finding(ws: Workspace, finding_id: int, text: str, member: str,
                    passphrase: PassphraseSource | str, key_file: Path | None = None
                    ) -> tuple[Finding, ActResult]:
    if not text.strip():
        raise InputError("--text", "an empty comment", expected="--text TEXT")
    finding = _finding(risk_state(ws), finding_id)
    act = _act(ws, risk_acts.FINDING_COMMENT, {"finding": finding.hash, "text": text.strip()},
               member, passphrase, key_file, subject=f"finding:{finding_id}",
               model=finding.model)
    return _finding(risk_state(ws), finding_id).as_finding(), act


def close_finding(ws: Workspace, finding_id: int, resolution: str, member: str,
                  passphrase: PassphraseSource | str, key_file: Path | None = None
                  ) -> tuple[Finding, ActResult]:
    """A validator closes a finding (refused to its owner: effective challenge)."""
    return _decide(ws, finding_id, risk_acts.FINDING_CLOSE,
                   {"resolution": resolution.strip()}, member, passphrase, key_file)


def accept_finding(ws: Workspace, finding_id: int, until: date, rationale: str, member: str,
                   passphrase: PassphraseSource | str, key_file: Path | None = None
                   ) -> tuple[Finding, ActResult]:
    """A validator accepts a finding as a policy exception until ``until``."""
    return _decide(ws, finding_id, risk_acts.FINDING_ACCEPT,
                   {"until": until.isoformat(), "rationale": rationale.strip()}, member,
                   passphrase, key_file)


def _decide(ws: Workspace, finding_id: int, kind: str, extra: dict[str, Any], member: str,
            passphrase: PassphraseSource | str, key_file: Path | None
            ) -> tuple[Finding, ActResult]:
    state = board.state_of(ws)
    finding = _finding(state.risk, finding_id)
    acting = board.member(ws, member, state)
    # Refuse before asking for the passphrase, with the same rule replay applies.
    root = state.root
    roles = root.member(acting.name).roles if root and root.member(acting.name) else ()
    until = date.fromisoformat(extra["until"]) if "until" in extra else None
    from governance_app.governance.finding_rules import decision_refusal

    problem = decision_refusal(finding.as_finding(), acting.name, tuple(roles),
                               risk_acts.rules(state), action=kind.rsplit(".", 1)[1],
                               until=until, today=datetime.now(UTC).date())
    if problem is not None:
        raise FindingRefused(problem)
    text_key = "resolution" if "resolution" in extra else "rationale"
    if not extra[text_key]:
        raise InputError(f"--{text_key}", f"a {text_key} is needed", expected=f"--{text_key} "
                         "TEXT")
    act = _act(ws, kind, {"finding": finding.hash, **extra}, member, passphrase, key_file,
               subject=f"finding:{finding_id}", model=finding.model)
    return _finding(risk_state(ws), finding_id).as_finding(), act


class FindingRefused(GovernanceError):
    """The member may not decide the finding (the message says why); exit 1."""

    exit_code = 1


def list_findings(ws: Workspace, model: str | None = None, *, open_only: bool = False,
                  day: date | None = None) -> list[Finding]:
    """Findings in the order they were opened, filtered by model and by being open on
    ``day`` (today by default)."""
    day = day or datetime.now(UTC).date()
    risk = risk_state(ws)
    out = [risk.as_finding(f) for f in risk.findings if model is None or f.model == model]
    return [f for f in out if f.is_open_on(day)] if open_only else out


def approval_terms(ws: Workspace, finding_refs: Sequence[str], expires: str | None,
                   by_default: date | None = None) -> dict[str, Any] | None:
    """The ``terms`` of an approval from ``--condition finding:ID[@DATE]`` and ``--expires``.

    A condition's date defaults to the finding's due date.

    Raises:
        InputError: a condition that is not ``finding:ID``, an unknown finding, no date.
    """
    if not finding_refs and not expires:
        return None
    state = risk_state(ws)
    conditions = []
    for raw in finding_refs:
        kind, _, rest = raw.partition(":")
        number, _, when = rest.partition("@")
        if kind != "finding" or not number.isdigit():
            raise InputError("--condition", f"{raw!r} is not a condition",
                             expected="finding:ID or finding:ID@YYYY-MM-DD")
        finding = _finding(state, int(number))
        by = parse_day(when, "--condition") if when else finding.due or by_default
        if by is None:
            raise InputError("--condition", f"finding #{number} has no due date",
                             expected=f"finding:{number}@YYYY-MM-DD")
        conditions.append({"finding": finding.hash, "by": by.isoformat()})
    terms: dict[str, Any] = {"conditions": conditions}
    if expires:
        terms["expires"] = parse_day(expires, "--expires").isoformat()
    return terms


def signed_terms(ws: Workspace, review_id: int, member: str) -> ApprovalTerms:
    """The terms ``member``'s latest signature on review ``review_id`` was recorded with, as
    the replayed chain holds them (empty: unconditional, or not an approval)."""
    rows = [t for t in risk_state(ws).terms if t.review_id == review_id and t.member == member]
    if not rows:
        return ApprovalTerms()
    return ApprovalTerms(tuple(Condition(fid, by) for fid, by in rows[-1].conditions),
                         rows[-1].expires)


def inventory(ws: Workspace, as_of: date | None = None, *, overdue_only: bool = False
              ) -> list[InventoryRow]:
    """Every registered model's row as of ``as_of`` (today by default), overdue first."""
    day = as_of or datetime.now(UTC).date()
    state = board.state_of(ws)
    with gc_paused():  # 10,000s of rows and findings, none cyclic garbage
        return _inventory(ws, state, day, overdue_only)


def _inventory(ws: Workspace, state: BoardState, day: date, overdue_only: bool
               ) -> list[InventoryRow]:
    from governance_app.store import risk_inputs

    risk = state.risk
    policy = risk.policy()
    reviews = {r.id: r for r in state.reviews}
    with ws.session() as session:
        created = risk_inputs.version_dates(session)
        drift = risk_inputs.drift_points(session)
        owners = risk_inputs.model_owners(session)
    by_model: dict[str, dict[str, list[Any]]] = {}

    def bucket(model: str) -> dict[str, list[Any]]:
        return by_model.setdefault(model, {"tiers": [], "approvals": [], "validations": []})

    for t in risk.tiers:
        bucket(t.model)["tiers"].append(t)
    for g in state.grants:
        entry = bucket(g.model)
        entry["approvals"].append(Approval(g.version, g.gate, g.granted_at.date(),
                                           risk.terms_of(g.review_id)))
        closed = reviews[g.review_id].closed_at
        if closed is not None:
            entry["validations"].append(closed.date())
    # Only findings that can change a row are read, as FindingFacts (50,000 on a large board):
    # those open on the day (counts, overdue, triggers) and those an approval's condition names.
    # A finding decided (closed, excepted) after the day was still undecided on it: it is
    # rebuilt as it stood at the day's end, so ``--as-of`` answers "what was due on that date".
    # Today's rows see no decision after today, so the default path rebuilds nothing.
    named = {c.finding_id for entry in by_model.values() for a in entry["approvals"]
             for c in a.terms.conditions}
    day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    findings: dict[str, list[Finding | FindingFacts]] = {}
    for f in risk.findings:  # the hot loop of a large board: no per-finding helper calls
        decided = f.decided_at
        if decided is not None and decided >= day_end:
            value: Finding | FindingFacts = as_it_stood(risk.as_finding(f), day_end)
        elif f.is_open_on(day) or f.id in named:
            value = FindingFacts(f)
        else:
            continue
        of_model = findings.get(f.model)
        if of_model is None:
            of_model = findings[f.model] = []
        of_model.append(value)
    empty: dict[str, list[Any]] = {"tiers": [], "approvals": [], "validations": []}
    records = []
    for name, registry_owner in owners:
        entry = by_model.get(name, empty)
        latest_tier = entry["tiers"][-1] if entry["tiers"] else None
        records.append(ModelRecord(
            name=name, owner=(latest_tier.owner if latest_tier and latest_tier.owner
                              else registry_owner),
            use=latest_tier.use if latest_tier else "",
            tiers=[_tier_assignment(t) for t in entry["tiers"]],
            approvals=entry["approvals"], validations=entry["validations"],
            drift=[DriftAlert(moment.date(), share, version)
                   for version, moment, share in drift.get(name, [])],
            versions=[NewVersion(moment.date(), version)
                      for version, moment in created.get(name, [])],
            findings=findings.get(name, [])))
    rule = policy.policy.revalidation if policy is not None else None
    return build_inventory(records, rule, day, overdue_only=overdue_only)


def _tier_assignment(t: DerivedTier) -> Any:
    from governance_app.domain.risk import TierAssignment

    return TierAssignment(t.model, t.tier, t.rationale, t.member, t.at)
