"""Benchmark: detecting the kind of large JSON files, whose deciding keys may come last.

Detection streams the outermost keys (``importers/json_outline.py``), so it must neither read a
whole 200 MB export of another kind nor miss an OpenLineage event whose ``producer`` follows
megabytes of facets (the Java client's order). Prints the time of ``registry.detect`` for:

- an OpenLineage event with ``--facet-mb`` MB of run facets and ``producer`` last;
- an MLflow REST ``runs/search`` answer of ``--rest-mb`` MB (its first key decides).

Usage: ``python benchmarks/bench_detect_large_json.py [--facet-mb N] [--rest-mb N]``.
The time of the first grows with the facets' size (every byte before ``producer`` is
tokenized once); the second does not grow with the file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from governance_app.importers import registry


def _event(path: Path, megabytes: int) -> None:
    plan = {"node": "x" * 1000, "children": [{"op": "Project", "cols": list(range(50))}] * 20}
    count = megabytes * 1024 * 1024 // len(json.dumps(plan))
    event = {"eventType": "COMPLETE", "eventTime": "2026-01-01T00:00:00Z",
             "run": {"runId": "0190d9f4-0000-7000-8000-000000000001",
                     "facets": {"spark.logicalPlan": {"plan": [plan] * count}}},
             "job": {"namespace": "spark", "name": "etl"}, "inputs": [], "outputs": [],
             "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.20.0/integration/spark",
             "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}
    path.write_text(json.dumps(event), encoding="utf-8")


def _rest(path: Path, megabytes: int) -> None:
    run = {"info": {"run_id": "0" * 32, "experiment_id": "1", "status": "FINISHED"},
           "data": {"params": [{"key": f"p{i}", "value": "x" * 20} for i in range(30)]}}
    count = megabytes * 1024 * 1024 // len(json.dumps(run))
    path.write_text(json.dumps({"runs": [run] * count}), encoding="utf-8")


def _time(path: Path) -> tuple[str, float]:
    start = time.perf_counter()
    kind = registry.detect(path)
    return kind, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facet-mb", type=int, default=50)
    parser.add_argument("--rest-mb", type=int, default=200)
    args = parser.parse_args()
    registry.importers()  # load the importers before timing
    with tempfile.TemporaryDirectory() as folder:
        event, rest = Path(folder) / "event.json", Path(folder) / "runs-search.json"
        _event(event, args.facet_mb)
        _rest(rest, args.rest_mb)
        for path in (event, rest):
            kind, seconds = _time(path)
            size = path.stat().st_size / 1024 / 1024
            print(f"{path.name}: {size:.0f} MB detected as {kind} in {seconds:.2f} s")


if __name__ == "__main__":
    main()
