"""Read a whole DVC project folder into a :class:`DvcProject`, touching nothing else.

Files read: every ``dvc.yaml`` (the root's and sub-folders'), the ``dvc.lock`` beside each,
``params.yaml`` (and files named by ``vars``/``params``), every ``*.dvc`` file, and the
metrics files stages declare (their values). Never read: the ``.dvc/`` folder (cache, config,
remotes), the data itself, or anything outside the project folder. Nothing is run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from governance_app.domain.dvc import DvcFile, DvcProject, DvcStage
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers.dvc_lock import apply_lock, file_hash, read_lock
from governance_app.importers.dvc_paths import repo_path
from governance_app.importers.dvc_yaml import DEFAULT_PARAMS, read_dvc_yaml, read_params_file
from governance_app.importers.pipeline_yaml import read_strict_yaml
from governance_app.importers.registry import ImportContext

MAX_METRICS_BYTES = 4 * 1024 * 1024
_SKIP_DIRS = frozenset({".dvc", ".git", "node_modules", "__pycache__"})


def is_dvc_project(path: Path) -> bool:
    """A folder with a ``dvc.yaml`` or a ``.dvc/`` folder at its top."""
    return path.is_dir() and ((path / "dvc.yaml").is_file() or (path / ".dvc").is_dir())


def read_project(root: Path, ctx: ImportContext, name: str | None = None) -> DvcProject:
    """Every stage and data source of the project at ``root``.

    Raises:
        InputError: a file is malformed, a path leaves the project, a lock contradicts its
            ``dvc.yaml`` or was written by a DVC major this version does not read.
    """
    root = root.resolve()
    project = DvcProject(name=name or root.name)
    yamls, dvc_files = _find(root)
    if not yamls and not dvc_files:
        raise InputError(root, "holds no dvc.yaml and no .dvc file",
                         expected="a DVC project folder")
    params = read_params_file(root, root / DEFAULT_PARAMS)
    for i, file in enumerate(yamls):
        ctx.check_cancelled()
        ctx.report(i, len(yamls) + 1, f"reading {file.relative_to(root).as_posix()}")
        stages = read_dvc_yaml(root, file, params, project.declared)
        lock = file.parent / "dvc.lock"
        if lock.exists():
            writer, entries = read_lock(root, lock)
            apply_lock(root, lock, stages, entries)
            project.lock_writer = project.lock_writer or writer
            project.lock_schema = "1" if writer == "DVC 1.x" else "2.0"
            if writer != "DVC 3.x":
                project.notes.append(f"{lock.relative_to(root).as_posix()} was written by "
                                     f"{writer}: its md5 hashes are DVC 2's (md5-dos2unix)")
        project.stages.extend(stages)
    for file in dvc_files:
        ctx.check_cancelled()
        project.stages.append(_data_source(root, file))
    _read_metrics(root, project.stages)
    _read_declared_metrics(root, project.declared)
    _refuse_duplicates(root, project.stages)
    return project


def _find(root: Path) -> tuple[list[Path], list[Path]]:
    yamls: list[Path] = []
    dvc_files: list[Path] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            if name == "dvc.yaml":
                yamls.append(Path(folder, name))
            elif name.endswith(".dvc") and name != ".dvc":
                dvc_files.append(Path(folder, name))
    yamls.sort(key=lambda p: (len(p.relative_to(root).parts), p.as_posix()))
    return yamls, dvc_files


def _data_source(root: Path, file: Path) -> DvcStage:
    """A ``.dvc`` file as DVC sees it: a stage without command whose outs are the data."""
    data = read_strict_yaml(file, root=root)
    rel = file.relative_to(root).as_posix()
    wdir = file.parent.relative_to(root).as_posix() or "."
    if not isinstance(data, dict) or not isinstance(data.get("outs"), list):
        raise InputError(file, "has no outs list", location="outs",
                         expected="a .dvc file as dvc add writes it (outs: - path, md5)")
    if "wdir" in data:
        wdir = repo_path(root, wdir, data["wdir"], file, "wdir") if isinstance(
            data["wdir"], str) else wdir
    stage = DvcStage(name=rel, dvcfile=rel, wdir=wdir, locked=True,
                     frozen=bool(data.get("frozen", False)))
    for section, kind in (("deps", "dep"), ("outs", "out")):
        for i, item in enumerate(data.get(section) or []):
            where = f"{section}[{i}]"
            if not isinstance(item, dict) or "path" not in item:
                raise InputError(file, f"{where} is {item!r}", location=where,
                                 expected="a mapping with path and md5")
            target = DvcFile(repo_path(root, wdir, item["path"], file, f"{where}.path"),
                             kind=kind, cache=bool(item.get("cache", True)))
            file_hash(file, item, where, target)
            (stage.deps if kind == "dep" else stage.outs).append(target)
    return stage


def _read_metrics(root: Path, stages: list[DvcStage]) -> None:
    """Values of each stage's metrics files that exist (JSON or YAML); others are skipped."""
    for stage in stages:
        for out in stage.outs:
            if out.kind != "metric" or out.is_dir:
                continue
            path = root / out.path
            if not path.is_file():
                continue
            text = safe_io.read_text(path, limit=MAX_METRICS_BYTES, root=root)
            value: Any = (safe_io.parse_json(path, text) if path.suffix.lower() == ".json"
                          else safe_io.parse_yaml(path, text))
            stage.metrics[out.path] = value


def _read_declared_metrics(root: Path, declared: dict[str, dict[str, Any]]) -> None:
    """Values of the top-level metrics files that are in the folder."""
    for path, facts in declared.items():
        file = root / path
        if "metrics" in facts["roles"] and file.is_file():
            text = safe_io.read_text(file, limit=MAX_METRICS_BYTES, root=root)
            facts["values"] = (safe_io.parse_json(file, text) if file.suffix.lower() == ".json"
                               else safe_io.parse_yaml(file, text))


def _refuse_duplicates(root: Path, stages: list[DvcStage]) -> None:
    """Two stages writing one output is what DVC itself refuses (an ambiguous producer)."""
    producer: dict[str, DvcStage] = {}
    names: set[str] = set()
    for stage in stages:
        if stage.name in names:
            raise InputError(root / stage.dvcfile, f"stage {stage.name!r} is defined twice",
                             location=f"stages.{stage.name}", expected="unique stage names")
        names.add(stage.name)
        for out in stage.outs:
            other = producer.get(out.path)
            if other is not None:
                raise InputError(
                    root / stage.dvcfile,
                    f"output {out.path!r} of stage {stage.name!r} is also an output of "
                    f"{other.name!r}", location=f"stages.{stage.name}.outs",
                    expected="each output written by one stage")
            producer[out.path] = stage
