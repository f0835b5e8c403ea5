"""``meta.yaml`` files of the MLflow file store: reading one, and typed access to its fields.

Every experiment, run, dataset, input, registered model and model version folder of an
``mlruns/`` store holds one. Errors name the file, the field and what MLflow writes there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers.confined_tree import ConfinedTree

META = "meta.yaml"
RUN_STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
"""MLflow's ``RunStatus`` enum, which the file store writes as an integer."""


def read_meta(
    tree: ConfinedTree,
    folder: str,
    listing: dict[str, os.DirEntry[str]],
    required: str,
    what: str,
) -> tuple[Path, dict[str, Any]]:
    """Read ``folder/meta.yaml`` (from its ``listing``) as a mapping that holds ``required``.

    Raises:
        InputError: no meta.yaml, not YAML, not a mapping, or ``required`` missing or empty.
    """
    if META not in listing or not listing[META].is_file():
        raise InputError(folder, f"not an MLflow {what} folder", expected=f"{META} with {required}")
    path = Path(listing[META].path)
    meta = safe_io.parse_yaml(path, tree.read_text(str(path), safe_io.MAX_YAML_BYTES))
    if not isinstance(meta, dict):
        raise InputError(
            path, f"holds {type(meta).__name__}", expected=f"a mapping with {required}"
        )
    if meta.get(required) in (None, ""):
        raise InputError(
            path,
            f"{required} is missing",
            location=f"field {required}",
            expected=f"the {what}'s {required}",
        )
    return path, meta


def text_field(meta: dict[str, Any], key: str, path: Path | str, *, required: bool = False) -> str:
    """The field as text; ``""`` when absent unless ``required``."""
    value = meta.get(key)
    if value is None:
        if required:
            raise InputError(path, f"{key} is missing", location=f"field {key}", expected="text")
        return ""
    if isinstance(value, (dict, list)):
        raise InputError(
            path, f"{key} is a {type(value).__name__}", location=f"field {key}", expected="text"
        )
    return str(value)


def millis_field(meta: dict[str, Any], key: str, path: Path | str) -> int | None:
    """An epoch-milliseconds field, ``None`` when absent."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(
            path,
            f"{key} is {value!r}",
            location=f"field {key}",
            expected="milliseconds since the epoch (an integer)",
        )
    return value


def run_status(meta: dict[str, Any], path: Path) -> str:
    """A run's status by name, from the integer (or name) the file store writes."""
    value = meta.get("status", 1)  # MLflow reads a missing status as RUNNING
    if isinstance(value, int) and not isinstance(value, bool) and value in RUN_STATUS:
        return RUN_STATUS[value]
    if isinstance(value, str) and value in RUN_STATUS.values():
        return value
    raise InputError(
        path,
        f"status is {value!r}",
        location="field status",
        expected="an MLflow RunStatus (1 RUNNING … 5 KILLED)",
    )


def tag_map(value: Any, path: Path | str, key: str) -> dict[str, str]:
    """Tags as a mapping, or MLflow's ``[{key, value}]`` list form."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(t, dict) and "key" in t for t in value):
        return {str(t["key"]): str(t.get("value") or "") for t in value}
    raise InputError(
        path,
        f"{key} is {type(value).__name__}",
        location=f"field {key}",
        expected="a mapping of names to values",
    )
