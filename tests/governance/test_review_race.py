"""Exactly-once decisions: three approvers sign one quorum-2 review at the same moment.

On SQLite (``BEGIN IMMEDIATE``) and the real PostgreSQL (``SELECT … FOR UPDATE``), 200 trials
with one connection (own Workspace engine) per approver thread, and a few trials with separate
``governance-app sign`` processes, as board members on different machines would. Every trial
must accept exactly two signatures, refuse the third because the review has closed, and record
exactly one decision event.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from governance_app.governance.reviews import SignatureRefused
from governance_app.services import reviews as service
from governance_app.services.workspace import Workspace
from tests.governance.review_helpers import MODEL, make_board, passphrase

TRIALS = 200
PROCESS_TRIALS = 2
APPROVERS = {"Ana Lima": (["chair"], ""), "Bo Chen": (["chair"], ""), "Carla Diaz": (["chair"], "")}
RACE_POLICY = """\
policy: race
gate: production
checks:
  - {metric: val_auc, min: 0.77}
quorum: {approvals: 2}
separation_of_duties: true
"""


def decisions(ws: Workspace, review_id: int) -> list[str]:
    """The review's decision and the gate grants it made, as replay derives them."""
    review = service.get_review(ws, review_id)
    grants = [g for g in board_state_grants(ws) if g.review_id == review_id]
    return [review.state.value] * len(grants)


def board_state_grants(ws: Workspace) -> list:
    from governance_app.services import board

    return board.state_of(ws).grants


def test_three_approvers_race(workspace_url: str, tmp_path: Path) -> None:
    board = make_board(workspace_url, tmp_path / "keys", APPROVERS)
    policy = tmp_path / "race.yaml"
    policy.write_text(RACE_POLICY)
    board.add_policy(policy)
    names = list(APPROVERS)
    connections = [Workspace.open(workspace_url, upgrade=False) for _ in names]
    started = time.perf_counter()
    try:
        for trial in range(TRIALS):
            review, _ = service.open_review(board.ws, f"{MODEL}:1", "race", "Ana Lima",
                                            passphrase("Ana Lima"), board.key_files["Ana Lima"])
            barrier = threading.Barrier(len(names))
            outcome: dict[str, object] = {}

            def sign(i: int, review_id: int = review.id, barrier=barrier, outcome=outcome) -> None:
                name = names[i]
                barrier.wait()
                try:
                    outcome[name] = service.sign_review(connections[i], review_id, name,
                                                        "approve", passphrase(name),
                                                        key_file=board.key_files[name])
                except SignatureRefused as exc:
                    outcome[name] = exc
                except BaseException as exc:  # noqa: BLE001 - shown by the assertion
                    outcome[name] = exc

            threads = [threading.Thread(target=sign, args=(i,)) for i in range(len(names))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            refused = [r for r in outcome.values() if isinstance(r, SignatureRefused)]
            accepted = [r for r in outcome.values() if not isinstance(r, BaseException)]
            assert len(accepted) == 2 and len(refused) == 1, (trial, [
                repr(r) for r in outcome.values() if isinstance(r, BaseException)])
            assert refused[0].reason == "closed", (trial, str(refused[0]))
            assert decisions(board.ws, review.id) == ["approved"], trial
            assert len(service.get_review(board.ws, review.id).signatures) == 2
    finally:
        for ws in connections:
            ws.close()
    print(f"\n{TRIALS} three-signer trials on {board.ws.backend}: "
          f"{time.perf_counter() - started:.1f} s")

    # Separate processes, as on different machines.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for _ in range(PROCESS_TRIALS):
        review, _ = service.open_review(board.ws, f"{MODEL}:1", "race", "Ana Lima",
                                        passphrase("Ana Lima"), board.key_files["Ana Lima"])
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "governance_app", "--db", workspace_url, "sign",
                 str(review.id), "--member", name, "--decision", "approve",
                 "--key-file", str(board.key_files[name])],
                env={**env, "GOVERNANCE_APP_PASSPHRASE": passphrase(name)},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                stdin=subprocess.DEVNULL)
            for name in names
        ]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 0, 1], results
        [loser] = [r for r in results if r[0] == 1]
        assert "is closed (approved)" in loser[2], loser
        assert decisions(board.ws, review.id) == ["approved"]
    board.ws.close()


@pytest.fixture(autouse=True)
def _quiet_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signers use key files; make sure no test falls back to a real OS keyring."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
