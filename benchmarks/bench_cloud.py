"""Benchmark: a W&B run with 1,000,000 history rows, and 10,000 SageMaker model packages.

Targets: the W&B run imports in ≤ 10 s, the SageMaker packages in ≤ 5 s (read, validate and
store in a fresh SQLite workspace). Both sources are written here first, outside the timing:

* the W&B log with the record framing and protobuf wire format ``wandb`` itself writes
  (:mod:`governance_app.importers.wandb_records` documents both), one history record a row with
  ``_step``, ``_timestamp``, ``_runtime`` and three metrics, as ``wandb.log`` makes them;
* the SageMaker folder as ``aws sagemaker describe-model-package`` answers, one file a package,
  with a ``list-model-packages`` answer and the group's ``describe-model-package-group``.

Usage:
    python benchmarks/bench_cloud.py [--rows N] [--packages N] [--dir DIR] [--only KIND]

Smaller sizes print the figure and the per-unit rate, so the full size can be estimated. The
CPU time is printed beside the wall time: on a loaded machine the two differ by the wait. The
registry digests each import records (before and after it writes) are timed apart: their share
of the import is printed too.
Exits 1 when a full-size run misses a target.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from governance_app.services import audit  # noqa: E402
from governance_app.services.importing import import_path  # noqa: E402
from governance_app.services.workspace import Workspace  # noqa: E402

WANDB_ROWS, WANDB_TARGET_S = 1_000_000, 10.0
SAGEMAKER_PACKAGES, SAGEMAKER_TARGET_S = 10_000, 5.0
BLOCK = 32768


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _item(key: str, value: object) -> bytes:
    return _field(1, key.encode()) + _field(16, json.dumps(value).encode())


class LogWriter:
    """Writes records in W&B's LevelDB-style framing (FULL/FIRST/MIDDLE/LAST chunks)."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.fh.write(b":W&B" + struct.pack("<HB", 0xBEE1, 0))
        self.pos = 7

    def record(self, payload: bytes) -> None:
        first = True
        while True:
            left = BLOCK - self.pos % BLOCK
            if left < 7:
                self.fh.write(b"\0" * left)
                self.pos += left
                continue
            room = left - 7
            piece, payload = payload[:room], payload[room:]
            kind = (1 if not payload else 2) if first else (4 if not payload else 3)
            crc = zlib.crc32(piece, zlib.crc32(bytes([kind])))
            self.fh.write(struct.pack("<IHB", crc, len(piece), kind) + piece)
            self.pos += 7 + len(piece)
            first = False
            if not payload:
                return

    def close(self) -> None:
        self.fh.close()


def write_wandb_run(folder: Path, rows: int) -> Path:
    run_dir = folder / "wandb" / "offline-run-20261201_120000-bench001"
    run_dir.mkdir(parents=True)
    log = LogWriter(run_dir / "run-bench001.wandb")
    run = (_field(1, b"bench001") + _field(3, b"bench-project") + _field(8, b"long-training")
           + _field(17, _field(1, 1_796_000_000)))
    log.record(_field(17, run))
    log.record(_field(5, _field(1, _item("learning_rate", 0.001)) + _field(1, _item("epochs", 5))))
    start = 1_796_000_000.0
    for step in range(rows):
        items = (_item("_step", step), _item("_timestamp", start + step),
                 _item("_runtime", step * 0.01), _item("loss", 1.0 / (step + 1)),
                 _item("accuracy", 0.5 + step / (2 * rows)),
                 _item("lr", 0.001 * 0.9999 ** (step % 1000)))
        history = b"".join(_field(1, item) for item in items) + _field(2, _field(1, step))
        log.record(_field(2, history))
    log.record(_field(3, _field(1, _item("loss", 1.0 / rows))))
    log.record(_field(18, _field(1, 0) + _field(2, rows // 100)))
    log.close()
    return folder / "wandb"


def write_sagemaker(folder: Path, packages: int) -> Path:
    root = folder / "sagemaker"
    root.mkdir(parents=True)
    group = "bench-group"
    arn = "arn:aws:sagemaker:us-east-1:123456789012"
    (root / f"describe-model-package-group.{group}.json").write_text(json.dumps({
        "ModelPackageGroupName": group, "ModelPackageGroupArn": f"{arn}:model-package-group/"
        f"{group}", "ModelPackageGroupDescription": "benchmark", "CreationTime": 1700000000.0,
        "ModelPackageGroupStatus": "Completed"}, indent=4))
    summaries = []
    for n in range(1, packages + 1):
        package = {
            "ModelPackageGroupName": group, "ModelPackageVersion": n,
            "ModelPackageArn": f"{arn}:model-package/{group}/{n}",
            "ModelPackageDescription": f"package {n}", "CreationTime": 1700000000.0 + n,
            "ModelPackageStatus": "Completed",
            "ModelApprovalStatus": ("Approved", "Rejected", "PendingManualApproval")[n % 3],
        }
        summaries.append(dict(package))
        package.update({
            "InferenceSpecification": {"Containers": [{
                "Image": "sagemaker-xgboost:1.7-1",
                "ModelDataUrl": f"s3://bench/{group}/v{n}/model.tar.gz"}],
                "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
            "ModelMetrics": {"ModelQuality": {"Statistics": {
                "ContentType": "application/json", "S3Uri": f"s3://bench/{group}/v{n}/eval.json"}}},
            "MetadataProperties": {"GeneratedBy": f"{arn}:training-job/bench-{n}"},
            "CustomerMetadataProperties": {"owner": "bench", "auc": f"{0.7 + n / 1e6:.6f}"},
            "LastModifiedTime": 1700000000.0 + n + 60,
        })
        (root / f"describe-model-package.{group}.{n}.json").write_text(json.dumps(package,
                                                                                  indent=4))
    (root / f"list-model-packages.{group}.json").write_text(
        json.dumps({"ModelPackageSummaryList": summaries}, indent=4))
    return root


class DigestClock:
    """Times the registry digests an import takes (before and after it writes), by wrapping
    the two functions the import service calls."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.calls = 0

    def install(self) -> None:
        for name in ("registry_sha256", "registry_digest_like"):
            setattr(audit, name, self._timed(getattr(audit, name)))

    def _timed(self, function: Callable[..., str]) -> Callable[..., str]:
        def timed(*args: object) -> str:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args)
            finally:
                self.wall += time.perf_counter() - started
                self.cpu += time.process_time() - cpu
                self.calls += 1
        return timed

    def reset(self) -> None:
        self.wall = self.cpu = 0.0
        self.calls = 0


CLOCK = DigestClock()


def timed_import(url: str, path: Path) -> tuple[float, float, dict[str, int]]:
    """Wall seconds, CPU seconds of this process, and what the import read."""
    with Workspace.open(url) as ws:
        CLOCK.reset()
        started, cpu = time.perf_counter(), time.process_time()
        record = import_path(ws, path)
        return time.perf_counter() - started, time.process_time() - cpu, record.counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=WANDB_ROWS)
    parser.add_argument("--packages", type=int, default=SAGEMAKER_PACKAGES)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--only", choices=("wandb", "sagemaker"),
                        help="run one of the two imports")
    args = parser.parse_args()
    CLOCK.install()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        wandb = write_wandb_run(folder, args.rows) if args.only != "sagemaker" else None
        sagemaker = write_sagemaker(folder, args.packages) if args.only != "wandb" else None
        print(f"sources written in {time.perf_counter() - started:.1f} s")
        # Warm up: the first import loads the writers' modules (pandas among them), which is
        # start-up time (bench_startup.py), not the time a source takes.
        warm = folder / "warm"
        write_sagemaker(warm.parent / "warm-src", 1).rename(warm)
        timed_import(f"sqlite:///{folder / 'warm.db'}", warm)
        ok = True
        for label, path, size, full, target in (
                ("W&B run", wandb, args.rows, WANDB_ROWS, WANDB_TARGET_S),
                ("SageMaker", sagemaker, args.packages, SAGEMAKER_PACKAGES, SAGEMAKER_TARGET_S)):
            if path is None:
                continue
            url = f"sqlite:///{folder / (label.split()[0] + '.db')}"
            seconds, cpu, counts = timed_import(url, path)
            rate = seconds / size * 1e6
            estimate = seconds * full / size
            met = estimate <= target
            ok &= met or size != full
            print(f"{label}: {size:,} {'history rows' if 'W&B' in label else 'packages'} "
                  f"imported in {seconds:.2f} s ({rate:.2f} µs each; full size {full:,} "
                  f"≈ {estimate:.1f} s, target ≤ {target:.0f} s: {'met' if met else 'MISSED'}); "
                  f"CPU {cpu:.2f} s (on a shared machine the wall time is the CPU time plus "
                  f"the wait for a core); registry digest (before + after, {CLOCK.calls} "
                  f"scans) {CLOCK.wall:.2f} s wall, {CLOCK.cpu:.2f} s CPU = "
                  f"{100 * CLOCK.wall / seconds:.0f} % of the wall time; read {counts}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
