"""KS and Wasserstein of two large sorted samples from one merge, in cache-sized blocks.

Why a second algorithm beside :func:`drift_stats.ks_and_wasserstein`'s search-based one: that
one looks every current value up in the reference (``searchsorted``, O(m log n)), which is the
right cost for many small windows against one large reference, but for two samples of a million
values each the binary searches (~50 ms) and the dozen full-length temporaries it builds cost
more than merging the two sorted samples outright.

Here the two sorted samples are concatenated and ``argsort(kind="stable")`` merges them: numpy's
stable sort is a timsort, which finds the two sorted runs and merges them in linear time (about
the cost of one ``np.sort`` of a million values). Walking the merged order, with ``c_k`` the
current values among the first ``k + 1`` merged values,

    ``F_ref - F_cur`` just right of the ``k``-th value ``= ((k + 1) n_cur - c_k (n_ref + n_cur))
    / (n_ref n_cur)``,

an exact integer numerator. Wasserstein-1 is ``sum_k |F_ref - F_cur| (x_{k+1} - x_k)`` (ties
give zero-length gaps) and KS is ``max |F_ref - F_cur|`` over the last value of each run of
equal values (where the gap is positive). These are the very sums scipy's ``ks_2samp`` and
``wasserstein_distance`` evaluate on their merged sample, so the results agree to rounding.

The walk runs over blocks of ``BLOCK`` merged values so every temporary stays in the CPU cache
and no array of the full merged length is built besides the merge order itself.
"""

from __future__ import annotations

import threading

import numpy as np

BLOCK = 1 << 15
"""Merged values per block: temporaries of 32,768 x 8 bytes stay in a core's L2 cache."""

_LOCAL = threading.local()


def _buffer(size: int) -> np.ndarray:
    """A float64 scratch array of ``size`` for this thread, reused from call to call.

    A fresh 16 MB array costs thousands of page faults on first touch (measured: about as
    much as the merge itself on a virtual machine); one buffer per worker thread does not.
    It lives as long as the thread (16 MB for two samples of a million values).
    """
    found = getattr(_LOCAL, "buffer", None)
    if found is None or found.size < size:
        found = _LOCAL.buffer = np.empty(size, dtype=np.float64)
    return found[:size]


def ks_wasserstein_merged(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """Two-sample KS statistic and raw Wasserstein-1 distance of two sorted, finite samples.

    Args:
        ref: the reference sample, sorted ascending, no NaN.
        cur: the current sample, sorted ascending, no NaN.

    Raises:
        ValueError: either sample is empty.
    """
    n1, n2 = int(ref.size), int(cur.size)
    if n1 == 0 or n2 == 0:
        raise ValueError("KS and Wasserstein need two non-empty samples")
    total = n1 + n2
    both = np.concatenate((ref, cur), out=_buffer(total))
    order = np.argsort(both, kind="stable")  # two sorted runs: one linear timsort merge
    # (k + 1) n_cur as floats: numerators stay below 2**53 (exact) up to ~67 million values a side.
    ramp = np.arange(1, min(BLOCK, total) + 1, dtype=np.float64) * n2
    carry = 0  # current values among the merged values before the block
    ks_num = 0.0
    w_sum = 0.0
    for start in range(0, total, BLOCK):
        stop = min(start + BLOCK, total)
        idx = order[start:stop + 1]  # one more: the next value closes the block's last gap
        values = both[idx]
        gaps = values[1:] - values[:-1]
        taken = np.cumsum(idx[: stop - start] >= n1)
        taken += carry
        carry = int(taken[-1])
        diff = ramp[: gaps.size] + float(start * n2)
        diff -= taken[: gaps.size] * float(total)
        np.abs(diff, out=diff)
        w_sum += float(np.sum(diff * gaps))  # not np.dot: BLAS threads cost more here
        ks_num = max(ks_num, float(np.max(diff, where=gaps > 0, initial=0.0)))
    scale = float(n1) * float(n2)
    return ks_num / scale, w_sum / scale
