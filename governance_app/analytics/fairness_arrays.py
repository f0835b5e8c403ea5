"""Outcomes and group codes from columns read without pandas, for the valid table's fast path.

:mod:`.fairness_counts` validates a DataFrame and names every problem (a missing label, a
prediction that is not 0/1, a NaN in a sensitive attribute, too many groups). A Parquet table
read straight into numpy (:mod:`~governance_app.engines.parquet_columns`) takes this path
instead, which only recognises a *valid* table and gives exactly what ``fairness_counts``
would give for it; on anything else it returns ``None`` and the caller reads the table with
pandas, so the error a user sees is always the one ``fairness_counts`` words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from governance_app.analytics.coded_column import CodedColumn
from governance_app.analytics.fairness_counts import MAX_GROUPS, MAX_LEVELS, GroupCodes, Outcomes


def _binary(values: Any) -> np.ndarray | None:
    """0/1 int8 from a boolean or numeric column holding only 0 and 1 (``None`` otherwise)."""
    if not isinstance(values, np.ndarray):
        return None  # text, or booleans with nulls
    if values.dtype.kind == "b":
        return values.astype(np.int8)
    if values.dtype.kind not in "iuf":
        return None
    if ((values != 0) & (values != 1)).any():  # NaN is neither: the DataFrame path names it
        return None
    return values.astype(np.int8)


def outcomes(table: Any, *, label: str, prediction: str | None, score: str | None,
             threshold: float | None) -> Outcomes | None:
    """Labels, predictions and scores as ``binary_outcomes`` gives them for a valid table."""
    if prediction is None and (score is None or threshold is None):
        return None
    y = _binary(table[label])
    if y is None:
        return None
    scores = None
    if score is not None:
        column = table[score]
        if not isinstance(column, np.ndarray) or column.dtype.kind not in "iuf":
            return None
        scores = column.astype(np.float64)
        if np.isnan(scores).any():
            return None
    if prediction is not None:
        pred = _binary(table[prediction])
        if pred is None:
            return None
    else:
        pred = (scores >= float(threshold)).astype(np.int8)  # type: ignore[operator]
    return Outcomes(y, pred, scores)


def _levels(values: Any) -> tuple[np.ndarray, tuple[str, ...]] | None:
    """Codes into sorted levels (``pd.factorize(sort=True)``), levels as text."""
    if isinstance(values, CodedColumn):
        if values.labels and not all(isinstance(v, str) for v in values.labels):
            return None  # booleans with nulls
        codes, labels = values.sorted_codes()
        if (codes < 0).any():
            return None
        return codes, tuple(labels)
    if isinstance(values, np.ndarray) and values.dtype.kind in "biu":
        levels, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int64).reshape(-1), tuple(str(v) for v in levels.tolist())
    return None  # floats: their text form is pandas'


def group_codes(table: Any, attributes: Sequence[str]) -> GroupCodes | None:
    """Each row's group code, as ``encode_groups`` (without bins) gives it for a valid table."""
    if not attributes:
        return None
    codes = np.zeros(len(table), dtype=np.int64)
    levels: list[tuple[str, ...]] = []
    for column in attributes:
        found = _levels(table[column])
        if found is None or len(found[1]) > MAX_LEVELS:
            return None
        part, labels = found
        codes = codes * len(labels) + part
        levels.append(labels)
    if int(np.prod([len(lv) for lv in levels])) > MAX_GROUPS:
        return None
    return GroupCodes(tuple(attributes), tuple(levels), codes)
