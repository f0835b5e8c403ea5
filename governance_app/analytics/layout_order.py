"""Ordering within layers for a proper layered graph (every segment spans one layer).

The expensive Sugiyama phase, kept apart so :mod:`layered_layout` reads as the pipeline. A
layer's keys (medians or barycentres of its neighbours' positions) come from ``bincount`` and
``lexsort`` over the segments of one layer gap, and transposition
(:mod:`layout_transpose`) works on all layers at once, so a sweep over a 100,000-vertex graph
is a few hundred array operations, not a Python loop per vertex.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from governance_app.analytics.layout_crossings import count_inversions
from governance_app.analytics.layout_transpose import Transposer

OrderMethod = Literal["median", "barycenter"]


@dataclass(slots=True)
class ProperGraph:
    """Vertices (real nodes, then dummies) with their layers and unit-span segments.

    The ordering lives in one flat array, layer after layer, so that operations on all
    layers at once (transposition, crossing counts) are single numpy calls.

    Attributes:
        layer: layer index of each vertex.
        upper: top vertex of each segment (layer ``k``).
        lower: bottom vertex of each segment (layer ``k + 1``).
        width: drawing width of each vertex (dummies are thin).
        flat: all vertices, layer by layer, each layer left to right.
        offsets: layer ``k`` is ``flat[offsets[k]:offsets[k + 1]]``.
        pos: position of each vertex within its layer, kept in step with ``flat``.
        gap_ptr: segments are sorted by upper layer; those of gap ``k`` are
            ``gap_ptr[k]:gap_ptr[k + 1]``.
    """

    layer: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    width: np.ndarray
    flat: np.ndarray = field(init=False)
    offsets: np.ndarray = field(init=False)
    pos: np.ndarray = field(init=False)
    gap_ptr: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        order = np.argsort(self.layer[self.upper], kind="stable")
        self.upper, self.lower = self.upper[order], self.lower[order]
        n_layers = int(self.layer.max()) + 1 if self.layer.size else 0
        self.gap_ptr = np.zeros(n_layers + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.layer[self.upper], minlength=n_layers), out=self.gap_ptr[1:])
        self.offsets = np.zeros(n_layers + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.layer, minlength=n_layers), out=self.offsets[1:])
        self.pos = np.zeros(self.layer.size, dtype=np.int64)
        self.set_flat(np.argsort(self.layer, kind="stable"))

    @property
    def n_layers(self) -> int:
        return self.offsets.size - 1

    @property
    def members(self) -> list[np.ndarray]:
        """Per layer, its vertices from left to right (views into ``flat``)."""
        return [self.flat[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)]

    def set_flat(self, flat: np.ndarray) -> None:
        """Adopt an ordering (vertices sorted by layer, then position), e.g. the best seen."""
        self.flat = flat.copy()
        self.pos[self.flat] = np.arange(self.flat.size) - self.offsets[self.layer[self.flat]]

    def crossings(self) -> int:
        """Exact crossings of the current ordering, all gaps at once."""
        if self.upper.size < 2:
            return 0
        gap = self.layer[self.upper]
        up, lo = self.pos[self.upper], self.pos[self.lower]
        order = np.lexsort((lo, up, gap))
        span = int(lo.max()) + 1
        return count_inversions(gap[order] * span + lo[order])

    def bfs_order(self, from_bottom: bool = False) -> None:
        """Initial ordering: vertices placed in each layer in breadth-first visiting order.

        Starting from the top-layer (or bottom-layer) vertices, a breadth-first walk that
        ignores direction puts connected vertices next to each other and keeps components
        apart, a far better start for the sweeps than input order (``dot`` does the same).
        """
        n = self.layer.size
        ends = np.concatenate((self.upper, self.lower))
        other = np.concatenate((self.lower, self.upper))
        order = np.argsort(ends, kind="stable")
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=n), out=ptr[1:])
        nbrs, bounds = other[order].tolist(), ptr.tolist()
        seen = bytearray(n)
        visit: list[int] = []
        key = -self.layer if from_bottom else self.layer
        starts = np.argsort(key, kind="stable").tolist()
        for root in starts:
            if seen[root]:
                continue
            seen[root] = 1
            head = len(visit)
            visit.append(root)
            while head < len(visit):
                v = visit[head]
                head += 1
                for w in nbrs[bounds[v] : bounds[v + 1]]:
                    if not seen[w]:
                        seen[w] = 1
                        visit.append(w)
        ranked = np.array(visit, dtype=np.int64)
        self.set_flat(ranked[np.argsort(self.layer[ranked], kind="stable")])

    def _neighbour_pairs(self, k: int, side: int) -> tuple[np.ndarray, np.ndarray]:
        """(vertex in layer k, its neighbour in layer k + side) for every segment between."""
        if side < 0:
            s = slice(self.gap_ptr[k - 1], self.gap_ptr[k])
            return self.lower[s], self.upper[s]
        s = slice(self.gap_ptr[k], self.gap_ptr[k + 1])
        return self.upper[s], self.lower[s]

    def pairs(self, k: int, sides: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        parts = [self._neighbour_pairs(k, s) for s in sides if 0 <= k + s < self.n_layers]
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def reorder_layer(
        self, k: int, sides: tuple[int, ...], method: OrderMethod, reverse: bool = False
    ) -> None:
        """Sort layer ``k`` by the median or barycentre of its neighbours' positions.

        Vertices without neighbours on the chosen sides keep their relative place (their key
        is their current position, scaled to the neighbours' range). Equal keys keep the
        current order, or flip it with ``reverse``: alternating the two lets sweeps leave a
        plateau instead of returning the same ordering forever.
        """
        m = self.flat[self.offsets[k] : self.offsets[k + 1]]
        free, fixed = self.pairs(k, sides)
        if free.size == 0 or m.size < 2:
            return
        key, has = group_centre(self.pos[free], self.pos[fixed].astype(np.float64), m.size, method)
        span = max(float(self.pos[fixed].max()) + 1.0, 1.0)
        current = np.arange(m.size, dtype=np.float64)
        key = np.where(has, key, current * span / m.size)
        new = m[np.lexsort((-current if reverse else current, key))]
        m[:] = new
        self.pos[new] = np.arange(new.size)


def group_centre(
    group: np.ndarray, values: np.ndarray, n_groups: int, method: OrderMethod
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the median or mean of its values; and which groups have any.

    Medians of even-sized groups are the mean of the two middle values, which keeps two
    parallel edges from pulling a vertex to one side.
    """
    counts = np.bincount(group, minlength=n_groups)
    has = counts > 0
    if method == "barycenter":
        sums = np.bincount(group, weights=values, minlength=n_groups)
        return np.divide(sums, counts, out=np.zeros(n_groups), where=has), has
    order = np.lexsort((values, group))
    sorted_values = values[order]
    start = np.cumsum(counts) - counts
    lo = sorted_values[np.minimum(start + (counts - 1) // 2, values.size - 1)]
    hi = sorted_values[np.minimum(start + counts // 2, values.size - 1)]
    return np.where(has, (lo + hi) / 2.0, 0.0), has


def reduce_crossings(
    graph: ProperGraph,
    *,
    iterations: int,
    patience: int = 6,
    transpose_rounds: int = 24,
    starts: int = 2,
    step: Callable[[int, int], None] | None = None,
) -> int:
    """Median sweeps with transposition, from two starts, keeping the best ordering seen.

    The schedule follows Graphviz ``dot``'s (Gansner et al. 1993), because its quality is the
    yardstick: a breadth-first initial ordering, then each iteration one sweep, down or up in
    turn, ordering each layer by the medians of the layer just fixed, followed by
    transposition of neighbouring pairs until no swap helps. Every other pair of iterations
    flips ties, which lets the search leave plateaus. The whole is run twice, from a top-down
    and a bottom-up breadth-first start, as ``dot`` does, and the better result kept.

    Args:
        graph: the proper graph; its ordering is left at the best one found.
        iterations: the most sweeps per start.
        patience: sweeps without a 0.5% improvement before a start is abandoned.
        transpose_rounds: most transposition rounds after each sweep; the equal-swap rounds
            that follow every other pair of sweeps are where most of the quality comes from.
        starts: 2 runs from both breadth-first starts, 1 from the top-down one only (each
            start costs a breadth-first walk and its sweeps: huge graphs take one).
        step: called as ``step(done, crossings)`` after each sweep, ``done`` counting up to
            ``2 * iterations`` (progress and cancellation live there).

    Returns:
        The crossings of the ordering kept.
    """
    best, best_flat = -1, graph.flat
    for start, from_bottom in enumerate((False, True)[: max(1, starts)]):
        graph.bfs_order(from_bottom)
        transposer = Transposer(graph)
        transposer.run(allow_equal=False, max_rounds=transpose_rounds)
        cur_best, cur_flat = graph.crossings(), graph.flat.copy()
        stale = 0
        for it in range(iterations):
            if cur_best == 0 or stale >= patience:
                break
            down = (it % 2 == 0) != from_bottom
            reverse = it % 4 >= 2
            layers = range(1, graph.n_layers) if down else range(graph.n_layers - 2, -1, -1)
            for k in layers:
                graph.reorder_layer(k, (-1,) if down else (1,), "median", reverse)
            transposer.run(allow_equal=reverse, max_rounds=transpose_rounds)
            now = graph.crossings()
            if now <= cur_best:
                stale = 0 if now < 0.995 * cur_best else stale + 1
                cur_best, cur_flat = now, graph.flat.copy()
            else:
                stale += 1
            if step is not None:
                step(start * iterations + it, min(cur_best, best) if best >= 0 else cur_best)
        if best < 0 or cur_best < best:
            best, best_flat = cur_best, cur_flat
        if best == 0:
            break
    graph.set_flat(best_flat)
    return best
