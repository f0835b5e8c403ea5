"""The top-level sections of ``dvc.yaml`` besides ``stages``: ``metrics``, ``plots`` and
``artifacts`` (DVC 3), which name files of the project and what they are.

They describe files, not steps, so they become facts on those files' lineage nodes
(``declared`` in the ``dvc`` facet): a metrics file's values, a plot's axes, an artifact's
name, type, description and labels (DVC's model registry declares models this way).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.dvc_paths import repo_path


def declarations(root: Path, file: Path, data: dict[str, Any], base: str) -> dict[str, Any]:
    """``{repo path: {"roles": [...], "artifact": {...}, "plot": {...}}}`` of one dvc.yaml.

    Raises:
        InputError: a section is not what DVC accepts (names it).
    """
    out: dict[str, dict[str, Any]] = {}

    def note(path: str, where: str) -> dict[str, Any]:
        return out.setdefault(repo_path(root, base, path, file, where), {"roles": []})

    metrics = data.get("metrics") or []
    if not isinstance(metrics, list):
        raise InputError(file, "metrics is not a list", location="metrics",
                         expected="a list of metrics files")
    for i, path in enumerate(metrics):
        if not isinstance(path, str):
            raise InputError(file, f"metrics[{i}] is {path!r}", location=f"metrics[{i}]",
                             expected="a file path")
        note(path, f"metrics[{i}]")["roles"].append("metrics")
    plots = data.get("plots") or []
    if not isinstance(plots, list):
        raise InputError(file, "plots is not a list", location="plots",
                         expected="a list of plot files or definitions")
    for i, entry in enumerate(plots):
        for path, spec in _plot_files(entry):
            declared = note(path, f"plots[{i}]")
            declared["roles"].append("plot")
            if spec:
                declared["plot"] = spec
    artifacts = data.get("artifacts") or {}
    if not isinstance(artifacts, dict):
        raise InputError(file, "artifacts is not a mapping", location="artifacts",
                         expected="artifact name: {path, type, desc, labels}")
    for name, spec in artifacts.items():
        where = f"artifacts.{name}"
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise InputError(file, f"{where} has no path", location=f"{where}.path",
                             expected="the artifact's file path")
        declared = note(spec["path"], f"{where}.path")
        declared["roles"].append("artifact")
        declared["artifact"] = {"name": str(name), **{
            k: spec[k] for k in ("type", "desc", "labels", "meta") if k in spec}}
    return out


def _plot_files(entry: Any) -> list[tuple[str, dict[str, Any]]]:
    """Files a top-level plot names: a path, ``{path: {x, y…}}``, or ``{id: {y: {file: …}}}``."""
    if isinstance(entry, str):
        return [(entry, {})]
    if not isinstance(entry, dict):
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    for key, spec in entry.items():
        spec = spec if isinstance(spec, dict) else {}
        y = spec.get("y")
        if isinstance(y, dict):  # a plot id whose y names files
            found += [(str(path), {"id": key, **spec}) for path in y]
        else:
            found.append((str(key), spec))
    return found
