"""Fairness and slice results: what analytics compute and the store, reports and views show.

Standard library only, so the store can persist these and a report can print them without numpy.
Every number that can be undefined (a true positive rate in a group without positives, a ratio
whose denominator is zero, a verdict on a group too small to judge) is a :class:`MetricValue`
with ``value=None`` and a ``reason`` in words, never a silent ``0.0`` or ``NaN``: a review board
must be able to tell "the rate is zero" from "there was nothing to measure".

Metric and disparity names follow Fairlearn (``selection_rate``, ``true_positive_rate``,
``demographic_parity_difference``, ``equalized_odds_ratio``, ...), so results can be compared
with Fairlearn's own output name for name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

GroupKey = tuple[str, ...]
"""One value per sensitive attribute, e.g. ``("female", "1st")`` for ``("gender", "class")``."""


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A number, or ``None`` with the reason it cannot be computed."""

    value: float | None
    reason: str | None = None

    @property
    def defined(self) -> bool:
        """True when ``value`` holds a number."""
        return self.value is not None


@dataclass(frozen=True, slots=True)
class ConfusionCells:
    """The four confusion-matrix counts of one group: the sufficient statistics of every rate."""

    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def count(self) -> int:
        """Rows in the group."""
        return self.tn + self.fp + self.fn + self.tp


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    """One row of the group table: a group (or intersection, or "overall") and its metrics.

    Attributes:
        key: the group's value per attribute; ``("overall",)`` for the whole table.
        count: rows in the group.
        cells: its confusion counts.
        metrics: metric name -> value (undefined ones carry their reason).
        below_minimum: the group has fewer rows than the configured minimum; its numbers are
            shown but it takes no part in disparities, rankings or parity verdicts.
    """

    key: GroupKey
    count: int
    cells: ConfusionCells
    metrics: dict[str, MetricValue]
    below_minimum: bool = False


@dataclass(frozen=True, slots=True)
class ReferenceComparison:
    """One group's metric against the reference group's: ``value - ref`` and ``value / ref``."""

    key: GroupKey
    difference: MetricValue
    ratio: MetricValue


@dataclass(frozen=True, slots=True)
class Disparity:
    """How far apart the groups are on one metric.

    Attributes:
        metric: the metric compared, e.g. ``"selection_rate"``.
        difference: largest minus smallest group value (Fairlearn ``between_groups``).
        ratio: smallest over largest group value, in [0, 1].
        max_group / min_group: the groups holding the extremes (``None`` when undefined).
        to_reference: each group against the reference group.
    """

    metric: str
    difference: MetricValue
    ratio: MetricValue
    max_group: GroupKey | None
    min_group: GroupKey | None
    to_reference: tuple[ReferenceComparison, ...] = ()


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """Group metrics and disparities for one choice of sensitive attributes.

    Attributes:
        attributes: the sensitive attribute names; several mean their intersection.
        groups: one row per group, in sorted key order, empty intersections included.
        overall: the metrics over all rows.
        reference: the reference group's key.
        disparities: metric name -> its :class:`Disparity`.
        summary: the named Fairlearn disparities, e.g. ``"equalized_odds_ratio"``.
        convention: ``"strict"`` (undefined stays undefined) or ``"fairlearn"`` (undefined rates
            count as 0, as scikit-learn's ``zero_division=0`` does).
        min_group_size: groups with fewer rows were flagged ``below_minimum``.
    """

    attributes: tuple[str, ...]
    groups: tuple[GroupMetrics, ...]
    overall: GroupMetrics
    reference: GroupKey
    disparities: dict[str, Disparity]
    summary: dict[str, MetricValue]
    convention: str
    min_group_size: int

    def group(self, key: GroupKey) -> GroupMetrics:
        """The row for ``key``; raises ``KeyError`` naming it when there is none."""
        for row in self.groups:
            if row.key == key:
                return row
        raise KeyError(f"no group {key!r} for attributes {self.attributes!r}")


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A percentile bootstrap interval around a point estimate.

    Attributes:
        estimate: the value on the data itself.
        low / high: the interval bounds (``None`` when too few resamples were defined).
        level: the coverage, e.g. 0.95.
        undefined_share: share of resamples where the metric was undefined.
        reason: why the interval is missing, when it is.
    """

    estimate: float | None
    low: float | None
    high: float | None
    level: float
    undefined_share: float = 0.0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    """Seeded bootstrap intervals for group metrics and disparities.

    ``groups[key][metric]`` and ``disparities[metric]["difference" | "ratio"]``.
    ``ranking[metric]`` lists the groups big enough to rank, best first; the small ones are
    in ``flagged`` instead, never ranked.
    """

    n_resamples: int
    seed: int
    level: float
    groups: dict[GroupKey, dict[str, ConfidenceInterval]]
    disparities: dict[str, dict[str, ConfidenceInterval]]
    ranking: dict[str, tuple[GroupKey, ...]]
    flagged: tuple[GroupKey, ...]


class ParityVerdict(StrEnum):
    """The outcome of a parity test for one group and metric."""

    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT_DATA = "insufficient data"


@dataclass(frozen=True, slots=True)
class ParityResult:
    """Aequitas-style parity: does ``tau <= group / reference <= 1 / tau`` hold?"""

    key: GroupKey
    metric: str
    disparity: MetricValue
    verdict: ParityVerdict
    tau: float


@dataclass(frozen=True, slots=True)
class SliceCondition:
    """``column == value``; numeric columns' values are bin labels such as ``"[20, 35)"``."""

    column: str
    value: str

    def __str__(self) -> str:
        return f"{self.column} = {self.value}"


@dataclass(frozen=True, slots=True)
class SliceResult:
    """A slice where the model does worse than on the rest of the data.

    Attributes:
        conditions: the conjunction defining the slice.
        size: rows in the slice.
        metric_value / complement_value: the metric inside and outside the slice.
        effect_size: ``metric_value - complement_value`` (positive = worse inside).
        z: the two-proportion z statistic.
        p_value: one-sided p-value of "worse inside".
        p_adjusted: Benjamini-Hochberg adjusted p-value over every slice tested.
    """

    conditions: tuple[SliceCondition, ...]
    size: int
    metric_value: float
    complement_value: float
    effect_size: float
    z: float
    p_value: float
    p_adjusted: float


@dataclass(frozen=True, slots=True)
class SliceReport:
    """The slice finder's answer: the top slices and what was searched."""

    metric: str
    overall_value: float
    slices_tested: int
    alpha: float
    slices: tuple[SliceResult, ...] = field(default_factory=tuple)
