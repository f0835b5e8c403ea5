"""Replay: the chain of events, from genesis, is the truth about the board.

:class:`Replayer` is fed every event in ``seq`` order and derives the board's state
(:mod:`~governance_app.governance.board_state`). Each signed act is judged by the rules as they
stood at its position: its signature with the key the root held then, its link to the event
before it, its root version, a ``signed_at`` that does not go back beyond the clock skew, and
the act's own rules (separation of duties, blocking checks, closed reviews, revoked keys by
position, one open review per version and gate, distinct members, roles from the root, never
from the signed bytes). An act that fails is a :class:`Break` and changes nothing.

Unsigned events that claim a governance decision (``member.add``, ``review.decide``,
``model.promote`` …) after the board was founded are breaks too; before it they are legacy.
Pure: the services feed it rows, offline verifiers files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from governance_app.governance import review_rules, risk_acts
from governance_app.governance.acts import (
    CHECKPOINT,
    CLOCK_SKEW,
    GOVERNANCE_KINDS,
    REQUEST_KIND,
    REVIEW_OPEN,
    REVIEW_SIGN,
    REVIEW_WITHDRAW,
    ROOT_KIND,
    SEAL_KEY,
    ActFormatError,
    SignedAct,
    is_act_payload,
    parse_act,
)
from governance_app.governance.board_state import (
    BoardState,
    Break,
    DerivedCheckpoint,
    DerivedMember,
    DerivedPolicy,
)
from governance_app.governance.canonical import iso_utc
from governance_app.governance.keys import KeyFormatError, fingerprint, load_public_pem
from governance_app.governance.root import (
    ForgedRoot,
    Root,
    RootRefused,
    apply_change,
    check_root_act,
    founding_root,
)

Event = tuple[int, str, Any, str, str]
"""``(seq, kind, payload, prev_hash, hash)``: what replay needs of an event."""


class Refused(Exception):
    """An act breaks a rule (the message says which); replay records it as a break."""


class Replayer:
    """Derives :class:`BoardState` from events fed in order (incrementally: feed more later)."""

    def __init__(self, state: BoardState | None = None) -> None:
        self.state = state or BoardState()

    def feed_all(self, events: Iterable[Event]) -> BoardState:
        for event in events:
            self.feed(*event)
        return self.state

    def feed(self, seq: int, kind: str, payload: Any, prev_hash: str, digest: str) -> None:
        state = self.state
        state.hashes[seq] = digest
        state.head_seq, state.head_hash = seq, digest
        if is_act_payload(payload):
            try:
                self._act(seq, kind, parse_act(payload), prev_hash)
            except ActFormatError as exc:
                self._break(seq, kind, f"a malformed signed act: {exc}")
            except Refused as exc:
                self._break(seq, kind, str(exc))
        elif kind in GOVERNANCE_KINDS or kind in risk_acts.RISK_KINDS:
            if state.board is None:
                state.legacy += 1
            else:
                self._break(seq, kind, "an unsigned governance event: no member signed it")
        elif kind == "import" and isinstance(payload, dict) and "registry_sha256" in payload:
            before, last = payload.get("registry_before"), state.last_import
            if before is not None and last is not None and before != last["registry_sha256"]:
                state.registry_gaps.append((last["seq"], seq))
            state.last_import = {"seq": seq, "registry_sha256": payload["registry_sha256"]}

    def _break(self, seq: int, kind: str, problem: str) -> None:
        self.state.breaks.append(Break(seq, kind, problem))

    # -- the envelope --------------------------------------------------------------------

    def _act(self, seq: int, kind: str, act: SignedAct, prev_hash: str) -> None:
        state = self.state
        if act.kind != kind:
            raise Refused(f"the event says {kind!r} but the signed act is a {act.kind!r}")
        if act.prev_seq != seq - 1 or act.prev_hash != prev_hash:
            raise Refused(f"the act names event #{act.prev_seq} {act.prev_hash[:12]}… as its "
                          f"predecessor, but it is recorded at #{seq} (moved or replayed)")
        if state.board is None:
            if act.kind != ROOT_KIND:
                raise Refused("a signed act before the board was founded")
            self._found(seq, act)
            return
        if act.board != state.board:
            raise Refused(f"the act belongs to board {act.board[:12]}…, not this board")
        root = state.root
        assert root is not None
        if (act.root_version, act.root_digest) != (root.version, root.digest):
            raise Refused(f"the act names root v{act.root_version}, but the board was at root "
                          f"v{root.version} {root.digest[:12]}… there")
        if state.last_signed_at is not None and act.signed_at < state.last_signed_at - CLOCK_SKEW:
            raise Refused(f"signed_at {iso_utc(act.signed_at)} goes back before an earlier "
                          f"act's {iso_utc(state.last_signed_at)} (beyond the clock skew)")
        if act.kind == REQUEST_KIND:
            self._request(act)
        else:
            member = self._signer(act, root)
            handler = _HANDLERS.get(act.kind)
            if handler is None:
                raise Refused(f"unknown act kind {act.kind!r}")
            handler(self, seq, act, member, root)
        state.last_signed_at = max(act.signed_at, state.last_signed_at or act.signed_at)

    def _signer(self, act: SignedAct, root: Root) -> DerivedMember:
        """The acting member: their key in the root at this position, active, signature good."""
        entry = root.by_fingerprint(act.signer)
        if entry is None:
            raise Refused(f"signed by key {act.signer[:16]}…, which is no member's in root "
                          f"v{root.version}")
        if not entry.active:
            raise Refused(f"signed by {entry.name}'s key, revoked in root v{root.version} "
                          f"({entry.revoked})")
        if not act.verifies_with(entry.public_key):
            raise Refused(f"{entry.name}'s signature does not verify")
        return self.state.members[entry.name]

    # -- root ----------------------------------------------------------------------------

    def _found(self, seq: int, act: SignedAct) -> None:
        try:
            root = check_root_act(act, None)
            change = act.body.get("change", {})
            if change.get("type") not in ("found", "adopt") \
                    or founding_root(change["member"]).digest != root.digest:
                raise Refused("root v1 is not the founding of its chair")
            if change["type"] == "found" and self.state.legacy:
                raise Refused("a board founded over existing governance events must adopt "
                              "them (board adopt)")
        except (ForgedRoot, RootRefused, KeyError, TypeError) as exc:
            raise Refused(f"the board's founding does not hold: {exc}") from exc
        state = self.state
        state.board = root.board
        state.founded_at_seq = seq
        state.adopted = change["type"] == "adopt"
        self._publish(seq, act, root)
        founder = root.members[0]
        state.members[founder.name] = DerivedMember(
            1, founder.name, founder.roles, founder.email, founder.fingerprint,
            founder.public_key, act.signed_at)
        state.last_signed_at = act.signed_at

    def _publish(self, seq: int, act: SignedAct, root: Root) -> None:
        self.state.roots.append(root)
        self.state.root_acts.append(act)
        self.state.root_seqs.append(seq)

    def _root(self, seq: int, act: SignedAct, member: DerivedMember, previous: Root) -> None:
        state = self.state
        try:
            root = check_root_act(act, previous)
        except ForgedRoot as exc:
            raise Refused(str(exc)) from exc
        change = dict(act.body.get("change") or {})
        request = None
        if change.get("type") in ("admit", "rekey"):
            pending = state.requests.get(str(change.get("name")))
            if pending is None or pending[1] != change.get("request"):
                raise Refused(f"{change.get('type')} of {change.get('name')!r} names no "
                              "pending membership request")
            request = pending[0]
            if request.get("purpose") != change["type"]:
                raise Refused(f"the request was for {request.get('purpose')}, not "
                              f"{change['type']}")
        policy_doc = act.body.get("policy_document")
        if change.get("type") == "policy":
            review_rules.check_policy_entry(change.get("policy"), policy_doc)
        try:
            expected = apply_change(previous, change, request)
        except (RootRefused, KeyError, TypeError) as exc:
            raise Refused(f"root v{root.version}: {exc}") from exc
        if expected.digest != root.digest:
            raise Refused(f"root v{root.version} is not what its stated change "
                          f"({change.get('type')}) makes of v{previous.version}")
        self._publish(seq, act, root)
        self._derive_roster(change, act, root, policy_doc)

    def _derive_roster(self, change: dict[str, Any], act: SignedAct, root: Root,
                       policy_doc: Any) -> None:
        state = self.state
        kind, name = change["type"], change.get("name", "")
        entry = root.member(name) if name else None
        if kind == "admit" and entry is not None:
            state.members[name] = DerivedMember(
                len(state.members) + 1, name, entry.roles, entry.email, entry.fingerprint,
                entry.public_key, act.signed_at)
            state.requests.pop(name, None)
        elif kind == "rekey" and entry is not None:
            derived = state.members[name]
            derived.fingerprint, derived.public_key = entry.fingerprint, entry.public_key
            derived.revoked_at, derived.revoked_reason = None, ""
            state.requests.pop(name, None)
        elif kind == "revoke":
            derived = state.members[name]
            derived.revoked_at, derived.revoked_reason = act.signed_at, str(change["reason"])
        elif kind == "policy":
            policy = change["policy"]
            state.policies.append(DerivedPolicy(
                len(state.policies) + 1, policy["name"], policy["version"], policy["digest"],
                policy["gate"], str(policy_doc.get("yaml_text", "")),
                dict(policy_doc["parsed"]), act.signed_at))

    def _request(self, act: SignedAct) -> None:
        body = act.body
        try:
            key_fp = fingerprint(load_public_pem(str(body.get("public_key", ""))))
        except KeyFormatError as exc:
            raise Refused(f"the membership request's key is not usable: {exc}") from exc
        if key_fp != body.get("fingerprint") or not act.verifies_with(body["public_key"]):
            raise Refused("the membership request is not signed by the key it asks to add "
                          "(no proof of possession)")
        if body.get("purpose") not in ("admit", "rekey"):
            raise Refused("a membership request is for admit or rekey")
        self.state.requests[str(body.get("name"))] = (body, act.digest)

    # -- reviews, seal keys, checkpoints -----------------------------------------------------

    def _open(self, seq: int, act: SignedAct, member: DerivedMember, root: Root) -> None:
        review_rules.open_review(self.state, seq, act, member, root, Refused)

    def _sign(self, seq: int, act: SignedAct, member: DerivedMember, root: Root) -> None:
        terms = risk_acts.check_terms(self.state, seq, act, member, Refused)
        review_rules.sign_review(self.state, seq, act, member, root, Refused)
        if terms is not None:
            self.state.risk.terms.append(terms)

    def _risk(self, seq: int, act: SignedAct, member: DerivedMember, root: Root) -> None:
        risk_acts.apply(self.state, seq, act, member, root, Refused)

    def _withdraw(self, seq: int, act: SignedAct, member: DerivedMember, root: Root) -> None:
        review_rules.withdraw_review(self.state, seq, act, member, Refused)

    def _seal_key(self, seq: int, act: SignedAct, member: DerivedMember, root: Root) -> None:
        body = act.body
        if not isinstance(body.get("certificate_sha256"), str):
            raise Refused("a seal-key statement names no certificate digest")
        self.state.seal_keys[member.fingerprint] = act.as_payload()

    def _checkpoint(self, seq: int, act: SignedAct, member: DerivedMember, root: Root) -> None:
        state = self.state
        state.checkpoints.append(DerivedCheckpoint(
            len(state.checkpoints) + 1, act.prev_seq, act.prev_hash, member.name, member.id,
            member.fingerprint, act.signed_bytes, act.signature, act.signed_at, seq))


_HANDLERS = {
    ROOT_KIND: Replayer._root,
    REVIEW_OPEN: Replayer._open,
    REVIEW_SIGN: Replayer._sign,
    REVIEW_WITHDRAW: Replayer._withdraw,
    SEAL_KEY: Replayer._seal_key,
    CHECKPOINT: Replayer._checkpoint,
    **{kind: Replayer._risk for kind in risk_acts.RISK_KINDS},
}


def replay(events: Iterable[Event]) -> BoardState:
    """The state derived from ``events`` (in ``seq`` order) from genesis."""
    return Replayer().feed_all(events)
