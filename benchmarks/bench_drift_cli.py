"""Benchmark: ``governance-app drift`` as a whole process against Evidently's DataDriftPreset.

Issue 15's figure: on 200,000 + 200,000 rows x 20 columns of Parquet, ``governance-app drift``
(start-up, reading both files, every column judged, JSON written) against Evidently 0.7's
``Report([DataDriftPreset()])`` run on the same files in its own process (start-up, reading,
report, result as plain data), the target being at least 20x. Both whole-process timings are
printed beside the in-process ones (the work alone), wall-clock and CPU (children's user +
system time): on a shared machine the wall figure moves with the load, the CPU figure less.

Evidently needs pandas < 3, so it runs from its own virtual environment:
``$GOVERNANCE_APP_EVIDENTLY_VENV`` or ``benchmarks/.evidently-venv`` (see bench_drift.py, which
creates it). ``--rows`` scales both tables; the time of both sides grows about linearly with
the rows, start-up aside (printed separately: ``governance-app --version``).

On Parquet of plain columns ``drift`` reads the tables straight into numpy and never imports
pandas (``engines.parquet_columns``); most of the whole-process time left is starting Python,
numpy and pyarrow, reading the files and hashing them (the result records their SHA-256).

Usage: ``python benchmarks/bench_drift_cli.py [--rows 200000] [--skip-evidently]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_NUMERIC, N_CATEGORICAL = 15, 5
VENV_ENV = "GOVERNANCE_APP_EVIDENTLY_VENV"
DEFAULT_VENV = Path(__file__).resolve().parent / ".evidently-venv"
EVIDENTLY = textwrap.dedent("""
    import json, sys, time
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset
    start, cpu = time.perf_counter(), time.process_time()
    ref, cur = pd.read_parquet(sys.argv[1]), pd.read_parquet(sys.argv[2])
    result = Report([DataDriftPreset()]).run(reference_data=ref, current_data=cur).dict()
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "cpu": time.process_time() - cpu, "metrics": len(result["metrics"])}))
""")


def make_table(rows: int, rng: np.random.Generator, shift: float) -> pd.DataFrame:
    """Seeded numeric (normal, lognormal, counts) and categorical columns; ``shift`` drifts
    a third of them."""
    data: dict[str, object] = {}
    for i in range(N_NUMERIC):
        moved = shift if i % 3 == 0 else 0.0
        if i % 3 == 2:
            data[f"count_{i}"] = rng.poisson(4 + 10 * moved, rows)
        else:
            data[f"num_{i}"] = rng.normal(moved, 1.0, rows)
    for i in range(N_CATEGORICAL):
        p = np.array([0.5, 0.3, 0.15, 0.05]) + (np.array([-0.1, 0, 0, 0.1]) * shift)
        data[f"cat_{i}"] = rng.choice(["a", "b", "c", "d"], rows, p=p / p.sum())
    return pd.DataFrame(data)


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of one child process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def cli() -> list[str]:
    script = Path(sys.executable).with_name("governance-app")
    return [str(script)] if script.exists() else [
        sys.executable, "-c", "import sys; from governance_app.entry import main; "
        "sys.exit(main())"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--skip-evidently", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-drift-cli-") as scratch:
        measure(args, Path(scratch))


def measure(args: argparse.Namespace, folder: Path) -> None:
    """Write the two tables into ``folder`` and time both sides on them."""
    rng = np.random.default_rng(args.seed)
    ref, cur = folder / "reference.parquet", folder / "current.parquet"
    make_table(args.rows, rng, 0.0).to_parquet(ref)
    make_table(args.rows, rng, 0.3).to_parquet(cur)
    print(f"{args.rows:,} + {args.rows:,} rows x {N_NUMERIC + N_CATEGORICAL} columns "
          f"(Parquet, {(ref.stat().st_size + cur.stat().st_size) / 1e6:.1f} MB)")

    from governance_app.services.drift import compute_drift  # in-process: the work alone

    start, cpu = time.perf_counter(), time.process_time()
    result = compute_drift(ref, cur)
    ours_in = (time.perf_counter() - start, time.process_time() - cpu)
    version = run([*cli(), "--version"])
    ours = run([*cli(), "drift", "--reference", str(ref), "--current", str(cur), "--json"])
    drifted = json.loads(ours[2])["share_of_drifted_columns"]
    print(f"ours, in process:   {ours_in[0]:7.2f} s wall {ours_in[1]:7.2f} s CPU "
          f"(share drifted {result.drift.share_drifted:.2f})")
    print(f"ours, whole process: {ours[0]:6.2f} s wall {ours[1]:7.2f} s CPU "
          f"(governance-app drift --json; share {drifted:.2f}); of which start-up "
          f"(--version) {version[0]:.2f} s wall")
    if args.skip_evidently:
        return
    venv = Path(os.environ.get(VENV_ENV) or DEFAULT_VENV)
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"Evidently skipped: no environment at {venv} (bench_drift.py creates one, or "
              f"set {VENV_ENV})")
        return
    script = folder / "evidently_drift.py"
    script.write_text(EVIDENTLY)
    theirs = run([str(python), str(script), str(ref), str(cur)])
    inner = json.loads(theirs[2].strip().splitlines()[-1])
    print(f"Evidently, in process:   {inner['seconds']:7.2f} s wall {inner['cpu']:7.2f} s "
          f"CPU (reading + DataDriftPreset + dict)")
    print(f"Evidently, whole process: {theirs[0]:6.2f} s wall {theirs[1]:7.2f} s CPU")
    print(f"speed-up, whole process: {theirs[0] / ours[0]:.1f}x wall, "
          f"{theirs[1] / ours[1]:.1f}x CPU (target >= 20x); in process: "
          f"{inner['seconds'] / ours_in[0]:.1f}x wall, {inner['cpu'] / ours_in[1]:.1f}x CPU")


if __name__ == "__main__":
    main()
