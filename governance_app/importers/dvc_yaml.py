"""Read ``dvc.yaml`` into stages: commands, deps, outs (metrics and plots too), params, flags.

``foreach``/``matrix`` definitions are expanded and ``${…}`` resolved by
:mod:`dvc_templating`; paths are made repository paths by :mod:`dvc_paths` (a ``wdir`` applied,
anything leaving the project refused). Hashes come later, from ``dvc.lock`` (:mod:`dvc_lock`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.domain.dvc import DvcFile, DvcStage
from governance_app.errors import InputError
from governance_app.importers.dvc_declarations import declarations
from governance_app.importers.dvc_paths import repo_path, wdir_path
from governance_app.importers.dvc_templating import expand, has_reference, interpolate
from governance_app.importers.pipeline_yaml import read_strict_yaml

_OUT_SECTIONS = (("outs", "out"), ("metrics", "metric"), ("plots", "plot"))
_STAGE_KEYS = frozenset({
    "cmd", "wdir", "deps", "params", "outs", "metrics", "plots", "frozen", "always_changed",
    "meta", "desc", "vars", "foreach", "do", "matrix",
})
DEFAULT_PARAMS = "params.yaml"


def read_dvc_yaml(
    root: Path, file: Path, params: dict[str, Any], declared: dict[str, Any] | None = None
) -> list[DvcStage]:
    """Every stage of one ``dvc.yaml`` (``foreach``/``matrix`` expanded), in file order.

    Args:
        root: the project folder.
        file: the ``dvc.yaml`` (may sit in a sub-folder: its stages work from there).
        params: the parsed ``params.yaml`` of the project root (DVC's default variables).
        declared: filled with the files the top-level ``metrics``, ``plots`` and
            ``artifacts`` sections name (:mod:`dvc_declarations`).

    Raises:
        InputError: malformed YAML or a stage that is not what DVC accepts (names field).
    """
    data = read_strict_yaml(file, root=root)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise InputError(file, f"top level is a {type(data).__name__}",
                         expected="a mapping with a 'stages' key")
    base = file.parent.relative_to(root).as_posix() or "."
    if declared is not None:
        for path, facts in declarations(root, file, data, base).items():
            have = declared.setdefault(path, {"roles": []})
            have["roles"] += facts.pop("roles")
            have.update(facts)
    context = dict(params)
    context.update(_vars(root, file, data.get("vars"), base))
    stages = data.get("stages") or {}
    if not isinstance(stages, dict):
        raise InputError(file, "stages is not a mapping", location="stages",
                         expected="stage name: definition")
    dvcfile = file.relative_to(root).as_posix()
    out: list[DvcStage] = []
    params_files: dict[str, dict[str, Any]] = {}  # each params file read once per dvc.yaml
    for name, body in stages.items():
        if not isinstance(body, dict):
            raise InputError(file, f"stage {name!r} is a {type(body).__name__}",
                             location=f"stages.{name}", expected="a mapping with cmd")
        for generated, stage_body, stage_context in expand(str(name), body, context, file):
            out.append(_stage(root, file, dvcfile, base, generated, stage_body, stage_context,
                              params_files))
    return out


def _vars(root: Path, file: Path, value: Any, base: str) -> dict[str, Any]:
    """Variables of a ``vars:`` list: inline mappings, or params files (``file.yaml[:keys]``)."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise InputError(file, "vars is not a list", location="vars",
                         expected="a list of files or mappings")
    merged: dict[str, Any] = {}
    for i, entry in enumerate(value):
        if isinstance(entry, dict):
            merged.update(entry)
        elif isinstance(entry, str):
            name, _, keys = entry.partition(":")
            path = repo_path(root, base, name, file, f"vars[{i}]")
            loaded = read_params_file(root, root / path)
            if keys:
                loaded = {k: loaded[k] for k in keys.split(",") if k in loaded}
            merged.update(loaded)
        else:
            raise InputError(file, f"vars[{i}] is {entry!r}", location=f"vars[{i}]",
                             expected="a file name or a mapping")
    return merged


def read_params_file(root: Path, path: Path) -> dict[str, Any]:
    """A YAML or JSON params file as a mapping (``{}`` when it does not exist)."""
    if not path.exists():
        return {}
    data = read_strict_yaml(path, root=root)  # JSON is YAML too
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, f"top level is a {type(data).__name__}", expected="a mapping")
    return data


def _stage(
    root: Path, file: Path, dvcfile: str, base: str, name: str, body: dict[str, Any],
    context: dict[str, Any], params_files: dict[str, dict[str, Any]],
) -> DvcStage:
    field = f"stages.{name}"
    unknown = sorted(set(body) - _STAGE_KEYS)
    if unknown:
        raise InputError(file, f"stage {name!r} has unknown key {unknown[0]!r}",
                         location=f"{field}.{unknown[0]}",
                         expected=f"only {', '.join(sorted(_STAGE_KEYS - {'foreach', 'do'}))}")
    if has_reference(body):
        body = interpolate(body, context, file, field)
    wdir = wdir_path(root, base, body.get("wdir"), file, f"{field}.wdir")
    cmd = body.get("cmd", "")
    if isinstance(cmd, list):
        cmd = " && ".join(str(c) for c in cmd)
    if not isinstance(cmd, str):
        raise InputError(file, f"{field}.cmd is {cmd!r}", location=f"{field}.cmd",
                         expected="a command or a list of commands")
    stage = DvcStage(
        name=name, dvcfile=dvcfile, wdir=wdir, cmd=cmd,
        frozen=_flag(file, body, "frozen", field),
        always_changed=_flag(file, body, "always_changed", field),
    )
    for i, dep in enumerate(_list(file, body.get("deps"), f"{field}.deps")):
        path = dep if isinstance(dep, str) else None
        stage.deps.append(DvcFile(repo_path(root, wdir, path, file, f"{field}.deps[{i}]"),
                                  kind="dep"))
    for section, kind in _OUT_SECTIONS:
        for i, entry in enumerate(_list(file, body.get(section), f"{field}.{section}")):
            path, options = _entry(file, entry, f"{field}.{section}[{i}]")
            stage.outs.append(DvcFile(
                repo_path(root, wdir, path, file, f"{field}.{section}[{i}]"), kind=kind,
                cache=bool(options.get("cache", kind == "out")),
            ))
    stage.params = _declared_params(root, file, wdir, body.get("params"), field, params_files)
    return stage


def _flag(file: Path, body: dict[str, Any], key: str, field: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise InputError(file, f"{field}.{key} is {value!r}", location=f"{field}.{key}",
                         expected="true or false")
    return value


def _list(file: Path, value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(file, f"{field} is a {type(value).__name__}", location=field,
                         expected="a list")
    return value


def _entry(file: Path, entry: Any, field: str) -> tuple[str, dict[str, Any]]:
    """``path`` or ``{path: {options}}`` as DVC writes outs, metrics and plots."""
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, dict) and len(entry) == 1:
        path, options = next(iter(entry.items()))
        return str(path), options if isinstance(options, dict) else {}
    raise InputError(file, f"{field} is {entry!r}", location=field,
                     expected="a path, or one path with its options")


def _declared_params(
    root: Path, file: Path, wdir: str, value: Any, field: str,
    params_files: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Parameter keys a stage declares, with their values from the params files.

    DVC's forms: ``- key`` (in ``params.yaml`` of the wdir) and ``- file.yaml: [keys]``; a
    key names a value or a whole section.
    """
    out: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(_list(file, value, f"{field}.params")):
        if isinstance(entry, str):
            pairs = [(DEFAULT_PARAMS, [entry])]
        elif isinstance(entry, dict):
            pairs = [(str(k), v if isinstance(v, list) else []) for k, v in entry.items()]
        else:
            raise InputError(file, f"{field}.params[{i}] is {entry!r}",
                             location=f"{field}.params[{i}]", expected="a key or file: [keys]")
        for params_file, keys in pairs:
            path = repo_path(root, wdir, params_file, file, f"{field}.params[{i}]")
            if path not in params_files:
                params_files[path] = read_params_file(root, root / path)
            loaded = params_files[path]
            values = out.setdefault(path, {})
            for key in keys or list(loaded):
                values[str(key)] = _dotted(loaded, str(key))
    return out


def _dotted(data: dict[str, Any], key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
