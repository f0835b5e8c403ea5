"""Build the sealed validation report of one version: what the CLI and the GUI call.

The version's evidence is gathered as the model card gathers it (``services.reports``), the
model-risk records from the replayed board (``services.risk_report``); the manifest (kind
``validation``) carries every review signature of the version and every signed model-risk act
the report prints (tier assignment, finding openings, threads, decisions) with its signed
bytes and public key, so ``verify FILE.pdf --root ROOT`` re-checks them offline. Sealing and
the ``report.generated`` event are shared with the other reports (``write_sealed``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from governance_app.errors import InputError
from governance_app.governance.audit import chain_head
from governance_app.governance.canonical import iso_utc
from governance_app.reports.document import Footer, build_pdf, page_size
from governance_app.reports.manifest import SignedRecord, build_manifest
from governance_app.reports.validation_report import (
    SECTIONS,
    ValidationData,
    ValidationScope,
    validation_story,
)
from governance_app.services import board, risk, risk_report
from governance_app.services import models as model_service
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.reports import (
    ProgressFn,
    ReportCancelled,
    ReportResult,
    finding_evidence,
    gather_card,
    producer_record,
    seal_key_for,
    signed_records,
    version_evidence,
    write_sealed,
)
from governance_app.services.workspace import Workspace

TESTS_PARTS = 4
"""The "Tests and results" section ticks once per part (gate, fairness, drift, lineage)."""


def build_validation_report(
    ws: Workspace, ref: str, out_path: Path, member: str,
    passphrase: PassphraseSource | str, page_size_name: str = "A4",
    progress: ProgressFn | None = None, is_cancelled: Callable[[], bool] | None = None,
    key_file: Path | None = None,
) -> ReportResult:
    """Write the sealed validation report of ``MODEL:VERSION`` to ``out_path``.

    Raises:
        InputError: ``ref`` has no version, or an unknown page size.
        NotFoundError: no such version or member.
        WrongPassphrase / KeyStoreError: the member's key cannot be unlocked.
        ReportCancelled: ``is_cancelled()`` said so (nothing is written).
    """
    name, version = model_service.parse_version_ref(ref)
    if version is None:
        raise InputError(ref, "a validation report is of one version", expected="MODEL:VERSION")
    size = page_size(page_size_name)
    total = len(SECTIONS) + TESTS_PARTS + 3
    step = [0]

    def tick(message: str) -> None:
        if is_cancelled is not None and is_cancelled():
            raise ReportCancelled("the validation report was cancelled; nothing was written")
        step[0] = min(step[0] + 1, total)
        if progress is not None:
            progress(step[0], total, message)

    tick("unlocking the document key")
    key, producer = seal_key_for(ws, member, passphrase, key_file)
    tick("gathering the evidence and the model-risk record")
    data, act_records = gather_validation(ws, name, version, producer.name)
    with ws.session() as session:
        head = chain_head(session)
        records, checkpoint = signed_records(session, [r.id for r in data.card.reviews])
    evidence = version_evidence(data.card.reviews, data.card.fairness)
    if data.scope.policy:
        evidence.append({"kind": "risk-policy", "name": data.scope.policy,
                         "sha256": data.scope.policy_digest})
    evidence += finding_evidence(ws, data.findings)
    generated = data.card.generated_at
    manifest = build_manifest(
        kind="validation",
        parameters={"model": name, "version": version, "page_size": page_size_name,
                    "as_of": data.scope.as_of.isoformat()},
        generated_at=iso_utc(generated),
        producer=producer_record(ws, producer, key),
        evidence=evidence, signatures=records + act_records, chain_head=head.as_dict(),
        checkpoint=checkpoint)
    footer = Footer(left=f"Validation report · {name} version {version}",
                    right=f"generated {generated.astimezone():%Y-%m-%d %H:%M %Z}",
                    second_line=f"audit chain head #{head.seq} {head.hash}")
    buffer = io.BytesIO()
    build_pdf(buffer, lambda frame: validation_story(data, frame, tick), size=size,
              footer=footer, metadata={
                  "title": f"Validation report: {name} version {version}",
                  "author": producer.name,
                  "subject": f"Validation of {name}:{version}: scope, tests and results, "
                             "findings, conclusion and signatures",
                  "keywords": "validation report, model risk, SR 26-2, effective challenge"})
    tick("sealing")
    return write_sealed(ws, buffer.getvalue(), key, manifest, out_path,
                        reason=f"Validation report of {name}:{version}", model=name)


def gather_validation(ws: Workspace, name: str, version: int, producer: str
                      ) -> tuple[ValidationData, list[SignedRecord]]:
    """Every value the report prints, and the manifest records of its risk acts.

    Raises:
        NotFoundError: no such version.
    """
    card = gather_card(ws, name, version, producer)
    as_of = card.generated_at.astimezone().date()
    state = board.state_of(ws)
    tier = state.risk.tier_of(name)
    row = next((r for r in risk.inventory(ws, as_of) if r.model == name), None)
    derived_policy = state.risk.policy()
    rule = derived_policy.policy.revalidation if derived_policy is not None else None
    scope = ValidationScope(
        tier=tier.tier if tier else None, tier_rationale=tier.rationale if tier else "",
        tier_method=tier.method if tier else "", tier_by=tier.member if tier else "",
        tier_at=_aware(tier.at) if tier else None,
        owner=(tier.owner if tier and tier.owner else row.owner if row else ""),
        use=tier.use if tier else "",
        policy=derived_policy.name if derived_policy else "",
        policy_digest=derived_policy.digest if derived_policy else "",
        cadence_months=(rule.cadence_months.get(tier.tier) if rule and tier else None),
        last_validated=row.last_validated if row else None,
        next_due=row.next_due if row else None, due_reason=row.due_reason if row else "",
        as_of=as_of)
    derived = [f for f in state.risk.findings if f.model == name and f.version in (None, version)]
    acts, records = risk_report.risk_acts_of(ws, state,
                                             risk_report.act_seqs(state, derived, tier))
    data = ValidationData(card=card, scope=scope, findings=card.findings, terms=card.terms,
                          acts=acts)
    return data, records


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
