"""Write a large synthetic MLflow file store (``mlruns/``) for import benchmarks.

MLflow is not installed here and should not be needed to benchmark our reader, so this writes
the on-disk layout MLflow 3.x's FileStore uses (copied from tests/fixtures/mlflow/mlruns):

    OUT/<experiment_id>/meta.yaml, tags/<key>
    OUT/<experiment_id>/datasets/<md5(name + digest)>/meta.yaml
    OUT/<experiment_id>/<run_id>/meta.yaml, params/<key>, tags/<key>,
        metrics/<key> ("<timestamp_ms> <value> <step>" lines),
        inputs/<md5(dataset_id + run_id)>/meta.yaml
    OUT/models/<name>/meta.yaml, tags/<key>, aliases/<alias>,
        version-<n>/meta.yaml, version-<n>/tags/<key>

Values are seeded, so two runs with the same arguments write identical files. Plain ``open``
and ``write`` calls keep it at a few minutes for the full size (about 330,000 files).

Usage: ``python benchmarks/generate_mlruns.py OUT [--runs 10000 --params 20 --metrics 5
--steps 100 --models 200 --versions 50]`` (OUT is the ``mlruns`` folder itself).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BASE_MS = 1767225600000  # 2026-01-01T00:00:00Z
STATUS_FINISHED, STATUS_FAILED = 3, 4
USERS = ("alice", "bob", "carol", "dmitri", "eun-ji", "farah")


@dataclass(frozen=True, slots=True)
class Size:
    """How big a store to write; the defaults are the benchmark's full size."""

    experiments: int = 20
    runs: int = 10_000
    params: int = 20
    metrics: int = 5
    steps: int = 100
    models: int = 200
    versions: int = 50
    datasets_per_experiment: int = 10

    def scaled(self, factor: float) -> Size:
        """The same shape with runs, models and steps scaled (``--small`` uses 1/100)."""
        return Size(
            experiments=max(2, round(self.experiments * factor * 10)),
            runs=max(10, round(self.runs * factor)),
            params=self.params,
            metrics=self.metrics,
            steps=max(10, round(self.steps * factor * 10)),
            models=max(2, round(self.models * factor)),
            versions=max(2, round(self.versions * factor * 10)),
            datasets_per_experiment=self.datasets_per_experiment,
        )

    def rows(self) -> int:
        """Records an import stores: runs + params + metric points + model versions."""
        return self.runs * (1 + self.params + self.metrics * self.steps) + (
            self.models * self.versions
        )


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - MLflow's id scheme, not security


def _experiment(root: str, exp_id: str, name: str, created: int) -> None:
    os.makedirs(f"{root}/tags", exist_ok=True)
    _write(
        f"{root}/meta.yaml",
        f"artifact_location: file:///bench/artifacts/{exp_id}\n"
        f"creation_time: {created}\n"
        "effective_trace_archival_retention: null\n"
        f"experiment_id: '{exp_id}'\n"
        f"last_update_time: {created}\n"
        "lifecycle_stage: active\n"
        f"name: {name}\n"
        "trace_location: null\n"
        "workspace: default\n",
    )


def _dataset(exp_root: str, name: str, digest: str) -> str:
    dataset_id = _md5(name + digest)
    folder = f"{exp_root}/datasets/{dataset_id}"
    os.makedirs(folder, exist_ok=True)
    _write(
        f"{folder}/meta.yaml",
        f"digest: {digest}\n"
        f"name: {name}\n"
        """profile: '{"num_rows": 100000, "num_elements": 2000000}'\n"""
        """schema: '{"mlflow_colspec": [{"type": "double", "name": "x", "required": true}]}'\n"""
        f"""source: '{{"uri": "s3://bench-lake/{name}.parquet"}}'\n"""
        "source_type: s3\n",
    )
    return dataset_id


def _run(
    exp_root: str,
    exp_id: str,
    run_id: str,
    index: int,
    size: Size,
    rng: random.Random,
    nprng: np.random.Generator,
    dataset_id: str,
) -> None:
    root = f"{exp_root}/{run_id}"
    for sub in ("params", "metrics", "tags"):
        os.makedirs(f"{root}/{sub}")
    start = BASE_MS + index * 60_000 + rng.randrange(30_000)
    step_ms = rng.randint(200, 2000)
    end = start + (size.steps + 1) * step_ms
    failed = rng.random() < 0.03
    user = rng.choice(USERS)
    name = f"bench-run-{index:06d}"
    _write(
        f"{root}/meta.yaml",
        f"artifact_uri: file:///bench/artifacts/{exp_id}/{run_id}/artifacts\n"
        f"end_time: {end}\n"
        "entry_point_name: ''\n"
        f"experiment_id: '{exp_id}'\n"
        "lifecycle_stage: active\n"
        f"run_id: {run_id}\n"
        f"run_name: {name}\n"
        "source_name: ''\n"
        "source_type: 4\n"
        "source_version: ''\n"
        f"start_time: {start}\n"
        f"status: {STATUS_FAILED if failed else STATUS_FINISHED}\n"
        "tags: []\n"
        f"user_id: {user}\n",
    )
    for p in range(size.params):
        _write(f"{root}/params/param_{p:02d}", f"{rng.random():.6f}")
    _write(f"{root}/tags/mlflow.runName", name)
    _write(f"{root}/tags/mlflow.user", user)
    stamps = [start + (k + 1) * step_ms for k in range(size.steps)]
    shape = 1.0 - np.exp(-np.arange(size.steps) * rng.uniform(0.02, 0.2))
    for m in range(size.metrics):
        final = rng.uniform(0.6, 0.95)
        values = (0.5 + (final - 0.5) * shape + nprng.normal(0.0, 0.004, size.steps)).tolist()
        lines = [f"{t} {v} {k}\n" for k, (t, v) in enumerate(zip(stamps, values, strict=True))]
        _write(f"{root}/metrics/metric_{m:02d}", "".join(lines))
    input_id = _md5(dataset_id + run_id)
    os.makedirs(f"{root}/inputs/{input_id}")
    _write(
        f"{root}/inputs/{input_id}/meta.yaml",
        f"destination_id: {run_id}\n"
        "destination_type: RUN\n"
        f"source_id: {dataset_id}\n"
        "source_type: DATASET\n"
        "tags:\n"
        "  mlflow.data.context: training\n",
    )


def _model(root: str, name: str, runs: list[str], size: Size, rng: random.Random) -> None:
    folder = f"{root}/models/{name}"
    os.makedirs(f"{folder}/tags")
    os.makedirs(f"{folder}/aliases")
    created = BASE_MS + rng.randrange(10**9)
    n = size.versions
    champion, challenger = max(1, n - 1), n
    _write(
        f"{folder}/meta.yaml",
        "aliases:\n"
        f"  challenger: '{challenger}'\n"
        f"  champion: '{champion}'\n"
        f"creation_timestamp: {created}\n"
        "deployment_job_id: null\n"
        "deployment_job_state: null\n"
        f"description: synthetic benchmark model {name}\n"
        f"last_updated_timestamp: {created + n * 3_600_000}\n"
        f"name: {name}\n"
        "workspace: default\n",
    )
    _write(f"{folder}/tags/owner", rng.choice(USERS))
    _write(f"{folder}/tags/tier", str(rng.randint(1, 3)))
    _write(f"{folder}/aliases/champion", str(champion))
    _write(f"{folder}/aliases/challenger", str(challenger))
    for v in range(1, n + 1):
        run_id = rng.choice(runs)
        stage = "Production" if v == champion else "Staging" if v == challenger else "Archived"
        vdir = f"{folder}/version-{v}"
        os.makedirs(f"{vdir}/tags")
        stamp = created + v * 3_600_000
        _write(
            f"{vdir}/meta.yaml",
            f"creation_timestamp: {stamp}\n"
            f"current_stage: {stage}\n"
            "deployment_job_state: null\n"
            f"description: version {v}\n"
            f"last_updated_timestamp: {stamp + 60_000}\n"
            "model_id: null\n"
            f"name: {name}\n"
            f"run_id: {run_id}\n"
            "run_link: null\n"
            f"source: runs:/{run_id}/model\n"
            "status: READY\n"
            "status_message: null\n"
            f"storage_location: runs:/{run_id}/model\n"
            f"user_id: {rng.choice(USERS)}\n"
            f"version: {v}\n"
            "workspace: default\n",
        )
        _write(f"{vdir}/tags/validated", "true" if v >= champion else "false")


def generate(out: Path, size: Size, seed: int = 42, progress: bool = False) -> dict[str, int]:
    """Write the store into ``out`` (which must not exist or be empty); returns what it wrote."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; choose a new folder")
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    root = str(out)
    _experiment(f"{root}/0", "0", "Default", BASE_MS)
    exp_ids = [str(rng.randrange(10**17, 10**18)) for _ in range(size.experiments)]
    datasets: dict[str, list[str]] = {}
    for i, exp_id in enumerate(exp_ids):
        exp_root = f"{root}/{exp_id}"
        _experiment(exp_root, exp_id, f"bench-experiment-{i:03d}", BASE_MS + i)
        _write(f"{exp_root}/tags/team", f"team-{i % 7}")
        datasets[exp_id] = [
            _dataset(exp_root, f"bench-{i:03d}-train-v{d}", f"{rng.getrandbits(32):08x}")
            for d in range(size.datasets_per_experiment)
        ]
    run_ids: list[str] = []
    for index in range(size.runs):
        exp_id = exp_ids[index % len(exp_ids)]
        run_id = f"{rng.getrandbits(128):032x}"
        dataset_id = rng.choice(datasets[exp_id])
        _run(f"{root}/{exp_id}", exp_id, run_id, index, size, rng, nprng, dataset_id)
        run_ids.append(run_id)
        if progress and index % 1000 == 999:
            print(f"  {index + 1} runs written", file=sys.stderr)
    for k in range(size.models):
        _model(root, f"bench_model_{k:04d}", run_ids, size, rng)
    return {
        "experiments": size.experiments + 1,
        "runs": size.runs,
        "params": size.runs * size.params,
        "metric_points": size.runs * size.metrics * size.steps,
        "models": size.models,
        "versions": size.models * size.versions,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the mlruns folder to create")
    default = Size()
    for field in ("experiments", "runs", "params", "metrics", "steps", "models", "versions"):
        parser.add_argument(f"--{field}", type=int, default=getattr(default, field))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    size = Size(
        experiments=args.experiments,
        runs=args.runs,
        params=args.params,
        metrics=args.metrics,
        steps=args.steps,
        models=args.models,
        versions=args.versions,
    )
    started = time.perf_counter()
    counts = generate(args.out, size, args.seed, progress=True)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {args.out} in {elapsed:.1f} s: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
