"""The validation report's story: one version's scope, tests and results, findings, conclusion
and signatures, as a validator hands it to a model-risk committee (SR 26-2's effective
challenge and revalidation, the EU AI Act's documented testing).

The tests and results are the model card's own sections (gate checks, fairness, drift, the data
path), laid out by the same functions so the two reports never disagree; findings and approval
terms come from ``reports.risk_sections``. The conclusion states what the record shows (the
gate's outcome, open findings, conditions, lapses, whether revalidation is overdue); it invents
no judgement of its own. Nothing here reads the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from governance_app.domain.risk import Finding, Severity
from governance_app.reports import model_card
from governance_app.reports.document import (
    data_table,
    para,
    spacer,
    styles,
    text,
    verdict,
)
from governance_app.reports.model_card import CardData
from governance_app.reports.risk_sections import (
    ApprovalTermsLine,
    RiskActLine,
    acts_table,
    finding_threads,
    findings_table,
    local,
    plural,
    terms_table,
)

SECTIONS = ("Scope", "Tests and results", "Findings", "Conditions and expiry of approvals",
            "Conclusion", "Signatures")
Tick = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ValidationScope:
    """What is validated, how material it is, and where it stands in the revalidation cycle."""

    tier: int | None
    tier_rationale: str
    tier_method: str
    tier_by: str
    tier_at: datetime | None
    owner: str
    use: str
    policy: str
    """The risk policy in force (its name), or ``""`` when none is adopted."""
    policy_digest: str
    cadence_months: int | None
    """How often the version's tier is to be validated again, under ``policy``."""
    last_validated: date | None
    next_due: date | None
    due_reason: str
    as_of: date


@dataclass(frozen=True, slots=True)
class ValidationData:
    """Everything a validation report prints, gathered by ``services.validation_report``."""

    card: CardData
    """The version's evidence, as the model card gathers it (reviews, fairness, drift …)."""
    scope: ValidationScope
    findings: list[Finding] = field(default_factory=list)
    terms: list[ApprovalTermsLine] = field(default_factory=list)
    acts: list[RiskActLine] = field(default_factory=list)
    """The signed model-risk acts behind the tier and the findings, in chain order."""

    @property
    def ref(self) -> str:
        return self.card.ref


def validation_story(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    """The flowables of the whole report; ``tick(section)`` before each section (progress)."""
    st = styles()
    mv = data.card.detail.version
    story: list[Flowable] = [
        Paragraph(f"Validation report: {text(mv.model_name)} version {mv.version}", st.title),
        para(f"Generated {local(data.card.generated_at)} by {data.card.producer}, as of "
             f"{data.scope.as_of.isoformat()}. Sealed (PAdES) with manifest.json embedded: "
             "governance-app verify FILE.pdf --root ROOT checks it offline.", st.small),
        spacer(2), *_outcome_line(data)]
    builders = (_scope, _tests, _findings, _terms, _conclusion, _signatures)
    for number, (title, build) in enumerate(zip(SECTIONS, builders, strict=True), start=1):
        tick(title)
        story += [CondPageBreak(80), Paragraph(f"{number}. {text(title)}", st.h1)]
        story += build(data, frame, tick)
    return story


def _empty(message: str) -> list[Flowable]:
    return [para(message, styles().empty)]


def _scope(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    s, mv = data.scope, data.card.detail.version
    tier = "not tiered" if s.tier is None else f"tier {s.tier}"
    if s.tier is not None:
        tier += f" ({'scorecard' if s.tier_method == 'scorecard' else 'set'} by {s.tier_by}, " \
                f"{local(s.tier_at)})"
    cadence = (f"every {s.cadence_months} months for tier {s.tier}" if s.cadence_months
               else "no cadence for this tier" if s.policy else "—")
    rows = [("Model", mv.model_name), ("Version", str(mv.version)),
            ("Stage / aliases", " · ".join(x for x in (_stage(mv.stage), ", ".join(mv.aliases))
                                           if x) or "—"),
            ("Risk tier", tier), ("Tier rationale", s.tier_rationale or "—"),
            ("Owner", s.owner or mv.user or "—"), ("Use", s.use or "—"),
            ("Risk policy", f"{s.policy} (sha256 {s.policy_digest[:16]}…)" if s.policy
             else "no risk policy adopted"),
            ("Revalidation cadence", cadence),
            ("Last validation", s.last_validated.isoformat() if s.last_validated else "never"),
            ("Next due", (s.next_due.isoformat() if s.next_due else "—")
             + (f" ({s.due_reason})" if s.due_reason else "")),
            ("Reviews of this version", ", ".join(f"#{r.id} {r.policy.gate} ({r.state.value})"
                                                  for r in data.card.reviews) or "none")]
    return [data_table(["Field", "Value"], rows, [0.24, 0.76], frame)]


def _stage(stage: str | None) -> str:
    """A registry stage; MLflow's literal "None" (no stage) is no stage."""
    return "" if not stage or stage == "None" else stage


def _tests(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    """The model card's evidence sections, reused: the gate checks first (what was decided),
    then the sources they read, fairness, drift and the data path."""
    st = styles()
    card = data.card
    out: list[Flowable] = [para(
        "The tests are the gate checks of each review of the version, computed from the "
        "evidence the workspace holds; the sections below show that evidence as the "
        "Fairness, Drift and Lineage views do.")]
    parts = (("Gate checks", model_card._gate), ("Fairness by group", model_card._fairness),
             ("Drift", model_card._drift), ("Lineage: training and evaluation data",
                                            model_card._data))
    for title, build in parts:
        tick(title)
        # A part's heading never ends a page alone: its first table or chart follows it.
        out += [CondPageBreak(180), Paragraph(text(title), st.h2)]
        out += build(card, frame)
        if title == "Gate checks":
            out += _sources(card, frame)
    return out


def _sources(card: CardData, frame: float) -> list[Flowable]:
    """Where each check's numbers came from: the evidence files and their SHA-256."""
    pairs = sorted({(k, v) for r in card.reviews for c in r.checks
                    for k, v in (c.get("sources") or {}).items()})
    if not pairs:
        return []
    rows = [[text(k), f'<font name="DejaVuSansMono" size="7">{text(v)}</font>']
            for k, v in pairs]
    return [Paragraph("Evidence sources of the checks", styles().h2),
            data_table(["Source", "SHA-256"], rows, [0.4, 0.6], frame, markup=True)]


def _findings(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    if not data.findings:
        return _empty(f"No findings raised on {data.ref} or its model.")
    count = plural(len(data.findings), "finding")
    return [para(f"{count} on {data.ref} or its model (a finding without "
                 "a version applies to every version). Each is followed by its thread: the "
                 "validator's questions and the owner's responses, the effective-challenge "
                 "record, and the decision."),
            findings_table(data.findings, frame, data.scope.as_of),
            *finding_threads(data.findings, frame)]


def _terms(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    if not data.terms:
        return _empty(f"No gate has been granted to {data.ref}.")
    return [para(f"Each gate granted to {data.ref}, the conditions and expiry its approvers "
                 f"set, and whether it stands on {data.scope.as_of.isoformat()}."),
            terms_table(data.terms, frame)]


def conclusion(data: ValidationData) -> tuple[str, str, list[str]]:
    """The outcome word, its verdict kind (pass, warning, fail) and the facts behind it."""
    day = data.scope.as_of
    facts: list[str] = []
    reviews = data.card.reviews
    approved = [r for r in reviews if r.state.value == "approved"]
    latest = reviews[-1] if reviews else None
    if latest is None:
        facts.append("No review has evaluated this version against a gate policy.")
    else:
        for review in reviews:
            failing = [c for c in review.checks if c.get("result") == "fail"]
            facts.append(f"Review #{review.id} ({review.policy.name}, gate {review.policy.gate})"
                         f" is {review.state.value}; {len(review.checks)} checks, "
                         f"{len(failing)} failed.")
    open_now = [f for f in data.findings if f.is_open_on(day)]
    high = [f for f in open_now if f.severity is Severity.HIGH]
    if open_now:
        facts.append(f"{plural(len(open_now), 'finding')} open ({len(high)} high): "
                     + "; ".join(f"#{f.id} {f.severity.value} {f.title}" for f in open_now)
                     + ".")
    else:
        facts.append("No finding is open.")
    lapsed = [t for t in data.terms if t.lapses]
    conditional = [t for t in data.terms if not t.unconditional and not t.lapses]
    for t in lapsed:
        facts.append(f"The {t.gate} approval of review #{t.review_id} has lapsed: "
                     + "; ".join(lapse.reason for lapse in t.lapses) + ".")
    for t in conditional:
        facts.append(f"The {t.gate} approval of review #{t.review_id} is conditional"
                     + (f", expires {t.expires.isoformat()}" if t.expires else "")
                     + (f", {len(t.conditions)} condition(s)" if t.conditions else "") + ".")
    overdue = data.scope.next_due is not None and data.scope.next_due < day
    if overdue and data.scope.next_due is not None:
        facts.append(f"Revalidation was due {data.scope.next_due.isoformat()} "
                     f"({data.scope.due_reason}).")
    if lapsed:
        return "Approval lapsed", "fail", facts
    if not approved:
        rejected = latest is not None and latest.state.value == "rejected"
        return ("Not approved", "fail" if rejected else "warning", facts)
    if high or overdue:
        return "Approved, with open high findings or overdue revalidation", "warning", facts
    if open_now or conditional:
        return "Approved with conditions or open findings", "warning", facts
    return "Approved, no open findings", "pass", facts


def _outcome_line(data: ValidationData) -> list[Flowable]:
    word, kind, _ = conclusion(data)
    return [Paragraph(f"Outcome on {data.scope.as_of.isoformat()}: "
                      f"{verdict(kind).replace(kind, text(word))}", styles().h2)]


def _conclusion(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    word, kind, facts = conclusion(data)
    out: list[Flowable] = [Paragraph(verdict(kind).replace(kind, text(word)), styles().h2),
                           para("What the signed record shows on "
                                f"{data.scope.as_of.isoformat()}:")]
    out += [para(f"• {fact}") for fact in facts]
    return out


def _signatures(data: ValidationData, frame: float, tick: Tick) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = [Paragraph("Gate decisions", st.h2)]
    out += model_card._approvals(data.card, frame)
    out += [CondPageBreak(120), Paragraph("Signed model-risk acts", st.h2)]
    if data.acts:
        out += [para("The tier assignment and every finding act (opening, questions and "
                     "responses, decision), each signed with the member's Ed25519 key; the "
                     "signed bytes and public keys are in manifest.json.", st.small),
                acts_table(data.acts, frame)]
    else:
        out += _empty("No signed model-risk acts concern this version.")
    out.append(spacer(2))
    out.append(para(f"This report was produced and sealed by {data.card.producer} at "
                    f"{local(data.card.generated_at)}.", st.small))
    return out
