"""The terms an approval was given under (expiry, conditions), carried in its attestation.

The DSSE statement every approver signs is fixed when the review opens, before anyone decides
on conditions, so the terms cannot be in it. They travel beside it, under the envelope's
``governance_app`` key (format version 2; an envelope without it is version 1 and has no
terms)::

    "governance_app": {"format": "governance-app/approval-terms", "version": 2,
                       "review_id": 3, "expires": "2027-06-30" | null,
                       "conditions": [{"finding": 7, "finding_hash": "…", "by": "2027-03-31",
                                       "closed": <the signed finding.close act> | null}],
                       "approvals": [<each approver's signed review.sign act>]}

Nothing in the summary is taken on trust: each approval act must be signed by the key whose
DSSE signature counted, name the attested review and carry that very DSSE signature; the
expiry and the conditions are recomputed from those acts (the earliest expiry, every
condition) and must equal the summary. A condition counts as met only with a signed
``finding.close`` act of that finding, dated on or before the condition's day, by a key the
check knows. :func:`check` then refuses an attestation whose approval has expired, or whose
condition's day has passed unmet, as of the day given (today by default).

Pure: no database; ``verify-attestation`` runs it on files alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from governance_app.errors import CheckFailed, InputError
from governance_app.governance.acts import REVIEW_SIGN, ActFormatError, SignedAct, parse_act

KEY = "governance_app"
FORMAT = "governance-app/approval-terms"
VERSION = 2
FINDING_CLOSE = "finding.close"


@dataclass(frozen=True, slots=True)
class AttestedCondition:
    finding: int
    finding_hash: str
    by: date
    closed_on: date | None
    """The day a signed close act (verified) closed the finding, if it did by ``by``."""


@dataclass(frozen=True, slots=True)
class AttestedTerms:
    """What the signed acts say the approval was given under."""

    expires: date | None
    conditions: tuple[AttestedCondition, ...]

    def describe(self) -> str:
        parts = [f"expires {self.expires.isoformat()}"] if self.expires else []
        parts += [f"finding #{c.finding} to be closed by {c.by.isoformat()}"
                  + (f" (closed {c.closed_on.isoformat()})" if c.closed_on else "")
                  for c in self.conditions]
        return "; ".join(parts) or "no conditions, no expiry"


def block(review_id: int, approvals: Sequence[dict[str, Any]], expires: date | None,
          conditions: Sequence[tuple[int, str, date, dict[str, Any] | None]]
          ) -> dict[str, Any]:
    """The ``governance_app`` entry ``attest`` writes (``conditions``: finding id, the hash of
    its opening act, the day, and the signed act that closed it, if any)."""
    return {
        "format": FORMAT, "version": VERSION, "review_id": review_id,
        "expires": expires.isoformat() if expires else None,
        "conditions": [{"finding": fid, "finding_hash": digest, "by": by.isoformat(),
                        "closed": closed} for fid, digest, by, closed in conditions],
        "approvals": list(approvals),
    }


def _acts(entries: Any, where: str, source: str) -> list[SignedAct]:
    if not isinstance(entries, list):
        raise InputError(source, f"{where} is not a list", location=f"{KEY}.{where}",
                         expected="signed acts")
    try:
        return [parse_act(e) for e in entries]
    except ActFormatError as exc:
        raise InputError(source, str(exc), location=f"{KEY}.{where}",
                         expected="signed acts as the chain stores them") from exc


def _day(value: Any, where: str, source: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(source, f"{value!r} is not a date", location=f"{KEY}.{where}",
                         expected="YYYY-MM-DD") from exc


def read(document: Mapping[str, Any], statement: Mapping[str, Any],
         keys: Mapping[str, str], counted: Sequence[str], source: str
         ) -> AttestedTerms | None:
    """The terms the envelope carries, proven by the approvers' signed acts (None: a version 1
    attestation, which carries none).

    Args:
        keys: fingerprint → PEM the check knows; ``counted``: the key ids whose DSSE
            signature counted.

    Raises:
        InputError: a malformed entry; CheckFailed: the summary is not what the signed acts say.
    """
    entry = document.get(KEY)
    if entry is None:
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT:
        raise InputError(source, "not approval terms", location=KEY, expected=FORMAT)
    if entry.get("version") != VERSION:
        raise InputError(source, f"terms version {entry.get('version')!r}", location=KEY,
                         expected=f"version {VERSION}")
    review_id = statement.get("predicate", {}).get("review_id")
    dsse = {str(s.get("keyid")): str(s.get("sig")) for s in document.get("signatures", [])
            if isinstance(s, dict)}
    proven: dict[str, SignedAct] = {}
    for act in _acts(entry.get("approvals"), "approvals", source):
        pem = keys.get(act.signer)
        if pem is None or act.signer not in counted:
            continue  # not a counted approver: it neither proves nor weakens anything
        body = act.body
        if act.kind != REVIEW_SIGN or not act.verifies_with(pem) \
                or body.get("review_id") != review_id or body.get("decision") != "approve" \
                or body.get("statement_signature") != dsse.get(act.signer):
            raise CheckFailed(f"{source}: an approval act in {KEY}.approvals is not the signed "
                              f"approval of review #{review_id} by key {act.signer[:16]}…")
        proven[act.signer] = act
    missing = [k for k in counted if k not in proven]
    if missing:
        raise CheckFailed(f"{source}: the approval by key {missing[0][:16]}… has no signed act "
                          f"in {KEY}.approvals, so its terms cannot be checked")
    expiries, conditions = [], {}
    for act in proven.values():
        terms = act.body.get("terms") or {}
        if terms.get("expires"):
            expiries.append(_day(terms["expires"], "approvals.terms.expires", source))
        for raw in terms.get("conditions", []):
            by = _day(raw.get("by"), "approvals.terms.conditions.by", source)
            digest = str(raw.get("finding"))
            conditions[digest] = min(by, conditions.get(digest, by))
    expires = min(expiries) if expiries else None
    stated = entry.get("conditions")
    if not isinstance(stated, list):
        raise InputError(source, "conditions is not a list", location=f"{KEY}.conditions",
                         expected="[{finding, finding_hash, by, closed}]")
    summary = {str(c.get("finding_hash")): _day(c.get("by"), "conditions.by", source)
               for c in stated if isinstance(c, dict)}
    stated_expiry = entry.get("expires")
    if summary != conditions or (stated_expiry or None) != (
            expires.isoformat() if expires else None):
        raise CheckFailed(f"{source}: the terms in {KEY} are not the ones the approvers "
                          "signed")
    out = []
    for c in stated:
        digest, by = str(c["finding_hash"]), summary[str(c["finding_hash"])]
        out.append(AttestedCondition(int(c.get("finding") or 0), digest, by,
                                     _closed_on(c.get("closed"), digest, by, keys, source)))
    return AttestedTerms(expires, tuple(out))


def _closed_on(entry: Any, digest: str, by: date, keys: Mapping[str, str],
               source: str) -> date | None:
    if entry is None:
        return None
    act = _acts([entry], "conditions.closed", source)[0]
    pem = keys.get(act.signer)
    if act.kind != FINDING_CLOSE or act.body.get("finding") != digest or pem is None \
            or not act.verifies_with(pem) or act.signed_at.date() > by:
        return None  # not a proof this check can accept: the condition counts as unmet
    return act.signed_at.date()


def check(terms: AttestedTerms | None, at: date, source: str) -> None:
    """Refuse an approval that has expired, or whose condition's day passed unmet, on ``at``.

    Raises:
        CheckFailed: names the expiry or the condition and the day checked.
    """
    if terms is None:
        return
    if terms.expires is not None and at > terms.expires:
        raise CheckFailed(f"{source}: the approval expired on {terms.expires.isoformat()} "
                          f"(checked as of {at.isoformat()}); it no longer stands")
    for c in terms.conditions:
        if at > c.by and c.closed_on is None:
            raise CheckFailed(f"{source}: the approval lapsed: condition finding #{c.finding} "
                              f"was to be closed by {c.by.isoformat()} and the attestation "
                              f"shows no signed closing by then (checked as of "
                              f"{at.isoformat()})")
