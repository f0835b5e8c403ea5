"""The Reports view's worker targets: load its choices, generate a report, verify a PDF.

Qt-free, plain values in and out; each opens its own :class:`Workspace` from the URL, so it
runs on the thread pool without touching what the GUI thread owns. ``services.reports`` pulls
in reportlab, matplotlib and pyHanko, so it is imported inside the functions: the window starts
without them and the first report pays for them once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from governance_app.errors import GovernanceError, InputError
from governance_app.services import members as member_service
from governance_app.services import models as model_service
from governance_app.services.workspace import Workspace

MODEL_CARD = "model-card"
VALIDATION_REPORT = "validation"
AUDIT_REPORT = "audit-report"
VERSION_KINDS = (MODEL_CARD, VALIDATION_REPORT)
"""Report kinds of one ``MODEL:VERSION``."""
PAGE_SIZES = ("A4", "letter")


@dataclass(frozen=True, slots=True)
class ReportChoices:
    """What a report can be made of and by, and what this workspace has produced."""

    refs: list[str]
    """Every ``MODEL:VERSION``, by model then version."""
    models: list[str]
    members: list[tuple[str, str]]
    """(name, roles) of each member whose key can still seal."""
    generated: list[Any] = field(default_factory=list)
    """``services.reports.GeneratedReport`` rows, newest first."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """One report to generate, as the form describes it."""

    kind: str
    out_path: Path
    member: str
    page_size: str = "A4"
    ref: str | None = None
    """``MODEL:VERSION`` of a model card or a validation report."""
    model: str | None = None
    """An audit report's model; ``None`` is every model."""
    date_from: date | None = None
    date_to: date | None = None

    def scope(self) -> str:
        """In words: ``credit_default:4``, or ``credit_default, 2026-01-01 to 2026-06-30``."""
        if self.kind in VERSION_KINDS:
            return str(self.ref)
        return describe_period(self.model, self.date_from, self.date_to)

    def title(self) -> str:
        if self.kind == MODEL_CARD:
            return f"model card of {self.ref}"
        if self.kind == VALIDATION_REPORT:
            return f"validation report of {self.ref}"
        return f"audit report ({self.scope()})"


def describe_period(model: str | None, date_from: object, date_to: object) -> str:
    """An audit report's scope in words (its parameters as the manifest keeps them)."""
    what = model or "every model"
    if date_from and date_to:
        return f"{what}, {date_from} to {date_to}"
    if date_from:
        return f"{what}, from {date_from}"
    if date_to:
        return f"{what}, until {date_to}"
    return f"{what}, whole trail"


def load_choices(url: str) -> ReportChoices:
    """Versions, models, members and the reports already generated in the workspace at ``url``."""
    with Workspace.open(url, upgrade=False) as ws:
        refs: list[str] = []
        models = [s.name for s in model_service.list_models(ws)]
        for name in models:
            versions = model_service.get_model(ws, name).versions
            refs += [f"{name}:{v.version}" for v in sorted(versions, key=lambda v: v.version)]
        members = [(m.name, ", ".join(m.roles)) for m in member_service.list_members(ws)
                   if m.active]
        return ReportChoices(refs, models, members, list_generated(ws))


def list_generated(ws: Workspace) -> list[Any]:
    """The reports the audit trail says were generated here, newest first."""
    from governance_app.services import reports

    generated = getattr(reports, "generated_reports", None)
    return list(generated(ws)) if generated is not None else []


def generate_report(
    url: str, request: ReportRequest, passphrase: str, *,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Any:
    """Build and seal the report ``request`` describes; returns the service's ``ReportResult``.

    Raises:
        InputError / NotFoundError: the version, member or page size does not exist.
        WrongPassphrase / KeyStoreError: the member's key cannot be unlocked.
        ReportCancelled: ``is_cancelled()`` became true; no file was written.
    """
    with Workspace.open(url, upgrade=False) as ws:
        if request.kind == MODEL_CARD:
            from governance_app.services.reports import build_model_card

            if not request.ref:
                raise InputError("Version", "no model version is chosen",
                                 expected="MODEL:VERSION")
            return build_model_card(ws, request.ref, request.out_path, request.member,
                                    passphrase, request.page_size, progress=progress,
                                    is_cancelled=is_cancelled)
        if request.kind == VALIDATION_REPORT:
            from governance_app.services.validation_report import build_validation_report

            if not request.ref:
                raise InputError("Version", "no model version is chosen",
                                 expected="MODEL:VERSION")
            return build_validation_report(ws, request.ref, request.out_path, request.member,
                                           passphrase, request.page_size, progress=progress,
                                           is_cancelled=is_cancelled)
        if request.kind == AUDIT_REPORT:
            try:
                from governance_app.services.audit_report import build_audit_report
            except ImportError as exc:
                raise GovernanceError("audit reports are not available in this build of "
                                      "governance-app") from exc
            return build_audit_report(ws, request.out_path, request.member, passphrase,
                                      model=request.model, date_from=request.date_from,
                                      date_to=request.date_to, page_size_name=request.page_size,
                                      progress=progress, is_cancelled=is_cancelled)
        raise InputError("Report", f"unknown report kind {request.kind!r}",
                         expected=f"{MODEL_CARD}, {VALIDATION_REPORT} or {AUDIT_REPORT}")


def verify_file(url: str | None, path: str | Path, cert: str | Path | None = None) -> Any:
    """Verify the PDF at ``path``, trusting the workspace's certificates (and ``cert``).

    Returns ``services.reports``' ``ReportVerification`` (each check, and the verdict).

    Raises:
        InputError: the PDF or the certificate cannot be read.
    """
    from governance_app.services.reports import verify_report

    certificate = Path(cert) if cert else None
    if url is None:
        return verify_report(Path(path), None, certificate)
    with Workspace.open(url, upgrade=False) as ws:
        return verify_report(Path(path), ws, certificate)
