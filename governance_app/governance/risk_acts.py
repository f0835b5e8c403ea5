"""The model-risk acts and their rules, applied the same way when acting and when replaying.

Kinds (each a signed act in the chain, see :mod:`~governance_app.governance.acts`):

``risk.policy``
    a chair adopts a risk policy (tiering scorecard, revalidation cadence, finding rules);
    the body carries the YAML and its canonical form, re-parsed on replay.
``tier.assign``
    a model's risk tier, owner and use: ``method: scorecard`` (the signed answers are scored
    again on replay and must give the tier) or ``method: set`` with a rationale. Only a chair or
    a member holding a role the risk policy lets decide findings (``closers``) may assign.
``finding.open`` / ``finding.comment`` / ``finding.close`` / ``finding.accept``
    a finding's life: anyone opens or comments; closing or accepting it as an exception (with
    an expiry) needs a closer role and is refused to the finding's owner.

Approvals may carry terms (``review.sign`` body ``terms: {conditions: [{finding, by}],
expires}``): :func:`check_terms` runs before the review rules. Open findings at or above the
policy's blocking severity refuse an approval outright.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from governance_app.domain.risk import FindingRules, FindingStatus, FindingType, Severity
from governance_app.errors import InputError
from governance_app.governance import finding_rules
from governance_app.governance.acts import SignedAct
from governance_app.governance.board_state import BoardState, DerivedMember
from governance_app.governance.risk_policy import parse_risk_policy
from governance_app.governance.risk_state import (
    DerivedComment,
    DerivedFinding,
    DerivedRiskPolicy,
    DerivedTerms,
    DerivedTier,
)
from governance_app.governance.root import Root
from governance_app.governance.scorecard import assess

RISK_POLICY = "risk.policy"
TIER_ASSIGN = "tier.assign"
FINDING_OPEN = "finding.open"
FINDING_COMMENT = "finding.comment"
FINDING_CLOSE = "finding.close"
FINDING_ACCEPT = "finding.accept"
RISK_KINDS = frozenset({RISK_POLICY, TIER_ASSIGN, FINDING_OPEN, FINDING_COMMENT, FINDING_CLOSE,
                        FINDING_ACCEPT})
DEFAULT_RULES = FindingRules()


def rules(state: BoardState) -> FindingRules:
    """The finding rules in force: the board's newest risk policy's, else validators decide."""
    policy = state.risk.policy()
    return policy.policy.findings if policy is not None else DEFAULT_RULES


def roles_of(member: DerivedMember, root: Root) -> tuple[str, ...]:
    """Roles from the root at this position, never from a table or the signed bytes."""
    entry = root.member(member.name)
    return tuple(entry.roles) if entry is not None else ()


def _day(value: Any, what: str, refused: type[Exception]) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise refused(f"{what} {value!r} is not a date (YYYY-MM-DD)") from exc


def apply(state: BoardState, seq: int, act: SignedAct, member: DerivedMember, root: Root,
          refused: type[Exception]) -> None:
    """Judge and apply one model-risk act (raises ``refused`` with the reason)."""
    handler = {RISK_POLICY: _policy, TIER_ASSIGN: _tier, FINDING_OPEN: _open,
               FINDING_COMMENT: _comment, FINDING_CLOSE: _decide,
               FINDING_ACCEPT: _decide}[act.kind]
    handler(state, seq, act, member, root, refused)


def _policy(state: BoardState, seq: int, act: SignedAct, member: DerivedMember, root: Root,
            refused: type[Exception]) -> None:
    if "chair" not in roles_of(member, root):
        raise refused(f"{member.name} is not a chair; only a chair adopts a risk policy")
    body = act.body
    try:
        policy = parse_risk_policy(str(body.get("name", "risk policy")),
                                   str(body.get("yaml_text", "")))
    except InputError as exc:
        raise refused(f"the adopted risk policy does not parse: {exc}") from exc
    if policy.digest != body.get("digest") or policy.name != body.get("name"):
        raise refused("the risk policy's name or digest does not match its text")
    risk = state.risk
    risk.policies.append(DerivedRiskPolicy(
        len(risk.policies) + 1, policy.name, policy.digest, str(body["yaml_text"]),
        policy.as_dict(), member.name, act.signed_at, seq, policy))


def may_assign_tiers(member: DerivedMember, root: Root, state: BoardState) -> bool:
    roles = set(roles_of(member, root))
    return "chair" in roles or bool(roles & set(rules(state).closers))


def _tier(state: BoardState, seq: int, act: SignedAct, member: DerivedMember, root: Root,
          refused: type[Exception]) -> None:
    body = act.body
    if not may_assign_tiers(member, root, state):
        raise refused(f"{member.name} may not assign risk tiers (a chair or "
                      f"{', '.join(rules(state).closers)} does)")
    model, method = str(body.get("model", "")), body.get("method")
    if not model:
        raise refused("a tier assignment names no model")
    try:
        tier = int(body.get("tier"))
    except (TypeError, ValueError) as exc:
        raise refused("a tier assignment names no tier") from exc
    rationale = str(body.get("rationale", "")).strip()
    policy_name, digest, answers, score = "", "", {}, None
    if method == "scorecard":
        derived = state.risk.policy(str(body.get("policy")))
        if derived is None or derived.digest != body.get("policy_digest"):
            raise refused(f"risk policy {body.get('policy')!r} at that digest was never "
                          "adopted by this board")
        answers = {str(k): str(v) for k, v in dict(body.get("answers") or {}).items()}
        try:
            result = assess(derived.policy, answers, "the signed answers")
        except InputError as exc:
            raise refused(str(exc)) from exc
        if result.tier != tier:
            raise refused(f"the signed answers score {result.score:g}, which is tier "
                          f"{result.tier}, not {tier}")
        policy_name, digest, score = derived.name, derived.digest, result.score
        rationale = rationale or result.rationale()
    elif method == "set":
        if not rationale:
            raise refused("a tier set by a member needs a rationale")
        if not 1 <= tier <= 9:
            raise refused(f"tier {tier} is not between 1 and 9")
    else:
        raise refused(f"a tier is assigned by scorecard or set, not {method!r}")
    risk = state.risk
    risk.tiers.append(DerivedTier(
        len(risk.tiers) + 1, model, tier, str(method), rationale, policy_name, digest, answers,
        score, str(body.get("owner", "")), str(body.get("use", "")), member.name,
        act.signed_at, seq))


def _open(state: BoardState, seq: int, act: SignedAct, member: DerivedMember, root: Root,
          refused: type[Exception]) -> None:
    body = act.body
    try:
        kind, severity = FindingType(body.get("type")), Severity(body.get("severity"))
    except ValueError as exc:
        raise refused(f"a finding's type or severity is not one of the allowed ({exc})") from exc
    title = str(body.get("title", "")).strip()
    if not title or not body.get("model"):
        raise refused("a finding needs a model and a title")
    version = body.get("version")
    due = _day(body["due"], "the due date", refused) if body.get("due") else None
    risk = state.risk
    finding = DerivedFinding(
        id=len(risk.findings) + 1, hash=act.digest, model=str(body["model"]),
        version=int(version) if version is not None else None, type=kind.value,
        severity=severity.value, title=title, description=str(body.get("description", "")),
        owner=str(body.get("owner", "")), due=due,
        evidence=[str(e) for e in body.get("evidence", [])], opened_by=member.name,
        opened_at=act.signed_at, seq=seq, changed_seq=seq)
    risk.findings.append(finding)
    risk.finding_by_hash[finding.hash] = finding


def _named(state: BoardState, act: SignedAct, refused: type[Exception]) -> DerivedFinding:
    finding = state.risk.finding_by_hash.get(str(act.body.get("finding")))
    if finding is None:
        raise refused("the act names a finding that was never opened")
    return finding


def _comment(state: BoardState, seq: int, act: SignedAct, member: DerivedMember, root: Root,
             refused: type[Exception]) -> None:
    finding = _named(state, act, refused)
    text = str(act.body.get("text", "")).strip()
    if not text:
        raise refused("an empty comment")
    status = finding_rules.status_after_comment(finding.as_finding(), member.name)
    finding = state.risk.own(finding)
    comment = DerivedComment(len(state.risk.comments) + 1, finding.id, member.name, text,
                             act.signed_at, seq)
    finding.comments.append(comment)
    state.risk.comments.append(comment)
    finding.status, finding.changed_seq = status.value, seq


def _decide(state: BoardState, seq: int, act: SignedAct, member: DerivedMember, root: Root,
            refused: type[Exception]) -> None:
    finding = _named(state, act, refused)
    action = "close" if act.kind == FINDING_CLOSE else "accept"
    body = act.body
    until = _day(body["until"], "the exception's expiry", refused) if body.get("until") else None
    problem = finding_rules.decision_refusal(
        finding.as_finding(), member.name, roles_of(member, root), rules(state), action=action,
        until=until, today=act.signed_at.date())
    if problem is not None:
        raise refused(problem)
    text = str(body.get("resolution" if action == "close" else "rationale", "")).strip()
    if not text:
        raise refused(f"to {action} a finding needs " + (
            "a resolution" if action == "close" else "a rationale"))
    finding = state.risk.own(finding)
    finding.status = (FindingStatus.CLOSED if action == "close" else FindingStatus.ACCEPTED).value
    finding.resolution, finding.decided_by, finding.decided_at = text, member.name, act.signed_at
    finding.exception_until, finding.changed_seq = until, seq


def check_terms(state: BoardState, seq: int, act: SignedAct, member: DerivedMember,
                refused: type[Exception]) -> DerivedTerms | None:
    """Before a review signature: its terms must name open findings of the version and future
    dates, and no open finding may block the approval. Returns the terms to record once the
    review rules have accepted the signature too (a refused act changes nothing)."""
    body = act.body
    if body.get("decision") != "approve":
        if body.get("terms"):
            raise refused("only an approval carries conditions or an expiry")
        return None
    review = state.review_by_hash.get(str(body.get("review")))
    if review is None:
        return None  # the review rules name this refusal
    today = act.signed_at.date()
    blocking = finding_rules.blocking_findings(
        (f.as_finding() for f in state.risk.findings), rules(state), review.model,
        review.version, today)
    if blocking:
        first = blocking[0]
        raise refused(f"open {first.severity.value} finding #{first.id} ({first.title}) blocks "
                      f"approval of {review.model}:{review.version}")
    terms = body.get("terms") or {}
    named = []
    for raw in terms.get("conditions", []):
        finding = state.risk.finding_by_hash.get(str(raw.get("finding")))
        named.append((finding.as_finding() if finding is not None else None,
                      _day(raw.get("by"), "a condition's date", refused)))
    expires = _day(terms["expires"], "the expiry", refused) if terms.get("expires") else None
    problem = finding_rules.terms_refusal(review.model, review.version, named, expires, today)
    if problem is not None:
        raise refused(problem)
    conditions = [(finding.id, by) for finding, by in named if finding is not None]
    if not conditions and expires is None:
        return None
    return DerivedTerms(len(state.risk.terms) + 1, review.id, review.hash, member.name,
                        conditions, expires, seq)
