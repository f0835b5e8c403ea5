"""Rows -> sufficient statistics for fairness: confusion counts per group, score histograms.

This is the only fairness step that touches rows. It validates the prediction table, turns the
sensitive attributes into integer group codes and counts, per group, the four confusion cells
with one ``np.bincount`` over ``group * 4 + label * 2 + prediction``. Everything else (rates,
disparities, bootstrap intervals, parity tests) works from those counts alone, so this step can
later be replaced by a SQL ``GROUP BY group, label, prediction`` running where the rows live
(DuckDB on Parquet, a warehouse) and only the counts travel to the app.

Cell order everywhere: ``[tn, fp, fn, tp]``, i.e. index ``label * 2 + prediction``.

Bad input never crashes and is never dropped silently: missing columns, non-binary labels or
predictions, NaN in a label, prediction, score or sensitive attribute, an empty table and
numeric values outside the declared bins all raise :class:`~governance_app.errors.InputError`
naming the column, the first offending row (1-based, data rows) and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

import numpy as np

from governance_app.domain.fairness import GroupKey
from governance_app.errors import InputError

if TYPE_CHECKING:  # pandas loads with the first table validated here, not with the counts:
    # a Parquet table read without pandas is validated by fairness_arrays instead.
    import pandas as pd

CELLS = ("tn", "fp", "fn", "tp")
MAX_LEVELS = 50
"""Distinct values an un-binned sensitive attribute may have before we ask for declared bins."""
MAX_GROUPS = 1_000_000


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Validated binary labels and predictions (int8 0/1) and the score, when one was given."""

    label: np.ndarray
    prediction: np.ndarray
    score: np.ndarray | None


@dataclass(frozen=True, slots=True)
class GroupCodes:
    """Each row's group as one integer: the mixed-radix code of its per-attribute levels."""

    attributes: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    codes: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        """Levels per attribute; their product is the number of groups."""
        return tuple(len(lv) for lv in self.levels)


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """Confusion counts for every group of one or more attributes (empty intersections too).

    ``cells`` has shape ``(*levels per attribute, 4)``; group keys enumerate in row-major order
    over the sorted levels, which is the order Fairlearn's ``MetricFrame.by_group`` uses.
    """

    attributes: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    cells: np.ndarray

    def keys(self) -> list[GroupKey]:
        """Every group key, in the order of :meth:`flat`."""
        return [tuple(k) for k in product(*self.levels)]

    def flat(self) -> np.ndarray:
        """The counts as a ``(groups, 4)`` int64 array."""
        return self.cells.reshape(-1, 4)

    def total(self) -> np.ndarray:
        """The overall ``[tn, fp, fn, tp]``."""
        return self.flat().sum(axis=0)

    def marginal(self, attributes: Sequence[str]) -> GroupCounts:
        """Counts for a subset of the attributes, by summing out the others (no rows needed).

        Raises:
            KeyError: an attribute that these counts were not computed for.
        """
        keep = [self.attributes.index(a) for a in attributes]
        drop = tuple(i for i in range(len(self.attributes)) if i not in keep)
        summed = self.cells.sum(axis=drop) if drop else self.cells
        remaining = [i for i in range(len(self.attributes)) if i in keep]
        order = [remaining.index(i) for i in keep] + [len(keep)]
        return GroupCounts(
            tuple(attributes), tuple(self.levels[i] for i in keep), summed.transpose(order)
        )


@dataclass(frozen=True, slots=True)
class ScoreHistogram:
    """Positives and negatives per (group, distinct score): the sufficient statistic of ROC AUC.

    Rows are sorted by group code, then score.
    """

    n_groups: int
    group: np.ndarray
    score: np.ndarray
    positives: np.ndarray
    negatives: np.ndarray


def _rows_where(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)
    more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
    return f"row {rows[0] + 1}{more}"


def require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Raise one InputError naming every missing column, or saying the table is empty."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            source,
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            location="columns",
            expected=f"columns {list(columns)}; the table has {list(frame.columns)[:30]}",
        )
    if len(frame) == 0:
        raise InputError(source, "the table has no rows", expected="at least one row")


def _binary(series: pd.Series, column: str, source: str, positive: object | None) -> np.ndarray:
    """A 0/1 int8 array from a label or prediction column, or an InputError saying why not."""
    import pandas as pd

    nan = series.isna().to_numpy()
    if nan.any():
        raise InputError(
            source,
            f"{int(nan.sum())} missing value(s) in {column!r}",
            location=f"column {column!r}, {_rows_where(nan)}",
            expected="a 0/1 value on every row",
        )
    if positive is not None:
        distinct = pd.unique(series)
        if len(distinct) > 2:
            raise InputError(
                source,
                f"{column!r} has {len(distinct)} distinct values {list(distinct[:5])}",
                location=f"column {column!r}",
                expected=f"two classes, one of them {positive!r}",
            )
        return (series.to_numpy() == positive).astype(np.int8)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=bool).astype(np.int8)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy()
        bad = (values != 0) & (values != 1)
        if not bad.any():
            return values.astype(np.int8)
        found = list(pd.unique(values[bad])[:5])
    else:
        bad = np.ones(len(series), dtype=bool)
        found = list(pd.unique(series)[:5])
    raise InputError(
        source,
        f"{column!r} is not binary: found {found}",
        location=f"column {column!r}, {_rows_where(bad)}",
        expected="0/1 or true/false values (or name the positive class)",
    )


def binary_outcomes(
    frame: pd.DataFrame,
    *,
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    positive_label: object | None = None,
    source: str = "prediction table",
) -> Outcomes:
    """Validate and extract labels, predictions and scores.

    With ``score`` and ``threshold`` and no ``prediction`` column, the prediction is
    ``score >= threshold`` (the usual "at or above the cut-off is positive" rule). With
    ``positive_label`` (e.g. ``"yes"``), labels and predictions equal to it are the positives.

    Raises:
        InputError: missing columns, an empty table, non-binary or missing labels/predictions,
            non-numeric or missing scores, or neither a prediction nor a score with threshold.
    """
    if prediction is None and (score is None or threshold is None):
        raise InputError(
            source,
            "no prediction column, and no score column with a threshold",
            expected="--prediction COL, or --score COL with --threshold T",
        )
    needed = [label] + [c for c in (prediction, score) if c is not None]
    require_columns(frame, needed, source)
    y = _binary(frame[label], label, source, positive_label)
    scores = None
    if score is not None:
        import pandas as pd

        column = frame[score]
        if not pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(
            column.dtype
        ):
            raise InputError(
                source, f"{score!r} is not numeric", location=f"column {score!r}",
                expected="a numeric score per row",
            )
        scores = column.to_numpy(dtype=np.float64)
        nan = np.isnan(scores)
        if nan.any():
            raise InputError(
                source, f"{int(nan.sum())} missing score(s) in {score!r}",
                location=f"column {score!r}, {_rows_where(nan)}", expected="a score on every row",
            )
    if prediction is not None:
        pred = _binary(frame[prediction], prediction, source, positive_label)
    else:
        pred = (scores >= float(threshold)).astype(np.int8)  # type: ignore[operator]
    return Outcomes(y, pred, scores)


def _bin_numeric(
    series: pd.Series, column: str, edges: Sequence[float], source: str
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and labels for declared bins ``[e0, e1), [e1, e2), ..., [e_{k-1}, e_k]``."""
    import pandas as pd

    cut = np.asarray(edges, dtype=np.float64)
    if cut.ndim != 1 or len(cut) < 2 or not np.all(np.diff(cut) > 0):
        raise InputError(
            source, f"bins for {column!r} are not increasing edges: {list(edges)}",
            location=f"bins for {column!r}", expected="at least two strictly increasing edges",
        )
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputError(
            source, f"bins were declared for {column!r}, which is not numeric",
            location=f"column {column!r}", expected="numbers",
        )
    values = series.to_numpy(dtype=np.float64)
    codes = np.searchsorted(cut, values, side="right") - 1
    codes[values == cut[-1]] = len(cut) - 2
    outside = (codes < 0) | (codes > len(cut) - 2) | np.isnan(values)
    if outside.any():
        raise InputError(
            source, f"{int(outside.sum())} value(s) of {column!r} outside the declared bins",
            location=f"column {column!r}, {_rows_where(outside)}",
            expected=f"values in [{cut[0]:g}, {cut[-1]:g}]",
        )
    labels = tuple(
        f"[{a:g}, {b:g}{']' if i == len(cut) - 2 else ')'}"
        for i, (a, b) in enumerate(zip(cut[:-1], cut[1:], strict=True))
    )
    return codes.astype(np.int64), labels


def _categorical(
    series: pd.Series, column: str, source: str, max_levels: int
) -> tuple[np.ndarray, tuple[str, ...]]:
    import pandas as pd

    nan = series.isna().to_numpy()
    if nan.any():
        raise InputError(
            source, f"{int(nan.sum())} missing value(s) in sensitive attribute {column!r}",
            location=f"column {column!r}, {_rows_where(nan)}",
            expected="a value on every row (encode 'unknown' explicitly if it is a group)",
        )
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:  # mixed types in an object column do not sort; compare them as text
        codes, uniques = pd.factorize(series.astype(str), sort=True)
    if len(uniques) > max_levels:
        raise InputError(
            source, f"sensitive attribute {column!r} has {len(uniques)} distinct values",
            location=f"column {column!r}",
            expected=f"at most {max_levels} groups, or declared bins for a numeric column",
        )
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def encode_groups(
    frame: pd.DataFrame,
    attributes: Sequence[str],
    *,
    bins: Mapping[str, Sequence[float]] | None = None,
    max_levels: int = MAX_LEVELS,
    source: str = "prediction table",
) -> GroupCodes:
    """Give every row the integer code of its group (the intersection of all ``attributes``).

    Levels are sorted per attribute (bins in edge order), so codes and keys are stable across
    runs and equal Fairlearn's group order.

    Raises:
        InputError: no attributes, missing columns, an empty table, NaN, too many levels, bad bins.
    """
    if not attributes:
        raise InputError(source, "no sensitive attribute given", expected="one or more columns")
    require_columns(frame, list(attributes), source)
    bins = bins or {}
    codes = np.zeros(len(frame), dtype=np.int64)
    levels: list[tuple[str, ...]] = []
    for column in attributes:
        if column in bins:
            part, labels = _bin_numeric(frame[column], column, bins[column], source)
        else:
            part, labels = _categorical(frame[column], column, source, max_levels)
        codes = codes * len(labels) + part
        levels.append(labels)
    if int(np.prod([len(lv) for lv in levels])) > MAX_GROUPS:
        raise InputError(
            source, f"the intersection of {list(attributes)} has too many groups",
            expected=f"at most {MAX_GROUPS} groups",
        )
    return GroupCodes(tuple(attributes), tuple(levels), codes)


def counts_from_codes(codes: np.ndarray, label: np.ndarray, prediction: np.ndarray,
                      n_groups: int) -> np.ndarray:
    """The kernel: ``(n_groups, 4)`` confusion counts from one ``bincount``.

    The SQL equivalent is ``SELECT g, label, pred, COUNT(*) ... GROUP BY g, label, pred``.
    """
    combined = codes * 4 + label.astype(np.int64) * 2 + prediction
    return np.bincount(combined, minlength=n_groups * 4).reshape(n_groups, 4)


def group_counts(groups: GroupCodes, outcomes: Outcomes) -> GroupCounts:
    """Confusion counts for every group of ``groups``."""
    flat = counts_from_codes(groups.codes, outcomes.label, outcomes.prediction,
                             int(np.prod(groups.shape)))
    return GroupCounts(groups.attributes, groups.levels, flat.reshape(*groups.shape, 4))


def confusion_counts(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    label: str,
    prediction: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    positive_label: object | None = None,
    source: str = "prediction table",
) -> GroupCounts:
    """Validate a prediction table and count its confusion cells per group, in one pass.

    Raises:
        InputError: see :func:`binary_outcomes` and :func:`encode_groups`.
    """
    needed = [c for c in (label, prediction, score, *attributes) if c is not None]
    require_columns(frame, needed, source)  # name every missing column at once
    outcomes = binary_outcomes(frame, label=label, prediction=prediction, score=score,
                               threshold=threshold, positive_label=positive_label, source=source)
    return group_counts(encode_groups(frame, attributes, bins=bins, source=source), outcomes)


def _histogram(n_groups: int, group: np.ndarray, score: np.ndarray, pos: np.ndarray,
               neg: np.ndarray) -> ScoreHistogram:
    # Two stable sorts (the integer one is a radix sort) beat np.lexsort several times over.
    order = np.argsort(score, kind="stable")
    order = order[np.argsort(group[order], kind="stable")]
    g, s = group[order], score[order]
    if len(g) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return ScoreHistogram(n_groups, empty, np.zeros(0), empty, empty)
    new = np.empty(len(g), dtype=bool)
    new[0] = True
    np.not_equal(g[1:], g[:-1], out=new[1:])
    new[1:] |= s[1:] != s[:-1]
    starts = np.flatnonzero(new)
    return ScoreHistogram(
        n_groups, g[starts], s[starts],
        np.add.reduceat(pos[order], starts), np.add.reduceat(neg[order], starts),
    )


def weighted_histogram(n_groups: int, group: np.ndarray, score: np.ndarray,
                       positives: np.ndarray, negatives: np.ndarray) -> ScoreHistogram:
    """A histogram from rows that already carry counts (an engine's ``GROUP BY`` result);
    repeated (group, score) pairs are summed."""
    return _histogram(n_groups, group, score, positives, negatives)


def score_histogram(groups: GroupCodes, outcomes: Outcomes) -> ScoreHistogram:
    """Positives and negatives per group and distinct score, for exact rank-based ROC AUC.

    Raises:
        InputError: the outcomes carry no score.
    """
    if outcomes.score is None:
        raise InputError("prediction table", "ROC AUC needs a score column",
                         expected="--score COL")
    y = outcomes.label.astype(np.int64)
    return _histogram(int(np.prod(groups.shape)), groups.codes, outcomes.score, y, 1 - y)


def marginal_histogram(hist: ScoreHistogram, shape: Sequence[int],
                       keep: Sequence[int]) -> ScoreHistogram:
    """Re-aggregate a histogram over intersections to a subset of the attributes.

    ``shape`` is the levels per attribute of ``hist``'s groups; ``keep`` the attribute positions
    to keep (empty keeps one group: overall). Works on the histogram, not the rows.
    """
    parts = np.unravel_index(hist.group, tuple(shape))
    kept_shape = tuple(shape[i] for i in keep)
    if keep:
        group = np.ravel_multi_index(tuple(parts[i] for i in keep), kept_shape)
    else:
        group = np.zeros(len(hist.group), dtype=np.int64)
    n_groups = int(np.prod(kept_shape)) if keep else 1
    return _histogram(n_groups, group, hist.score, hist.positives, hist.negatives)
