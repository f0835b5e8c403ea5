"""Where a field of a hand-written YAML file stands, so that an error can name its line.

Policy files are written by people; a schema error is only useful when it says
``risk.yaml, line 12 (scorecard.questions[2].weight)``. The YAML is composed into nodes whose
marks give each field path its line (composition only: nothing is constructed).
"""

from __future__ import annotations

import yaml


def line_of(text: str, parts: list[str | int]) -> int | None:
    """1-based line of the YAML node at ``parts`` (the deepest one that exists)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(part)]
            if not match:
                return line
            node = match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def field_path(parts: list[str | int]) -> str:
    """``scorecard.questions[2].weight`` for ``["scorecard", "questions", 2, "weight"]``."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def location(text: str, parts: list[str | int]) -> str:
    """``line N (field.path)``, or the path alone when the line cannot be found."""
    line = line_of(text, parts)
    return f"line {line} ({field_path(parts)})" if line else field_path(parts)
