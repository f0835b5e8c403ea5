"""Layered layout: the drawing's promises (order, separation, direction, crossings) hold."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_app.analytics.layered_layout import (
    Layout,
    LayoutCancelled,
    break_cycles,
    count_crossings,
    layered_layout,
    longest_path_layers,
)
from governance_app.analytics.layout_crossings import (
    count_inversions,
    crossings_between_layers,
)

NODE_SEP = 12.0


def width(node: object) -> float:
    return 7.0 * len(str(node)) + 16.0


def segments(layout: Layout) -> list[tuple[float, float, float, float]]:
    """Every route cut into (y_top, x_top, y_bottom, x_bottom) layer-to-layer pieces."""
    out = []
    for pts in layout.edge_routes.values():
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            out.append((y0, x0, y1, x1) if y0 < y1 else (y1, x1, y0, x0))
    return out


def brute_crossings(layout: Layout) -> int:
    """The O(E^2) definition: segments between the same layers whose x order flips."""
    return sum(
        1
        for a, b in combinations(segments(layout), 2)
        if a[0] == b[0] and (a[1] - b[1]) * (a[3] - b[3]) < 0
    )


def assert_valid(layout: Layout, nodes: list, edges: list[tuple]) -> None:
    pos = layout.positions
    assert set(pos) >= set(nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    # Layers: every node once; one y per layer; no overlaps, order kept.
    flat = [v for layer in layout.layers for v in layer]
    assert sorted(map(str, flat)) == sorted(map(str, pos))
    for k, layer in enumerate(layout.layers):
        assert all(pos[v][1] == layout.layer_y[k] for v in layer)
        for a, b in zip(layer, layer[1:], strict=False):
            gap = pos[b][0] - pos[a][0]
            assert gap >= (width(a) + width(b)) / 2 + NODE_SEP - 1e-6, (a, b, gap)
    # After cycle handling every edge points down, one layer per route step.
    flipped = set(layout.reversed_edges)
    gap_y = layout.layer_y[1] - layout.layer_y[0] if len(layout.layer_y) > 1 else 1.0
    for s, t in {e for e in edges if e[0] != e[1]}:
        route = layout.edge_routes[(s, t)]
        assert route[0] == pos[s] and route[-1] == pos[t]
        step = -gap_y if (s, t) in flipped else gap_y
        assert all(math.isclose(q[1] - p[1], step) for p, q in zip(route, route[1:], strict=False))
    assert count_crossings(layout) == layout.crossings == brute_crossings(layout)


def test_empty_and_single_node() -> None:
    empty = layered_layout([], [])
    assert empty.positions == {} and empty.layers == [] and empty.crossings == 0
    one = layered_layout(["a"], [])
    assert one.layers == [["a"]] and one.positions["a"][1] == 0.0


def test_chain_and_long_edge_route_through_dummies() -> None:
    nodes = ["src", "a", "b", "c", "sink"]
    edges = [("src", "a"), ("a", "b"), ("b", "c"), ("c", "sink"), ("a", "sink")]
    layout = layered_layout(nodes, edges, width=width, node_sep=NODE_SEP)
    assert layout.layers == [["src"], ["a"], ["b"], ["c"], ["sink"]]
    assert len(layout.edge_routes[("a", "sink")]) == 4  # through two dummies
    assert layout.reversed_edges == [] and layout.crossings == 0
    assert_valid(layout, nodes, edges)


def test_sources_are_pulled_down_next_to_their_consumer() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "d"), ("lookup", "d")]
    layout = layered_layout(["a", "b", "c", "d", "lookup"], edges)
    assert layout.positions["lookup"][1] == layout.positions["c"][1]


def test_a_cycle_is_broken_and_reported() -> None:
    nodes = ["a", "b", "c", "d"]
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "d")]
    layout = layered_layout(nodes, edges, width=width, node_sep=NODE_SEP)
    assert layout.reversed_edges == [("c", "a")]
    assert ("d", "d") not in layout.edge_routes  # self-loops get no route
    assert_valid(layout, nodes, edges)


def test_two_cycles_sharing_nodes() -> None:
    edges = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("c", "a")]
    layout = layered_layout("abc", edges, width=width, node_sep=NODE_SEP)
    assert len(layout.reversed_edges) >= 2
    assert_valid(layout, list("abc"), edges)


def test_crossing_reduction_untangles_what_can_be_untangled() -> None:
    # Drawn in input order both pairs cross; reordering removes every crossing.
    nodes = ["a", "b", "c", "d", "e", "f"]
    edges = [("a", "f"), ("b", "e"), ("c", "d")]
    layout = layered_layout(nodes, edges, width=width, node_sep=NODE_SEP)
    assert layout.crossings == 0
    assert_valid(layout, nodes, edges)


def test_complete_bipartite_graphs_reach_their_crossing_number() -> None:
    # Two-layer K(m,n) has C(m,2)*C(n,2) crossings in every ordering: 1 for K2,2, 9 for K3,3.
    k22 = layered_layout(["a", "b", "c", "d"], [(u, v) for u in "ab" for v in "cd"])
    assert k22.crossings == 1 == brute_crossings(k22)
    k33 = layered_layout(list("abcxyz"), [(u, v) for u in "abc" for v in "xyz"])
    assert k33.crossings == 9 == brute_crossings(k33)


def test_widths_are_respected() -> None:
    nodes = ["r", "a-very-long-dataset-name", "b", "c"]
    edges = [("r", n) for n in nodes[1:]]
    layout = layered_layout(nodes, edges, width=width, node_sep=NODE_SEP)
    assert_valid(layout, nodes, edges)
    lefts = [layout.positions[n][0] - width(n) / 2 for n in nodes]
    assert min(lefts) == pytest.approx(0.0)


def test_progress_reports_and_cancel_stops() -> None:
    seen: list[tuple[int, int, str]] = []
    layered_layout(["a", "b"], [("a", "b")], progress=lambda d, t, m: seen.append((d, t, m)))
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] == "done"
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    calls = iter([False, False, True])
    with pytest.raises(LayoutCancelled):
        layered_layout(["a", "b"], [("a", "b")], is_cancelled=lambda: next(calls))


def test_break_cycles_and_layers_directly() -> None:
    src, dst = np.array([0, 1, 2]), np.array([1, 2, 0])
    flipped = break_cycles(3, src, dst)
    assert flipped.tolist() == [False, False, True]
    with pytest.raises(ValueError):
        longest_path_layers(3, src, dst)
    layers = longest_path_layers(4, np.array([0, 1, 3]), np.array([1, 2, 2]))
    assert layers.tolist() == [0, 1, 2, 1]


def test_crossings_between_layers_counts_only_strict_flips() -> None:
    # Two segments from one upper vertex never cross; different gaps never cross.
    assert crossings_between_layers([0, 0], [1.0, 1.0], [5.0, 2.0]) == 0
    assert crossings_between_layers([0, 0], [1.0, 2.0], [5.0, 2.0]) == 1
    assert crossings_between_layers([0, 1], [1.0, 2.0], [5.0, 2.0]) == 0
    assert count_inversions(np.array([3, 1, 2])) == 2


@given(st.lists(st.integers(0, 20), max_size=60))
def test_inversions_match_the_definition(values: list[int]) -> None:
    brute = sum(1 for i, j in combinations(range(len(values)), 2) if values[i] > values[j])
    assert count_inversions(np.array(values, dtype=np.int64)) == brute


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[list[int], list[tuple[int, int]]]:
    """Small graphs, mostly DAGs with long edges, sometimes with cycles and self-loops."""
    n = draw(st.integers(1, 14))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    edges = draw(st.lists(pairs, max_size=3 * n))
    if draw(st.booleans()):
        edges = [(min(e), max(e)) for e in edges if e[0] != e[1]]  # acyclic
    return list(range(n)), edges


@settings(max_examples=150, deadline=None)
@given(random_graphs())
def test_random_graphs_give_valid_layouts(graph: tuple[list[int], list[tuple[int, int]]]) -> None:
    nodes, edges = graph
    layout = layered_layout(nodes, edges, width=width, node_sep=NODE_SEP)
    assert_valid(layout, nodes, edges)
    if all(s < t for s, t in edges):
        assert layout.reversed_edges == []
