"""Transposition: swap neighbouring vertices of a layer while that removes crossings.

Median sweeps find the rough order; transposition is what brings the crossings down to
Graphviz ``dot``'s level. ``dot`` swaps one pair at a time in C. Here all independent pairs
swap at once: a swap only changes the order *within* its pair, so disjoint pairs of one layer
do not interact, and layers two apart see only layers that stay put. One round is therefore
two vectorised steps (even, then odd layers), and rounds only revisit layers next to
ones that changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from governance_app.analytics.layout_order import ProperGraph


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(starts[i], ends[i])`` without a Python loop."""
    counts = ends - starts
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)


class Transposer:
    """Swaps neighbours in a :class:`ProperGraph` ordering to remove crossings.

    The segment ends of each layer are gathered once; only positions change afterwards.
    """

    def __init__(self, graph: ProperGraph) -> None:
        self.graph = graph
        n = graph.flat.size
        # Segment ends grouped by (vertex, side): side 0 is the neighbour one layer up,
        # side 1 one layer down. Only positions change later, so this is built once.
        free = np.concatenate((graph.lower, graph.upper))
        fixed = np.concatenate((graph.upper, graph.lower))
        side = np.repeat(np.arange(2, dtype=np.int64), graph.upper.size)
        order = np.argsort(free * 2 + side, kind="stable")
        self.fixed, self.side = fixed[order], side[order]
        self.ptr = np.zeros(2 * n + 1, dtype=np.int64)
        np.cumsum(np.bincount(free * 2 + side, minlength=2 * n), out=self.ptr[1:])
        sizes = np.diff(graph.offsets)
        self.slot_layer = np.repeat(np.arange(graph.n_layers), sizes)
        self.slot_pos = np.arange(n) - graph.offsets[self.slot_layer]
        self.has_right = self.slot_pos < sizes[self.slot_layer] - 1

    def gains(self, layers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What swapping each slot of the given layers with the next slot would save.

        ``c(a, b)`` counts pairs of segments of neighbours ``a, b`` that cross now and
        ``c(b, a)`` those that would after the swap; all pairs' counts come from one cross
        product of neighbour lists, side by side (segments to different layers never cross).
        Entries are gathered in slot order from the per-vertex lists, so nothing is sorted.

        Returns:
            ``(slots, saved, now)``: the slots of ``flat`` in those layers, in order, and per
            slot ``c(a, b) - c(b, a)`` and ``c(a, b)`` (zero for a layer's last slot).
        """
        g = self.graph
        slots = _ranges(g.offsets[layers], g.offsets[layers + 1])
        m = slots.size
        verts = g.flat[slots]
        lo, hi = self.ptr[2 * verts], self.ptr[2 * verts + 2]
        entries = _ranges(lo, hi)
        per_slot = hi - lo
        first = np.cumsum(per_slot) - per_slot  # where each slot's entries begin
        j = np.repeat(np.arange(m), per_slot)
        side = self.side[entries]
        value = g.pos[self.fixed[entries]]
        # The same side's entries of the right-hand neighbour (slot j + 1).
        nxt = np.minimum(j + 1, max(m - 1, 0))
        rv = verts[nxt]
        r_lo = self.ptr[2 * rv + side]
        r_count = np.where(self.has_right[slots[j]], self.ptr[2 * rv + side + 1] - r_lo, 0)
        r_start = first[nxt] + (r_lo - self.ptr[2 * rv])
        total = int(r_count.sum())
        if total == 0:
            zero = np.zeros(m, dtype=np.int64)
            return slots, zero, zero
        left = np.repeat(np.arange(entries.size), r_count)
        right = np.repeat(r_start - (np.cumsum(r_count) - r_count), r_count) + np.arange(total)
        a, b = value[left], value[right]
        pair = j[left]
        now = np.bincount(pair[a > b], minlength=m)
        return slots, now - np.bincount(pair[a < b], minlength=m), now

    def run(self, allow_equal: bool, max_rounds: int = 24) -> int:
        """Swap pairs that save crossings until a round saves none; returns crossings saved.

        With ``allow_equal``, crossing pairs that a swap leaves no worse swap too, which is
        how ``dot`` walks off plateaus (bounded by ``max_rounds``, since such swaps can
        repeat).
        """
        g = self.graph
        n_layers = g.n_layers
        all_layers = np.arange(n_layers)
        active = np.ones(n_layers, dtype=bool)
        total = 0
        for round_no in range(max_rounds):
            changed = np.zeros(n_layers, dtype=bool)
            saved_round = 0
            for layer_parity in (0, 1):
                layers = all_layers[active & (all_layers % 2 == layer_parity)]
                if layers.size == 0:
                    continue
                slots, saved, now = self.gains(layers)
                want = (saved > 0) | (allow_equal & (saved == 0) & (now > 0))
                # Disjoint pairs only: all wanted pairs of one parity, and those of the other
                # whose neighbouring pairs stay put (a pair's gain depends on its two vertices
                # alone, so untouched pairs' gains stay exact). The preferred parity
                # alternates by round so vertices can travel, as in odd-even sorting. A
                # layer's last slot is never wanted, so neighbours in the array are
                # neighbours in the layer.
                first = want & (self.slot_pos[slots] % 2 == round_no % 2)
                blocked = np.zeros_like(first)
                blocked[1:] |= first[:-1]
                blocked[:-1] |= first[1:]
                take = np.flatnonzero(first | (want & ~first & ~blocked))
                if take.size == 0:
                    continue
                saved_round += int(saved[take].sum())
                idx = slots[take]
                g.flat[idx], g.flat[idx + 1] = g.flat[idx + 1], g.flat[idx]
                g.pos[g.flat[idx]] -= 1
                g.pos[g.flat[idx + 1]] += 1
                changed[self.slot_layer[idx]] = True
            total += saved_round
            if saved_round <= 0:
                break
            active = changed.copy()
            active[1:] |= changed[:-1]
            active[:-1] |= changed[1:]
            if not active.any():
                break
        return total
