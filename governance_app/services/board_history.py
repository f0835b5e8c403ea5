"""The board's root history in words, for the Audit view: each version, its change, its signer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from governance_app.services.board import state_of
from governance_app.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class RootVersionRow:
    """One root version as the Audit view lists it: what changed and who signed it."""

    version: int
    change: str
    signer: str
    signed_at: Any
    digest: str
    seq: int


def root_history(ws: Workspace) -> list[RootVersionRow]:
    """Every root version, oldest first, with the change it made and the chair who signed."""
    state = state_of(ws)
    rows = []
    for i, (act, root, seq) in enumerate(zip(state.root_acts, state.roots, state.root_seqs,
                                             strict=True)):
        authority = state.roots[i - 1] if i else root
        signer = authority.by_fingerprint(act.signer)
        change = dict(act.body.get("change") or {})
        rows.append(RootVersionRow(root.version, describe_change(change),
                                   signer.name if signer else act.signer[:16],
                                   act.signed_at, root.digest, seq))
    return rows


def describe_change(change: dict[str, Any]) -> str:
    """A root change in words (``admitted Bo Chen``, ``policy board-test v2``)."""
    kind = change.get("type")
    if kind == "found":
        return f"founded the board with {change['member']['name']} as chair"
    if kind == "adopt":
        return (f"adopted the history up to event #{change['legacy_until']} with "
                f"{change['member']['name']} as chair")
    if kind == "policy":
        policy = change["policy"]
        return f"adopted policy {policy['name']} v{policy['version']} (gate {policy['gate']})"
    verbs = {"admit": "admitted", "rekey": "gave a new key to", "revoke": "revoked"}
    text = f"{verbs.get(str(kind), str(kind))} {change.get('name', '')}"
    return text + (f": {change['reason']}" if change.get("reason") else "")

