"""Data drift results: per column, per dataset, per time window, and as a history.

Standard library only, so the store can persist these and reports can print them without numpy.
Method names are Evidently's stattest names (``"psi"``, ``"ks"``, ``"wasserstein"``,
``"jensenshannon"``, ``"chisquare"``, ``"z"``), so a result computed by us and one imported from
an Evidently export can sit side by side in one history and be compared name for name.

A score that cannot be computed (a column with no non-null value in a window, an empty window)
is ``None`` with a ``reason`` in words, never a silent ``0.0`` or ``NaN``: a review board must
be able to tell "no drift" from "nothing to measure".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ColumnType(StrEnum):
    """How a column is compared: as numbers (distributions) or as categories (frequencies)."""

    NUMERICAL = "num"
    CATEGORICAL = "cat"


METHODS: tuple[str, ...] = ("psi", "ks", "wasserstein", "jensenshannon", "chisquare", "z")
"""Every method we compute, by Evidently's stattest name."""

P_VALUE_METHODS: frozenset[str] = frozenset({"ks", "chisquare", "z"})
"""Methods whose score is a p-value: drift when the p-value is *below* the threshold."""

METHOD_LABELS: dict[str, str] = {
    "psi": "PSI",
    "ks": "K-S p_value",
    "wasserstein": "Wasserstein distance (normed)",
    "jensenshannon": "Jensen-Shannon distance",
    "chisquare": "chi-square p_value",
    "z": "Z-test p_value",
}
"""Evidently's display names, as they appear in its exports (``stattest_name``)."""

DEFAULT_THRESHOLDS: dict[str, float] = {
    "psi": 0.1,
    "ks": 0.05,
    "wasserstein": 0.1,
    "jensenshannon": 0.1,
    "chisquare": 0.05,
    "z": 0.05,
}
"""Evidently's ``default_threshold`` of each stattest."""

DEFAULT_DRIFT_SHARE = 0.5
"""Evidently's default: the dataset drifts when at least half of its columns drift."""


def method_for_label(label: str) -> str:
    """The stattest name for an Evidently display name (``"PSI"`` -> ``"psi"``).

    Raises:
        KeyError: the label is not one of :data:`METHOD_LABELS`.
    """
    for name, text in METHOD_LABELS.items():
        if text == label:
            return name
    raise KeyError(label)


@dataclass(frozen=True, slots=True)
class ColumnDrift:
    """One column compared between a reference and a current sample.

    Attributes:
        column: the column's name.
        column_type: numerical or categorical comparison.
        method: Evidently stattest name used for the verdict.
        threshold: the threshold the score was held against.
        score: the value held against the threshold, as Evidently reports it (the p-value for
            ``ks``/``chisquare``/``z``, the distance otherwise); ``None`` when undefined.
        statistic: the test statistic (KS D, chi-square, z) or, for distances, the distance.
        p_value: the p-value for tests; ``None`` for distances.
        drifted: the verdict (p-value methods: ``p < threshold``, ``p <= threshold`` for ``ks``
            as Evidently does; distances: ``score >= threshold``). ``False`` when undefined.
        n_ref: non-null reference values compared.
        n_cur: non-null current values compared.
        nulls_ref: null (NaN, None, +-inf) reference values, counted and left out.
        nulls_cur: null current values, counted and left out.
        unseen_categories: categories in the current sample that the reference never had.
        details: every other statistic computed for the column (``"ks_statistic"``,
            ``"wasserstein_raw"``, ``"psi"``, ...), for display and audit.
        reason: why ``score`` is ``None``; ``None`` when it is defined.
    """

    column: str
    column_type: ColumnType
    method: str
    threshold: float
    score: float | None
    statistic: float | None
    p_value: float | None
    drifted: bool
    n_ref: int
    n_cur: int
    nulls_ref: int
    nulls_cur: int
    unseen_categories: tuple[str, ...] = ()
    details: dict[str, float] = field(default_factory=dict)
    reason: str | None = None

    @property
    def defined(self) -> bool:
        """True when the score could be computed."""
        return self.score is not None

    @property
    def holds_p_value(self) -> bool:
        """Whether the score is a p-value (drift at or below the threshold): one of our tests,
        or an imported result whose tool said so (Evidently's Mann-Whitney, a default test
        the export does not name)."""
        return self.method in P_VALUE_METHODS or self.p_value is not None

    @property
    def relative(self) -> float | None:
        """Score relative to its threshold, >= 1 meaning drift, for a common colour scale.

        Distances give ``score / threshold``; p-values give ``threshold / p`` (capped at 1e6),
        so for both kinds a larger number means "further into drift".
        """
        if self.score is None or self.threshold <= 0:
            return None
        if self.holds_p_value:
            return min(self.threshold / self.score, 1e6) if self.score > 0 else 1e6
        return self.score / self.threshold


@dataclass(frozen=True, slots=True)
class DatasetDrift:
    """All compared columns and the dataset verdict: drifted share against a threshold.

    Attributes:
        columns: one result per column, in the table's column order.
        share_drifted: drifted columns / columns with a defined score (0.0 when none).
        threshold: the share at or above which the dataset counts as drifted.
        drifted: ``share_drifted >= threshold`` (Evidently's rule), ``False`` with no columns.
    """

    columns: tuple[ColumnDrift, ...]
    share_drifted: float
    threshold: float
    drifted: bool

    @property
    def n_drifted(self) -> int:
        """Number of drifted columns."""
        return sum(1 for c in self.columns if c.drifted)

    def column(self, name: str) -> ColumnDrift:
        """The result for one column.

        Raises:
            KeyError: no column of that name was compared.
        """
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class DriftWindow:
    """One time window of a monitoring table compared to the reference: ``[start, end)``."""

    start: datetime
    end: datetime
    drift: DatasetDrift
    n_rows: int


@dataclass(frozen=True, slots=True)
class DriftHistory:
    """Windows in time order, all compared against the same reference.

    Attributes:
        windows: the windows, oldest first; empty windows are kept (their scores undefined).
        reference: what the windows were compared to, in words (a file, ``"window START/END"``).
        time_column: the timestamp column the table was split on.
        frequency: the window length as given (``"1D"``, ``"1h"``, ``"1W"``).
        n_ref_rows: rows in the reference.
    """

    windows: tuple[DriftWindow, ...]
    reference: str
    time_column: str
    frequency: str
    n_ref_rows: int

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in the order of the first window."""
        return tuple(c.column for c in self.windows[0].drift.columns) if self.windows else ()
