"""A review board on a real workspace: registry imported, test policy added, members with
key files (fast scrypt), shared by the review, evidence, attestation and race tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from governance_app.governance import keys, keystore
from governance_app.governance.members import create_member
from governance_app.services import reviews as service
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "governance"
REGISTRY = FIXTURES / "board-registry.json"
POLICY = FIXTURES / "board-policy.yaml"
MODEL = "credit_scorer"

MEMBERS = {
    # name: (roles, email); Jonas Berg created versions 1 and 3 (separation of duties).
    "Ana Lima": (["chair"], "ana.lima@example.org"),
    "Bo Chen": (["risk"], "bo.chen@example.org"),
    "Carla Diaz": (["risk"], "carla.diaz@example.org"),
    "Dev Patel": (["chair"], "dev.patel@example.org"),
    "Jonas Berg": (["chair"], "jonas.berg@example.org"),
}


def passphrase(name: str) -> str:
    return f"correct horse {name.lower()}"


@dataclass
class Board:
    ws: Workspace
    folder: Path
    key_files: dict[str, Path] = field(default_factory=dict)
    public_pems: dict[str, str] = field(default_factory=dict)

    def add_member(self, name: str, roles: list[str], email: str = "") -> None:
        new = keys.generate(passphrase(name), scrypt_n=keys.MIN_SCRYPT_N)
        path = self.folder / f"{name.replace(' ', '_').lower()}.key"
        location = keystore.store(new, name, key_file=path)
        with self.ws.session() as session:
            create_member(session, name, roles, email, new, location, actor="test")
        self.key_files[name] = path
        self.public_pems[name] = new.public_pem

    def sign(self, review_id: int, name: str, decision: str = "approve", comment: str = "",
             secret: str | None = None):
        return service.sign_review(self.ws, review_id, name, decision,
                                   secret if secret is not None else passphrase(name), comment)


def make_board(url: str, folder: Path, members: dict[str, tuple[list[str], str]] | None = None
               ) -> Board:
    folder.mkdir(parents=True, exist_ok=True)
    ws = Workspace.open(url)
    import_path(ws, REGISTRY)
    service.add_policy(ws, POLICY, actor="test")
    board = Board(ws, folder)
    for name, (roles, email) in (members or MEMBERS).items():
        board.add_member(name, roles, email)
    return board
