"""The audit report's story: scope, reviews and their evidence, the events, the chain, the keys.

Everything is drawn from plain values the service gathers (:class:`AuditData`); nothing reads
the workspace. A report of a busy period runs to hundreds of pages, so the events table is
built for speed: plain strings in fixed-height rows (no paragraph per cell), cut into blocks
that each repeat their header, so platypus never re-splits one huge table page after page.
A section with nothing in scope says so in one line.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Table,
    TableStyle,
)

from governance_app.charts.audit_charts import (
    VersionMetricsChart,
    events_per_day_figure,
    review_outcomes_figure,
)
from governance_app.domain.audit import (
    AuditEvent,
    ChainHead,
    Checkpoint,
    Member,
    VerificationReport,
)
from governance_app.domain.governance import Review
from governance_app.domain.risk import Finding, InventoryRow
from governance_app.governance.keys import grouped
from governance_app.reports.document import (
    FONT,
    FONT_BOLD,
    FONT_MONO,
    GRID,
    HEADER_FILL,
    data_table,
    figure_image,
    para,
    spacer,
    styles,
    text,
    verdict,
)
from governance_app.reports.risk_sections import (
    ApprovalTermsLine,
    finding_threads,
    findings_table,
    inventory_table,
    terms_table,
)
from governance_app.reports.row_table import Column, RowTable

SECTIONS = ("Scope", "Summary", "Reviews", "Reviewed versions", "Model risk", "Audit events",
            "Chain verification", "Appendix: members and keys")
EVENT_FONT_SIZE = 6.8
EVENT_ROW_HEIGHT = 9.2
CHART_DPI = 110
"""Charts print at ~130 dpi on the page: sharp on paper, and 20 of them stay cheap."""
Tick = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class AuditScope:
    """What the report covers and who made it."""

    model: str | None
    date_from: date | None
    date_to: date | None
    workspace: str
    generated_at: datetime
    producer: str
    producer_roles: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        """The period in words, inclusive, in the producing machine's zone (named)."""
        zone = self.generated_at.astimezone().tzname() or "local time"
        if self.date_from is None and self.date_to is None:
            return "the whole audit trail (no period given)"
        start = self.date_from.isoformat() if self.date_from else "the first event"
        end = self.date_to.isoformat() if self.date_to else "the last event"
        return f"{start} to {end} inclusive (days in {zone})"

    @property
    def model_text(self) -> str:
        return self.model or "all models"


@dataclass(frozen=True, slots=True)
class SealCertificate:
    """A member's document (sealing) certificate as recorded in the workspace."""

    member: str
    sha256: str
    subject: str
    issuer: str
    not_after: datetime | None
    source: str
    """``self-signed`` (made by the app) or ``imported`` (issued by the organisation)."""


@dataclass(frozen=True, slots=True)
class VersionSeries:
    """A reviewed version's metric histories (steps, values) and its gates' thresholds."""

    ref: str
    series: dict[str, tuple[list[float], list[float]]]
    thresholds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditData:
    """Everything an audit report prints, gathered by ``services.audit_report``."""

    scope: AuditScope
    reviews: list[Review]
    events: list[AuditEvent]
    verification: VerificationReport
    checkpoints: list[Checkpoint]
    members: list[Member]
    certificates: list[SealCertificate]
    versions: list[VersionSeries]
    chain_head: ChainHead
    risk: RiskInScope | None = None
    """The model-risk records of the period (``None``: not gathered, e.g. an old caller)."""

    @property
    def chart_count(self) -> int:
        """Charts the story draws (for progress)."""
        return 2 + len(self.versions)


@dataclass(frozen=True, slots=True)
class RiskInScope:
    """The inventory as of the period's end, the findings opened and decided in the period,
    and the approvals' conditions and lapses on that day."""

    as_of: date
    inventory: list[InventoryRow] = field(default_factory=list)
    opened: list[Finding] = field(default_factory=list)
    decided: list[Finding] = field(default_factory=list)
    terms: list[ApprovalTermsLine] = field(default_factory=list)


def local(moment: datetime | None) -> str:
    """A time in the producing machine's zone, the zone named (a PDF is read anywhere)."""
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def zone_of(moment: datetime) -> str:
    """The zone a static PDF prints its times in, named and with its offset: ``CET
    (UTC+01:00)``. A printed page cannot follow its reader's zone, so it states its own."""
    local_moment = moment.astimezone()
    offset = local_moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    utc = f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    name = local_moment.tzname() or utc
    if minutes == 0 and name in (utc, "UTC"):
        return "UTC"
    return utc if name == utc else f"{name} ({utc})"


def fmt(value: Any) -> str:
    """4 significant digits for numbers, "—" for nothing (stored values keep precision)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:.4g}"
    return str(value)


def audit_story(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    """The flowables of the whole report; ``tick(message)`` before each section and chart."""
    builders = (_cover, _summary, _reviews, _versions, _model_risk, _events, _chain, _appendix)
    story: list[Flowable] = []
    for title, build in zip(SECTIONS, builders, strict=True):
        tick(title)
        story.extend(build(data, frame, tick))
    return story


def _h1(title: str) -> list[Flowable]:
    return [CondPageBreak(80), Paragraph(text(title), styles().h1)]


def _empty(message: str) -> Flowable:
    return para(message, styles().empty)


def _cover(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    st, scope = styles(), data.scope
    producer = scope.producer + (f" ({', '.join(scope.producer_roles)})"
                                 if scope.producer_roles else "")
    rows = [("Model", scope.model_text), ("Period", scope.period),
            ("Workspace", scope.workspace), ("Generated at", local(scope.generated_at)),
            ("Generated by", producer),
            ("Audit chain head", f"#{data.chain_head.seq} {data.chain_head.hash}"),
            ("In scope", f"{len(data.reviews)} reviews, {len(data.events)} audit events, "
                         f"{sum(len(r.signatures) for r in data.reviews)} signatures, "
                         f"{len(data.checkpoints)} checkpoints")]
    contents = "".join(f"{i}. {text(title)}<br/>" for i, title in enumerate(SECTIONS[1:], 1))
    return [
        Paragraph("Audit report", st.title),
        Paragraph(f"{text(scope.model_text)} · {text(scope.period)}", st.h2), spacer(4),
        data_table(["Scope", ""], rows, [0.22, 0.78], frame), spacer(6),
        para("This report is sealed (PAdES) by the member who generated it and embeds "
             "manifest.json with every signature in scope, its signed bytes and public key, "
             "and the audit chain head. Check it with: governance-app verify FILE.pdf "
             "[--db URL].", st.small), spacer(6),
        Paragraph("Contents", st.h2), Paragraph(contents, st.body), PageBreak()]


def _summary(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    out = _h1("Summary")
    outcomes = Counter(r.state.value for r in data.reviews)
    tick("chart: review outcomes")
    out.append(KeepTogether([figure_image(review_outcomes_figure(outcomes), frame,
                                          dpi=CHART_DPI)]))
    if not data.reviews:
        out.append(_empty(f"No reviews in scope: no review of {data.scope.model_text} was "
                          "opened, signed or closed in the period."))
    else:
        rows = [[f"#{r.id}", text(f"{r.model}:{r.version}"),
                 text(f"{r.policy.name} → {r.policy.gate}"), text(local(r.opened_at)),
                 _state(r.state.value), _tally(r), text(local(r.closed_at))]
                for r in data.reviews]
        out.append(data_table(["Review", "Version", "Policy → gate", "Opened", "Outcome",
                               "Signed", "Closed"], rows,
                              [0.09, 0.16, 0.2, 0.15, 0.13, 0.12, 0.15], frame, markup=True))
    out.append(spacer())
    tick("chart: events per day")
    days, counts = _daily_counts(data.events)
    out.append(KeepTogether([figure_image(events_per_day_figure(days, counts), frame,
                                          dpi=CHART_DPI)]))
    kinds = Counter(e.kind for e in data.events)
    if kinds:
        out.append(data_table(["Event kind", "Events"],
                              [(k, str(n)) for k, n in kinds.most_common()], [0.7, 0.3], frame,
                              right=[1]))
    return out


def _state(state: str) -> str:
    word = {"approved": "approve", "rejected": "reject"}.get(state, state)
    return verdict(word).replace(text(word), text(state))


def _tally(review: Review) -> str:
    approve = sum(1 for s in review.signatures if s.decision.value == "approve")
    reject = len(review.signatures) - approve
    return f"{approve} approve, {reject} reject" if review.signatures else "none"


def _daily_counts(events: list[AuditEvent]) -> tuple[list[date], dict[str, list[int]]]:
    if not events:
        return [], {}
    per_day: dict[str, Counter[date]] = defaultdict(Counter)
    for event in events:
        per_day[event.kind][event.at.astimezone().date()] += 1
    first = min(min(c) for c in per_day.values())
    last = max(max(c) for c in per_day.values())
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return days, {kind: [c.get(d, 0) for d in days] for kind, c in per_day.items()}


def _reviews(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    out = _h1("Reviews")
    if not data.reviews:
        return [*out, _empty("No reviews in scope, so no evidence, checks or signatures to "
                             "show.")]
    out.append(para("Per review: the frozen evidence (its SHA-256 and the records it read), "
                    "every gate check, and each signature's manifestation (21 CFR 11.50): "
                    "printed name, role, date and time with zone, meaning, key fingerprint."))
    for review in data.reviews:
        out.extend(_review(review, frame))
    return out


def _review(review: Review, frame: float) -> list[Flowable]:
    st = styles()
    closed = (f", closed {local(review.closed_at)}" + (f" ({review.close_reason})"
                                                        if review.close_reason else "")
              if review.closed_at else "")
    head = [CondPageBreak(120), Paragraph(
        f"Review #{review.id} · {text(review.model)}:{review.version} · "
        f"{text(review.policy.name)} → {text(review.policy.gate)} · {_state(review.state.value)}",
        st.h2),
        para(f"Opened by {review.opened_by} at {local(review.opened_at)}{closed}. Evidence "
             f"sha256 {review.evidence_digest}; policy sha256 {review.policy.digest[:16]}…",
             st.small)]
    checks = review.evidence.get("checks", []) if isinstance(review.evidence, dict) else []
    rows = [[text(c.get("label") or c.get("check", {}).get("name", "?")), text(_value(c)),
             text(_threshold(c.get("threshold"))), verdict(str(c.get("result"))),
             text(c.get("detail") or "")] for c in checks]
    out: list[Flowable] = head
    out.append(data_table(["Check", "Value", "Threshold", "Result", "Detail"], rows,
                          [0.26, 0.1, 0.13, 0.12, 0.39], frame, right=[1], markup=True)
               if rows else _empty("The evidence holds no checks."))
    sources = sorted({(k, v) for c in checks for k, v in (c.get("sources") or {}).items()})
    if sources:
        out.append(spacer(1.5))
        out.append(data_table(["Evidence source", "SHA-256"],
                              [[text(k), f'<font name="{FONT_MONO}" size="6.5">{text(v)}</font>']
                               for k, v in sources], [0.45, 0.55], frame, markup=True))
    out.append(spacer(1.5))
    if review.signatures:
        rows = [[text(s.member), text(", ".join(s.roles)), text(local(s.signed_at)),
                 verdict(s.decision.value) + f"<br/>{text(s.meaning)}",
                 f'<font name="{FONT_MONO}" size="6">{text(grouped(s.fingerprint))}</font>']
                for s in review.signatures]
        out.append(data_table(["Printed name", "Role", "Signed at", "Meaning",
                               "Key fingerprint"], rows, [0.17, 0.12, 0.19, 0.24, 0.28], frame,
                              markup=True))
        out += [para(f"{s.member}: “{s.comment}”", st.small) for s in review.signatures
                if s.comment]
    else:
        out.append(_empty("No signatures on this review yet."))
    return out


def _value(check: dict[str, Any]) -> str:
    value = check.get("value")
    return fmt(value) if value is not None else "—"


def _threshold(threshold: Any) -> str:
    if not isinstance(threshold, dict) or not threshold:
        return "—"
    parts = [f"≥ {fmt(threshold['min'])}" if threshold.get("min") is not None else "",
             f"≤ {fmt(threshold['max'])}" if threshold.get("max") is not None else ""]
    return " and ".join(p for p in parts if p) or "—"


def _versions(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    out = _h1("Reviewed versions")
    if not data.versions:
        return [*out, _empty("No reviewed version in scope has a recorded metric history.")]
    out.append(para("Each reviewed version's metric history (the metrics its gates check "
                    "first), with the gate's thresholds as dashed lines."))
    chart = VersionMetricsChart()  # drawn once, repainted per version
    for series in data.versions:
        tick(f"chart: {series.ref}")
        figure = chart.paint(series.ref, series.series, series.thresholds)
        out.append(KeepTogether([figure_image(figure, frame, dpi=CHART_DPI), spacer(2)]))
    return out


def _model_risk(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    """The inventory as of the period's end, the findings opened and decided in the period
    with their threads (the effective-challenge record), and conditions and lapses."""
    out = _h1("Model risk")
    risk = data.risk
    if risk is None:
        return [*out, _empty("The model-risk records were not gathered for this report.")]
    day = risk.as_of.isoformat()
    st = styles()
    out.append(Paragraph(f"Inventory as of {day}", st.h2))  # just after the h1's break
    if risk.inventory:
        out += [para(f"As the Inventory view and governance-app inventory --as-of {day} list "
                     "it: overdue and expiring models first.", st.small),
                inventory_table(risk.inventory, frame)]
    else:
        out.append(_empty("No registered model in scope."))
    for title, findings, none in (
            ("Findings opened in the period", risk.opened, "No finding was opened in the "
                                                            "period."),
            ("Findings closed or accepted in the period", risk.decided,
             "No finding was closed or accepted as an exception in the period.")):
        out += [CondPageBreak(80), Paragraph(title, st.h2)]
        out.append(findings_table(findings, frame, risk.as_of) if findings else _empty(none))
    threads = sorted({f.id: f for f in [*risk.opened, *risk.decided]}.values(),
                     key=lambda f: f.id)
    if threads:
        tick("findings' threads")
        out += [CondPageBreak(80), Paragraph("Threads of these findings", st.h2)]
        out += finding_threads(threads, frame)
    out += [CondPageBreak(80),
            Paragraph(f"Conditions and lapses of approvals on {day}", st.h2)]
    shown = [t for t in risk.terms if not t.unconditional or t.lapses]
    out.append(terms_table(shown, frame) if shown else _empty(
        "No approval in scope was given with conditions or an expiry."))
    return out


def _events(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    out = _h1("Audit events")
    if not data.events:
        return [*out, _empty("No audit events in the period.")]
    seqs = [e.seq for e in data.events]
    gaps = len(seqs) != (max(seqs) - min(seqs) + 1)
    omitted = (" Events outside the scope (another model, or outside the period) are omitted, so "
               "sequence numbers skip; the chain section below verified every event of the "
               "trail." if gaps else "")
    zone = zone_of(data.scope.generated_at)
    out.append(para(f"{len(data.events)} events in chain order.{omitted} Times in {zone}; the "
                    "hash is the first 12 hex digits of the event's SHA-256 link."))
    rows = [(str(e.seq), local(e.at), e.kind, e.actor, e.subject, e.hash[:12])
            for e in data.events]
    out.append(RowTable(EVENT_COLUMNS, rows, frame, font_size=EVENT_FONT_SIZE,
                        row_height=EVENT_ROW_HEIGHT, header_font=FONT_BOLD,
                        header_fill=HEADER_FILL, rule=GRID))
    return out


EVENT_COLUMNS = (Column("#", 0.07, FONT_MONO, right=True, fits=True),
                 Column("Time", 0.21, FONT, fits=True),
                 Column("Kind", 0.16, FONT), Column("Actor", 0.15, FONT),
                 Column("Subject", 0.29, FONT), Column("Hash", 0.12, FONT_MONO, fits=True))


def _chain(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    out = _h1("Chain verification")
    report = data.verification
    word = "pass" if report.ok else "fail"
    out.append(Paragraph(
        f"{verdict(word)}: the whole chain was recomputed when this report was generated: "
        f"{report.events} events, head #{report.head.seq}, {report.checkpoints} checkpoints "
        f"and {report.signatures} review signatures checked.", styles().body))
    out.append(para(f"Head hash {report.head.hash}", styles().mono))
    if report.ok:
        out.append(para("Every event's hash and link, every checkpoint and every signature "
                        "hold."))
    else:
        first = report.first_broken
        out.append(para(f"First broken link: {first.describe() if first else '?'}"))
        out.append(data_table(["Where", "Event", "Record", "Problem"],
                              [[f.where, fmt(f.seq), fmt(f.record), f.problem]
                               for f in report.findings], [0.12, 0.1, 0.1, 0.68], frame))
    out.append(Paragraph("Checkpoints in the period", styles().h2))
    if not data.checkpoints:
        out.append(_empty("No checkpoint was signed in the period."))
    else:
        rows = [[f"checkpoint {c.id}", f"#{c.seq}", text(local(c.at)), text(c.member),
                 f'<font name="{FONT_MONO}" size="6">{text(c.head)}</font>']
                for c in data.checkpoints]
        out.append(data_table(["#", "Head", "Signed at", "Signed by", "Head hash"],
                              rows, [0.14, 0.08, 0.19, 0.16, 0.43], frame, markup=True))
    return out


def _appendix(data: AuditData, frame: float, tick: Tick) -> list[Flowable]:
    out = [PageBreak(), Paragraph("Appendix: members and keys", styles().h1)]
    if not data.members:
        out.append(_empty("The workspace has no board members."))
    else:
        # An address breaks after its "@", never inside the name or the domain.
        rows = [[text(m.name), text(", ".join(m.roles)),
                 text(m.email or "—").replace("@", "@<br/>"),
                 f'<font name="{FONT_MONO}" size="6">{text(grouped(m.fingerprint))}</font>',
                 text(local(m.created_at)),
                 verdict("pass").replace("pass", "active") if m.active else
                 verdict("fail").replace("fail", "revoked") +
                 f"<br/>{text(local(m.revoked_at))}: {text(m.revoked_reason)}"]
                for m in data.members]
        out.append(data_table(["Member", "Roles", "E-mail", "Decision key (Ed25519)",
                               "Added", "Status"], rows,
                              [0.14, 0.13, 0.18, 0.25, 0.13, 0.17], frame, markup=True))
    out.append(Paragraph("Document (sealing) certificates", styles().h2))
    if not data.certificates:
        out.append(_empty("No member has a document certificate yet."))
    else:
        rows = [[text(c.member), text(c.source), text(c.subject), text(c.issuer),
                 text(local(c.not_after)),
                 f'<font name="{FONT_MONO}" size="6">{text(c.sha256)}</font>']
                for c in data.certificates]
        out.append(data_table(["Member", "Source", "Subject", "Issuer", "Valid until",
                               "SHA-256"], rows, [0.13, 0.12, 0.18, 0.18, 0.14, 0.25], frame,
                              markup=True))
    out.append(spacer(4))
    out.append(_legend())
    return out


def _legend() -> Flowable:
    table = Table([["✓ pass / approve", "✗ fail / reject", "! warning", "– not evaluated"]])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 7),
                               ("TEXTCOLOR", (0, 0), (0, 0), colors.HexColor("#009E73")),
                               ("TEXTCOLOR", (1, 0), (1, 0), colors.HexColor("#D55E00")),
                               ("TEXTCOLOR", (2, 0), (2, 0), colors.HexColor("#E69F00"))]))
    return table
