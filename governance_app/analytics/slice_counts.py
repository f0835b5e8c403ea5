"""The slice finder from an engine's counts per feature bin.

An engine counts the rows per (feature level…, label, prediction), where a numeric feature's
level is its quantile bin (edges computed by the engine over the non-missing values, as
:func:`~.slice_finder.encode_feature` computes them in memory) and any other feature's level is
its value. This module gives those levels the labels the in-memory encoding gives them (bins
``[a, b)``, ``(missing)``, rare categories pooled as ``(other)``), and answers the search's
per-combination counts as weighted ``bincount`` over the count table, so the search itself
(:func:`~.slice_finder.search_slices`) is the one used in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from governance_app.analytics.slice_finder import MISSING, OTHER, check_metric, search_slices
from governance_app.analytics.sufficient_stats import COUNT, LABEL, PREDICTION, binary_column
from governance_app.domain.fairness import SliceReport

BIN_MISSING = -1
"""The engine's bin code for a missing numeric value."""


def bin_labels(edges: np.ndarray) -> list[str]:
    """Labels of the bins between distinct quantile edges, as the in-memory encoding names them."""
    if len(edges) == 1:
        return [f"{edges[0]:.4g}"]
    return [f"[{a:.4g}, {b:.4g}{']' if i == len(edges) - 2 else ')'}"
            for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True))]


def _binned(codes: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    labels = bin_labels(edges)
    out = codes.astype(np.int64)
    missing = out == BIN_MISSING
    if missing.any():
        out[missing] = len(labels)
        labels.append(MISSING)
    return out, tuple(labels)


def _valued(values: pd.Series, weights: np.ndarray,
            max_levels: int) -> tuple[np.ndarray, tuple[str, ...]]:
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=False)
    labels = [MISSING if pd.isna(u) else str(u) for u in uniques]
    if len(labels) > max_levels:
        freq = np.bincount(codes, weights=weights, minlength=len(labels))
        keep = np.sort(np.argsort(-freq, kind="stable")[: max_levels - 1])
        remap = np.full(len(labels), len(keep), dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        codes = remap[codes]
        labels = [labels[i] for i in keep] + [OTHER]
    return codes.astype(np.int64), tuple(labels)


def slices_from_counts(
    frame: pd.DataFrame,
    *,
    columns: Sequence[str],
    edges: Mapping[str, np.ndarray],
    label: str,
    prediction: str | None,
    metric: str = "error_rate",
    max_conditions: int = 3,
    min_size: int = 50,
    max_levels: int = 30,
    alpha: float = 0.05,
    top_k: int = 10,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    source: str = "prediction table",
) -> SliceReport:
    """The slice finder's report from a count table (see the module docstring).

    ``edges`` holds, for each numeric feature binned by the engine, its distinct quantile
    edges; the frame's column then holds bin codes (``-1`` for missing).

    Raises:
        InputError: non-binary or missing labels or predictions; an unknown metric.
        SliceSearchCancelled: ``is_cancelled()`` returned true.
    """
    name = check_metric(metric, max_conditions)
    weights = frame[COUNT].to_numpy(dtype=np.int64)
    y = binary_column(frame, LABEL, label, source, None)
    p = binary_column(frame, PREDICTION, prediction or "score >= threshold", source, None)
    cell = y * 2 + p
    encoded = [_binned(frame[c].to_numpy(), np.asarray(edges[c])) if c in edges
               else _valued(frame[c], weights, max_levels) for c in columns]

    def combo_counts(combo: tuple[int, ...]) -> np.ndarray:
        code = encoded[combo[0]][0]
        for i in combo[1:]:
            code = code * len(encoded[i][1]) + encoded[i][0]
        size = int(np.prod([len(encoded[i][1]) for i in combo]))
        return np.bincount(code * 4 + cell, weights=weights,
                           minlength=size * 4).astype(np.int64).reshape(-1, 4)

    total = np.bincount(cell, weights=weights, minlength=4).astype(np.int64)
    return search_slices(name, list(columns), [lv for _, lv in encoded], total, combo_counts,
                         max_conditions=max_conditions, min_size=min_size, alpha=alpha,
                         top_k=top_k, progress=progress, is_cancelled=is_cancelled)
