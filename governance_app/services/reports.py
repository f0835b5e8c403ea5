"""Build sealed model cards and verify any report: what the CLI and the GUI call.

A card is gathered from the workspace into plain values, laid out by ``reports.model_card``,
given its ``manifest.json`` and sealed by the producing member's document key (made on first
use, see ``reports.seal``). The audit report is built in ``services.audit_report`` and shares
:func:`write_sealed`: every report written is recorded in the audit trail as a
``report.generated`` event (kind, parameters, file, SHA-256 and size of the sealed bytes,
producer), which :func:`generated_reports` lists.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from governance_app.domain.lineage import model_version_id
from governance_app.errors import GovernanceError, InputError, NotFoundError
from governance_app.governance.audit import append_event, audit_events, chain_head
from governance_app.governance.canonical import iso_utc
from governance_app.governance.keystore import Signer
from governance_app.reports import seal as seal_keys
from governance_app.reports.document import Footer, build_pdf, page_size
from governance_app.reports.manifest import SignedRecord, build_manifest, manifest_bytes
from governance_app.reports.model_card import SECTIONS, CardData, model_card_story
from governance_app.reports.verify import ReportVerification, verify_pdf
from governance_app.services import drift as drift_service
from governance_app.services import fairness as fairness_service
from governance_app.services import lineage as lineage_service
from governance_app.services import model_cards as model_card_service
from governance_app.services import models as model_service
from governance_app.services import reviews as review_service
from governance_app.services.members import get_member, unlock
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import (
    SqlAuditEvent,
    SqlCheckpoint,
    SqlMember,
    SqlSignature,
)

ProgressFn = Callable[[int, int, str], None]
SEAL_EVENT = "member.seal-key"
REPORT_EVENT = "report.generated"


class ReportCancelled(GovernanceError):
    """The user cancelled a report; no file was written."""


@dataclass(frozen=True, slots=True)
class ReportResult:
    path: Path
    manifest: dict[str, Any]
    size: int


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    """One report the workspace's members produced, as its ``report.generated`` event says."""

    seq: int
    at: datetime
    kind: str
    parameters: dict[str, Any]
    path: Path
    sha256: str
    producer: str
    size: int = 0


def build_model_card(
    ws: Workspace, ref: str, out_path: Path, member: str,
    passphrase: PassphraseSource | str, page_size_name: str = "A4",
    progress: ProgressFn | None = None, is_cancelled: Callable[[], bool] | None = None,
    key_file: Path | None = None,
) -> ReportResult:
    """Write the sealed model card of ``MODEL:VERSION`` to ``out_path``.

    Raises:
        InputError: ``ref`` has no version, or an unknown page size.
        NotFoundError: no such version or member.
        WrongPassphrase / KeyStoreError: the member's key cannot be unlocked.
        ReportCancelled: ``is_cancelled()`` said so (nothing is written).
    """
    name, version = model_service.parse_version_ref(ref)
    if version is None:
        raise InputError(ref, "a model card is of one version", expected="MODEL:VERSION")
    size = page_size(page_size_name)
    total = len(SECTIONS) + 3
    step = [0]

    def tick(message: str) -> None:
        if is_cancelled is not None and is_cancelled():
            raise ReportCancelled("the model card was cancelled; nothing was written")
        step[0] += 1
        if progress is not None:
            progress(step[0], total, message)

    tick("unlocking the document key")
    key, producer = seal_key_for(ws, member, passphrase, key_file)
    tick("gathering the evidence")
    data = gather_card(ws, name, version, producer.name)
    with ws.session() as session:
        head = chain_head(session)
        records, checkpoint = signed_records(session, [r.id for r in data.reviews])
    evidence = version_evidence(data.reviews, data.fairness)
    evidence += [{"kind": "model-card", "source": c.source_name, "format": c.format,
                  "sha256": c.source_sha256} for c in (data.card.sources if data.card else [])]
    evidence += finding_evidence(ws, data.findings)
    manifest = build_manifest(
        kind="model-card",
        parameters={"model": name, "version": version, "page_size": page_size_name},
        generated_at=iso_utc(data.generated_at),
        producer=producer_record(ws, producer, key),
        evidence=evidence, signatures=records, chain_head=head.as_dict(), checkpoint=checkpoint)
    footer = Footer(left=f"Model card · {name} version {version}",
                    right=f"generated {data.generated_at.astimezone():%Y-%m-%d %H:%M %Z}",
                    second_line=f"audit chain head #{head.seq} {head.hash}")
    buffer = io.BytesIO()
    build_pdf(buffer, lambda frame: model_card_story(data, frame, tick), size=size,
              footer=footer, metadata={
                  "title": f"Model card: {name} version {version}", "author": producer.name,
                  "subject": f"Model card of {name}:{version} with its gate, fairness, drift "
                             "and approvals", "keywords": "model card, governance"})
    tick("sealing")
    return write_sealed(ws, buffer.getvalue(), key, manifest, out_path,
                        reason=f"Model card of {name}:{version}", model=name)


def finding_evidence(ws: Workspace, findings: list[Any]) -> list[dict[str, Any]]:
    """Each printed finding as manifest evidence: its id and the digest of the signed act
    that opened it (its name in the chain)."""
    from governance_app.services import risk

    state = risk.risk_state(ws)
    out = []
    for finding in findings:
        derived = state.finding(finding.id)
        if derived is not None:
            out.append({"kind": "finding", "finding_id": finding.id, "status":
                        finding.status.value, "sha256": derived.hash})
    return out


def write_sealed(ws: Workspace, pdf: bytes, key: seal_keys.SealKey, manifest: dict[str, Any],
                 out_path: Path, *, reason: str, model: str | None) -> ReportResult:
    """Seal ``pdf`` with ``manifest`` embedded, write it atomically, record it in the trail.

    The file appears complete or not at all (written beside, then renamed); the
    ``report.generated`` event names its SHA-256 and size, so a copy found later can be
    matched to the generation that made it.
    """
    sealed = seal_keys.seal_pdf(pdf, key, manifest=manifest_bytes(manifest), reason=reason)
    target = Path(out_path)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(sealed)
    os.replace(partial, target)
    producer = manifest.get("producer", {})
    with ws.session(immediate=True) as session:
        append_event(session, REPORT_EVENT, str(producer.get("member", key.member)),
                     f"report:{target.name}", {
                         "kind": manifest["kind"], "parameters": manifest["parameters"],
                         "file": target.name, "path": str(target.resolve()),
                         "sha256": hashlib.sha256(sealed).hexdigest(), "bytes": len(sealed),
                         "generated_at": manifest["generated_at"], "producer": producer},
                     model=model)
    return ReportResult(target, manifest, len(sealed))


def generated_reports(ws: Workspace) -> list[GeneratedReport]:
    """Every report recorded in the audit trail, newest first."""
    with ws.session() as session:
        events = audit_events(session, kinds=[REPORT_EVENT])
    out = []
    for event in reversed(events):
        p = event.payload
        out.append(GeneratedReport(
            seq=event.seq, at=event.at, kind=str(p.get("kind", "?")),
            parameters=dict(p.get("parameters") or {}),
            path=Path(str(p.get("path") or p.get("file") or "")),
            sha256=str(p.get("sha256", "")),
            producer=str((p.get("producer") or {}).get("member", event.actor)),
            size=int(p.get("bytes", 0))))
    return out


def gather_card(ws: Workspace, name: str, version: int, producer: str) -> CardData:
    """Every value the card prints (Raises NotFoundError: no such version)."""
    detail = model_service.get_version_detail(ws, name, version)
    datasets: list[Any] = []
    lineage = upstream = None
    try:
        datasets = lineage_service.upstream_datasets(ws, name, version)
        focus = model_version_id(name, version)
        upstream = lineage_service.focus_graph(lineage_service.workspace_graph(ws), focus,
                                               "upstream")
        graph = lineage_service.printable_graph(lineage_service.data_path_graph(upstream, focus))
        lineage = (graph, lineage_service.layout_graph(graph), lineage_service.node_width,
                   model_version_id(name, version))
    except NotFoundError:
        pass
    results = fairness_service.fairness_results(ws, name, version)
    drift = [r for r in drift_service.drift_results(ws, name, version)]
    reviews = sorted((r for r in review_service.list_reviews(ws)
                      if r.model == name and r.version == version), key=lambda r: r.id)
    from governance_app.services import board, risk_report

    generated_at = datetime.now(UTC)
    state = board.state_of(ws)
    return CardData(detail=detail, generated_at=generated_at, producer=producer,
                    datasets=datasets, lineage=lineage, upstream=upstream,
                    fairness=results[-1].analysis if results else None, drift=drift,
                    reviews=reviews, card=model_card_service.current_card(ws, name, version),
                    findings=risk_report.version_findings(state, name, version),
                    terms=risk_report.approval_terms(state, generated_at.astimezone().date(),
                                                     model=name, version=version))


def signed_records(session: Any, review_ids: list[int]
                   ) -> tuple[list[SignedRecord], SignedRecord | None]:
    """The review signatures of ``review_ids`` and the latest checkpoint, as the manifest
    carries them (signed bytes, signature, public key)."""
    rows = session.execute(
        select(SqlSignature, SqlMember).join(SqlMember, SqlMember.id == SqlSignature.member_id)
        .where(SqlSignature.review_id.in_(review_ids)).order_by(SqlSignature.id)).all()
    records = [SignedRecord("review-signature", s.id, m.name, m.fingerprint, s.signed_bytes,
                            s.signature, m.public_key_pem,
                            {"review_id": s.review_id, "decision": s.decision,
                             "meaning": s.meaning, "signed_at": iso_utc(_aware(s.signed_at))})
               for s, m in rows]
    last = session.execute(
        select(SqlCheckpoint, SqlMember).join(SqlMember, SqlMember.id == SqlCheckpoint.member_id)
        .order_by(SqlCheckpoint.id.desc()).limit(1)).first()
    checkpoint = None
    if last is not None:
        c, m = last
        checkpoint = SignedRecord("checkpoint", c.id, m.name, m.fingerprint, c.signed_bytes,
                                  c.signature, m.public_key_pem,
                                  {"seq": c.seq, "head": c.head, "at": iso_utc(_aware(c.at))})
    return records, checkpoint


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def seal_key_for(ws: Workspace, member_name: str, passphrase: PassphraseSource | str,
                 key_file: Path | None = None) -> tuple[seal_keys.SealKey, Any]:
    """The member's unlocked document key, made (and recorded in the workspace) on first use.

    The decision key is unlocked first: it proves the passphrase and signs the new
    certificate's digest, binding the document key to the member in the audit trail.
    """
    member = get_member(ws, member_name)
    source = passphrase if isinstance(passphrase, PassphraseSource) else PassphraseSource(
        passphrase)
    secret = source.get(f"{member.name}'s key")
    signer = unlock(member, secret, key_file)
    location = seal_keys.seal_key_location(
        member.fingerprint, f"file:{key_file}" if key_file else member.key_location)
    record = seal_keys.load_seal_record(location)
    if record is None:
        key, record = seal_keys.new_seal_key(member.name, member.email, secret,
                                             member.fingerprint)
        seal_keys.store_seal_key(record, location)
    else:
        key = seal_keys.unlock_seal_key(record, secret, member.fingerprint)
    if key.certificate_sha256 not in member_certificates(ws):
        record_certificate(ws, member, key, signer)
    return key, member


def record_certificate(ws: Workspace, member: Any, key: seal_keys.SealKey,
                        signer: Signer, source: str = "self-signed") -> None:
    """Append ``member.seal-key``: the certificate, and the member's decision-key signature
    over its digest (``source``: ``self-signed`` or ``imported``)."""
    from governance_app.services import board  # the signed seal-key act (issue 13)

    board.record(ws, SEAL_EVENT, {
        "kind": "seal-certificate", "member": member.name, "fingerprint": member.fingerprint,
        "certificate_sha256": key.certificate_sha256, "certificate_pem": key.certificate_pem,
        "source": source}, signer, actor=member.name, subject=f"member:{member.name}")


def producer_record(ws: Workspace, producer: Any, key: seal_keys.SealKey) -> dict[str, Any]:
    """The manifest's producer: who sealed the PDF, with the certificate and the signed act
    that bind the document key to that member (what offline verification checks)."""
    return {"member": producer.name, "fingerprint": producer.fingerprint,
            "seal_certificate_sha256": key.certificate_sha256,
            "seal_key_statement": seal_key_statement(ws, producer.fingerprint)}


def version_evidence(reviews: list[Any], fairness: Any) -> list[dict[str, Any]]:
    """Manifest evidence every per-version report cites: each review's evidence digest and
    the attached prediction table's SHA-256."""
    evidence = [{"kind": "review", "review_id": r.id, "policy": r.policy.name,
                 "sha256": r.evidence_digest} for r in reviews]
    if fairness is not None:
        evidence.append({"kind": "fairness", "source": fairness.source,
                         "sha256": fairness.source_sha256})
    return evidence


def seal_key_statement(ws: Workspace, fingerprint: str) -> dict[str, Any] | None:
    """The member's latest signed seal-key act (embedded in manifests for offline checks)."""
    from governance_app.services import board

    return board.state_of(ws).seal_keys.get(fingerprint)


def member_certificates(ws: Workspace) -> dict[str, str]:
    """SHA-256 → PEM of every document certificate the workspace has recorded."""
    with ws.session() as session:
        payloads = session.scalars(select(SqlAuditEvent.payload)
                                   .where(SqlAuditEvent.kind == SEAL_EVENT)).all()
    bodies = [p["act"]["body"] for p in payloads if isinstance(p, dict) and "act" in p]
    return {b["certificate_sha256"]: b["certificate_pem"] for b in bodies}


def verify_report(path: Path, ws: Workspace | None = None,
                  cert: Path | None = None) -> ReportVerification:
    """Check a sealed report's seal, coverage, signer, manifest and (with ``ws``) chain head.

    Raises:
        InputError: the file or the certificate cannot be read.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the report ({exc.strerror})") from exc
    trusted: list[str | bytes] = []
    if cert is not None:
        try:
            trusted.append(Path(cert).read_bytes())
        except OSError as exc:
            raise InputError(cert, f"cannot read the certificate ({exc.strerror})") from exc
    hash_at = None
    if ws is not None:
        trusted.extend(member_certificates(ws).values())

        def hash_at(seq: int) -> str | None:
            with ws.session() as session:
                return session.scalar(select(SqlAuditEvent.hash).where(SqlAuditEvent.seq == seq))

    return verify_pdf(data, str(path), trusted_certs=trusted, hash_at=hash_at)
