"""DVC's templating, read-only: ``vars``, ``${…}`` interpolation, ``foreach`` and ``matrix``.

Only what decides *which* stages exist and *which* files they name is evaluated, the way DVC
documents it: ``${name}`` looks a dotted key up in the variables (``params.yaml``, ``vars``,
and ``item``/``key`` in a ``foreach`` or ``item.<axis>`` in a ``matrix``); a string that is
exactly one ``${…}`` keeps the value's type, otherwise the value is written into the text.
Nothing is ever executed. Generated names follow DVC 3 (``dvc/parsing/__init__.py``):
``stage@<item>`` for a list of plain values, ``stage@<index>`` for every item of a list holding
any list or mapping, ``stage@<key>`` for a mapping entry, and for a matrix the axis values
joined with ``-`` (a list or mapping value is named ``<axis><index>``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from governance_app.errors import InputError

_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_WHOLE = re.compile(r"^\$\{\s*([^}]*?)\s*\}$")
MAX_GENERATED = 100_000
"""Most stages one ``foreach``/``matrix`` may make: a matrix of a few long axes is a bomb."""


def lookup(context: Mapping[str, Any], key: str, where: Path, field: str) -> Any:
    """The value of a dotted key (``train.lr``, ``item.name``, ``models[0]``) in ``context``.

    Raises:
        InputError: a part of the key is not there.
    """
    value: Any = context
    for part in re.split(r"\.|\[(\d+)\]", key):
        if part is None or part == "":
            continue
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise InputError(where, f"${{{key}}} names nothing defined", location=field,
                             expected="a key of params.yaml, vars, item or key")
    return value


def has_reference(value: Any) -> bool:
    """Whether ``${`` appears anywhere in a stage body (most stages have none: skip the walk)."""
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, dict):
        return any(has_reference(k) or has_reference(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_reference(v) for v in value)
    return False


def interpolate(value: Any, context: Mapping[str, Any], where: Path, field: str) -> Any:
    """``value`` with every ``${…}`` replaced, lists and dictionaries walked."""
    if isinstance(value, str):
        if "${" not in value:
            return value
        whole = _WHOLE.match(value)
        if whole:
            return lookup(context, whole.group(1), where, field)

        def text(match: re.Match[str]) -> str:
            found = lookup(context, match.group(1), where, field)
            if isinstance(found, (dict, list)):
                raise InputError(where, f"${{{match.group(1)}}} is a {type(found).__name__}",
                                 location=field, expected="a value that can be text")
            return _plain(found)

        return _REF.sub(text, value)
    if isinstance(value, list):
        return [interpolate(v, context, where, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: interpolate(v, context, where, f"{field}.{k}") for k, v in value.items()}
    return value


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expand(
    name: str, body: Mapping[str, Any], context: Mapping[str, Any], where: Path
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(generated name, stage body, its context)`` for each stage a definition makes.

    A plain stage yields itself; ``foreach``/``do`` one stage per item; ``matrix`` one per
    combination of its axes.

    Raises:
        InputError: ``foreach`` without ``do``, an iterable that is neither list nor mapping,
            or more than :data:`MAX_GENERATED` stages.
    """
    field = f"stages.{name}"
    if "foreach" in body:
        do = body.get("do")
        if not isinstance(do, dict):
            raise InputError(where, f"{field} has foreach without a do mapping",
                             location=f"{field}.do", expected="do: the stage to repeat")
        items = interpolate(body["foreach"], context, where, f"{field}.foreach")
        yield from _foreach(name, items, do, context, where, field)
        return
    if "matrix" in body:
        yield from _matrix(name, body, context, where, field)
        return
    yield name, dict(body), dict(context)


def _foreach(
    name: str, items: Any, do: dict[str, Any], context: Mapping[str, Any], where: Path,
    field: str,
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    if isinstance(items, Mapping):
        pairs = [(_plain(k), {"item": v, "key": k}) for k, v in items.items()]
    elif isinstance(items, list):
        # DVC keys every item by its index as soon as one item is a list or a mapping.
        composite = any(isinstance(v, (dict, list)) for v in items)
        pairs = [(str(i) if composite else _plain(v), {"item": v})
                 for i, v in enumerate(items)]
    else:
        raise InputError(where, f"{field}.foreach is a {type(items).__name__}",
                         location=f"{field}.foreach", expected="a list or a mapping")
    if len(pairs) > MAX_GENERATED:
        raise InputError(where, f"{field}.foreach makes {len(pairs)} stages",
                         location=f"{field}.foreach", expected=f"at most {MAX_GENERATED}")
    for suffix, extra in pairs:
        yield f"{name}@{suffix}", dict(do), {**context, **extra}


def _matrix(
    name: str, body: Mapping[str, Any], context: Mapping[str, Any], where: Path, field: str
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    matrix = interpolate(body["matrix"], context, where, f"{field}.matrix")
    if not isinstance(matrix, dict) or not matrix:
        raise InputError(where, f"{field}.matrix is {matrix!r}", location=f"{field}.matrix",
                         expected="a mapping of axis name to a list of values")
    axes: list[tuple[str, list[Any]]] = []
    total = 1
    for axis, values in matrix.items():
        if not isinstance(values, list) or not values:
            raise InputError(where, f"{field}.matrix.{axis} is {values!r}",
                             location=f"{field}.matrix.{axis}", expected="a non-empty list")
        axes.append((str(axis), values))
        total *= len(values)
        if total > MAX_GENERATED:
            raise InputError(where, f"{field}.matrix makes more than {MAX_GENERATED} stages",
                             location=f"{field}.matrix", expected="fewer combinations")
    stage = {k: v for k, v in body.items() if k != "matrix"}
    indexed = [list(enumerate(values)) for _, values in axes]
    for combo in itertools.product(*indexed):
        parts = [
            f"{axis}{i}" if isinstance(v, (dict, list)) else _plain(v)
            for (axis, _), (i, v) in zip(axes, combo, strict=True)
        ]
        item = {axis: v for (axis, _), (_, v) in zip(axes, combo, strict=True)}
        yield f"{name}@{'-'.join(parts)}", dict(stage), {**context, "item": item}
