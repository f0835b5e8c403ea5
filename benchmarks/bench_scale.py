"""Benchmark: evidence at scale, in-memory against DuckDB (and Spark), timed in the same run.

Writes seeded Parquet tables into a temporary folder (deleted afterwards) and times each engine
in its own child process, so that each figure comes with that process's own peak RSS:

* fairness: 100,000,000 rows x 12 intersectional groups (sex 2 x age group 3 x region 2), a
  score (4 decimals: 10,001 distinct, so the stored histogram is rounded to 3 decimals while the
  ROC AUC stays exact, from rank sums), prediction = score >= 0.5, 200 bootstrap
  replicates per attribute set and per-group ROC AUC;
* drift: 20,000,000 + 20,000,000 rows x 10 numeric (3 decimals, ~10^4-10^5 distinct values each)
  + 5 categorical columns, exact KS and Wasserstein (every numeric statistic is computed);
* history: a 365-window daily history of a 100,000,000-row monitoring table (3 numeric + 2
  categorical columns) against a reference of 1% of its size, one pass per column;
* Spark ``local[2]`` on 10,000,000 rows (fairness, and drift on 5M + 5M): the same numbers as
  DuckDB, timings including the JVM's start;
* attach: importing the 1,000,000-row table of ``bench_fairness_import.py`` as evidence of a
  model version through DuckDB (slices included): the import's wall and CPU time and the
  worker's peak RSS, the in-memory engine beside it.

Targets (issue #18, an idle 2-core machine): fairness DuckDB <= 30 s and <= 2 GB; drift DuckDB
<= 60 s and <= 2 GB; history <= 90 s; attach <= 2 s. ``--scale 0.1`` runs a tenth of every
size; the counting passes are linear in the rows, so times scale about linearly (the bootstrap
and the statistics work on counts and do not grow with the rows). The in-memory engine's
failure (memory, time) is reported as such, not hidden. Prints figures; asserts nothing about time.

Usage: ``python benchmarks/bench_scale.py [--scale F] [--only fairness,drift,history,spark,attach]
[--timeout S]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
CHUNK = 5_000_000


def _write_chunks(path: Path, rows: int, make, seed: int) -> None:  # noqa: ANN001
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    writer = None
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        table = pa.Table.from_pandas(make(rng, n, done), preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
        done += n
    assert writer is not None
    writer.close()


def fairness_rows(rng: np.random.Generator, n: int, _start: int):  # noqa: ANN201
    import pandas as pd

    sex = rng.integers(0, 2, n)
    label = rng.integers(0, 2, n).astype(np.int8)
    score = np.round(np.clip(0.3 * label + 0.7 * rng.random(n) - 0.05 * sex, 0, 1), 4)
    return pd.DataFrame({
        "sex": pd.Categorical.from_codes(sex, ["female", "male"]).astype(str),
        "age_group": np.array(["18-30", "31-60", "60+"])[rng.integers(0, 3, n)],
        "region": np.array(["north", "south"])[rng.integers(0, 2, n)],
        "label": label, "score": score})


def drift_rows(shift: float):  # noqa: ANN201
    def make(rng: np.random.Generator, n: int, _start: int):  # noqa: ANN202
        import pandas as pd

        data = {f"num_{i}": np.round(rng.normal(shift * (i % 3), 1 + i, n), 3)
                for i in range(10)}
        for i in range(5):
            levels = np.array([f"c{k}" for k in range(4 + i)])
            data[f"cat_{i}"] = levels[rng.integers(0, len(levels) - (shift > 0), n)]
        return pd.DataFrame(data)

    return make


# -- workers (run in child processes) -----------------------------------------------------------


def work_fairness(engine: str, table: str) -> dict:
    from governance_app.services.fairness import analyse_file

    analysis = analyse_file(table, label="label", score="score", threshold=0.5,
                            sensitive=["sex", "age_group", "region"], bootstrap=200,
                            engine=engine, spark_master="local[2]")
    report = analysis.analysis(["sex", "age_group", "region"]).report
    return {"rows": analysis.row_count,
            "auc": [g.metrics["roc_auc_score"].value for g in report.groups],
            "selection": [g.metrics["selection_rate"].value for g in report.groups]}


def work_drift(engine: str, ref: str, cur: str) -> dict:
    from governance_app.services.drift import compute_drift

    ks = {f"num_{i}": {"method": "ks"} for i in range(10)}  # p-values; W is computed beside
    result = compute_drift(Path(ref), Path(cur), engine=engine, spark_master="local[2]",
                           overrides=ks)
    return {"scores": {c.column: c.statistic for c in result.drift.columns},
            "wasserstein": {c.column: c.details.get("wasserstein_raw")
                            for c in result.drift.columns}}


def work_history(engine: str, table: str, ref: str) -> dict:
    from governance_app.services.drift import compute_history

    results = compute_history(Path(table), "ts", "1D", Path(ref), engine=engine)
    return {"windows": len(results),
            "scores": [[c.score for c in r.drift.columns] for r in results[:3]]}


def history_rows(rows: int):  # noqa: ANN201
    """A year of monitoring: timestamps spread evenly over 365 days, 3 numeric + 2 categorical."""
    def make(rng: np.random.Generator, n: int, start: int):  # noqa: ANN202
        import pandas as pd

        seconds = (np.arange(start, start + n, dtype=np.int64) * (365 * 86400)) // rows
        data = {"ts": pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(seconds, unit="s")}
        drift = seconds / (365 * 86400)
        for i in range(3):
            data[f"num_{i}"] = np.round(rng.normal(drift * (i + 1), 1 + i, n), 2)
        for i in range(2):
            data[f"cat_{i}"] = np.array(["a", "b", "c", "d"])[rng.integers(0, 4, n)]
        return pd.DataFrame(data)

    return make


def work_attach(engine: str, table: str, db: str) -> dict:
    from importlib import resources

    from governance_app.services.fairness import DEMO_SETTINGS
    from governance_app.services.importing import import_path
    from governance_app.services.workspace import Workspace

    registry = Path(str(resources.files("governance_app.resources") / "demo" / "registry.json"))
    with Workspace.open(f"sqlite:///{db}") as ws:
        import_path(ws, registry)
        start, cpu = time.perf_counter(), time.process_time()
        import_path(ws, Path(table), model="credit_default:1",
                    settings={**DEMO_SETTINGS, "engine": engine})
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        from governance_app.services.fairness import latest_fairness

        stored = latest_fairness(ws, "credit_default", 1).analysis
        auc = [g.metrics["roc_auc_score"].value
               for names in stored.analyses for g in stored.analysis(names).report.groups]
        return {"import_seconds": seconds, "import_cpu": cpu, "auc": auc}


def _worker(args: list[str]) -> None:
    kind, engine, *paths = args
    start = time.perf_counter()
    try:
        out = {"fairness": work_fairness, "drift": work_drift, "attach": work_attach,
               "history": work_history}[kind](
            engine, *paths)
        out["ok"] = True
    except MemoryError:
        out = {"ok": False, "error": "MemoryError"}
    except Exception as exc:  # the benchmark reports every failure plainly
        out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    out["seconds"] = time.perf_counter() - start
    out["cpu"] = time.process_time() + _children_cpu()
    out["peak_rss_gb"] = _own_peak_gb()
    import resource

    # Spark's JVM is a child of the worker: its peak, when it has exited, in GB (KiB / 2**20).
    out["children_rss_gb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(json.dumps(out))


def _children_cpu() -> float:
    """CPU seconds of this process's children: those already reaped, and those still running
    (Spark's JVM), read from ``/proc``."""
    import os
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = used.ru_utime + used.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _own_peak_gb() -> float:
    """This process's peak RSS (VmHWM): unlike ``ru_maxrss`` it starts afresh at ``exec``, so
    the data generator's memory in the parent does not count."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def run(kind: str, engine: str, *paths: str, timeout: float) -> dict:
    """One worker in a child process: its result, wall time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE), "--worker", kind, engine, *paths],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"ok": False, "error": f"timed out after {timeout:.0f} s", "wall": timeout,
                "rss_gb": float("nan")}
    wall = time.perf_counter() - start
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"ok": False,
                                                 "error": f"exit code {proc.returncode}"}
    result["wall"] = wall
    result["rss_gb"] = result.get("peak_rss_gb", float("nan"))
    return result


def show(title: str, result: dict) -> None:
    jvm = result.get("children_rss_gb", 0.0)
    extra = f" (+ JVM {jvm:.2f} GB)" if jvm > 0.01 else ""
    if result.get("ok"):
        print(f"  {title:<28} {result['seconds']:8.2f} s in the engine, {result['wall']:8.2f} s "
              f"wall, {result.get('cpu', float('nan')):8.2f} s CPU, peak RSS "
              f"{result['rss_gb']:.2f} GB{extra}")
    else:
        print(f"  {title:<28} FAILED: {result.get('error')} (after {result['wall']:.1f} s, "
              f"peak RSS {result['rss_gb']:.2f} GB)")


def _max_rel(a: list, b: list) -> float:
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return max((abs(x - y) / max(abs(x), abs(y), 1e-300) for x, y in pairs), default=0.0)


def _memory(args: argparse.Namespace, kind: str, *paths: str) -> dict:
    """The in-memory engine on the same data, unless skipped (then said so)."""
    if args.skip_memory:
        print("  in memory (pandas)           skipped (--skip-memory)")
        return {"ok": False}
    result = run(kind, "memory", *paths, timeout=args.timeout)
    show("in memory (pandas)", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default="fairness,drift,history,spark,attach")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--skip-memory", action="store_true",
                        help="time DuckDB alone (the in-memory path needs ~120 bytes a row)")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        if "fairness" in wanted:
            rows = int(100_000_000 * args.scale)
            table = folder / "predictions.parquet"
            t = time.perf_counter()
            _write_chunks(table, rows, fairness_rows, 1)
            print(f"fairness: {rows:,} rows, 12 groups, {table.stat().st_size / 1e9:.2f} GB "
                  f"Parquet (written in {time.perf_counter() - t:.0f} s)")
            duck = run("fairness", "duckdb", str(table), timeout=args.timeout)
            show("DuckDB", duck)
            memory = _memory(args, "fairness", str(table))
            if duck.get("ok") and memory.get("ok"):
                print(f"  max relative difference, ROC AUC per group: "
                      f"{_max_rel(duck['auc'], memory['auc']):.2e}")
        if "drift" in wanted:
            rows = int(20_000_000 * args.scale)
            ref, cur = folder / "reference.parquet", folder / "current.parquet"
            t = time.perf_counter()
            _write_chunks(ref, rows, drift_rows(0.0), 2)
            _write_chunks(cur, rows, drift_rows(0.05), 3)
            print(f"drift: {rows:,} + {rows:,} rows x 10 numeric + 5 categorical "
                  f"(written in {time.perf_counter() - t:.0f} s)")
            duck = run("drift", "duckdb", str(ref), str(cur), timeout=args.timeout)
            show("DuckDB", duck)
            memory = _memory(args, "drift", str(ref), str(cur))
            if duck.get("ok") and memory.get("ok"):
                cols = list(duck["scores"])
                print("  max relative difference, KS statistic: "
                      f"{_max_rel([duck['scores'][c] for c in cols], [memory['scores'][c] for c in cols]):.2e}")  # noqa: E501
        if "history" in wanted:
            rows = int(100_000_000 * args.scale)
            table, ref = folder / "monitoring.parquet", folder / "history-ref.parquet"
            t = time.perf_counter()
            _write_chunks(table, rows, history_rows(rows), 7)
            _write_chunks(ref, max(rows // 100, 1000), history_rows(rows), 8)
            print(f"history: {rows:,} rows over 365 daily windows x 3 numeric + 2 categorical "
                  f"(written in {time.perf_counter() - t:.0f} s)")
            duck = run("history", "duckdb", str(table), str(ref), timeout=args.timeout)
            show("DuckDB, 365 windows", duck)
            memory = _memory(args, "history", str(table), str(ref))
            if duck.get("ok") and memory.get("ok"):
                a = [x for row in duck["scores"] for x in row]
                b = [x for row in memory["scores"] for x in row]
                print(f"  max relative difference, first windows' scores: {_max_rel(a, b):.2e}")
        if "spark" in wanted:
            rows = int(10_000_000 * args.scale)
            table = folder / "spark-predictions.parquet"
            _write_chunks(table, rows, fairness_rows, 4)
            ref, cur = folder / "spark-ref.parquet", folder / "spark-cur.parquet"
            _write_chunks(ref, rows // 2, drift_rows(0.0), 5)
            _write_chunks(cur, rows // 2, drift_rows(0.05), 6)
            print(f"spark local[2]: fairness on {rows:,} rows, drift on {rows // 2:,} + "
                  f"{rows // 2:,} rows (timings include the JVM's start)")
            for kind, paths in (("fairness", (str(table),)), ("drift", (str(ref), str(cur)))):
                duck = run(kind, "duckdb", *paths, timeout=args.timeout)
                show(f"{kind}, DuckDB", duck)
                spark = run(kind, "spark", *paths, timeout=args.timeout)
                show(f"{kind}, Spark", spark)
                if duck.get("ok") and spark.get("ok"):
                    key = "auc" if kind == "fairness" else "scores"
                    a, b = duck[key], spark[key]
                    if isinstance(a, dict):
                        a, b = list(a.values()), [b[c] for c in a]
                    print(f"  max relative difference DuckDB vs Spark ({kind}): "
                          f"{_max_rel(a, b):.2e}")
        if "attach" in wanted:
            sys.path.insert(0, str(HERE.parent))
            from bench_fairness_import import synthetic

            table = folder / "attach.parquet"
            synthetic(1_000_000).to_parquet(table, engine="pyarrow", index=False)
            print("attach: the 1,000,000-row table of bench_fairness_import.py, demo settings")
            found = {}
            for engine in ("duckdb", "memory"):
                result = found[engine] = run("attach", engine, str(table),
                                             str(folder / f"ws-{engine}.db"), timeout=args.timeout)
                if result.get("ok"):
                    print(f"  import through {engine:<7} {result['import_seconds']:8.2f} s wall, "
                          f"{result['import_cpu']:.2f} s CPU (this process; DuckDB's threads "
                          f"included), peak RSS {result['rss_gb']:.2f} GB")
                else:
                    show(f"import through {engine}", result)
            if all(r.get("ok") for r in found.values()):
                print("  max relative difference, ROC AUC of every group of every attribute set: "
                      f"{_max_rel(found['duckdb']['auc'], found['memory']['auc']):.2e}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2:])
    else:
        main()
