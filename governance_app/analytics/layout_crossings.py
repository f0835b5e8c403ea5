"""Exact edge-crossing counts for layered drawings, by inversion counting.

Two straight segments between the same pair of adjacent layers cross exactly when their order
on the upper layer is the opposite of their order on the lower one. Sorting segments by upper
position and counting inversions of their lower positions therefore counts crossings exactly,
in O(E log² E) vectorised numpy work instead of the O(E²) pairwise test (which the tests keep as
the oracle). Segments that share an endpoint never count: only strict inversions do.

The same counter scores our layout and Graphviz ``dot``'s, so the benchmark compares like with
like.
"""

from __future__ import annotations

import numpy as np


def count_inversions(values: np.ndarray) -> int:
    """Number of pairs ``i < j`` with ``values[i] > values[j]`` (ties are not inversions).

    A bottom-up merge sort, one numpy pass per level: at each level every element of a right
    half-block counts the larger elements of its left half-block with one ``searchsorted`` on
    keys offset by block, so all blocks are handled at once.

    Args:
        values: a one-dimensional array of non-negative integers.
    """
    arr = np.asarray(values, dtype=np.int64)
    n = arr.size
    if n < 2:
        return 0
    span = int(arr.max()) + 1
    index = np.arange(n, dtype=np.int64)
    total = 0
    width = 1
    while width < n:
        block = index // (2 * width)
        right = (index // width) % 2 == 1
        keys = block * span + arr  # sorted within each half-block by construction
        left_keys = keys[~right]
        rb = block[right]
        # Left elements of the same block that are <= x, and all left elements of that block.
        upto = np.searchsorted(left_keys, keys[right], side="right")
        end = np.searchsorted(left_keys, rb * span + span - 1, side="right")
        total += int((end - upto).sum())
        # Merge: sorting the block-offset keys sorts each 2*width block and keeps blocks put.
        arr = np.sort(keys, kind="stable") - block * span
        width *= 2
    return total


def crossings_between_layers(gap: np.ndarray, upper: np.ndarray, lower: np.ndarray) -> int:
    """Crossings among segments, each joining layer ``gap`` to layer ``gap + 1``.

    Args:
        gap: for each segment, the index of its upper layer.
        upper: position (order, or any coordinate) of the segment's end on the upper layer.
        lower: position of its end on the lower layer.

    Positions may be floats (coordinates from another tool); only their order matters.
    """
    gap = np.asarray(gap, dtype=np.int64)
    if gap.size < 2:
        return 0
    upper_rank = _dense_rank(np.asarray(upper, dtype=np.float64))
    lower_rank = _dense_rank(np.asarray(lower, dtype=np.float64))
    order = np.lexsort((lower_rank, upper_rank, gap))
    # Segments of different gaps never cross: the gap offset keeps them in increasing order.
    span = int(lower_rank.max()) + 1
    return count_inversions(gap[order] * span + lower_rank[order])


def _dense_rank(values: np.ndarray) -> np.ndarray:
    """Equal values share a rank, so shared endpoints stay ties (not crossings)."""
    _, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64)
