"""The Reviews view's table models, their wording, and the worker targets they load with.

Three tables: the agenda (reviews, open ones first), the frozen evidence of the selected review
(each check with value, threshold and verdict) and its signatures shown as manifestations
(printed name, role, local date and time with the zone named, meaning, comment, key). Verdicts
are a glyph, a word and an Okabe–Ito colour, never colour alone (UI.md "Verdicts").

The worker targets take a workspace URL and open their own :class:`Workspace`, so they run on
the thread pool without touching anything the GUI thread owns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from governance_app.domain.governance import (
    Decision,
    QuorumProgress,
    Review,
    ReviewState,
    Signature,
)
from governance_app.domain.risk import ApprovalTerms
from governance_app.services import models as model_service
from governance_app.services import reviews as review_service
from governance_app.services.evidence_sources import beside_value
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import (
    MISSING,
    Column,
    RecordTableModel,
    format_local_time,
    format_number,
    full_time,
    time_key,
)

PASS_COLOUR = "#009E73"
FAIL_COLOUR = "#D55E00"
WARN_COLOUR = "#E69F00"
INFO_COLOUR = "#0072B2"
GREY = "#808080"

RESULT_STYLE: dict[str, tuple[str, str]] = {
    # result: (glyph + word, colour)
    "pass": ("✓ pass", PASS_COLOUR),
    "fail": ("✕ fail", FAIL_COLOUR),
    "warning": ("⚠ warning", WARN_COLOUR),
    "error": ("? error", GREY),
}
STATE_STYLE: dict[ReviewState, tuple[str, str]] = {
    ReviewState.OPEN: ("● open", INFO_COLOUR),
    ReviewState.APPROVED: ("✓ approved", PASS_COLOUR),
    ReviewState.REJECTED: ("✕ rejected", FAIL_COLOUR),
    ReviewState.WITHDRAWN: ("– withdrawn", GREY),
}
DECISION_STYLE: dict[Decision, tuple[str, str]] = {
    Decision.APPROVE: ("✓ approve", PASS_COLOUR),
    Decision.REJECT: ("✕ reject", FAIL_COLOUR),
}
EVIDENCE_VIEWS = {"fairness": "Fairness", "drift": "Drift", "evidence": "Lineage",
                  "metric": "Models", "finding": "Models"}
"""Check kind → the view that shows the evidence behind it (metrics and findings: the version's
detail, where findings have their tab)."""


# -- wording ------------------------------------------------------------------------------------


def describe_quorum(progress: QuorumProgress) -> str:
    """``1 of 2 approvals · chair 0 of 1``, with ``— quorum met`` once it is."""
    parts = [f"{progress.approvals} of {progress.required} approvals"]
    parts += [f"{role} {have} of {need}" for role, (have, need) in sorted(progress.roles.items())]
    return " · ".join(parts) + (" — quorum met" if progress.met else "")


def signed_time(moment: Any) -> str:
    """Date and time to the second in the user's zone, the zone named (a manifestation)."""
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def format_value(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(float(value))
    return str(value)


def format_threshold(check: dict[str, Any]) -> str:
    bounds = check.get("threshold") or {}
    parts = []
    if "min" in bounds:
        parts.append(f"≥ {format_number(bounds['min'])}")
    if "max" in bounds:
        parts.append(f"≤ {format_number(bounds['max'])}")
    return " and ".join(parts) or "present"


def check_kind(check: dict[str, Any]) -> str:
    return str((check.get("check") or {}).get("kind", ""))


def evidence_view(check: dict[str, Any]) -> str | None:
    """The view to open for this check's evidence, or ``None``."""
    return EVIDENCE_VIEWS.get(check_kind(check))


def _blocking(check: dict[str, Any]) -> bool:
    return bool((check.get("check") or {}).get("blocking", True))


# -- the tables ---------------------------------------------------------------------------------


def _state_sort(review: Review) -> tuple[int, int]:
    return (0 if review.state is ReviewState.OPEN else 1, -review.id)


class ReviewTableModel(RecordTableModel):
    """The agenda: one row per :class:`Review`; sorted on its first column, open ones come first
    and then the newest."""

    columns = [
        Column("State", lambda r: STATE_STYLE[r.state][0], sort_key=_state_sort,
               foreground=lambda r: STATE_STYLE[r.state][1],
               bold=lambda r: r.state is ReviewState.OPEN,
               tooltip=lambda r: r.close_reason or f"the review is {r.state.value}"),
        Column("#", lambda r: str(r.id), sort_key=lambda r: r.id, numeric=True),
        Column("Version", lambda r: r.ref, sort_key=lambda r: (r.model, r.version)),
        Column("Gate", lambda r: r.policy.gate,
               tooltip=lambda r: f"policy {r.policy.name} ({r.policy.digest[:12]}…)"),
        Column("Quorum", lambda r: describe_quorum(r.progress()),
               tooltip=lambda r: describe_quorum(r.progress())),
        Column("Signatures", lambda r: str(len(r.signatures)),
               sort_key=lambda r: len(r.signatures), numeric=True),
        Column("Opened", lambda r: format_local_time(r.opened_at),
               sort_key=lambda r: time_key(r.opened_at), tooltip=lambda r: full_time(r.opened_at)),
    ]

    def row_for_id(self, review_id: int) -> int:
        """The row of review ``review_id``, or -1."""
        return next((i for i, r in enumerate(self.rows()) if r.id == review_id), -1)


LINK_COLUMN = 5


def _link_text(check: dict[str, Any]) -> str:
    view = evidence_view(check)
    return f"{view} view ↗" if view else MISSING


class CheckTableModel(RecordTableModel):
    """The frozen evidence of one review: rows are the evidence document's check dicts.

    The last column names the view holding the evidence behind the check; clicking it follows
    the link (the view connects ``clicked``).
    """

    columns = [
        Column("Result", lambda c: RESULT_STYLE.get(c.get("result", ""), (c.get("result"),))[0],
               foreground=lambda c: RESULT_STYLE.get(c.get("result", ""), ("", GREY))[1],
               bold=lambda c: c.get("result") in ("fail", "error") and _blocking(c),
               tooltip=lambda c: c.get("detail") or None),
        Column("Check", lambda c: str(c.get("label", "")),
               tooltip=lambda c: json.dumps(c.get("inputs", {}), ensure_ascii=False) or None),
        # A contradiction between the computed and the declared number shows both, flagged.
        Column("Value", lambda c: " ".join(filter(None, (
                   format_value(c.get("value")), beside_value(c, format_number)))),
               numeric=True,
               sort_key=lambda c: c.get("value") if isinstance(c.get("value"), int | float)
               else None,
               foreground=lambda c: WARN_COLOUR if beside_value(c) else None,
               tooltip=lambda c: str(c.get("detail", "")) if beside_value(c) else None,
               copy=lambda c: json.dumps(c.get("value"))),
        Column("Threshold", format_threshold),
        Column("Blocking", lambda c: "blocking" if _blocking(c) else "warns only"),
        Column("Evidence", _link_text,
               foreground=lambda c: INFO_COLOUR if evidence_view(c) else None,
               tooltip=lambda c: f"Show the evidence in the {evidence_view(c)} view"
               if evidence_view(c) else None),
        Column("Detail", lambda c: str(c.get("detail", "")),
               tooltip=lambda c: str(c.get("detail", "")) or None),
    ]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.FontRole and index.isValid()
                and index.column() == LINK_COLUMN and evidence_view(self.row_at(index.row()))):
            font = QFont()
            font.setUnderline(True)  # reads as a link
            return font
        return super().data(index, role)


class SignatureTableModel(RecordTableModel):
    """The signatures of one review, each as its manifestation (21 CFR 11.50 style)."""

    columns = [
        Column("Printed name", lambda s: s.member, tooltip=lambda s: s.manifestation()),
        Column("Role", lambda s: ", ".join(s.roles) or "member"),
        Column("Signed", lambda s: signed_time(s.signed_at),
               sort_key=lambda s: s.signed_at.timestamp(),
               tooltip=lambda s: full_time(s.signed_at)),
        Column("Decision", lambda s: DECISION_STYLE[s.decision][0],
               foreground=lambda s: DECISION_STYLE[s.decision][1]),
        Column("Meaning", lambda s: s.meaning),
        Column("Comment", lambda s: s.comment or MISSING, tooltip=lambda s: s.comment or None),
        Column("Key fingerprint", lambda s: s.fingerprint[:16] + "…", copy=lambda s: s.fingerprint,
               tooltip=lambda s: f"key {s.fingerprint}\nchain head at signing: {s.chain_head}"),
    ]


def manifestation_html(signature: Signature) -> str:
    """One signature as shown after signing: every part of the manifestation on its line."""
    colour = DECISION_STYLE[signature.decision][1]
    rows = [("Printed name", _html(signature.member)),
            ("Role", _html(", ".join(signature.roles) or "member")),
            ("Date and time", _html(signed_time(signature.signed_at))),
            ("Meaning", f"<span style='color:{colour}'><b>{_html(signature.meaning)}</b></span>"),
            ("Comment", _html(signature.comment) or MISSING),
            ("Key fingerprint", f"<code>{_html(signature.fingerprint)}</code>")]
    cells = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- worker targets (Qt-free: plain values in, domain values out) ------------------------------


def review_choices(ws: Workspace) -> tuple[list[str], list[tuple[str, str]]]:
    """What a new review can be of: every ``MODEL:VERSION``, and each policy with its gate."""
    refs = [f"{m.name}:{v.version}" for s in model_service.list_models(ws)
            for m in [model_service.get_model(ws, s.name)]
            for v in sorted(m.versions, key=lambda v: v.version)]
    return refs, [(p.name, p.gate) for p, _ in review_service.list_policies(ws)]


def load_reviews(url: str) -> list[Review]:
    """Every review of the workspace at ``url``, newest first (filters apply in the view)."""
    with Workspace.open(url, upgrade=False) as ws:
        return review_service.list_reviews(ws)


def open_review_task(url: str, ref: str, policy: str, member: str, passphrase: str
                     ) -> Review:
    """Evaluate the policy's checks for ``ref`` now and open a review, signed by ``member``."""
    with Workspace.open(url, upgrade=False) as ws:
        return review_service.open_review(ws, ref, policy, member, passphrase)[0]


def sign_task(url: str, review_id: int, member: str, decision: str, passphrase: str,
              comment: str, conditions: Sequence[str] = (), expires: str | None = None
              ) -> tuple[Review, Signature, ApprovalTerms]:
    """Unlock ``member``'s key (scrypt: slow on purpose) and sign with the approval's terms
    (``finding:ID`` conditions, an ISO expiry) exactly as ``governance-app sign`` does;
    refusals raise. Returns the review, the signature and the terms as the chain recorded
    them."""
    from governance_app.services import risk

    with Workspace.open(url, upgrade=False) as ws:
        review, signature, _, terms = review_service.sign_with_terms(
            ws, review_id, member, decision, passphrase, comment, conditions=conditions,
            expires=expires)
        return review, signature, (risk.signed_terms(ws, review_id, member) if terms
                                   else ApprovalTerms())


def withdraw_task(url: str, review_id: int, reason: str, member: str, passphrase: str
                  ) -> Review:
    """Withdraw a review, signed by ``member`` with the reason."""
    with Workspace.open(url, upgrade=False) as ws:
        return review_service.withdraw_review(ws, review_id, reason, member, passphrase)[0]


def write_attestation(ws: Workspace, review_id: int, path: Path) -> int:
    """Write the approved review's DSSE envelope to ``path``; returns its signature count.

    Raises:
        InputError: the review is not approved.
    """
    envelope = review_service.attestation_envelope(ws, review_id)
    Path(path).write_text(json.dumps(envelope, indent=2) + "\n", encoding="utf-8")
    return len(envelope["signatures"])
