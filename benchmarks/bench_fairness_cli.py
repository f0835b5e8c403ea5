"""Benchmark: ``governance-app fairness`` as a whole process against Fairlearn's MetricFrame.

Issue 15's figure: on 1,000,000 prediction rows (two sensitive attributes, 4 x 3 groups),
``governance-app fairness TABLE.parquet … --json`` (start-up, reading, every group metric,
disparity and parity verdict, JSON written; no bootstrap, which Fairlearn does not do) against
Fairlearn's ``MetricFrame`` with the same eight metrics and the four disparity summaries, end
to end in its own process (start-up, reading the same Parquet, computing), the target being at
least 50x. Whole-process timings are printed beside the in-process ones, wall-clock and CPU.

Fairlearn is a benchmark-only peer, run from its own environment:
``$GOVERNANCE_APP_FAIRLEARN_VENV`` (``python3 -m venv ENV && ENV/bin/pip install fairlearn
scikit-learn "pandas<3" pyarrow``). ``--rows`` scales the table; both sides grow about
linearly with the rows, start-up aside.

Usage: ``python benchmarks/bench_fairness_cli.py [--rows 1000000] [--skip-fairlearn]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from bench_drift_cli import cli, run  # same folder: one way to time a child process
from bench_fairness import synthetic

VENV_ENV = "GOVERNANCE_APP_FAIRLEARN_VENV"
FAIRLEARN = textwrap.dedent("""
    import json, sys, time
    start, cpu = time.perf_counter(), time.process_time()
    import pandas as pd
    import fairlearn.metrics as flm
    import sklearn.metrics as skm
    frame = pd.read_parquet(sys.argv[1])
    fns = {"selection_rate": flm.selection_rate,
           "true_positive_rate": flm.true_positive_rate,
           "false_positive_rate": flm.false_positive_rate,
           "true_negative_rate": flm.true_negative_rate,
           "false_negative_rate": flm.false_negative_rate,
           "accuracy_score": skm.accuracy_score,
           "precision_score": lambda t, p: skm.precision_score(t, p, zero_division=0),
           "balanced_accuracy_score": skm.balanced_accuracy_score, "count": flm.count}
    y, p, sf = frame["label"], frame["prediction"], frame[["race", "sex"]]
    by_group = flm.MetricFrame(metrics=fns, y_true=y, y_pred=p, sensitive_features=sf).by_group
    summary = {n: getattr(flm, n)(y, p, sensitive_features=sf) for n in (
        "demographic_parity_difference", "demographic_parity_ratio",
        "equalized_odds_difference", "equalized_odds_ratio")}
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "cpu": time.process_time() - cpu, "groups": len(by_group),
                      "demographic_parity_ratio": summary["demographic_parity_ratio"]}))
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--skip-fairlearn", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fairness-cli-") as scratch:
        measure(args, Path(scratch))


def measure(args: argparse.Namespace, folder: Path) -> None:
    """Write the table into ``folder`` and time both sides on it."""
    table = folder / "predictions.parquet"
    synthetic(args.rows, args.seed).to_parquet(table)
    print(f"{args.rows:,} rows, sensitive race x sex (Parquet, "
          f"{table.stat().st_size / 1e6:.1f} MB)")

    from governance_app.services.fairness import analyse_file  # what the verb runs

    start, cpu = time.perf_counter(), time.process_time()
    analysis = analyse_file(table, label="label", prediction="prediction",
                            sensitive=["race", "sex"], bootstrap=0, convention="fairlearn")
    ours_in = (time.perf_counter() - start, time.process_time() - cpu)
    reports = analysis.analyses
    ours = run([*cli(), "fairness", str(table), "--label", "label", "--prediction",
                "prediction", "--sensitive", "race,sex", "--bootstrap", "0",
                "--convention", "fairlearn", "--json"])
    json.loads(ours[2])  # a complete answer
    print(f"ours, in process:    {ours_in[0]:7.2f} s wall {ours_in[1]:7.2f} s CPU (reading + "
          f"{len(reports)} analyses)")
    print(f"ours, whole process: {ours[0]:7.2f} s wall {ours[1]:7.2f} s CPU "
          "(governance-app fairness --json)")
    if args.skip_fairlearn:
        return
    venv = os.environ.get(VENV_ENV)
    python = Path(venv) / "bin" / "python" if venv else None
    if python is None or not python.exists():
        print(f"Fairlearn skipped: set {VENV_ENV} to an environment with fairlearn")
        return
    script = folder / "fairlearn_run.py"
    script.write_text(FAIRLEARN)
    theirs = run([str(python), str(script), str(table)])
    inner = json.loads(theirs[2].strip().splitlines()[-1])
    print(f"Fairlearn, in process:    {inner['seconds']:7.2f} s wall {inner['cpu']:7.2f} s CPU "
          "(imports + reading + MetricFrame + 4 disparities)")
    print(f"Fairlearn, whole process: {theirs[0]:7.2f} s wall {theirs[1]:7.2f} s CPU")
    print(f"speed-up, whole process: {theirs[0] / ours[0]:.1f}x wall, "
          f"{theirs[1] / ours[1]:.1f}x CPU (target >= 50x); in process: "
          f"{inner['seconds'] / ours_in[0]:.1f}x wall, {inner['cpu'] / ours_in[1]:.1f}x CPU")


if __name__ == "__main__":
    sys.exit(main())
