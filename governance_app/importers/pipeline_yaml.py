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
from governance_app.gc_pause import gc_paused
from governance_app.importers import safe_io

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _StrictLoader(safe_io._AliasFreeLoader):  # noqa: SLF001 - the same family of loaders
    """Pure-Python composition that refuses anchors and aliases (sees every event)."""


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml composes the node tree in C; used for text holding no ``&`` or ``*`` (it cannot
hold an anchor or alias then)."""


def _values(path: Path | str, root: Any, loader: Any) -> Any:
    """Plain values of a composed node tree, refusing a key written twice in one mapping.

    Walked here rather than by PyYAML's constructor: strings (nearly every scalar of a
    pipeline file) are taken as they are, other scalars go through the safe constructor,
    and a 2,000-stage ``dvc.lock`` is read in a third of the time.
    """
    if root is None:
        return None
    result: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, result, 0)]
    while stack:
        node, holder, slot = stack.pop()
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            holder[slot] = node.value if tag == _STR else loader.construct_object(node)
        elif isinstance(node, yaml.SequenceNode):
            items: list[Any] = [None] * len(node.value)
            holder[slot] = items
            stack.extend((child, items, i) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            holder[slot] = mapping
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        None, None, "a mapping key must be a plain value", key_node.start_mark)
                key = (key_node.value if key_node.tag == _STR
                       else loader.construct_object(key_node))
                if key in mapping:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} appears twice in one mapping",
                        key_node.start_mark)
                mapping[key] = None
                stack.append((value_node, mapping, key))
    return result[0]


def parse_strict_yaml(path: Path | str, text: str) -> Any:
    """Parse YAML safely, refusing anchors, aliases and duplicate keys; errors name the line.

    Raises:
        InputError: the text is not valid YAML, uses an alias or anchor, or repeats a key.
    """
    loader_type = _StrictLoader if ("&" in text or "*" in text) else _FAST_LOADER
    loader = loader_type(text)
    try:
        with gc_paused():
            return _values(path, loader.get_single_node(), loader)
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
    finally:
        loader.dispose()


def read_strict_yaml(path: Path, *, root: Path, limit: int = safe_io.MAX_YAML_BYTES) -> Any:
    """Read and parse a YAML file inside ``root`` (links out refused, size bounded)."""
    return parse_strict_yaml(path, safe_io.read_text(path, limit=limit, root=root))
