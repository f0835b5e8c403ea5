"""Strict YAML for pipeline definitions: no anchors or aliases, and no duplicate keys.

``dvc.yaml``, ``dvc.lock`` and a compiled KFP pipeline are YAML a person or a tool edits; a key
written twice (two ``outs:`` under one stage) is silently resolved by PyYAML to the last one,
so a reviewer reading the file and the importer would disagree about what the stage writes.
This loader refuses it, naming the line, on top of :mod:`safe_io`'s refusal of aliases (the
"billion laughs" bomb) and its size bound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from governance_app.errors import InputError
from governance_app.importers import safe_io


class _NoDuplicates:
    """Mixin for a safe loader: refuse a key written twice in one mapping."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:  # noqa: D102
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _StrictLoader(_NoDuplicates, safe_io._AliasFreeLoader):  # noqa: SLF001
    """Alias-free safe loading without duplicate keys (pure Python: sees every alias)."""


class _FastStrictLoader(_NoDuplicates, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's safe loader without duplicate keys, for text that holds no ``&`` or ``*``
    (it cannot hold an anchor or alias then): a 2,000-stage ``dvc.yaml`` reads 10× faster."""


def parse_strict_yaml(path: Path | str, text: str) -> Any:
    """Parse YAML safely, refusing anchors, aliases and duplicate keys; errors name the line.

    Raises:
        InputError: the text is not valid YAML, uses an alias or anchor, or repeats a key.
    """
    try:
        loader = _StrictLoader if ("&" in text or "*" in text) else _FastStrictLoader
        return yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader subclasses
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise InputError(
            path, str(exc.problem or exc.context), location=location, expected="valid YAML"
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(path, str(exc), expected="valid YAML") from exc
    except RecursionError as exc:
        raise InputError(path, "nesting is too deep", expected="a YAML document") from exc


def read_strict_yaml(path: Path, *, root: Path, limit: int = safe_io.MAX_YAML_BYTES) -> Any:
    """Read and parse a YAML file inside ``root`` (links out refused, size bounded)."""
    return parse_strict_yaml(path, safe_io.read_text(path, limit=limit, root=root))
