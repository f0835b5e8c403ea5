"""Benchmark: drift statistics on 1,000,000 + 1,000,000 seeded rows x 60 columns, and a year.

Targets (issue 5): every statistic for every column (numeric: KS statistic + p-value,
Wasserstein raw + normed, PSI, Jensen-Shannon; categorical: PSI, Jensen-Shannon, chi-square,
z-test on the binary ones) under 3 s, at least 100x faster than Evidently's ``DataDriftPreset``
on the same data, timed in the same run; a 1-year daily history (365 windows x 60 columns)
under 30 s.

Evidently is a benchmark-only peer, and 0.7.x does not import with pandas 3, so it runs from
its own virtual environment: ``$GOVERNANCE_APP_EVIDENTLY_VENV`` or ``benchmarks/.evidently-venv``
(created here when missing, with ``pip install "evidently==0.7.*" "pandas<3"``). The data go to
Parquet in a temporary folder and a small script runs the preset there in a subprocess.

Both wall-clock and CPU seconds (``time.process_time``, all threads) are printed for each side:
on a machine shared with other work the wall figure moves with the load, the CPU figure much
less. ``--profile`` adds a cProfile of one single-threaded run of ours.

Usage: ``python benchmarks/bench_drift.py [--small] [--rows N] [--skip-evidently]
[--skip-history] [--profile] [--seed S]``
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from governance_app.analytics.drift_select import DriftPolicy, compare_tables
from governance_app.analytics.drift_windows import drift_history

N_NUMERIC = 50
N_CATEGORICAL = 10
VENV_ENV = "GOVERNANCE_APP_EVIDENTLY_VENV"
DEFAULT_VENV = Path(__file__).resolve().parent / ".evidently-venv"

EVIDENTLY_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time
    import pandas as pd
    import evidently
    from evidently import Report
    from evidently.presets import DataDriftPreset
    ref = pd.read_parquet(sys.argv[1])
    cur = pd.read_parquet(sys.argv[2])
    start, cpu = time.perf_counter(), time.process_time()
    snapshot = Report([DataDriftPreset()]).run(reference_data=ref, current_data=cur)
    result = snapshot.dict()  # everything computed and rendered to plain data
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_gb": peak,
                      "version": evidently.__version__, "metrics": len(result["metrics"])}))
""")


def make_table(rows: int, rng: np.random.Generator, shift: float) -> pd.DataFrame:
    """Seeded synthetic features: varied numeric shapes, categoricals of 2 to 12 levels."""
    data: dict[str, np.ndarray] = {}
    for i in range(N_NUMERIC):
        kind = i % 5
        move = shift * (i % 4 == 0)  # a quarter of the numeric columns drift
        if kind == 0:
            data[f"num_{i:02d}"] = rng.normal(move, 1.0, rows)
        elif kind == 1:
            data[f"num_{i:02d}"] = rng.lognormal(move, 0.7, rows)
        elif kind == 2:
            data[f"num_{i:02d}"] = rng.exponential(1.0 + move, rows)
        elif kind == 3:
            data[f"num_{i:02d}"] = np.round(rng.normal(50 + 10 * move, 15, rows), 1)  # ties
        else:
            data[f"num_{i:02d}"] = rng.integers(0, 1000, rows) + move * 100.0
    for j in range(N_CATEGORICAL):
        levels = 2 if j < 2 else 3 + j
        weights = np.linspace(1.0, 2.0 + shift * (j % 3 == 0) * 5, levels)
        labels = np.array([f"c{j}_{k}" for k in range(levels)])
        data[f"cat_{j:02d}"] = labels[rng.choice(levels, rows, p=weights / weights.sum())]
    return pd.DataFrame(data)


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds of one run (the CPU figure holds on a shared machine)."""

    wall: float
    cpu: float


def time_ours(reference: pd.DataFrame, current: pd.DataFrame, repeats: int = 3) -> Timing:
    """Wall and CPU seconds for every statistic of every column (best of ``repeats`` runs)."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = compare_tables(reference, current, DriftPolicy(all_statistics=True))
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_start)
    n_stats = sum(len(c.details) for c in result.columns)
    print(f"ours: {wall:8.2f} s wall, {cpu:6.2f} s CPU  ({len(result.columns)} columns, "
          f"{n_stats} statistics, {result.n_drifted} drifted by Evidently's default methods)")
    return Timing(wall, cpu)


def profile_ours(reference: pd.DataFrame, current: pd.DataFrame) -> None:
    """Where the time goes: cProfile of one single-threaded run, top entries by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    compare_tables(reference, current, DriftPolicy(all_statistics=True), workers=1)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def evidently_python() -> Path:
    """The Evidently venv's python, creating the venv when missing."""
    venv = Path(os.environ.get(VENV_ENV) or DEFAULT_VENV)
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} (evidently 0.7, pandas < 3) ...", flush=True)
        subprocess.run(["python3", "-m", "venv",
                        str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "evidently==0.7.*",
                        "pandas<3", "pyarrow"], check=True)
    return python


def time_evidently(reference: pd.DataFrame, current: pd.DataFrame) -> Timing | None:
    """Seconds of ``Report([DataDriftPreset()]).run`` in Evidently's own venv, or None."""
    try:
        python = evidently_python()
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"evidently: skipped ({exc})")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        ref_path, cur_path = Path(tmp) / "reference.parquet", Path(tmp) / "current.parquet"
        reference.to_parquet(ref_path)
        current.to_parquet(cur_path)
        script = Path(tmp) / "run_evidently.py"
        script.write_text(EVIDENTLY_SCRIPT)
        start = time.perf_counter()
        done = subprocess.run([str(python), str(script), str(ref_path), str(cur_path)],
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        print(f"evidently: failed\n{done.stderr[-2000:]}")
        return None
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"evidently {figures['version']} DataDriftPreset: {figures['seconds']:8.2f} s wall, "
          f"{figures['cpu']:6.2f} s CPU, peak {figures['peak_gb']:.1f} GB  "
          f"({figures['metrics']} metrics; subprocess wall {wall:.1f} s with reading)")
    return Timing(float(figures["seconds"]), float(figures["cpu"]))


def time_history(rows: int, rng: np.random.Generator) -> Timing:
    """Seconds for 365 daily windows x 60 columns against the first 28 days."""
    table = make_table(rows, rng, shift=0.0)
    drifting = make_table(rows // 2, rng, shift=0.3)
    table.iloc[rows // 2:] = drifting.iloc[: rows - rows // 2].to_numpy()
    table.insert(0, "ts", pd.date_range("2025-01-01", periods=rows,
                                        freq=pd.Timedelta(days=365) / rows, tz="UTC"))
    window = (pd.Timestamp("2025-01-01", tz="UTC").to_pydatetime(),
              pd.Timestamp("2025-01-29", tz="UTC").to_pydatetime())
    start, cpu = time.perf_counter(), time.process_time()
    history = drift_history(table, "ts", "1D", reference_window=window)
    timing = Timing(time.perf_counter() - start, time.process_time() - cpu)
    alerts = sum(w.drift.drifted for w in history.windows)
    print(f"history: {timing.wall:8.2f} s wall, {timing.cpu:6.2f} s CPU  "
          f"({len(history.windows)} windows x {len(history.columns)} columns, "
          f"reference {history.n_ref_rows} rows, {alerts} windows with dataset drift)")
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", action="store_true", help="50,000 rows: a quick run")
    parser.add_argument("--seed", type=int, default=20260125)
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument("--skip-history", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print where our time goes")
    args = parser.parse_args()
    rows = 50_000 if args.small else args.rows
    rng = np.random.default_rng(args.seed)
    reference = make_table(rows, rng, shift=0.0)
    current = make_table(rows, rng, shift=0.1)
    print(f"{rows:,} reference + {rows:,} current rows x {N_NUMERIC} numeric + "
          f"{N_CATEGORICAL} categorical columns, {os.cpu_count()} CPUs")
    ours = time_ours(reference, current)
    print(f"target: < 3 s -> {'met' if ours.wall < 3 else 'NOT met'} (wall)")
    if args.profile:
        profile_ours(reference, current)
    if not args.skip_evidently:
        theirs = time_evidently(reference, current)
        if theirs is not None:
            ratio, cpu_ratio = theirs.wall / ours.wall, theirs.cpu / ours.cpu
            verdict = "met" if ratio >= 100 else "NOT met"
            print(f"ratio: {ratio:8.1f}x wall, {cpu_ratio:.1f}x CPU  "
                  f"(target >= 100x -> {verdict})")
    if not args.skip_history:
        timing = time_history(rows, rng)
        print(f"history target: < 30 s -> {'met' if timing.wall < 30 else 'NOT met'} (wall)")


if __name__ == "__main__":
    main()
