"""Read ``dvc.lock``: the hashes, sizes and parameter values of each stage's last run.

Lock forms by the DVC major that writes them (from DVC's own ``dvc/schema.py`` and
``dvc/stage/serialize.py``):

* DVC 3.x: ``schema: '2.0'``, ``stages:``; each dep/out has ``path``, ``hash: md5``, ``md5``,
  ``size`` (a folder also ``nfiles``, its ``md5`` ending in ``.dir``). Read.
* DVC 2.x: the same ``schema: '2.0'`` layout without the ``hash`` field (its ``md5`` was
  computed after a dos2unix pass; DVC 3 calls it ``md5-dos2unix`` and still reads it). Read,
  noting that the hashes are DVC 2's.
* DVC 1.x: no ``schema`` key, stage names at the top level, entries with ``path``, ``md5`` and
  ``size`` (1.11). Read, noting the writer: its md5 is DVC 2's (dos2unix) as well.
* Any other ``schema`` value (a lock of a later DVC) is refused, naming it.

The ``tests/fixtures/dvc/majors`` project was written by DVC 1.11.16 and 2.58.2 for this.

A lock that contradicts ``dvc.yaml`` (a stage the pipeline no longer has, a dep or out the
stage does not declare) is refused: the record would describe a pipeline that is not this one.
A changed command is normal (the stage changed since it last ran) and is reported, not refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.domain.dvc import DvcFile, DvcStage
from governance_app.errors import InputError
from governance_app.importers.dvc_paths import repo_path
from governance_app.importers.pipeline_yaml import read_strict_yaml

LOCK_SCHEMA = "2.0"
MAX_LOCK_BYTES = 256 * 1024 * 1024


def read_lock(root: Path, file: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """``(writer, entries by stage name)`` of a lock file; writer is ``DVC 3.x``/``DVC 2.x``.

    Raises:
        InputError: malformed YAML, a DVC 1.x lock or an unknown schema (naming it).
    """
    data = read_strict_yaml(file, root=root, limit=MAX_LOCK_BYTES)
    if data is None:
        return "", {}
    if not isinstance(data, dict):
        raise InputError(file, f"top level is a {type(data).__name__}",
                         expected="a mapping with schema and stages")
    if "schema" not in data:
        if all(isinstance(v, dict) and ("cmd" in v or "outs" in v or "deps" in v)
               for v in data.values()):
            return "DVC 1.x", data
        raise InputError(
            file, "has no 'schema' key and is not a DVC 1.x lock either", location="schema",
            expected=f"a lock of schema {LOCK_SCHEMA} (DVC 2.x or 3.x) or a DVC 1.x lock")
    schema = str(data["schema"])
    if schema != LOCK_SCHEMA:
        raise InputError(file, f"has lock schema {schema!r}, which this version cannot read",
                         location="schema",
                         expected=f"schema {LOCK_SCHEMA!r} (DVC 2.x and 3.x)")
    stages = data.get("stages") or {}
    if not isinstance(stages, dict):
        raise InputError(file, "stages is not a mapping", location="stages",
                         expected="stage name: locked state")
    writer = "DVC 2.x"  # the 2.0 schema without the hash field
    for entry in stages.values():
        if isinstance(entry, dict):
            for section in ("deps", "outs"):
                for item in entry.get(section) or []:
                    if isinstance(item, dict) and "hash" in item:
                        writer = "DVC 3.x"
    return writer, stages


def apply_lock(
    root: Path, file: Path, stages: list[DvcStage], entries: dict[str, dict[str, Any]]
) -> None:
    """Fill hashes, sizes and params of ``stages`` from the lock ``entries``.

    Raises:
        InputError: the lock names a stage, dep or out that ``dvc.yaml`` does not declare.
    """
    by_name = {s.name: s for s in stages if s.dvcfile == _yaml_of(root, file)}
    for name, entry in entries.items():
        field = f"stages.{name}"
        stage = by_name.get(str(name))
        if stage is None:
            raise InputError(file, f"locks stage {name!r}, which dvc.yaml does not define",
                             location=field,
                             expected="a lock matching dvc.yaml (run dvc commit or repro)")
        if not isinstance(entry, dict):
            raise InputError(file, f"{field} is a {type(entry).__name__}", location=field,
                             expected="a mapping")
        stage.locked = True
        cmd = entry.get("cmd", "")
        if isinstance(cmd, list):
            cmd = " && ".join(str(c) for c in cmd)
        if " ".join(str(cmd).split()) != " ".join(stage.cmd.split()):
            stage.lock_cmd = str(cmd)
        _merge(root, file, stage, stage.deps, entry.get("deps"), f"{field}.deps")
        _merge(root, file, stage, stage.outs, entry.get("outs"), f"{field}.outs")
        params = entry.get("params")
        if isinstance(params, dict):
            for params_file, values in params.items():
                path = repo_path(root, stage.wdir, str(params_file), file, f"{field}.params")
                if isinstance(values, dict):
                    stage.params.setdefault(path, {}).update(values)


def _yaml_of(root: Path, lock: Path) -> str:
    return (lock.parent / "dvc.yaml").relative_to(root).as_posix()


def _merge(
    root: Path, file: Path, stage: DvcStage, declared: list[DvcFile], items: Any, field: str
) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        raise InputError(file, f"{field} is not a list", location=field, expected="a list")
    by_path = {d.path: d for d in declared}
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        if not isinstance(item, dict) or "path" not in item:
            raise InputError(file, f"{where} is {item!r}", location=where,
                             expected="a mapping with path and md5")
        path = repo_path(root, stage.wdir, item["path"], file, f"{where}.path")
        target = by_path.get(path)
        if target is None:
            raise InputError(
                file, f"{where} locks {path!r}, which stage {stage.name!r} does not declare "
                      "in dvc.yaml",
                location=where, expected="a lock matching dvc.yaml (run dvc commit or repro)")
        file_hash(file, item, where, target)


def file_hash(file: Path, item: dict[str, Any], where: str, target: DvcFile) -> None:
    """Copy ``md5``/``size``/``nfiles`` of a lock or ``.dvc`` entry onto ``target``."""
    md5 = item.get("md5", item.get("etag", ""))
    if md5 is not None and not isinstance(md5, str):
        raise InputError(file, f"{where}.md5 is {md5!r}", location=f"{where}.md5",
                         expected="a hash as text")
    target.md5 = md5 or ""
    for key in ("size", "nfiles"):
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):
            raise InputError(file, f"{where}.{key} is {value!r}", location=f"{where}.{key}",
                             expected="a whole number ≥ 0")
        setattr(target, key, value)
