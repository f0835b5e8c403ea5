"""Registers the DVC experiments reader (kind ``dvc-experiments``): ``dvc exp show --json``.

Each baseline commit and each experiment becomes a run of the experiment ``dvc://<project>``
(``project`` setting; default: the name of the folder holding the file): its ``rev`` is the
run id, its name the branch or experiment name, its params and metrics flattened to
``<file>:<dotted.key>`` as ``dvc exp show`` prints them, and its dependencies recorded as
dataset inputs ``dvc://<project>/<path>`` with their md5, so each experiment joins the DVC
project's lineage by node id. The ``workspace`` row (uncommitted state, different tomorrow) is
left out and noted. Lists and dictionaries among params are kept as JSON text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from governance_app.domain.registry import DatasetInput, Experiment, RegistrySnapshot, Run
from governance_app.errors import InputError
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import read_json, sha256_of_path

KIND = "dvc-experiments"
_HEAD_BYTES = 16 * 1024
_SETTINGS = ("project",)


def detect(path: Path) -> bool:
    """A ``.json`` file whose head is ``dvc exp show --json``'s list of revisions."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", "replace").lstrip()
    except OSError:
        return False
    return head.startswith("[") and all(
        f'"{key}"' in head for key in ("rev", "data", "experiments"))


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """``{"train": {"C": 1}}`` → ``{"train.C": 1}``; lists stay values."""
    if not isinstance(data, dict):
        return {prefix: data} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def _by_file(path: Path, section: Any, where: str) -> dict[str, Any]:
    """``{file: {"data": {...}}}`` → ``{"file:key": value}``; a file's read error is skipped."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise InputError(path, f"{where} is not an object", location=where,
                         expected="file: {data: ...}")
    out: dict[str, Any] = {}
    for file, entry in section.items():
        data = entry.get("data") if isinstance(entry, dict) else None
        for key, value in flatten(data or {}).items():
            out[f"{file}:{key}"] = value
    return out


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _run(path: Path, project: str, row: dict[str, Any], where: str, role: str,
         baseline: str) -> Run:
    data = row.get("data")
    if not isinstance(data, dict):
        raise InputError(path, f"{where}.data is missing", location=f"{where}.data",
                         expected="the revision's params, metrics and deps")
    rev = row.get("rev") or data.get("rev")
    if not isinstance(rev, str) or not rev:
        raise InputError(path, f"{where} has no rev", location=f"{where}.rev",
                         expected="a commit or experiment revision")
    run = Run(rev, f"dvc://{project}", name=str(row.get("name") or rev[:7]), status="FINISHED",
              tags={"dvc.role": role, "dvc.rev": rev})
    if baseline:
        run.tags["dvc.baseline_rev"] = baseline
    run.params = {k: _text(v) for k, v in _by_file(path, data.get("params"),
                                                   f"{where}.data.params").items()}
    for key, value in _by_file(path, data.get("metrics"), f"{where}.data.metrics").items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            run.latest_metrics[key] = float(value)
    deps = data.get("deps") or {}
    if not isinstance(deps, dict):
        raise InputError(path, f"{where}.data.deps is not an object",
                         location=f"{where}.data.deps", expected="path: {hash, size}")
    for dep_path, info in sorted(deps.items()):
        digest = info.get("hash") if isinstance(info, dict) else None
        run.inputs.append(DatasetInput(name=dep_path, digest=str(digest or ""),
                                       source_type="dvc", source=f"dvc://{project}/{dep_path}",
                                       context="dependency"))
    return run


def read_experiments(path: Path, data: Any, project: str) -> tuple[list[Run], list[str]]:
    """Runs of a ``dvc exp show --json`` answer, and notes about what was left out."""
    if not isinstance(data, list):
        raise InputError(path, "top level is not a list", expected="dvc exp show --json output")
    runs: list[Run] = []
    notes: list[str] = []
    for i, row in enumerate(data):
        where = f"[{i}]"
        if not isinstance(row, dict):
            raise InputError(path, f"{where} is not an object", location=where,
                             expected="a revision")
        if row.get("rev") == "workspace":
            notes.append("the workspace row (uncommitted state) was left out")
            continue
        if row.get("error"):
            notes.append(f"revision {row.get('rev')} reported an error: {row['error']}")
        baseline = _run(path, project, row, where, "baseline", "")
        runs.append(baseline)
        for j, exp in enumerate(row.get("experiments") or []):
            for k, rev in enumerate((exp or {}).get("revs") or []):
                runs.append(_run(path, project, rev, f"{where}.experiments[{j}].revs[{k}]",
                                 "experiment", baseline.run_id))
    return runs, notes


@importer(KIND, "DVC experiments: dvc exp show --json output (setting: project)", detect)
def read(path: Path, ctx: ImportContext) -> RegistrySnapshot:
    """Read baselines and experiments as runs of the project's DVC experiment.

    Raises:
        InputError: malformed JSON or a revision without its data (names the field).
    """
    settings = dict(ctx.options.settings)
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise InputError(path, f"DVC experiment imports take no setting {unknown[0]!r}",
                         expected=f"only {', '.join(_SETTINGS)}")
    project = str(settings.get("project") or path.resolve().parent.name)
    runs, _notes = read_experiments(path, read_json(path), project)
    experiment = Experiment(f"dvc://{project}", source_id=f"dvc:{project}")
    return RegistrySnapshot(kind=KIND, source=str(path), source_sha256=sha256_of_path(path),
                            experiments=[experiment], runs=runs)
