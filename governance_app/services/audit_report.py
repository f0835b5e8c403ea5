"""Build the sealed audit report of a period (and optionally one model): what CLI and GUI call.

The scope is gathered into plain values (``reports.audit_report.AuditData``), laid out, given
its ``manifest.json`` (kind ``audit``: every signature and checkpoint in scope with its signed
bytes and public key, every review's evidence digest, the chain head and latest checkpoint)
and sealed like the model card (``services.reports.write_sealed``, which also records the
``report.generated`` event).

What is "in scope": an event whose time falls in the period (and, with a model, that names
the model); a review of the model with any activity in the period (opened, signed or closed);
checkpoints signed in the period (they anchor the whole chain, so the model filter does not
apply). The chain is always verified whole: a period cannot be trusted if its past is broken.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from governance_app.domain.audit import Checkpoint
from governance_app.domain.governance import CheckKind, Review
from governance_app.errors import InputError, NotFoundError
from governance_app.governance import audit as chain
from governance_app.governance.canonical import iso_utc
from governance_app.reports import seal as seal_keys
from governance_app.reports.audit_report import (
    SECTIONS,
    AuditData,
    AuditScope,
    RiskInScope,
    SealCertificate,
    VersionSeries,
    audit_story,
)
from governance_app.reports.document import Footer, build_pdf, page_size
from governance_app.reports.manifest import SignedRecord, build_manifest
from governance_app.services import audit as audit_service
from governance_app.services import board
from governance_app.services import models as model_service
from governance_app.services import reviews as review_service
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.reports import (
    SEAL_EVENT,
    ProgressFn,
    ReportCancelled,
    ReportResult,
    producer_record,
    seal_key_for,
    signed_records,
    write_sealed,
)
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlAuditEvent, SqlCheckpoint, SqlMember

MAX_VERSION_CHARTS = 40
"""Reviewed versions drawn as charts; a report over more says how many it left out."""
EVENTS_PER_PAGE = 75
"""About how many event rows fit a page: only to size the progress bar."""


def build_audit_report(
    ws: Workspace, out_path: Path, member: str, passphrase: PassphraseSource | str, *,
    model: str | None = None, date_from: date | None = None, date_to: date | None = None,
    page_size_name: str = "A4", progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None, key_file: Path | None = None,
) -> ReportResult:
    """Write the sealed audit report of ``model`` (all models when ``None``) over the
    inclusive period ``date_from`` … ``date_to`` (local days; open-ended when ``None``).

    Raises:
        InputError: the dates are not dates or are in the wrong order; unknown page size.
        NotFoundError: no such model or member.
        WrongPassphrase / KeyStoreError: the member's keys cannot be unlocked.
        ReportCancelled: ``is_cancelled()`` said so (nothing is written).
    """
    start, end = period_bounds(date_from, date_to)
    size = page_size(page_size_name)
    if model is not None:
        model_service.get_model(ws, model)  # NotFoundError names the model
    state = {"done": 0, "total": len(SECTIONS) + 4}

    def tick(message: str) -> None:
        if is_cancelled is not None and is_cancelled():
            raise ReportCancelled("the audit report was cancelled; nothing was written")
        state["done"] = min(state["done"] + 1, state["total"])
        if progress is not None:
            progress(state["done"], state["total"], message)

    tick("unlocking the document key")
    key, producer = seal_key_for(ws, member, passphrase, key_file)
    tick("gathering the audit trail")
    data = gather_audit(ws, model, date_from, date_to, producer.name, producer.roles,
                        start, end)
    state["total"] += data.chart_count + len(data.events) // EVENTS_PER_PAGE + len(
        data.reviews) // 2
    tick("verifying the chain")
    with ws.session() as session:
        records, checkpoint = signed_records(session, [r.id for r in data.reviews])
        records += checkpoint_records(session, [c.id for c in data.checkpoints])
    parameters = {"model": model, "from": date_from.isoformat() if date_from else None,
                  "to": date_to.isoformat() if date_to else None, "page_size": page_size_name}
    evidence = [{"kind": "review", "review_id": r.id, "model": r.model, "version": r.version,
                 "policy": r.policy.name, "policy_sha256": r.policy.digest,
                 "sha256": r.evidence_digest} for r in data.reviews]
    manifest = build_manifest(
        kind="audit", parameters=parameters, generated_at=iso_utc(data.scope.generated_at),
        producer=producer_record(ws, producer, key),
        evidence=evidence, signatures=records, chain_head=data.chain_head.as_dict(),
        checkpoint=checkpoint)
    head = data.chain_head
    footer = Footer(left=f"Audit report · {data.scope.model_text} · "
                         f"{_short_period(date_from, date_to)}",
                    right=f"generated {data.scope.generated_at.astimezone():%Y-%m-%d %H:%M %Z}",
                    second_line=f"audit chain head #{head.seq} {head.hash}")
    buffer = io.BytesIO()
    build_pdf(buffer, lambda frame: audit_story(data, frame, tick), size=size, footer=footer,
              metadata={"title": f"Audit report: {data.scope.model_text}, "
                                 f"{_short_period(date_from, date_to)}",
                        "author": producer.name,
                        "subject": "Reviews, signatures, audit events and chain verification "
                                   f"of {data.scope.model_text} over {data.scope.period}",
                        "keywords": "audit report, governance, 21 CFR Part 11"},
              page_done=lambda page: tick(f"laid out page {page}"))
    tick("sealing")
    return write_sealed(ws, buffer.getvalue(), key, manifest, out_path,
                        reason=f"Audit report of {data.scope.model_text}", model=model)


def period_bounds(date_from: Any, date_to: Any) -> tuple[datetime | None, datetime | None]:
    """The period as aware datetimes ``[start, end)`` in the local zone (``None``: open).

    Raises:
        InputError: a bound is not a ``datetime.date``, or ``date_from`` is after ``date_to``.
    """
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise InputError(name, f"{value!r} is not a date", expected="a date (YYYY-MM-DD)")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InputError("--from/--to", f"the period starts ({date_from}) after it ends "
                         f"({date_to})", expected="--from on or before --to")
    start = datetime.combine(date_from, time()).astimezone() if date_from else None
    end = (datetime.combine(date_to + timedelta(days=1), time()).astimezone()
           if date_to else None)
    return start, end


def parse_date(value: str, option: str) -> date:
    """``YYYY-MM-DD`` from the command line (Raises InputError naming ``option``)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(option, f"{value!r} is not a date",
                         expected="a date as YYYY-MM-DD, e.g. 2026-11-01") from exc


def _short_period(date_from: date | None, date_to: date | None) -> str:
    if date_from is None and date_to is None:
        return "whole trail"
    return f"{date_from or '…'} – {date_to or '…'}"


def _in(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if moment is None:
        return False
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (start is None or moment >= start) and (end is None or moment < end)


def review_in_scope(review: Review, model: str | None, start: datetime | None,
                    end: datetime | None) -> bool:
    """Of the model (if given), with any activity (open, signature, close) in the period."""
    if model is not None and review.model != model:
        return False
    moments = [review.opened_at, review.closed_at, *(s.signed_at for s in review.signatures)]
    return any(_in(m, start, end) for m in moments)


def gather_audit(
    ws: Workspace, model: str | None, date_from: date | None, date_to: date | None,
    producer: str, producer_roles: tuple[str, ...] = (),
    start: datetime | None = None, end: datetime | None = None,
) -> AuditData:
    """Every value the report prints (``start``/``end`` from :func:`period_bounds`)."""
    if start is None and end is None:
        start, end = period_bounds(date_from, date_to)
    reviews = sorted((r for r in review_service.list_reviews(ws)
                      if review_in_scope(r, model, start, end)), key=lambda r: r.id)
    with ws.session() as session:
        head = chain.chain_head(session)
        events = [e for e in chain.audit_events(session, model, start)
                  if end is None or e.at < end]
        checkpoints = _checkpoints(session, start, end)
        certificates = _certificates(session)
    verification = audit_service.verify_workspace(ws)  # replayed, not read from the tables
    members = board.members(ws)
    scope = AuditScope(model=model, date_from=date_from, date_to=date_to,
                       workspace=ws.display_name, generated_at=datetime.now(UTC),
                       producer=producer, producer_roles=tuple(producer_roles))
    return AuditData(scope=scope, reviews=reviews, events=events, verification=verification,
                     checkpoints=checkpoints, members=members, certificates=certificates,
                     versions=_version_series(ws, reviews), chain_head=head,
                     risk=gather_risk(ws, model, start, end, date_to))


def gather_risk(ws: Workspace, model: str | None, start: datetime | None,
                end: datetime | None, date_to: date | None) -> RiskInScope:
    """The model-risk records of the period: the inventory as of its last day (today when
    open-ended), findings opened or decided in it, and every approval's terms on that day.

    Findings are printed as they stood at the period's end (``end``): one closed later was
    still open then, so its status and a condition naming it are judged by that day's facts.
    """
    from governance_app.governance.finding_rules import as_it_stood
    from governance_app.services import risk, risk_report

    as_of = date_to or datetime.now().astimezone().date()
    state = board.state_of(ws)
    rows = [r for r in risk.inventory(ws, as_of) if model is None or r.model == model]
    findings = [f.as_finding() for f in state.risk.findings if model is None or f.model == model]
    if end is not None:
        findings = [as_it_stood(f, end) for f in findings]
    return RiskInScope(
        as_of=as_of, inventory=rows,
        opened=[f for f in findings if _in(f.opened_at, start, end)],
        decided=[f for f in findings if _in(f.decided_at, start, end)],
        terms=risk_report.approval_terms(state, as_of, model=model, before=end))


def _checkpoints(session: Any, start: datetime | None, end: datetime | None
                 ) -> list[Checkpoint]:
    query = (select(SqlCheckpoint, SqlMember).join(SqlMember,
                                                   SqlMember.id == SqlCheckpoint.member_id)
             .order_by(SqlCheckpoint.id))
    out = []
    for c, m in session.execute(query).all():
        at = c.at if c.at.tzinfo else c.at.replace(tzinfo=UTC)
        if _in(at, start, end):
            out.append(Checkpoint(c.id, c.seq, c.head, m.name, m.fingerprint, at))
    return out


def checkpoint_records(session: Any, ids: list[int]) -> list[SignedRecord]:
    """The checkpoints ``ids`` as manifest records (signed bytes, signature, public key)."""
    if not ids:
        return []
    rows = session.execute(
        select(SqlCheckpoint, SqlMember).join(SqlMember, SqlMember.id == SqlCheckpoint.member_id)
        .where(SqlCheckpoint.id.in_(ids)).order_by(SqlCheckpoint.id)).all()
    return [SignedRecord("checkpoint", c.id, m.name, m.fingerprint, c.signed_bytes, c.signature,
                         m.public_key_pem, {"seq": c.seq, "head": c.head,
                                            "at": iso_utc(c.at if c.at.tzinfo else
                                                          c.at.replace(tzinfo=UTC))})
            for c, m in rows]


def _certificates(session: Any) -> list[SealCertificate]:
    rows = session.scalars(select(SqlAuditEvent).where(SqlAuditEvent.kind == SEAL_EVENT)
                           .order_by(SqlAuditEvent.seq)).all()
    out = []
    for row in rows:
        payload = row.payload
        if isinstance(payload, dict) and "act" in payload:  # a signed seal-key act
            payload = dict(payload["act"].get("body") or {})
        try:
            subject, issuer, _, not_after = seal_keys.describe_certificate(
                payload["certificate_pem"])
        except (KeyError, ValueError):
            subject, issuer, not_after = "unreadable certificate", "—", None
        out.append(SealCertificate(member=str(payload.get("member", row.actor)),
                                   sha256=str(payload.get("certificate_sha256", "")),
                                   subject=subject, issuer=issuer, not_after=not_after,
                                   source=str(payload.get("source", "self-signed"))))
    return out


def _version_series(ws: Workspace, reviews: list[Review]) -> list[VersionSeries]:
    """Per reviewed version (first review first): the gate-checked metrics' histories."""
    out: list[VersionSeries] = []
    seen: set[tuple[str, int]] = set()
    for review in reviews:
        key = (review.model, review.version)
        if key in seen or len(out) >= MAX_VERSION_CHARTS:
            continue
        seen.add(key)
        try:
            detail = model_service.get_version_detail(ws, *key)
        except NotFoundError:
            continue
        metrics = detail.metric_series
        thresholds = {c.name: (c.min, c.max) for r in reviews if (r.model, r.version) == key
                      for c in r.policy.checks if c.kind is CheckKind.METRIC}
        names = [n for n in thresholds if n in metrics and len(metrics[n].values)]
        names += [n for n in sorted(metrics) if n not in names and len(metrics[n].values) > 1]
        if not names:
            continue
        series = {n: ([float(s) for s in metrics[n].steps], [float(v) for v in
                                                             metrics[n].values])
                  for n in names[:3]}
        out.append(VersionSeries(f"{key[0]}:{key[1]}", series,
                                 {n: thresholds[n] for n in series if n in thresholds}))
    return out
