"""Benchmark: one sealed model card of the demo's credit_default:3 (target < 2 s).

Run: ``.venv/bin/python benchmarks/bench_reports.py``. Prints figures; asserts nothing.
The audit report benchmark (200 pages, 20 charts, < 10 s) arrives with the audit report.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from governance_app.services import reports
from governance_app.services.demo import build_demo_workspace
from governance_app.services.demo_reviews import DEMO_PASSPHRASES
from governance_app.services.workspace import Workspace


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = build_demo_workspace(Path(folder) / "demo.db")
        with Workspace.open(url) as ws:
            timings = []
            for run in range(4):  # the first run also makes Ana's document key
                started = time.perf_counter()
                result = reports.build_model_card(ws, "credit_default:3",
                                                  Path(folder) / f"card{run}.pdf", "Ana Lima",
                                                  DEMO_PASSPHRASES["Ana Lima"])
                timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            verified = reports.verify_report(result.path, ws)
            verify_s = time.perf_counter() - started
    print(f"model card credit_default:3: first {timings[0]:.2f} s (incl. key generation), "
          f"then best {min(timings[1:]):.2f} s, {result.size / 1e6:.2f} MB (target < 2 s)")
    print(f"verify: {verify_s:.2f} s, ok={verified.ok}")


if __name__ == "__main__":
    main()
