"""``governance-app lineage NODE``: a node's lineage as JSON, DOT, SVG or PNG.

NODE is a model version (``credit_default:3``), a dataset (``namespace/name``), a job (with
or without its namespace), a run id or a raw node id. JSON goes to stdout unless ``-o`` names
a file; a terminal without ``--format`` gets a short table instead. PNG needs ``-o``: binary
on a terminal helps nobody.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from governance_app.cli import Verb
from governance_app.cli.output import local_time, table
from governance_app.domain.lineage import LineageGraph
from governance_app.errors import InputError

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
    from governance_app.services.workspace import Workspace

VerbFactory = Callable[[str, str, str], argparse.ArgumentParser]


def cmd_lineage(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import lineage as service  # numpy, matplotlib: on use

    direction = "upstream" if args.upstream else "downstream" if args.downstream else "both"
    graph = service.workspace_graph(ws)
    focus = service.node_id_for(args.node, graph)
    part = service.focus_graph(graph, focus, direction, args.depth)
    fmt = args.format
    if fmt is None and args.output is None and sys.stdout.isatty():
        _print_summary(part, focus, direction)
        return 0
    fmt = fmt or "json"
    if fmt == "png" and args.output is None:
        raise InputError("--format png", "writes binary data", expected="-o FILE for the PNG")
    if fmt == "json":
        payload = service.graph_json(part, focus)
        payload.update(direction=direction, depth=args.depth)
        data = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        if args.output is not None:
            args.output.write_bytes(data)
    else:
        title = f"Lineage of {args.node} ({direction})"
        data = service.export_graph(part, fmt, args.output, title=title)
    if args.output is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        print(f"wrote {len(part.nodes)} nodes and {len(part.edges)} edges to {args.output}",
              file=sys.stderr)
    return 0


def _print_summary(part: LineageGraph, focus: str, direction: str) -> None:
    print(f"{focus}: {direction}, {len(part.nodes)} nodes, {len(part.edges)} edges")
    rows = [
        [n.kind.value, n.namespace or "—", n.name, n.status or "—", local_time(n.ended_at)]
        for n in sorted(part.nodes.values(), key=lambda n: (n.kind.value, n.id))
    ]
    table(["kind", "namespace", "name", "status", "ended"], rows)
    from governance_app.analytics.pipeline_join import candidate_rows

    candidates = candidate_rows(part, part.nodes)
    if candidates:
        print("\nnot joined (the same file? check by hand; docs/pipelines.md has the rules):")
        table(["pipeline file", "candidate", "why not joined"], [list(r) for r in candidates])


def register(verb: VerbFactory) -> dict[str, Verb]:
    """Add ``lineage`` to the parser."""
    p = verb(
        "lineage",
        "a node's lineage: what it came from and what it fed (JSON, DOT, SVG or PNG)",
        "governance-app lineage credit_default:3 --upstream --format svg -o cd3.svg",
    )
    p.add_argument("node", metavar="NODE",
                   help="NAME:VERSION, a dataset NAMESPACE/NAME, a job, a run id or a node id")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--upstream", action="store_true", help="only what NODE derives from")
    way.add_argument("--downstream", action="store_true", help="only what NODE fed")
    p.add_argument("--depth", type=_depth, metavar="N", help="at most N hops from NODE")
    # services.lineage.EXPORT_FORMATS, spelled out so that building the parser does not
    # import the layout (numpy); export_graph refuses any other format all the same.
    p.add_argument("--format", choices=("json", "dot", "svg", "png"),
                   help="json (default), dot, svg or png")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    return {"lineage": Verb(cmd_lineage)}


def _depth(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("depth must be 0 or more")
    return value
