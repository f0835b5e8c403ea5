"""A lineage graph as Graphviz DOT text, for people who lay graphs out with their own tools.

Plain text and no Graphviz dependency: ids are quoted and escaped per the DOT grammar, so any
dataset name (quotes, backslashes, newlines, emoji) survives a round trip through ``dot``.
Edges between the same two nodes are written once with their kinds joined (``output,
produced``), as the drawing shows one arrow. Failed runs get the vermillion outline and the
word FAILED, as in the figure.
"""

from __future__ import annotations

from governance_app.domain.lineage import LineageGraph, LineageNode, NodeKind

FAILED_COLOUR = "#D55E00"
FAILED_STATES = frozenset({"FAIL", "FAILED", "ABORT", "ABORTED", "KILLED"})
_SHAPE = {
    NodeKind.DATASET: ("box", "#0072B2"),
    NodeKind.JOB: ("box", "#E69F00"),
    NodeKind.RUN: ("box", "#777777"),
    NodeKind.MODEL_VERSION: ("box", "#009E73"),
    NodeKind.NAMESPACE: ("folder", "#CC79A7"),
    NodeKind.STAGE: ("box3d", "#A6761D"),
    NodeKind.TASK: ("component", "#56B4E9"),
    NodeKind.ARTIFACT: ("note", "#999999"),
}
_STEP_KINDS = frozenset({NodeKind.RUN, NodeKind.TASK})
"""Kinds whose status is an execution state, so FAILED is spelled out on them."""


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f'"{escaped}"'


def _label(node: LineageNode) -> str:
    kind = "MODEL VERSION" if node.kind is NodeKind.MODEL_VERSION else node.kind.value.upper()
    failed = node.kind in _STEP_KINDS and node.status.upper() in FAILED_STATES
    return f"{kind}{' FAILED' if failed else ''}\n{node.label}"


def to_dot(graph: LineageGraph, name: str = "lineage") -> str:
    """DOT text of ``graph``: one statement per line, nodes then edges, in graph order."""
    lines = [
        f"digraph {quote(name)} {{",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#FFFFFF", fontname="DejaVu Sans"];',
    ]
    for node in graph.nodes.values():
        shape, colour = _SHAPE[node.kind]
        attrs = [f"label={quote(_label(node))}", f"shape={shape}", f"color={quote(colour)}",
                 f"tooltip={quote(node.id)}"]
        if node.kind in _STEP_KINDS and node.status.upper() in FAILED_STATES:
            attrs += [f"color={quote(FAILED_COLOUR)}", "penwidth=2"]
        lines.append(f"  {quote(node.id)} [{', '.join(attrs)}];")
    kinds: dict[tuple[str, str], list[str]] = {}
    for edge in graph.edges:
        held = kinds.setdefault((edge.source, edge.target), [])
        if edge.kind not in held:
            held.append(edge.kind)
    for (source, target), names in kinds.items():
        lines.append(f"  {quote(source)} -> {quote(target)} [label={quote(','.join(names))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
