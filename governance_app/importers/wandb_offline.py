"""Weights & Biases offline run folders: ``wandb/offline-run-*/run-<id>.wandb``.

Everything a run logged offline is in its binary transaction log (:mod:`wandb_records`): the run
record (name, project, group, job type, tags, notes, start time), config and summary updates,
every history row, logged artifacts with their manifests, and the exit record. The log is
decoded here without wandb; ``files/config.yaml`` and ``wandb-summary.json`` (written by older
wandb versions) only fill what a log lacks. Nothing is fetched and no server is contacted.

What becomes what:

* each run → a run of the experiment named by its project; config → params (nested keys
  joined with dots), the full history of every numeric key → metric histories, summary →
  latest values, tags / group / job type / notes → ``wandb.*`` run tags;
* each logged artifact → a lineage dataset node, output of its run;
* artifacts of type ``model`` → versions of a model named by the artifact collection, in the
  order they were logged (W&B's ``v0``, ``v1``… become versions 1, 2…; the W&B name is kept);
  an alias claimed by several versions stays with the newest, as W&B moves it;
* offline mode refuses ``use_artifact``, so inputs are known only as digests written into the
  config or artifact metadata: each is joined to the artifact with that digest when the import
  holds one, and reported as unmatched otherwise (a run tag ``wandb.unmatched_inputs``).

A damaged log (:class:`~governance_app.importers.wandb_records.CorruptLog`) is refused naming the
byte offset, unless the import setting ``partial`` is true: then the records before the damage
are imported and the count ``partial_logs`` says how many logs were cut.
"""

from __future__ import annotations

import os
from pathlib import Path

from governance_app.domain.cloud import CloudSnapshot
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers import wandb_records as wr
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.wandb_log import read_log
from governance_app.importers.wandb_runs import KIND, build, flatten

__all__ = ["KIND", "detect", "flatten", "read_wandb_offline"]


def _run_logs(path: Path) -> list[Path]:
    """The ``.wandb`` logs under ``path``: a log, a run folder, ``wandb/`` or its parent."""
    if path.is_file():
        return [path] if path.suffix == ".wandb" else []
    candidates = [path]
    if (path / "wandb").is_dir():
        candidates.append(path / "wandb")
    logs: list[Path] = []
    for folder in candidates:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_symlink():  # wandb's latest-run link: the run is listed anyway
                    continue
                if entry.is_file() and entry.name.endswith(".wandb"):
                    logs.append(Path(entry.path))
                elif entry.is_dir() and (entry.name.startswith(("offline-run-", "run-"))):
                    logs += sorted(Path(entry.path).glob("*.wandb"))
    return logs


def detect(path: Path) -> bool:
    """A ``.wandb`` file starting with the W&B header, or a folder laid out as wandb lays out
    offline runs (``offline-run-*/run-*.wandb``): a damaged log there is then refused with what
    is wrong with it, not as an unknown source."""
    try:
        if path.is_file():
            with path.open("rb") as fh:
                return path.suffix == ".wandb" and fh.read(4) == wr.MAGIC
        return bool(_run_logs(path))
    except OSError:
        return False


@importer(KIND, "Weights & Biases offline runs (wandb/offline-run-*/ with run-<id>.wandb "
          "logs; --partial keeps what precedes a damaged record)", detect)
def read_wandb_offline(path: Path, context: ImportContext) -> CloudSnapshot:
    """Decode every run log under ``path``.

    Raises:
        CorruptLog: a log is damaged and the ``partial`` setting is not given.
        InputError: no log under ``path``, or an unknown setting.
    """
    settings = dict(context.options.settings)
    unknown = set(settings) - {"partial"}
    if unknown:
        raise InputError(path, f"unknown option(s) {', '.join(sorted(unknown))} for W&B runs",
                         expected="--partial only")
    partial = bool(settings.get("partial"))
    logs = _run_logs(path)
    if not logs:
        raise InputError(path, "holds no W&B run log", expected="wandb/offline-run-*/run-*.wandb")
    root = path if path.is_dir() else None
    runs = []
    for i, log in enumerate(logs):
        context.check_cancelled()
        context.report(i, len(logs), f"decoding {log.name}")
        runs.append(read_log(log, partial=partial, root=root))
    context.report(len(logs), len(logs), "W&B logs decoded")
    snapshot = build(runs, path, safe_io.sha256_of_path(path))
    cut = sum(1 for r in runs if r.cut_at is not None)
    snapshot.partial_logs = cut
    return snapshot
