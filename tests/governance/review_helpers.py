"""A review board on a real workspace: founded, members admitted through signed requests (key
files, fast scrypt), registry imported, test policy adopted; shared by the review, evidence,
attestation and race tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from governance_app.governance import keys
from governance_app.services import board as board_service
from governance_app.services import reviews as service
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "governance"
REGISTRY = FIXTURES / "board-registry.json"
POLICY = FIXTURES / "board-policy.yaml"
MODEL = "credit_scorer"
FAST = keys.MIN_SCRYPT_N

MEMBERS = {
    # name: (roles, email); Jonas Berg created versions 1 and 3 (separation of duties).
    "Ana Lima": (["chair"], "ana.lima@example.org"),
    "Bo Chen": (["risk"], "bo.chen@example.org"),
    "Carla Diaz": (["risk"], "carla.diaz@example.org"),
    "Dev Patel": (["chair"], "dev.patel@example.org"),
    "Jonas Berg": (["chair"], "jonas.berg@example.org"),
}
CHAIR = "Ana Lima"


def passphrase(name: str) -> str:
    return f"correct horse {name.lower()}"


@dataclass
class Board:
    ws: Workspace
    folder: Path
    key_files: dict[str, Path] = field(default_factory=dict)
    public_pems: dict[str, str] = field(default_factory=dict)
    chair: str = CHAIR

    def key_path(self, name: str) -> Path:
        return self.folder / f"{name.replace(' ', '_').lower()}.key"

    def found(self, name: str, email: str = "") -> None:
        path = self.key_path(name)
        board_service.found(self.ws, name, passphrase(name), email=email, key_file=path,
                            scrypt_n=FAST)
        self.chair = name
        self.key_files[name] = path
        self.public_pems[name] = board_service.member(self.ws, name).public_key_pem

    def add_member(self, name: str, roles: list[str], email: str = "") -> None:
        """Request (signed by the new key) and admission by the chair (fingerprint checked)."""
        path = self.key_path(name)
        request = board_service.request_membership(
            self.ws, name, roles, passphrase(name), email=email, key_file=path, scrypt_n=FAST)
        board_service.admit(self.ws, name, request.detail["fingerprint"], self.chair,
                            passphrase(self.chair), self.key_files[self.chair])
        self.key_files[name] = path
        self.public_pems[name] = board_service.member(self.ws, name).public_key_pem

    def add_policy(self, path: Path = POLICY) -> None:
        service.add_policy(self.ws, path, self.chair, passphrase(self.chair),
                           self.key_files[self.chair])

    def open_review(self, ref: str, opener: str | None = None, **kwargs):
        opener = opener or self.chair
        review, _ = service.open_review(self.ws, ref, "board-test", opener, passphrase(opener),
                                        self.key_files[opener], **kwargs)
        return review

    def sign(self, review_id: int, name: str, decision: str = "approve", comment: str = "",
             secret: str | None = None):
        return service.sign_review(self.ws, review_id, name, decision,
                                   secret if secret is not None else passphrase(name), comment,
                                   self.key_files.get(name))


def make_board(url: str, folder: Path, members: dict[str, tuple[list[str], str]] | None = None
               ) -> Board:
    folder.mkdir(parents=True, exist_ok=True)
    ws = Workspace.open(url)
    board = Board(ws, folder)
    members = dict(members or MEMBERS)
    founder = next(n for n, (roles, _) in members.items() if "chair" in roles)
    board.found(founder, members.pop(founder)[1])
    for name, (roles, email) in members.items():
        board.add_member(name, roles, email)
    import_path(ws, REGISTRY)
    board.add_policy()
    return board
