"""Benchmark: the Lineage view's scene at 5,000 nodes, offscreen.

Issue 3 asks the view to stay responsive at 5,000 nodes. This builds a seeded random lineage
graph shaped like ``bench_lineage.py``'s (datasets, jobs and runs, a few failed), then times
each step a user waits for: measuring labels, the layout (in the app this runs in a worker),
building the scene, the first paint fitted to the window, repaints while zooming in and
scrolling, a click that highlights upstream/downstream, and a search keystroke.

    python benchmarks/bench_lineage_view.py [--nodes 5000] [--seed 7] [--repeats 5]

Prints the figures; paints are synchronous ``repaint()`` calls of a 1,000×700 viewport.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # a checkout that is not installed
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_lineage import random_lineage_dag  # noqa: E402

from governance_app.domain.lineage import (  # noqa: E402
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
)


def lineage_graph(n: int, seed: int) -> LineageGraph:
    """The random DAG with kinds: mostly datasets and jobs, some runs (2 % of them failed)."""
    nodes, edges = random_lineage_dag(n, seed)
    rng = np.random.default_rng(seed + 1)
    choices = [NodeKind.DATASET, NodeKind.JOB, NodeKind.RUN]
    kinds = [choices[k] for k in rng.choice(3, size=n, p=[0.5, 0.3, 0.2])]
    ids = {}
    graph = LineageGraph()
    for name, kind in zip(nodes, kinds, strict=True):
        namespace, _, short = name.partition(".")
        status = ("FAIL" if rng.random() < 0.02 else "COMPLETE") if kind is NodeKind.RUN else ""
        node_id = f"{kind.value}:{namespace}/{short}"
        ids[name] = node_id
        graph.add_node(LineageNode(node_id, kind, short, namespace, status))
    for source, target in edges:
        graph.add_edge(LineageEdge(ids[source], ids[target], "input"))
    return graph


# PySide6 6.12's abi3 wheels are built against CPython 3.12 headers, where ``None`` is
# immortal; on CPython 3.11 every call of a void Qt method then drops one reference to
# ``None`` and the interpreter aborts ("none_dealloc") after enough calls. A 5,000-node scene
# makes hundreds of thousands, so the benchmark holds spare references to get its figures.
# The leak costs no time; on Python >= 3.12 this ballast does nothing.
_NONE_BALLAST = [None] * 50_000_000 if sys.version_info < (3, 12) else []


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from governance_app.ui.lineage_items import LineageStyle, node_widths
    from governance_app.ui.lineage_scene import LineageGraphicsView, LineageScene
    from governance_app.ui.lineage_tasks import layout_lineage

    app = QApplication.instance() or QApplication(sys.argv)
    graph = lineage_graph(args.nodes, args.seed)
    print(f"graph: {len(graph.nodes):,} nodes, {len(graph.edges):,} edges")
    style = LineageStyle.from_palette()
    widths: dict[str, float] = {}
    figures: dict[str, float] = {}
    figures["measure labels"] = timed(lambda: widths.update(node_widths(graph.nodes.values(),
                                                                       style)))
    layout = None

    def run_layout() -> None:
        nonlocal layout
        layout = layout_lineage(graph, widths)

    figures["layout (worker)"] = timed(run_layout)
    scene = LineageScene()
    figures["scene build"] = timed(lambda: scene.build(graph, layout, widths, style))
    view = LineageGraphicsView(scene)
    view.resize(1000, 700)
    view.show()
    app.processEvents()
    viewport = view.viewport()
    figures["fit + first paint"] = timed(lambda: (view.fit(), viewport.repaint()))

    def paints(label: str, step: Callable[[], None]) -> None:
        samples = []
        for _ in range(args.repeats):
            step()
            samples.append(timed(viewport.repaint))
        figures[label] = statistics.median(samples)

    paints("repaint, whole graph", lambda: None)
    middle = list(graph.nodes)[len(graph.nodes) // 2]
    view.centre_on_node(middle, readable=False)
    paints("repaint, zooming in", view.zoom_in)
    view.zoom_by(1.0 / view.scale_factor())  # 1:1, text drawn
    view.centre_on_node(middle)
    bar = view.horizontalScrollBar()
    paints("repaint, scrolling at 1:1", lambda: bar.setValue(bar.value() + 120))
    view.fit()
    paints("repaint, zooming out", view.zoom_out)
    figures["click: highlight up/downstream"] = timed(lambda: scene.highlight(middle))
    figures["repaint after highlight"] = timed(viewport.repaint)
    figures["search keystroke ('table_12')"] = timed(lambda: scene.find("table_12"))

    print(f"layout crossings: {layout.crossings:,}; scene "
          f"{scene.sceneRect().width():,.0f} × {scene.sceneRect().height():,.0f} units")
    for label, seconds in figures.items():
        print(f"{label:<34} {seconds * 1000:9.1f} ms")
    view.close()
    sys.stdout.flush()
    # Skip interpreter teardown: freeing the ballast would expose the leaked None references.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
