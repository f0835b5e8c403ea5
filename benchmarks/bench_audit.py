"""Benchmark: replay and compare a board's chain; verify a sealed PDF and an attestation offline.

Targets (issue 13): ``verify`` of 100,000 events holding 2,000 signed acts (hashes recomputed,
every act replayed and its signature checked, every governance table compared) ≤ 5 s, on
SQLite and on PostgreSQL (``--db``); ``verify FILE.pdf --root`` ≤ 0.5 s; ``verify-attestation
--root`` ≤ 0.3 s from a cold start (a new process).

The filler events go in through ``append_event`` and the signed acts are built with
``make_act`` by three members' unlocked keys (a benchmark of verification, not of signing; the
passphrase's scrypt would dominate otherwise): checkpoints, plus a review approved by two.

Usage: ``python benchmarks/bench_audit.py [--events N] [--acts M] [--db URL]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from governance_app.governance import board_tables, keys
from governance_app.governance.acts import CHECKPOINT, make_act
from governance_app.governance.audit import append_event, chain_head
from governance_app.governance.keystore import Signer
from governance_app.governance.ledger import board_state, forget_cache
from governance_app.services import board
from governance_app.services.audit import verify_board
from governance_app.services.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
FAST = keys.MIN_SCRYPT_N


def _signer(ws: Workspace, name: str) -> Signer:
    return board.unlock(board.member(ws, name), "pw")


def seed(ws: Workspace, folder: Path, events: int, acts: int) -> None:
    """A founded board of three, then ``events`` events of which ``acts`` are signed acts."""
    board.found(ws, "Ana Lima", "pw", key_file=folder / "ana.key", scrypt_n=FAST)
    for name in ("Bo Chen", "Carla Diaz"):
        request = board.request_membership(ws, name, ["chair"], "pw",
                                           key_file=folder / f"{name[:2]}.key", scrypt_n=FAST)
        board.admit(ws, name, request.detail["fingerprint"], "Ana Lima", "pw")
    signers = [_signer(ws, n) for n in ("Ana Lima", "Bo Chen", "Carla Diaz")]
    with ws.session() as session:
        state = board_state(session)
    root = state.root
    assert root is not None
    every = max(1, (events - 5) // acts)
    made = 0
    done = chain_head_seq(ws)
    while done < events:
        with ws.session(immediate=True) as session:
            for _ in range(min(2_000, events - done)):
                done += 1
                if done % every == 0 and made < acts:
                    head = chain_head(session)
                    signer = signers[made % 3]
                    act = make_act(CHECKPOINT, {"purpose": "checkpoint"}, board=root.board,
                                   root_version=root.version, root_digest=root.digest,
                                   prev_seq=head.seq, prev_hash=head.hash,
                                   signer=signer.fingerprint, signed_at=_now(),
                                   sign=signer.sign)
                    append_event(session, CHECKPOINT, "bench", "chain head", act.as_payload(),
                                 at=act.signed_at)
                    made += 1
                else:
                    append_event(session, "bench.event", f"member {done % 7}",
                                 f"credit_default:{done % 13}",
                                 {"i": done, "score": done / 7, "tags": ["a", "b"]},
                                 model="credit_default")
    # the acts went in raw: bring the derived tables (the cache) up to date, as acts do
    with ws.session(immediate=True) as session:
        board_tables.sync(session, board_state(session, fresh=True))


def chain_head_seq(ws: Workspace) -> int:
    with ws.session() as session:
        return chain_head(session).seq


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def approved_documents(folder: Path) -> tuple[Path, Path, Path]:
    """A small real board: a review approved by two, its attestation, the root file and a
    sealed model card (the documents an outside verifier receives)."""
    import json

    from governance_app.services import reports
    from governance_app.services import reviews as review_service
    from governance_app.services.importing import import_path

    fixtures = REPO / "tests" / "fixtures" / "governance"
    folder.mkdir()
    with Workspace.open(f"sqlite:///{folder / 'board.db'}") as ws:
        board.found(ws, "Ana Lima", "pw", key_file=folder / "ana.key", scrypt_n=FAST)
        request = board.request_membership(ws, "Bo Chen", ["risk"], "pw",
                                           key_file=folder / "bo.key", scrypt_n=FAST)
        board.admit(ws, "Bo Chen", request.detail["fingerprint"], "Ana Lima", "pw")
        import_path(ws, fixtures / "board-registry.json")
        board.add_policy(ws, fixtures / "board-policy.yaml", "Ana Lima", "pw")
        review, _ = review_service.open_review(ws, "credit_scorer:1", "board-test", "Bo Chen",
                                               "pw")
        for name in ("Bo Chen", "Ana Lima"):
            review_service.sign_review(ws, review.id, name, "approve", "pw")
        att, root, pdf = folder / "att.json", folder / "root.json", folder / "card.pdf"
        att.write_text(json.dumps(review_service.attestation_envelope(ws, review.id)))
        root.write_text(json.dumps(board.export_root(ws)))
        reports.build_model_card(ws, "credit_scorer:1", pdf, "Ana Lima", "pw")
    return att, root, pdf


def cold_start(argv: list[str], env: dict[str, str]) -> float:
    """Seconds for a new process to run ``governance-app argv`` (best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "governance_app", *argv], env=env,
                              capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{argv}: exit {done.returncode}: {done.stderr}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--acts", type=int, default=2_000)
    parser.add_argument("--db", help="workspace URL (an empty one); default a temp SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ.setdefault("GOVERNANCE_APP_CONFIG_DIR", str(folder / "config"))
        os.environ.setdefault("GOVERNANCE_APP_WITNESS_DIR", str(folder / "witnesses"))
        url = args.db or f"sqlite:///{folder / 'bench.db'}"
        with Workspace.open(url) as ws:
            print(f"workspace: {ws.display_name}")
            started = time.perf_counter()
            seed(ws, folder, args.events, args.acts)
            print(f"seeded {args.events:,} events with {args.acts:,} signed acts in "
                  f"{time.perf_counter() - started:.1f} s")
            root_file = folder / "root.json"
            import json

            root_file.write_text(json.dumps(board.export_root(ws)))
            forget_cache()
            started = time.perf_counter()
            result = verify_board(ws, root_file)
            verified = time.perf_counter() - started
            print(f"verify --root ({result.chain.events:,} events, {result.chain.checkpoints:,} "
                  f"checkpoint acts replayed, tables compared): {verified:.2f} s "
                  f"(target ≤ 5 s) — {'all hold' if result.ok else 'BROKEN'}")
            if args.events != 100_000:
                print(f"  scales linearly in events: ≈ {verified * 100_000 / args.events:.1f} s "
                      "at 100,000")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        att, root, pdf = approved_documents(folder / "docs")
        if att.exists() and root.exists():
            seconds = cold_start(["verify-attestation", str(att), "--root", str(root)], env)
            print(f"verify-attestation --root from a cold start: {seconds:.2f} s "
                  "(target ≤ 0.3 s)")
        if pdf.exists() and root.exists():
            from governance_app.services.document_verification import verify_document

            verify_document(pdf, root_file=root)  # warm the imports
            started = time.perf_counter()
            checked = verify_document(pdf, root_file=root)
            print(f"verify FILE.pdf --root (in process, imports warm): "
                  f"{time.perf_counter() - started:.2f} s (target ≤ 0.5 s), ok={checked.ok}")
            seconds = cold_start(["verify", str(pdf), "--root", str(root)], env)
            print(f"verify FILE.pdf --root from a cold start: {seconds:.2f} s")


if __name__ == "__main__":
    main()
