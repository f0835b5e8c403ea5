"""Benchmark: importing a large prediction table as fairness evidence, end to end.

Writes a seeded synthetic Parquet table (default 1,000,000 rows: label, score, prediction,
three sensitive attributes of 2, 4 and 5 groups, four feature columns), imports the demo
registry into a fresh SQLite workspace, then times: reading the file, the analysis (7 attribute
sets with 200 bootstrap resamples each, parity tests), the slice finder, and the whole import
into the workspace including storing. A re-import (the idempotent path) is timed too.
Prints figures; asserts nothing about time.

Usage: ``python benchmarks/bench_fairness_import.py [--rows N] [--no-slices]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from governance_app.importers.prediction_table import parse_settings, read_table
from governance_app.importers.safe_io import sha256_of_path
from governance_app.services.fairness import DEMO_SETTINGS, analyse_frame
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace


def synthetic(rows: int, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], rows)
    age = rng.choice(["18-25", "26-40", "41-60", "60+"], rows)
    region = rng.choice(["North", "South", "East", "West", "Islands"], rows,
                        p=[0.3, 0.3, 0.2, 0.19999, 0.00001])
    income = rng.choice(["low", "middle", "high"], rows)
    employment = rng.choice(["employed", "self-employed", "unemployed", "retired"], rows)
    label = rng.integers(0, 2, rows)
    score = np.clip(0.35 * label + rng.random(rows) * 0.65 - 0.05 * (sex == "female"), 0, 1)
    return pd.DataFrame({"label": label, "score": score, "prediction": (score >= 0.5).astype(int),
                         "sex": sex, "age_group": age, "region": region, "income_band": income,
                         "employment": employment, "tenure_years": rng.gamma(2, 3, rows),
                         "loan_amount": rng.lognormal(9.3, 0.6, rows)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-slices", action="store_true")
    args = parser.parse_args()
    settings = dict(DEMO_SETTINGS)
    if args.no_slices:
        settings["features"] = []
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "predictions.parquet"
        synthetic(args.rows).to_parquet(table, engine="pyarrow", index=False)
        print(f"{args.rows:,} rows, {table.stat().st_size / 1e6:.1f} MB Parquet")
        t = time.perf_counter()
        frame = read_table(table)
        print(f"read Parquet:                 {time.perf_counter() - t:7.3f} s")
        t = time.perf_counter()
        digest = sha256_of_path(table)
        print(f"SHA-256 of the file:          {time.perf_counter() - t:7.3f} s")
        parsed = parse_settings({**settings, "features": []})
        t = time.perf_counter()
        analysis = analyse_frame(frame, parsed, source=str(table), source_sha256=digest)
        print(f"analysis, 7 attribute sets:   {time.perf_counter() - t:7.3f} s "
              f"(bootstrap {parsed.bootstrap} each)")
        if not args.no_slices:
            t = time.perf_counter()
            analyse_frame(frame, parse_settings(settings), source=str(table),
                          source_sha256=digest)
            print(f"analysis + slice finder:      {time.perf_counter() - t:7.3f} s "
                  f"({len(settings['features']) + 3} columns)")
        registry = Path(str(resources.files("governance_app.resources") / "demo"
                            / "registry.json"))
        with Workspace.open(f"sqlite:///{Path(tmp) / 'ws.db'}") as ws:
            import_path(ws, registry)
            t = time.perf_counter()
            import_path(ws, table, model="credit_default:4", settings=settings)
            print(f"import into SQLite, all in:   {time.perf_counter() - t:7.3f} s")
            t = time.perf_counter()
            import_path(ws, table, model="credit_default:4", settings=settings)
            print(f"re-import (already stored):   {time.perf_counter() - t:7.3f} s")
        print(f"groups in the 3-way intersection: "
              f"{len(analysis.analysis('sex,age_group,region').report.groups)}")


if __name__ == "__main__":
    main()
