"""Benchmark: append 100,000 audit events, then verify the whole chain.

Target (issue 7): verify ≤ 5 s on this machine. Appends go through ``append_event`` (the head
read, hash and insert each event pays), in transactions of ``--batch`` events; verification is
``verify_workspace`` (recompute every hash, check seq continuity, anchors).

Usage: ``python benchmarks/bench_audit.py [--events N] [--batch B] [--db URL]``
(default: a fresh SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from governance_app.governance.audit import append_event
from governance_app.services.audit import verify_workspace
from governance_app.services.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--db", help="workspace URL (an empty one); default a temp SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        with Workspace.open(url) as ws:
            print(f"workspace: {ws.display_name}")
            start = time.perf_counter()
            done = 0
            while done < args.events:
                with ws.session(immediate=True) as session:
                    for i in range(done, min(done + args.batch, args.events)):
                        append_event(session, "bench.event", f"member {i % 7}",
                                     f"credit_default:{i % 13}",
                                     {"i": i, "score": i / 7, "tags": ["a", "b"]},
                                     model="credit_default")
                done = min(done + args.batch, args.events)
            appended = time.perf_counter() - start
            print(f"append {args.events:,} events: {appended:.2f} s "
                  f"({args.events / appended:,.0f} events/s, {args.batch} per transaction)")
            start = time.perf_counter()
            report = verify_workspace(ws)
            verified = time.perf_counter() - start
            print(f"verify the chain ({report.events:,} events): {verified:.2f} s "
                  f"(target ≤ 5 s) — {'all hold' if report.ok else 'BROKEN'}")


if __name__ == "__main__":
    main()
