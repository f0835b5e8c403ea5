"""Write the demo's monitoring tables for credit_default v4 (seeded, reproducible).

v3's drift history comes from Evidently snapshots (``resources/demo/drift``): its inputs drift
from week 4 and its production review is rejected. v4 was retrained on recent applications, so
its own reference is that recent training sample, and four weeks of shadow scoring after the
retraining are compared with it by the app (``drift-history``). One feature, ``utilization``,
still moves a little, so one column of six drifts in the last week: a share of 0.17, below the
production gate's 0.3. The board decides v4 on that evidence.

Run: ``.venv/bin/python scripts/make_demo_monitoring.py`` (writes
``resources/demo/monitoring/credit_default_v4_reference.parquet`` and
``credit_default_v4_scoring.parquet``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "monitoring"
REFERENCE_ROWS = 2000
WEEK_ROWS = 1200
FIRST_WEEK = pd.Timestamp("2026-03-09", tz="UTC")
WEEKS = 4


def applicants(rng: np.random.Generator, rows: int, utilization_shift: float = 0.0) -> dict:
    """The six monitored features of credit applications (those of v3's Evidently reports)."""
    return {
        "age": np.round(rng.normal(41, 11, rows).clip(18, 90)).astype(int),
        "income": np.round(rng.lognormal(10.7, 0.45, rows), -1),
        "num_accounts": rng.poisson(3.2, rows),
        "utilization": np.round(rng.beta(2.2 + utilization_shift, 3.0, rows), 4),
        "region": rng.choice(["North", "South", "East", "West"], rows, p=[0.3, 0.28, 0.22, 0.2]),
        "channel": rng.choice(["branch", "online", "partner"], rows, p=[0.35, 0.5, 0.15]),
    }


def make() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference (v4's training sample) and the weekly scoring table."""
    rng = np.random.default_rng(2026_04)
    reference = pd.DataFrame(applicants(rng, REFERENCE_ROWS))
    weeks = []
    for week in range(WEEKS):
        shift = 0.9 if week == WEEKS - 1 else 0.0  # utilization creeps up in the last week
        frame = pd.DataFrame(applicants(rng, WEEK_ROWS, shift))
        seconds = rng.integers(0, 7 * 24 * 3600, WEEK_ROWS)
        frame.insert(0, "scored_at", FIRST_WEEK + pd.Timedelta(weeks=week)
                     + pd.to_timedelta(np.sort(seconds), unit="s"))
        weeks.append(frame)
    return reference, pd.concat(weeks, ignore_index=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    reference, scoring = make()
    reference.to_parquet(OUT / "credit_default_v4_reference.parquet", index=False)
    scoring.to_parquet(OUT / "credit_default_v4_scoring.parquet", index=False)
    print(f"wrote {len(reference)} reference and {len(scoring)} scoring rows to {OUT}")


if __name__ == "__main__":
    main()
