"""Benchmark: a sealed model card (target < 2 s), a validation report (no target: printed) and
a 200+ page audit report with 20+ charts (target < 10 s).

Run: ``.venv/bin/python benchmarks/bench_reports.py [--events 11000] [--runs 3]``. Prints
figures (wall and CPU time: the machine may be shared); asserts nothing.

The audit workspace is the demo plus a small synthetic MLflow store (18 more versions with
metric histories, from ``generate_mlruns.py``), a review of each of those versions signed by
one member, and ``--events`` audit events spread over 60 days: enough for 200+ pages with one
metric chart per reviewed version.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))

from generate_mlruns import Size, generate  # noqa: E402

from governance_app.governance.audit import append_event  # noqa: E402
from governance_app.services import audit_report, reports  # noqa: E402
from governance_app.services import reviews as review_service  # noqa: E402
from governance_app.services.demo import build_demo_workspace  # noqa: E402
from governance_app.services.demo_reviews import DEMO_KEY_FOLDER, DEMO_PASSPHRASES  # noqa: E402
from governance_app.services.importing import import_path  # noqa: E402
from governance_app.services.validation_report import build_validation_report  # noqa: E402
from governance_app.services.workspace import Workspace  # noqa: E402

ANA = "Ana Lima"
KINDS = ("import", "note.review", "note.sign", "note.promote", "note.checkpoint",
         "fairness.attach", "drift.attach", "note")
"""Unsigned filler kinds: a governance kind without a member's signature would be a break."""


def timed(run) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def seed_audit_workspace(ws: Workspace, folder: Path, events: int) -> None:
    """Add the synthetic versions, their reviews and ``events`` spread-out audit events."""
    store = folder / "mlruns"
    generate(store, Size(experiments=2, runs=36, params=4, metrics=3, steps=30, models=6,
                         versions=3, datasets_per_experiment=2))
    import_path(ws, store)
    for model in range(6):
        for version in range(1, 4):
            review, _ = review_service.open_review(
                ws, f"bench_model_{model:04d}:{version}", "staging-promotion", ANA,
                DEMO_PASSPHRASES[ANA], folder / DEMO_KEY_FOLDER / "ana.key")
            review_service.sign_review(ws, review.id, "Malik Haddad", "reject",
                                       DEMO_PASSPHRASES["Malik Haddad"], "bench",
                                       folder / DEMO_KEY_FOLDER / "malik.key")
    start = datetime.now(UTC) - timedelta(days=60)
    done = 0
    while done < events:
        with ws.session(immediate=True) as session:
            for i in range(done, min(done + 2000, events)):
                append_event(session, KINDS[i % len(KINDS)], f"member {i % 5}",
                             f"credit_default:{i % 4 + 1} step {i}", {"i": i},
                             model="credit_default" if i % 3 else None,
                             at=start + timedelta(seconds=i * 60 * 60 * 24 * 60 / events))
        done = min(done + 2000, events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=11_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = build_demo_workspace(folder / "demo.db")
        with Workspace.open(url) as ws:
            secret = DEMO_PASSPHRASES[ANA]
            ana_key = folder / DEMO_KEY_FOLDER / "ana.key"
            cards = [timed(lambda i=i: reports.build_model_card(
                ws, "credit_default:3", folder / f"card{i}.pdf", ANA, secret, key_file=ana_key))
                for i in range(args.runs + 1)]  # the first also makes Ana's document key
            best = min(cards[1:], key=lambda t: t[0])
            print(f"model card credit_default:3: best of {args.runs} {best[0]:.2f} s wall, "
                  f"{best[1]:.2f} s CPU; first {cards[0][0]:.2f} s (with key generation); "
                  f"{best[2].size / 1e6:.2f} MB (target < 2 s)")
            validations = [timed(lambda i=i: build_validation_report(
                ws, "credit_default:4", folder / f"validation{i}.pdf", ANA, secret,
                key_file=ana_key)) for i in range(args.runs)]
            v_best = min(validations, key=lambda t: t[0])
            print(f"validation report credit_default:4: best of {args.runs} {v_best[0]:.2f} s "
                  f"wall, {v_best[1]:.2f} s CPU; "
                  f"{len(PdfReader(v_best[2].path).pages)} pages, {v_best[2].size / 1e6:.2f} MB")
            started = time.perf_counter()
            seed_audit_workspace(ws, folder, args.events)
            print(f"seeded the audit workspace in {time.perf_counter() - started:.1f} s")
            charts = audit_report.gather_audit(ws, None, None, None, ANA).chart_count
            runs = [timed(lambda i=i: audit_report.build_audit_report(
                ws, folder / f"audit{i}.pdf", ANA, secret, key_file=ana_key))
                for i in range(args.runs)]
            wall, cpu, result = min(runs, key=lambda t: t[0])
            pages = len(PdfReader(result.path).pages)
            print(f"audit report: best of {args.runs} {wall:.2f} s wall, {cpu:.2f} s CPU for "
                  f"{pages} pages, {charts} charts, {args.events:,}+ events, "
                  f"{result.size / 1e6:.2f} MB (target < 10 s for 200 pages, 20 charts); "
                  f"all runs (wall/CPU): "
                  + ", ".join(f"{w:.2f}/{c:.2f}" for w, c, _ in runs))
            v_wall, v_cpu, verified = timed(lambda: reports.verify_report(result.path, ws))
            print(f"verify the audit report: {v_wall:.2f} s wall, {v_cpu:.2f} s CPU, "
                  f"ok={verified.ok}")


if __name__ == "__main__":
    main()
