"""Benchmark: import a large MLflow file store into a fresh SQLite workspace.

Targets (full size: 10,000 runs × 20 params × 5 metrics × 100 steps, 200 models × 50 versions):
import under 60 s, peak RSS under 1 GiB, and listing models (what the Models view does when it
opens) under 1 s. The store is generated in a child process so that the peak RSS measured here
is the import's alone.

Usage:
    python benchmarks/bench_import.py [--dir DIR] [--reuse] [--small] [--kind KIND]

``--small`` runs a 1/100-scale version in seconds; ``--reuse`` keeps an existing DIR/mlruns.
Exits 1 when a full-size run misses a target.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # the generator, and a checkout not installed

from generate_mlruns import Size  # noqa: E402

from governance_app.services.importing import import_path  # noqa: E402
from governance_app.services.models import list_models  # noqa: E402
from governance_app.services.workspace import Workspace  # noqa: E402

IMPORT_TARGET_S = 60.0
RSS_TARGET_BYTES = 1 << 30
LIST_TARGET_S = 1.0


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def generate(store: Path, size: Size) -> float:
    """Write the store with generate_mlruns.py in a child process; returns seconds taken."""
    args = [sys.executable, str(HERE / "generate_mlruns.py"), str(store)]
    for field in ("experiments", "runs", "params", "metrics", "steps", "models", "versions"):
        args += [f"--{field}", str(getattr(size, field))]
    started = time.perf_counter()
    subprocess.run(args, check=True)
    return time.perf_counter() - started


def _progress() -> object:
    """Print every tenth percent with the time since the start, to see where the time goes."""
    last = [-10]
    started = time.perf_counter()

    def report(done: int, total: int, message: str) -> None:
        percent = int(100 * done / total) if total else 0
        if percent >= last[0] + 10:
            last[0] = percent
            elapsed = time.perf_counter() - started
            print(f"  {elapsed:6.1f} s {percent:3d}% {message}", file=sys.stderr, flush=True)

    return report


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="folder for mlruns/ and the workspace")
    parser.add_argument("--reuse", action="store_true", help="reuse DIR/mlruns if it exists")
    parser.add_argument("--small", action="store_true", help="1/100 scale, for a quick check")
    parser.add_argument("--kind", default=None, help="importer kind (default: detect)")
    args = parser.parse_args(argv)

    size = Size().scaled(0.01) if args.small else Size()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="governance-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "mlruns"
    print(f"store {store}: {size}")
    if args.reuse and store.exists():
        gen_s = None
        print("generation: reused")
    else:
        gen_s = generate(store, size)
        print(f"generation: {gen_s:.1f} s")

    db = folder / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    rss_before = peak_rss_bytes()
    with Workspace.open(f"sqlite:///{db}") as ws:
        started = time.perf_counter()
        record = import_path(ws, store, kind=args.kind, progress=_progress())  # type: ignore[arg-type]
        import_s = time.perf_counter() - started
        counts = record.counts
        started = time.perf_counter()
        models = list_models(ws)
        list_s = time.perf_counter() - started
    peak = peak_rss_bytes()

    rows = sum(counts.get(k, 0) for k in ("runs", "params", "metric_points", "versions"))
    print(f"imported: {', '.join(f'{k} {v}' for k, v in counts.items())}")
    print(
        f"import:      {import_s:8.1f} s   target < {IMPORT_TARGET_S:.0f} s   "
        f"{verdict(import_s < IMPORT_TARGET_S)}"
    )
    print(f"throughput:  {rows / import_s:8.0f} rows/s (runs+params+metric points+versions)")
    print(
        f"peak RSS:    {peak / 2**20:8.0f} MiB target < {RSS_TARGET_BYTES / 2**20:.0f} MiB "
        f"{verdict(peak < RSS_TARGET_BYTES)}   (before import {rss_before / 2**20:.0f} MiB)"
    )
    print(
        f"list models: {list_s:8.3f} s   target < {LIST_TARGET_S:.0f} s    "
        f"{verdict(list_s < LIST_TARGET_S)}   ({len(models)} models)"
    )
    print(f"database:    {db.stat().st_size / 2**20:8.0f} MiB at {db}")
    missed = not (import_s < IMPORT_TARGET_S and peak < RSS_TARGET_BYTES and list_s < LIST_TARGET_S)
    return 1 if missed and not args.small else 0


if __name__ == "__main__":
    sys.exit(main())
