"""X coordinates for an ordered proper layered graph: keep order, respect widths, align edges.

Separate from ordering because it is independent of it: any ordering (ours, a user's drag)
can be placed again without re-running crossing reduction.
"""

from __future__ import annotations

import numpy as np

from governance_app.analytics.layout_order import ProperGraph, group_centre


def place_x(graph: ProperGraph, *, node_sep: float, passes: int) -> np.ndarray:
    """Centre x of every vertex: order kept, neighbours ``node_sep`` apart edge to edge.

    Starts packed left to right, then alternately pulls each layer towards the medians of its
    upper and lower neighbours (both in the last pass), each time solving "closest to the
    desired positions without breaking order or separation" with :func:`closest_feasible`.
    Long edges straighten because their dummies have one neighbour on each side.
    """
    x = np.zeros(graph.layer.size, dtype=np.float64)
    seps = []
    members = graph.members
    for m in members:
        w = graph.width[m]
        sep = (w[:-1] + w[1:]) / 2.0 + node_sep
        seps.append(sep)
        packed = np.concatenate(([0.0], np.cumsum(sep)))
        x[m] = packed - packed[-1] / 2.0
    schedule: list[tuple[range, tuple[int, ...]]] = []
    down, up = range(1, graph.n_layers), range(graph.n_layers - 2, -1, -1)
    for p in range(passes):
        schedule.append((down, (-1,)) if p % 2 == 0 else (up, (1,)))
    schedule.append((range(graph.n_layers), (-1, 1)))
    for layers, sides in schedule:
        for k in layers:
            m = members[k]
            free, fixed = graph.pairs(k, sides)
            if free.size == 0:
                continue
            want, has = group_centre(graph.pos[free], x[fixed], m.size, "median")
            x[m] = closest_feasible(np.where(has, want, x[m]), seps[k])
    return x


def closest_feasible(desired: np.ndarray, sep: np.ndarray) -> np.ndarray:
    """Positions near ``desired``, in the same order, consecutive ones at least ``sep`` apart.

    Subtracting the cumulative separation turns the constraints into "non-decreasing". The
    running maximum from the left and the running minimum from the right are both feasible
    (one too far right, one too far left of the violators); their mean is feasible too and
    splits each conflict evenly, which is the least-squares answer for a single conflict and
    close to it in general, at numpy speed.
    """
    offset = np.concatenate(([0.0], np.cumsum(sep)))
    y = desired - offset
    left = np.maximum.accumulate(y)
    right = np.minimum.accumulate(y[::-1])[::-1]
    return (left + right) / 2.0 + offset
