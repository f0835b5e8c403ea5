"""Category counts of a reference and a current sample, matched by label.

Split from ``drift_stats`` (the statistics) because counting is its own job: labels are
counted once per side (``value_counts``, or the codes of a ``pd.Categorical``) and matched by
label only, never row by row; nulls are counted apart and categories seen only in the current
sample are kept, so that nothing is silently dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from governance_app.analytics.coded_column import CodedColumn


@dataclass(frozen=True, slots=True)
class CategoricalReference:
    """A categorical reference column counted once: its categories, counts and nulls."""

    labels: Sequence[Any]  # a pd.Index, or a list when counted without pandas
    counts: np.ndarray
    nulls: int

    @property
    def n(self) -> int:
        """Non-null values."""
        return int(self.counts.sum())


BINCOUNT_SPAN = 1 << 22
"""Integers spanning fewer values than this (and than a few times the sample) are counted
with ``np.bincount``; wider ones with ``np.unique``, which sorts."""


def _first_appearance(values: np.ndarray) -> tuple[list[Any], np.ndarray, int]:
    """Distinct values of an integer or boolean array in order of first appearance (the
    order of pandas' ``value_counts(sort=False)``), their counts; such arrays hold no null."""
    if values.size == 0:
        return [], np.zeros(0, dtype=np.int64), 0
    boolean = values.dtype.kind == "b"
    if boolean:
        values = values.view(np.uint8)
    low, high = int(values.min()), int(values.max())
    if high - low < min(BINCOUNT_SPAN, 4 * values.size):
        offsets = (values - values.dtype.type(low)).astype(np.intp)
        tallies = np.bincount(offsets)
        first = np.full(tallies.size, values.size, dtype=np.intp)
        np.minimum.at(first, offsets, np.arange(values.size, dtype=np.intp))
        used = np.flatnonzero(tallies)
        order = used[np.argsort(first[used], kind="stable")]
        labels: list[Any] = [low + i for i in order.tolist()]
        if boolean:
            labels = [bool(v) for v in labels]
        return labels, tallies[order].astype(np.int64), 0
    distinct, first, counts = np.unique(values, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return distinct[order].tolist(), counts[order].astype(np.int64), 0  # never boolean here


def _count_values(values: Any) -> tuple[Sequence[Any], np.ndarray, int]:
    """Distinct non-null values (in order of first appearance), their counts, and the nulls.

    ``value_counts`` hashes the column once (for Arrow-backed strings, Arrow's own kernel,
    which releases the GIL); no per-row codes are built. A ``pd.Categorical`` (a history's
    window, encoded once for the whole table) is counted from its codes. A categorical
    dtype reports its unused categories with count 0: they are dropped, a category is what
    the data holds.

    Columns read without pandas (:mod:`~governance_app.engines.parquet_columns`: codes,
    integer or boolean arrays) are counted with numpy, in the same order.
    """
    if isinstance(values, CodedColumn):
        return values.counts_by_first_appearance()
    if isinstance(values, np.ndarray) and values.dtype.kind in "biu":
        return _first_appearance(values)
    import pandas as pd

    if isinstance(values, pd.Categorical):  # a window of a column encoded once: count codes
        tallies = np.bincount(values.codes.astype(np.intp) + 1,
                              minlength=len(values.categories) + 1)
        used = np.flatnonzero(tallies[1:])
        return values.categories[used], tallies[1:][used].astype(np.int64), int(tallies[0])
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    found = series.value_counts(sort=False, dropna=True)
    counts = found.to_numpy(dtype=np.int64)
    labels = found.index
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = counts > 0
        labels = pd.Index(np.asarray(labels, dtype=object)[used], dtype=object)
        counts = counts[used]
    return labels, counts, int(series.size - counts.sum())


def prepare_categorical(values: Any) -> CategoricalReference:
    """Count a reference column's categories; nulls counted."""
    labels, counts, nulls = _count_values(values)
    return CategoricalReference(labels, counts, nulls)


@dataclass(frozen=True, slots=True)
class CategoryCounts:
    """Both samples counted over the union of their categories (reference ones first)."""

    labels: list[Any]
    ref_counts: np.ndarray
    cur_counts: np.ndarray
    nulls_cur: int
    unseen: tuple[str, ...]


def count_categories(ref: CategoricalReference, values: Any) -> CategoryCounts:
    """Count a current column over the reference's categories plus the ones it never had.

    Both sides are counted on their own and matched by label afterwards, so the matching
    touches the distinct values only, never the rows.
    """
    cur_labels, cur_counts, nulls = _count_values(values)
    n_labels = len(ref.labels)
    pos = _positions(ref.labels, cur_labels) if n_labels else np.full(len(cur_labels), -1)
    seen = pos >= 0
    counts = np.zeros(n_labels, dtype=np.int64)
    counts[pos[seen]] = cur_counts[seen]
    labels = list(ref.labels)
    unseen: tuple[str, ...] = ()
    if not seen.all():
        new_labels = [label for label, old in zip(cur_labels, seen, strict=True) if not old]
        counts = np.concatenate((counts, cur_counts[~seen]))
        labels += new_labels
        unseen = tuple(str(v) for v in new_labels)
    ref_counts = np.concatenate((ref.counts, np.zeros(len(labels) - n_labels, dtype=np.int64)))
    return CategoryCounts(labels, ref_counts, counts, nulls, unseen)


def _positions(ref_labels: Sequence[Any], cur_labels: Sequence[Any]) -> np.ndarray:
    """Where each current label sits among the reference's (-1: not there)."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(ref_labels, pandas.Index):
        return ref_labels.get_indexer(cur_labels)
    where = {label: i for i, label in enumerate(ref_labels)}
    return np.array([where.get(label, -1) for label in cur_labels], dtype=np.intp)


def sorted_order(labels: list[Any]) -> np.ndarray:
    """Positions that put category labels in sorted order (by text when types are mixed)."""
    try:
        return np.array(sorted(range(len(labels)), key=lambda i: labels[i]), dtype=np.int64)
    except TypeError:
        return np.array(sorted(range(len(labels)), key=lambda i: str(labels[i])), dtype=np.int64)
