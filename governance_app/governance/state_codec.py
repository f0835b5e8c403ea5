"""A replayed :class:`BoardState` as plain JSON, and back (the replay cache's content).

JSON, never pickle: the cache file is read back by the app, and loading it must not be able to
run anything. Only the record classes below are ever built from it, field by field, and any
field of the wrong shape raises :class:`StateFormatError` (the cache is then ignored).

Records are written as lists in their dataclass field order (a state of 50,000 findings loads
in a fraction of a second that way); times as ISO text, bytes as base64. Records that replay
shares between collections (a review's signatures, a finding's comments, the lookup by hash)
are written once and rebuilt as shared objects, as replay made them. A risk policy is parsed
again from its signed YAML text, so its rules are the code's, not the file's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from governance_app.gc_pause import gc_paused
from governance_app.governance.acts import ActFormatError, parse_act
from governance_app.governance.board_state import (
    BoardState,
    Break,
    DerivedCheckpoint,
    DerivedMember,
    DerivedPolicy,
    DerivedReview,
    DerivedSignature,
    GateGrant,
)
from governance_app.governance.risk_policy import parse_risk_policy, schema_text
from governance_app.governance.risk_state import VALUES as FINDING_VALUES
from governance_app.governance.risk_state import (
    DerivedComment,
    DerivedFinding,
    DerivedRiskPolicy,
    DerivedTerms,
    DerivedTier,
    RiskState,
)
from governance_app.governance.root import Root

STATE_FORMAT = 1
"""Bumped when the encoding changes; :data:`STATE_SCHEMA` changes by itself when a derived
record gains, loses or renames a field. Either way an older cache is ignored (replayed from
genesis), never misread."""


class StateFormatError(ValueError):
    """The document is not a state this code wrote (old format, damaged, or edited)."""


Convert = Callable[[Any], Any]


def _dt(value: Any) -> datetime:
    if not isinstance(value, str):
        raise StateFormatError(f"a time is {type(value).__name__}, not text")
    return datetime.fromisoformat(value)


def _day(value: Any) -> date:
    if not isinstance(value, str):
        raise StateFormatError(f"a day is {type(value).__name__}, not text")
    return date.fromisoformat(value)


def _bytes(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise StateFormatError("bytes that are not base64") from exc


def _optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _tuple(value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise StateFormatError("a tuple that is not a list")
    return tuple(value)


def _enc(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple | list):
        return [_enc(v) for v in value]
    return value


# (class, {field: decoder}) for each record written as a list; fields not named are JSON as is.
_OPT_DT, _OPT_DAY = _optional(_dt), _optional(_day)
_SPECS: dict[type, dict[str, Convert]] = {
    DerivedMember: {"roles": _tuple, "created_at": _dt, "revoked_at": _OPT_DT},
    DerivedPolicy: {"created_at": _dt},
    DerivedSignature: {"roles": _tuple, "signed_at": _dt, "signed_bytes": _bytes,
                       "signature": _bytes, "statement_signature": _optional(_bytes)},
    DerivedCheckpoint: {"signed_bytes": _bytes, "signature": _bytes, "at": _dt},
    GateGrant: {"granted_at": _dt},
    Break: {},
    DerivedTier: {"at": _dt},
    DerivedComment: {"at": _dt},
    DerivedTerms: {"conditions": lambda v: [(int(i), _day(d)) for i, d in v],
                   "expires": _OPT_DAY},
}
_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in
          (*_SPECS, DerivedReview, DerivedFinding, DerivedRiskPolicy)}
STATE_SCHEMA = hashlib.sha256(schema_text().encode("utf-8") + repr(sorted(
    (cls.__name__, names) for cls, names in {
        **_NAMES, BoardState: tuple(f.name for f in fields(BoardState)),
        RiskState: tuple(f.name for f in fields(RiskState))}.items())).encode()).hexdigest()[:16]
"""A fingerprint of every record's fields and of the risk-policy schema, written beside the
state and required on reading: a cached risk policy is not validated again (its text was,
against the same schema, when replay accepted its adoption)."""


def _row(record: Any, skip: tuple[str, ...] = ()) -> list[Any]:
    return [_enc(getattr(record, name)) for name in _NAMES[type(record)] if name not in skip]


_CONVERT = {cls: tuple((i, spec[name]) for i, name in enumerate(_NAMES[cls]) if name in spec)
            for cls, spec in _SPECS.items()}
"""Per record class, the position of each field with a decoder and the decoder."""


def _record(cls: type, row: Any, extra: dict[str, Any] | None = None,
            skip: tuple[str, ...] = ()) -> Any:
    if extra is None and not skip and cls in _CONVERT:  # positional: 1,000s of tiers
        if not isinstance(row, list) or len(row) != len(_NAMES[cls]):
            raise StateFormatError(f"a {cls.__name__} record of the wrong shape")
        values = list(row)
        for i, convert in _CONVERT[cls]:
            values[i] = convert(values[i])
        return cls(*values)
    names = [n for n in _NAMES[cls] if n not in skip]
    if not isinstance(row, list) or len(row) != len(names):
        raise StateFormatError(f"a {cls.__name__} record of the wrong shape")
    spec = _SPECS.get(cls, {})
    values = {n: (spec[n](v) if n in spec else v) for n, v in zip(names, row, strict=True)}
    values.update(extra or {})
    return cls(**values)


def encode(state: BoardState) -> dict[str, Any]:
    """The state as a JSON-able document (see the module docstring)."""
    signature_index = {id(s): i for i, s in enumerate(state.signatures)}
    risk = state.risk
    comment_index = {id(c): i for i, c in enumerate(risk.comments)}
    finding_names = _NAMES[DerivedFinding]
    return {
        "board": state.board,
        "roots": [r.document for r in state.roots],
        "root_acts": [a.as_payload() for a in state.root_acts],
        "root_seqs": state.root_seqs,
        "founded_at_seq": state.founded_at_seq,
        "adopted": state.adopted,
        "requests": {k: [body, digest] for k, (body, digest) in state.requests.items()},
        "members": [_row(m) for m in state.members.values()],
        "policies": [_row(p) for p in state.policies],
        "signatures": [_row(s) for s in state.signatures],
        "reviews": [_row(r, ("signatures",)) + [[signature_index[id(s)] for s in r.signatures]]
                    for r in state.reviews],
        "checkpoints": [_row(c) for c in state.checkpoints],
        "grants": [_row(g) for g in state.grants],
        "seal_keys": state.seal_keys,
        "last_signed_at": _enc(state.last_signed_at),
        "last_import": state.last_import,
        "registry_gaps": [list(g) for g in state.registry_gaps],
        "head_seq": state.head_seq,
        "head_hash": state.head_hash,
        # shared by clones that other threads may be feeding: a snapshot (list() of a dict
        # runs without releasing the GIL), up to this state's head only
        "hashes": [[seq, digest] for seq, digest in list(state.hashes.items())
                   if seq <= state.head_seq],
        "breaks": [_row(b) for b in state.breaks],
        "legacy": state.legacy,
        "risk": {
            "policies": [_row(p, ("policy", "parsed")) for p in risk.policies],
            "tiers": [_row(t) for t in risk.tiers],
            "comments": [_row(c) for c in risk.comments],
            "findings": [[_enc(getattr(f, n)) for n in finding_names if n != "comments"]
                         + [[comment_index[id(c)] for c in f.comments]]
                         for f in risk.findings],
            "terms": [_row(t) for t in risk.terms],
        },
    }


def decode(doc: Any) -> BoardState:
    """The state a document from :func:`encode` holds.

    Raises:
        StateFormatError: anything that is not such a document.
    """
    try:
        with gc_paused():  # 100,000s of new objects, none cyclic garbage
            return _decode(doc)
    except StateFormatError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ActFormatError) as exc:
        raise StateFormatError(f"not a replayed state ({type(exc).__name__}: {exc})") from exc


def _decode(doc: dict[str, Any]) -> BoardState:
    signatures = [_record(DerivedSignature, row) for row in doc["signatures"]]
    reviews = []
    for row in doc["reviews"]:
        *fields_, sig_ids = row
        review = _review(fields_, [signatures[i] for i in sig_ids])
        reviews.append(review)
    members = [_record(DerivedMember, row) for row in doc["members"]]
    state = BoardState(
        board=doc["board"],
        roots=[Root(dict(r)) for r in doc["roots"]],
        root_acts=[parse_act(p) for p in doc["root_acts"]],
        root_seqs=[int(s) for s in doc["root_seqs"]],
        founded_at_seq=int(doc["founded_at_seq"]),
        adopted=bool(doc["adopted"]),
        requests={str(k): (dict(v[0]), str(v[1])) for k, v in doc["requests"].items()},
        members={m.name: m for m in members},
        policies=[_record(DerivedPolicy, row) for row in doc["policies"]],
        reviews=reviews,
        review_by_hash={r.hash: r for r in reviews},
        signatures=signatures,
        checkpoints=[_record(DerivedCheckpoint, row) for row in doc["checkpoints"]],
        grants=[_record(GateGrant, row) for row in doc["grants"]],
        seal_keys=dict(doc["seal_keys"]),
        last_signed_at=_OPT_DT(doc["last_signed_at"]),
        last_import=doc["last_import"],
        registry_gaps=[(int(a), int(b)) for a, b in doc["registry_gaps"]],
        head_seq=int(doc["head_seq"]),
        head_hash=str(doc["head_hash"]),
        hashes={int(seq): str(digest) for seq, digest in doc["hashes"]},
        breaks=[_record(Break, row) for row in doc["breaks"]],
        legacy=int(doc["legacy"]),
        risk=_risk(doc["risk"]),
    )
    return state


def _review(row: list[Any], signatures: list[DerivedSignature]) -> DerivedReview:
    names = [n for n in _NAMES[DerivedReview] if n != "signatures"]
    if len(row) != len(names):
        raise StateFormatError("a review record of the wrong shape")
    values = dict(zip(names, row, strict=True))
    values["approval_statement"] = _bytes(values["approval_statement"])
    values["opened_at"] = _dt(values["opened_at"])
    values["closed_at"] = _OPT_DT(values["closed_at"])
    return DerivedReview(**values, signatures=signatures)


def _risk(doc: dict[str, Any]) -> RiskState:
    policies = []
    for row in doc["policies"]:
        derived = _record(DerivedRiskPolicy, row, skip=("policy", "parsed"), extra={
            "policy": None, "parsed": {}})
        derived.adopted_at = _dt(derived.adopted_at)
        policy = parse_risk_policy(derived.name, derived.yaml_text, validate=False)
        if policy.digest != derived.digest:
            raise StateFormatError("a risk policy's text does not give its digest")
        derived.policy, derived.parsed = policy, policy.as_dict()
        policies.append(derived)
    comments = [_record(DerivedComment, row) for row in doc["comments"]]
    findings = [_finding(row, comments) for row in doc["findings"]]
    return RiskState(
        policies=policies, tiers=[_record(DerivedTier, row) for row in doc["tiers"]],
        findings=findings, finding_by_hash={f.hash: f for f in findings}, comments=comments,
        terms=[_record(DerivedTerms, row) for row in doc["terms"]])


_FINDING_FIELDS = len(_NAMES[DerivedFinding])
_TYPES, _SEVERITIES, _STATUSES = FINDING_VALUES


def _finding(row: list[Any], comments: list[DerivedComment]) -> DerivedFinding:
    """The hot path of a large board (one per finding): positional, no per-field lookups."""
    if not isinstance(row, list) or len(row) != _FINDING_FIELDS:
        raise StateFormatError("a finding record of the wrong shape")
    (id_, hash_, model, version, type_, severity, title, description, owner, due, evidence,
     opened_by, opened_at, seq, status, resolution, decided_by, decided_at, exception_until,
     changed_seq, comment_ids) = row
    if type_ not in _TYPES or severity not in _SEVERITIES or status not in _STATUSES:
        raise StateFormatError("a finding of an unknown type, severity or status")
    return DerivedFinding(
        id_, hash_, model, version, type_, severity, title, description, owner,
        None if due is None else date.fromisoformat(due),
        evidence if type(evidence) is list else list(evidence), opened_by,
        datetime.fromisoformat(opened_at), seq, status, resolution, decided_by,
        None if decided_at is None else datetime.fromisoformat(decided_at),
        None if exception_until is None else date.fromisoformat(exception_until),
        changed_seq, [comments[i] for i in comment_ids] if comment_ids else [])
