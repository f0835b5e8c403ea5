"""MLflow file store (``mlruns/``) importer: experiments, runs and their metric histories.

The file store is one small file per param, tag and metric, so a large registry is hundreds of
thousands of files. Two choices keep it fast without giving up safety:

* the tree is read through :class:`~governance_app.importers.confined_tree.ConfinedTree`:
  ``os.scandir`` entries and plain descriptors, only links resolved against the root, reads
  capped in size, UTF-8 errors naming the line;
* metric files are parsed by one ``str.split`` per file straight into ``array`` columns, with a
  line-by-line pass only to name the bad line when the fast path fails.

The registered models under ``mlruns/models/`` are read by :mod:`mlflow_filestore_registry`,
``meta.yaml`` fields by :mod:`mlflow_filestore_meta`. Nothing in the store is executed or
fetched: artifact locations are recorded, never opened.
"""

from __future__ import annotations

import os
from array import array
from pathlib import Path
from typing import Any

from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    MetricSeries,
    RegistrySnapshot,
    Run,
    utc_from_millis,
)
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers.confined_tree import ConfinedTree
from governance_app.importers.mlflow_filestore_meta import (
    META,
    millis_field,
    read_meta,
    run_status,
    tag_map,
    text_field,
)
from governance_app.importers.mlflow_filestore_registry import read_model
from governance_app.importers.registry import ImportContext, importer

KIND = "mlflow-filestore"

EXPERIMENT_FOLDERS = frozenset({"tags", "datasets", "traces", "models"})
"""Folders MLflow itself keeps beside run folders (``models`` holds MLflow 3 logged models)."""

MAX_KEY_DEPTH = 16
"""Param/tag/metric keys may contain ``/`` and become nested folders; no real key is deeper."""

_DATASET_FIELDS = ("name", "digest", "source_type", "source", "schema", "profile")


def _root_of(path: Path) -> Path:
    """The ``mlruns`` folder itself, also when the user pointed at the folder holding it."""
    inner = path / "mlruns"
    if inner.is_dir() and not inner.is_symlink() and not _looks_like_mlruns(path):
        return inner
    return path


def _looks_like_mlruns(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name == "models":
                with os.scandir(entry.path) as models:
                    if any(os.path.isfile(os.path.join(m.path, META)) for m in models):
                        return True
                continue
            meta = os.path.join(entry.path, META)
            if os.path.isfile(meta) and os.path.getsize(meta) < 65536:
                with open(meta, "rb") as fh:
                    if b"experiment_id" in fh.read():
                        return True
    return False


def detect(path: Path) -> bool:
    """A folder with ``<id>/meta.yaml`` naming an ``experiment_id`` or a ``models/`` registry."""
    try:
        return path.is_dir() and _looks_like_mlruns(_root_of(path))
    except OSError:
        return False


class _FileStoreReader:
    """One pass over the experiments and runs of one ``mlruns`` folder."""

    def __init__(self, tree: ConfinedTree) -> None:
        self.tree = tree

    def experiment(self, folder: str) -> tuple[Experiment, list[str]]:
        """The experiment in ``folder`` and its run folders (not read yet)."""
        listing = self.tree.listing(folder)
        path, meta = read_meta(self.tree, folder, listing, "experiment_id", "experiment")
        experiment = Experiment(
            name=text_field(meta, "name", path, required=True),
            source_id=text_field(meta, "experiment_id", path),
            artifact_location=text_field(meta, "artifact_location", path),
            lifecycle_stage=text_field(meta, "lifecycle_stage", path) or "active",
            created_at=utc_from_millis(millis_field(meta, "creation_time", path)),
            updated_at=utc_from_millis(millis_field(meta, "last_update_time", path)),
            tags=self.tree.texts(listing.get("tags")),
        )
        runs = [
            listing[n].path
            for n in sorted(listing)
            if n not in EXPERIMENT_FOLDERS and listing[n].is_dir()
        ]
        return experiment, runs

    def datasets(self, folder: str) -> dict[str, tuple[Path, dict[str, Any]]]:
        """The experiment's logged datasets by id, which run inputs point at."""
        base = os.path.join(folder, "datasets")
        if not os.path.isdir(base):
            return {}
        tree = self.tree
        return {
            entry.name: read_meta(tree, entry.path, tree.listing(entry.path), "name", "dataset")
            for entry in tree.folders(base)
        }

    def run(
        self, folder: str, experiment: Experiment, datasets: dict[str, tuple[Path, dict[str, Any]]]
    ) -> Run:
        listing = self.tree.listing(folder)
        path, meta = read_meta(self.tree, folder, listing, "run_id", "run")
        run_id = text_field(meta, "run_id", path)
        if run_id != os.path.basename(folder):
            raise InputError(path, f"run_id {run_id!r} differs from its folder's name",
                             location="field run_id", expected="the run folder's name")
        tags = self.tree.texts(listing.get("tags"))
        return Run(
            run_id=run_id,
            experiment_name=experiment.name,
            name=text_field(meta, "run_name", path) or tags.get("mlflow.runName", ""),
            user=text_field(meta, "user_id", path),
            status=run_status(meta, path),
            start_time=utc_from_millis(millis_field(meta, "start_time", path)),
            end_time=utc_from_millis(millis_field(meta, "end_time", path)),
            artifact_uri=text_field(meta, "artifact_uri", path),
            lifecycle_stage=text_field(meta, "lifecycle_stage", path) or "active",
            params=self.tree.texts(listing.get("params")),
            tags=tags,
            metrics={
                key: _parse_metric(file, key, self.tree.read_text(file))
                for key, file in self.tree.files(listing.get("metrics"))
            },
            inputs=self._inputs(listing.get("inputs"), datasets),
        )

    def _inputs(
        self, entry: os.DirEntry[str] | None, datasets: dict[str, tuple[Path, dict[str, Any]]]
    ) -> list[DatasetInput]:
        if entry is None:
            return []
        inputs, tree = [], self.tree
        for folder in tree.folders(entry.path):
            listing = tree.listing(folder.path)
            path, meta = read_meta(tree, folder.path, listing, "source_id", "input")
            if text_field(meta, "source_type", path) not in ("", "DATASET"):
                continue  # MLflow 3 also records logged-model inputs here
            source_id = text_field(meta, "source_id", path)
            if source_id not in datasets:
                raise InputError(path, f"dataset {source_id!r} is not in the experiment",
                                 location="field source_id",
                                 expected="the id of a folder in <experiment>/datasets")
            tags = tag_map(meta.get("tags"), path, "tags")
            dpath, dataset = datasets[source_id]
            fields = {f: text_field(dataset, f, dpath) for f in _DATASET_FIELDS}
            context = tags.get("mlflow.data.context", "")
            inputs.append(DatasetInput(**fields, context=context, tags=tags))
        return inputs

def _parse_metric(path: str, key: str, text: str) -> MetricSeries:
    """Parse ``timestamp value step`` lines into a :class:`MetricSeries`.

    The fast path splits the whole file once and converts each column with ``map``; it applies
    only when every line has exactly three single-space-separated fields. Anything else goes to
    :func:`_parse_metric_lines`, which accepts what MLflow accepts and names the bad line.
    """
    tokens = text.split()
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if tokens and len(tokens) == 3 * lines and text.count(" ") == 2 * lines:
        try:
            return MetricSeries(
                key,
                steps=array("q", list(map(int, tokens[2::3]))),
                timestamps=array("q", list(map(int, tokens[0::3]))),
                values=array("d", list(map(float, tokens[1::3]))),
            )
        except (ValueError, OverflowError):
            pass
    return _parse_metric_lines(path, key, text)


def _parse_metric_lines(path: str, key: str, text: str) -> MetricSeries:
    series = MetricSeries(key)
    expected = "'timestamp value step' separated by spaces"
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if len(fields) not in (2, 3):  # two fields: MLflow's pre-step format, step 0
            raise InputError(
                path,
                f"metric line has {len(fields)} fields",
                location=f"line {number}",
                expected=expected,
            )
        parts: list[int | float] = []
        for name, text_value, convert in zip(
            ("timestamp", "value", "step"), fields + ["0"], (int, float, int), strict=False
        ):
            try:
                parts.append(convert(text_value))
            except ValueError:
                raise InputError(
                    path,
                    f"{name} {text_value!r} is not a number",
                    location=f"line {number}, field {name}",
                    expected=expected,
                ) from None
        try:
            series.append(int(parts[2]), int(parts[0]), float(parts[1]))
        except OverflowError:
            raise InputError(
                path,
                "timestamp or step does not fit 64 bits",
                location=f"line {number}",
                expected=expected,
            ) from None
    if not len(series):
        raise InputError(path, "metric file has no points", location="line 1", expected=expected)
    return series


@importer(KIND, "MLflow file store folder (mlruns/)", detect)
def read(path: Path, ctx: ImportContext) -> RegistrySnapshot:
    """Read a whole MLflow file store into one snapshot, without touching any database.

    Raises:
        InputError: a file or folder is not what the file store writes; the message names it,
            the line or field, and what was expected. Links leaving the folder are refused.
        ImportCancelled: the context reported a cancel request.
    """
    if not path.is_dir():
        raise InputError(path, "is not a folder", expected="an MLflow mlruns folder")
    root = _root_of(path)
    tree = ConfinedTree(root, max_depth=MAX_KEY_DEPTH)
    reader = _FileStoreReader(tree)
    snapshot = RegistrySnapshot(kind=KIND, source=str(path), source_sha256="")
    plan = []
    for entry in tree.folders(str(root), frozenset({"models"})):
        experiment, run_dirs = reader.experiment(entry.path)
        snapshot.experiments.append(experiment)
        plan.append((entry.path, experiment, run_dirs))
    models = root / "models"
    model_dirs = tree.folders(str(models)) if models.is_dir() else []
    if not plan and not model_dirs:
        raise InputError(root, "holds no MLflow experiments or registered models",
                         expected=f"<experiment id>/{META} or models/<name>/{META}")
    total = sum(len(runs) for _, _, runs in plan) + len(model_dirs)
    done = 0
    ctx.report(0, total, "reading MLflow file store")
    for folder, experiment, run_dirs in plan:
        datasets = reader.datasets(folder) if run_dirs else {}
        for run_dir in run_dirs:
            ctx.check_cancelled()
            snapshot.runs.append(reader.run(run_dir, experiment, datasets))
            done += 1
            ctx.report(done, total, f"run {os.path.basename(run_dir)}")
    for entry in model_dirs:
        ctx.check_cancelled()
        snapshot.models.append(read_model(tree, entry.path))
        done += 1
        ctx.report(done, total, f"model {entry.name}")
    ctx.check_cancelled()
    snapshot.source_sha256 = safe_io.sha256_of_path(root)
    return snapshot
