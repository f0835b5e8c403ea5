"""A categorical column as integer codes into its distinct values, counted as pandas counts.

The tables that :mod:`governance_app.engines.parquet_columns` reads without pandas hold their
text (and nullable booleans) this way; the drift and fairness analytics count them here in the
order pandas' ``value_counts(sort=False)`` gives (first appearance), or sort them as
``pd.factorize(sort=True)`` does, so both reading paths give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FIRST_APPEARANCE_SCAN = 64
"""Up to this many distinct values, first appearances are found by one scan per value;
above it by one sort of the codes."""


@dataclass(frozen=True, slots=True)
class CodedColumn:
    """A categorical column: ``codes`` (int32, as Arrow's dictionary indices; -1 for null)
    into ``labels`` (distinct, in no promised order; :meth:`counts_by_first_appearance` gives
    pandas' ``value_counts`` order)."""

    codes: np.ndarray
    labels: list[Any]

    def __len__(self) -> int:
        return int(self.codes.size)

    @property
    def nulls(self) -> int:
        """Null values."""
        return int(np.count_nonzero(self.codes < 0))

    def counts_by_first_appearance(self) -> tuple[list[Any], np.ndarray, int]:
        """The labels that occur, in order of first appearance (the order of pandas'
        ``value_counts(sort=False)``), their counts, and the nulls."""
        valid = self.codes[self.codes >= 0] if self.nulls else self.codes
        tallies = np.bincount(valid, minlength=len(self.labels)).astype(np.int64)
        used = np.flatnonzero(tallies)
        if used.size <= FIRST_APPEARANCE_SCAN:
            first = np.array([int(np.argmax(valid == code)) for code in used], dtype=np.int64)
        else:
            codes, where = np.unique(valid, return_index=True)
            first = where[np.searchsorted(codes, used)]
        order = used[np.argsort(first, kind="stable")]
        return ([self.labels[i] for i in order.tolist()], tallies[order],
                int(self.codes.size - valid.size))

    def sorted_codes(self) -> tuple[np.ndarray, list[Any]]:
        """Codes into the labels that occur, sorted (``pd.factorize(sort=True)``'s levels);
        -1 stays null."""
        tallies = np.bincount(self.codes[self.codes >= 0], minlength=len(self.labels))
        used = sorted(np.flatnonzero(tallies).tolist(), key=lambda i: self.labels[i])
        remap = np.full(len(self.labels) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return remap[self.codes], [self.labels[i] for i in used]
