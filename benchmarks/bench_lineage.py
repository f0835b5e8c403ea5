"""Benchmark: layered layout of random lineage-like DAGs, time and crossings vs Graphviz dot.

Targets (issue 3): 5,000 nodes laid out in at most 2 s, 20,000 in at most 10 s, and edge
crossings within 1.2x of Graphviz ``dot`` on the same graphs where ``dot`` is installed.

The graphs are seeded random layered DAGs shaped like lineage: each node past the first layer
reads from 1-3 nodes (about 1.75 edges a node), mostly of the layer just above and near its own
place (pipelines are local), some from two to five layers up (long edges, e.g. a raw table
read again by a late job), a few from anywhere in the layer above.

Crossings are counted by one counter for both tools: ``dot -Tplain`` gives node centres and
edge splines; each edge is cut where it passes each rank, and the same inversion count scores
the cuts, so only the orderings differ.

Usage:
    python benchmarks/bench_lineage.py [--sizes 1000 5000 20000] [--seed 7] [--no-dot]
                                       [--dot-timeout 600]

Exits 1 when a layout misses its time target.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # a checkout that is not installed

from governance_app.analytics.layered_layout import (  # noqa: E402
    Layout,
    count_crossings,
    layered_layout,
)

TARGET_S = {5000: 2.0, 20000: 10.0}
DOT_RATIO_TARGET = 1.2


def random_lineage_dag(n: int, seed: int) -> tuple[list[str], list[tuple[str, str]]]:
    """A seeded random layered DAG with lineage-like fan-in, locality and long edges."""
    rng = np.random.default_rng(seed)
    n_layers = max(6, int(round(np.sqrt(n) / 2)))
    sizes = rng.multinomial(n - n_layers, np.full(n_layers, 1 / n_layers)) + 1
    starts = np.concatenate(([0], np.cumsum(sizes)))
    names = [f"ns{rng.integers(4)}.table_{i}" for i in range(n)]
    edges: set[tuple[int, int]] = set()
    for k in range(1, n_layers):
        for local in range(sizes[k]):
            v = starts[k] + local
            rel = (local + 0.5) / sizes[k]
            fan_in = 1 + rng.binomial(2, 0.4)  # 1-3, mean 1.8
            for _ in range(fan_in):
                kind = rng.random()
                if kind < 0.75:
                    src_layer, spread = k - 1, 0.05
                elif kind < 0.9:
                    src_layer, spread = max(0, k - int(rng.integers(2, 6))), 0.05
                else:
                    src_layer, spread = k - 1, 1.0
                r = rel + rng.normal(0, spread) if spread < 1 else rng.random()
                u_local = int(np.clip(r, 0, 0.999999) * sizes[src_layer])
                edges.add((int(starts[src_layer] + u_local), int(v)))
    order = rng.permutation(n)  # the layout must not get the generator's order for free
    nodes = [names[i] for i in order]
    pairs = sorted(edges)
    return nodes, [(names[pairs[i][0]], names[pairs[i][1]]) for i in rng.permutation(len(pairs))]


def dot_crossings(
    nodes: list[str], edges: list[tuple[str, str]], timeout: float
) -> tuple[int, float] | str:
    """Crossings and seconds of ``dot`` on the same graph, or why there are none."""
    exe = shutil.which("dot")
    if exe is None:
        return "dot not installed"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.dot"
        lines = ["digraph G {", "node [shape=box];"]
        lines += [f'"{v}";' for v in nodes]
        lines += [f'"{u}" -> "{v}";' for u, v in edges]
        lines.append("}")
        path.write_text("\n".join(lines), encoding="utf-8")
        started = time.perf_counter()
        try:
            out = subprocess.run(
                [exe, "-Tplain", str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
            ).stdout
        except subprocess.TimeoutExpired:
            return f"dot timed out after {timeout:.0f} s"
        seconds = time.perf_counter() - started
    return count_crossings(_layout_from_plain(out)), seconds


def _layout_from_plain(text: str) -> Layout:
    """A Layout holding dot's ranks and each edge cut at every rank it passes."""
    pos: dict[str, tuple[float, float]] = {}
    splines: list[tuple[str, str, list[tuple[float, float]]]] = []
    for line in text.splitlines():
        parts = _split_plain(line)
        if parts and parts[0] == "node":
            pos[parts[1]] = (float(parts[2]), float(parts[3]))
        elif parts and parts[0] == "edge":
            k = int(parts[3])
            pts = [(float(parts[4 + 2 * i]), float(parts[5 + 2 * i])) for i in range(k)]
            splines.append((parts[1], parts[2], pts))
    ranks = sorted({y for _, y in pos.values()}, reverse=True)  # dot's y grows upwards
    rank_of = {y: r for r, y in enumerate(ranks)}
    routes = {}
    for tail, head, pts in splines:
        (xt, yt), (xh, yh) = pos[tail], pos[head]
        rt, rh = rank_of[yt], rank_of[yh]
        step = 1 if rh > rt else -1
        ys = np.array([p[1] for p in pts])
        xs = np.array([p[0] for p in pts])
        order = np.argsort(ys)
        route = [(xt, float(rt))]
        for r in range(rt + step, rh, step):
            route.append((float(np.interp(ranks[r], ys[order], xs[order])), float(r)))
        route.append((xh, float(rh)))
        routes[(tail, head)] = route
    return Layout(
        positions={},
        layers=[],
        reversed_edges=[],
        edge_routes=routes,
        crossings=0,
        layer_y=[float(r) for r in range(len(ranks))],
    )


def _split_plain(line: str) -> list[str]:
    """Split a ``-Tplain`` line, honouring double-quoted names."""
    out, cur, quoted = [], "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-dot", action="store_true")
    parser.add_argument("--dot-timeout", type=float, default=600.0)
    args = parser.parse_args()
    missed = False
    for n in args.sizes:
        nodes, edges = random_lineage_dag(n, args.seed)
        started = time.perf_counter()
        layout = layered_layout(nodes, edges)
        seconds = time.perf_counter() - started
        target = TARGET_S.get(n)
        verdict = "" if target is None else (" ok" if seconds <= target else " MISSED")
        missed |= target is not None and seconds > target
        print(
            f"{n:>6} nodes {len(edges):>6} edges: layout {seconds:6.2f} s"
            f"{f' (target {target:.0f} s{verdict})' if target else ''}, "
            f"{len(layout.layers)} layers, crossings {layout.crossings:,}",
            flush=True,
        )
        if args.no_dot:
            continue
        theirs = dot_crossings(nodes, edges, args.dot_timeout)
        if isinstance(theirs, str):
            print(f"{'':>6} {theirs}", flush=True)
            continue
        crossings, dot_s = theirs
        ratio = layout.crossings / crossings if crossings else float("inf")
        print(
            f"{'':>6} dot {dot_s:6.1f} s, crossings {crossings:,}; ours/dot = {ratio:.2f}"
            f" (target <= {DOT_RATIO_TARGET})",
            flush=True,
        )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
