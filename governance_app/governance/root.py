"""The board root: who is on the board, with which key and roles, under which policies.

The TUF idea applied to a review board. Root version 1 holds the founding chair; every later
version names the previous version's digest and is signed by a chair of the previous version
(the root threshold: any one chair, for now). The board id is the SHA-256 of root v1's canonical
bytes, so a root cannot be carried into another board. A root version is published as a
``board.root`` act whose body is ``{"change": …, "root": <document>}``; the root file
(``board root -o``) is the list of those signed acts, all an offline verifier needs.

Root document::

    {"type": "governance-app/board-root/1", "board": null | "<id>", "version": 2,
     "previous": null | "<digest of v1>", "threshold": {"role": "chair", "signatures": 1},
     "members": [{"name", "roles", "email", "public_key", "fingerprint", "revoked"}],
     "policies": [{"name", "version", "digest", "gate", "quorum": {"approvals", "roles"},
                   "separation_of_duties"}]}

Every change goes through :func:`apply_change`, which the signing service and replay both call:
a root version is accepted only if it is exactly what its stated change makes of the previous.
Pure: no database, no Qt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from governance_app.errors import CheckFailed, GovernanceError, InputError
from governance_app.governance.acts import ROOT_KIND, ActFormatError, SignedAct, parse_act
from governance_app.governance.canonical import normalised, sha256_hex

ROOT_TYPE = "governance-app/board-root/1"
ROOT_FILE_FORMAT = "governance-app/board-root-file/1"
CHAIR = "chair"
MAX_ROOT_FILE = 16 * 1024 * 1024


class ForgedRoot(CheckFailed):
    """A root version that does not hold: wrong signer, broken link, or a forked version."""


class RootRefused(GovernanceError):
    """A root change the board's rules forbid (the last chair revoked, a name taken, ...)."""


@dataclass(frozen=True, slots=True)
class RootMember:
    """A member as a root version lists them."""

    name: str
    roles: tuple[str, ...]
    email: str
    public_key: str
    fingerprint: str
    revoked: str | None
    """The revocation reason, or None while the key may sign."""

    @property
    def active(self) -> bool:
        return self.revoked is None


@dataclass(frozen=True, slots=True)
class Root:
    """One root version (the document and its digest, computed once)."""

    document: dict[str, Any]
    digest: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", sha256_hex(self.document))

    @property
    def version(self) -> int:
        return int(self.document["version"])

    @property
    def board(self) -> str:
        """The board id (v1's own digest)."""
        return self.document["board"] or self.digest

    @property
    def members(self) -> list[RootMember]:
        return [RootMember(m["name"], tuple(m["roles"]), m.get("email", ""), m["public_key"],
                           m["fingerprint"], m.get("revoked")) for m in self.document["members"]]

    @property
    def policies(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: dict(p) for p in self.document["policies"]}

    def member(self, name: str) -> RootMember | None:
        return next((m for m in self.members if m.name == name), None)

    def by_fingerprint(self, fingerprint: str) -> RootMember | None:
        return next((m for m in self.members if m.fingerprint == fingerprint), None)

    def active_chairs(self) -> list[RootMember]:
        return [m for m in self.members if m.active and CHAIR in m.roles]

    def may_change_root(self, fingerprint: str) -> bool:
        """The root threshold: any one active chair of this version."""
        return any(m.fingerprint == fingerprint for m in self.active_chairs())


def member_entry(name: str, roles: Sequence[str], email: str, public_key: str,
                 fingerprint: str) -> dict[str, Any]:
    clean = sorted({r.strip() for r in roles if r.strip()})
    if not name.strip() or len(name.strip()) > 256:
        raise InputError("member name", f"{name!r} is not a usable name",
                         expected="1–256 characters")
    if not clean:
        raise InputError("member roles", "no role given", expected="--role ROLE (e.g. chair)")
    return {"name": name.strip(), "roles": clean, "email": email.strip(),
            "public_key": public_key, "fingerprint": fingerprint, "revoked": None}


def founding_root(founder: Mapping[str, Any]) -> Root:
    """Root v1: the founding chair alone, no policy yet."""
    if CHAIR not in founder["roles"]:
        raise RootRefused("the founding member must be a chair")
    return Root(normalised({
        "type": ROOT_TYPE, "board": None, "version": 1, "previous": None,
        "threshold": {"role": CHAIR, "signatures": 1},
        "members": [dict(founder)], "policies": [],
    }))


def apply_change(previous: Root, change: Mapping[str, Any],
                 request: Mapping[str, Any] | None = None) -> Root:
    """The next root version that ``change`` makes of ``previous``.

    ``change`` is one of ``{"type": "admit", "name", "fingerprint"}``, ``{"type": "rekey",
    "name", "fingerprint"}`` (both with the member's signed ``request`` body), ``{"type":
    "revoke", "name", "reason"}`` or ``{"type": "policy", "policy": <root policy entry>}``.

    Raises:
        RootRefused: the change breaks a rule (names taken or unknown, the fingerprint read
            out of band differs from the request's key, the last chair revoked, ...).
    """
    members = [dict(m) for m in previous.document["members"]]
    policies = [dict(p) for p in previous.document["policies"]]
    kind = change.get("type")
    name = str(change.get("name", ""))
    existing = next((m for m in members if m["name"] == name), None)
    if kind in ("admit", "rekey"):
        if request is None or request.get("name") != name:
            raise RootRefused(f"there is no membership request from {name!r} to act on")
        if change.get("fingerprint") != request.get("fingerprint"):
            raise RootRefused(
                f"the fingerprint given ({change.get('fingerprint')}) is not the key in "
                f"{name}'s request ({request.get('fingerprint')}); confirm it out of band")
        if any(m["fingerprint"] == request["fingerprint"] for m in members):
            raise RootRefused("that key already belongs to a member of the board")
    if kind == "admit":
        if existing is not None:
            raise RootRefused(f"a member named {name!r} is already on the board")
        members.append(member_entry(name, request["roles"], request.get("email", ""),
                                    request["public_key"], request["fingerprint"]))
    elif kind == "rekey":
        if existing is None:
            raise RootRefused(f"no member named {name!r} to give a new key")
        existing.update(public_key=request["public_key"], fingerprint=request["fingerprint"],
                        revoked=None)
    elif kind == "revoke":
        if existing is None:
            raise RootRefused(f"no member named {name!r} on the board")
        if existing["revoked"] is not None:
            raise RootRefused(f"{name}'s key is already revoked")
        if not str(change.get("reason", "")).strip():
            raise RootRefused("a revocation needs a reason")
        chairs = [m for m in members if m["revoked"] is None and CHAIR in m["roles"]]
        if CHAIR in existing["roles"] and len(chairs) <= 1:
            raise RootRefused(f"{name} is the board's last chair and cannot be revoked; "
                              "admit another chair first")
        existing["revoked"] = str(change["reason"]).strip()
    elif kind == "policy":
        entry = dict(change["policy"])
        current = next((p for p in policies if p["name"] == entry["name"]), None)
        if entry.get("version") != (current["version"] + 1 if current else 1):
            raise RootRefused(f"policy {entry['name']} v{entry.get('version')} does not follow "
                              "the active version")
        policies = [p for p in policies if p["name"] != entry["name"]] + [entry]
    else:
        raise RootRefused(f"unknown root change {kind!r}")
    return Root(normalised({
        **previous.document, "board": previous.board, "version": previous.version + 1,
        "previous": previous.digest,
        "members": sorted(members, key=lambda m: m["name"]),
        "policies": sorted(policies, key=lambda p: p["name"]),
    }))


def check_root_act(act: SignedAct, previous: Root | None) -> Root:
    """The root a ``board.root`` act publishes, if it holds against the previous version.

    Checks the version number, the link to the previous digest, the board id, that the signer
    is an active chair of the previous version (v1: the founding chair in it), and the
    signature. (Whether the change matches its description is replay's job: it needs the
    membership requests.)

    Raises:
        ForgedRoot: any of those does not hold.
    """
    try:
        root = Root(dict(act.body["root"]))
        version = root.version
    except (KeyError, TypeError, ValueError) as exc:
        raise ForgedRoot(f"a board.root act holds no root document ({exc})") from exc
    if act.kind != ROOT_KIND or root.document.get("type") != ROOT_TYPE:
        raise ForgedRoot(f"root v{version}: not a board root document")
    if previous is None:
        if version != 1 or root.document.get("previous") is not None:
            raise ForgedRoot(f"the first root version is v{version}, not a founding v1")
        authority = root
    else:
        if version != previous.version + 1:
            raise ForgedRoot(f"root v{version} follows v{previous.version}")
        if root.document.get("previous") != previous.digest:
            raise ForgedRoot(f"root v{version} does not name v{previous.version}'s digest")
        if root.document.get("board") != previous.board:
            raise ForgedRoot(f"root v{version} belongs to another board")
        authority = previous
    if act.board != root.board:
        raise ForgedRoot(f"root v{version}'s act names another board")
    signer = authority.by_fingerprint(act.signer)
    if signer is None or not authority.may_change_root(act.signer):
        raise ForgedRoot(f"root v{version} is signed by a key that is not an active chair of "
                         f"root v{authority.version}")
    if not act.verifies_with(signer.public_key):
        raise ForgedRoot(f"root v{version}: {signer.name}'s signature does not verify")
    return root


def verify_history(acts: Sequence[SignedAct]) -> list[Root]:
    """Every root version of a history, each checked against the one before.

    Raises:
        ForgedRoot: a version does not hold (named).
    """
    roots: list[Root] = []
    for act in acts:
        roots.append(check_root_act(act, roots[-1] if roots else None))
    if not roots:
        raise ForgedRoot("the root history is empty")
    return roots


def root_file(acts: Sequence[SignedAct]) -> dict[str, Any]:
    """The root file's JSON: the whole signed history (``board root -o``)."""
    roots = verify_history(acts)
    return {"format": ROOT_FILE_FORMAT, "board": roots[0].board,
            "versions": [a.as_payload() for a in acts]}


def read_root_file(source: str, text: str) -> tuple[list[SignedAct], list[Root]]:
    """Parse and verify a root file.

    Raises:
        InputError: not a root file (malformed JSON or fields; exit 2).
        ForgedRoot: well-formed, but a version does not hold (exit 1).
    """
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(source, f"not JSON ({exc})", expected="a board root file") from exc
    if not isinstance(doc, dict) or doc.get("format") != ROOT_FILE_FORMAT:
        raise InputError(source, "not a board root file", location="format",
                         expected=ROOT_FILE_FORMAT)
    versions = doc.get("versions")
    if not isinstance(versions, list) or not versions:
        raise InputError(source, "no root versions", location="versions",
                         expected="a list of signed root versions")
    acts = []
    for i, entry in enumerate(versions):
        try:
            acts.append(parse_act(entry))
        except ActFormatError as exc:
            raise InputError(source, str(exc), location=f"versions[{i}]",
                             expected="a signed board.root act") from exc
    roots = verify_history(acts)
    if doc.get("board") != roots[0].board:
        raise ForgedRoot(f"{source}: the file names board {str(doc.get('board'))[:16]}…, but "
                         f"its root v1 makes board {roots[0].board[:16]}…")
    return acts, roots


def compare_roots(trusted: Sequence[Root], found: Sequence[Root], where: str) -> list[str]:
    """Problems between a trusted root history and one found elsewhere (a workspace, a PDF).

    The same version with another digest is a fork; a trusted history longer than the one
    found means the found one was rolled back or truncated.
    """
    problems = []
    for mine, theirs in zip(trusted, found, strict=False):
        if mine.digest != theirs.digest:
            problems.append(f"{where} has root v{theirs.version} {theirs.digest[:16]}…, but the "
                            f"trusted root file has {mine.digest[:16]}… (a forged root)")
            return problems
    if len(found) < len(trusted):
        problems.append(f"{where} stops at root v{len(found)}, but the trusted root file "
                        f"holds v{len(trusted)} (rolled back or truncated)")
    return problems
