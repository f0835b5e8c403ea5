"""How sure we are: seeded bootstrap intervals and Aequitas-style parity verdicts, from counts.

The bootstrap resamples confusion counts, not rows: within each group a resample of the same
size is a multinomial draw over the group's four observed cell frequencies, which has exactly
the distribution of the counts of a row-level resample within that group (a stratified
bootstrap: group sizes are fixed by the design of the comparison, only outcomes vary). All
resamples and groups are drawn in one call and every metric is computed on the ``(resamples,
groups, 4)`` array at once, so 1,000 resamples cost milliseconds at any row count.

Small groups give wide, unstable intervals and extreme ratios. Groups below ``min_group_size``
are listed in ``flagged`` and left out of rankings, disparities and parity verdicts
("insufficient data") instead of being ranked on noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from governance_app.analytics.fairness_counts import GroupCounts
from governance_app.analytics.fairness_metrics import (
    METRICS,
    Convention,
    metric_arrays,
    spread,
)
from governance_app.domain.fairness import (
    BootstrapResult,
    ConfidenceInterval,
    FairnessReport,
    GroupKey,
    MetricValue,
    ParityResult,
    ParityVerdict,
)
from governance_app.errors import InputError

DEFAULT_MIN_GROUP_SIZE = 30
DEFAULT_TAU = 0.8
LOWER_IS_BETTER = frozenset(
    {"false_positive_rate", "false_negative_rate", "false_discovery_rate", "false_omission_rate"}
)
"""Error rates: the best group has the lowest value. Other metrics rank highest first."""
PARITY_METRICS = (
    "selection_rate",
    "false_positive_rate",
    "false_negative_rate",
    "false_discovery_rate",
    "false_omission_rate",
)
"""Aequitas's default parity metrics (Impact, FPR, FNR, FDR and FOR parity)."""


def _interval(estimate: float, samples: np.ndarray, level: float) -> ConfidenceInterval:
    est = None if np.isnan(estimate) else float(estimate)
    defined = samples[~np.isnan(samples)]
    share = 1.0 - len(defined) / len(samples)
    if len(defined) == 0:
        return ConfidenceInterval(est, None, None, level, share,
                                  "undefined in every resample")
    low, high = np.percentile(defined, [50 * (1 - level), 50 * (1 + level)])
    return ConfidenceInterval(est, float(low), float(high), level, share)


def _intervals(estimates: np.ndarray, samples: np.ndarray,
               level: float) -> list[ConfidenceInterval]:
    """:func:`_interval` of every column of ``samples`` (resamples x groups): the columns
    defined in every resample take their percentiles in one call, which gives each column the
    numbers a call of its own gives; the others go one by one."""
    whole = ~np.isnan(samples).any(axis=0)
    bounds = np.percentile(samples[:, whole], [50 * (1 - level), 50 * (1 + level)], axis=0)
    out = []
    for i, column in enumerate(np.cumsum(whole) - 1):
        if not whole[i]:
            out.append(_interval(estimates[i], samples[:, i], level))
            continue
        est = None if np.isnan(estimates[i]) else float(estimates[i])
        out.append(ConfidenceInterval(est, float(bounds[0, column]), float(bounds[1, column]),
                                      level, 0.0))
    return out


def resample_counts(counts: np.ndarray, n_resamples: int, seed: int) -> np.ndarray:
    """``(n_resamples, groups, 4)`` multinomial resamples of ``(groups, 4)`` confusion counts.

    Same seed, same counts -> same resamples, on every platform numpy's PCG64 runs on.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n[:, None] > 0, counts / n[:, None], 0.0)
    p[n == 0, 0] = 1.0  # any valid distribution; zero draws are taken from it
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, p, size=(n_resamples, len(n)))


def bootstrap(
    counts: GroupCounts,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    metrics: Sequence[str] = METRICS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    convention: Convention = "strict",
) -> BootstrapResult:
    """Percentile confidence intervals for group metrics and their disparities.

    Args:
        counts: confusion counts per group.
        n_resamples: bootstrap resamples (1,000 is plenty for 95% percentile intervals).
        seed: makes the result reproducible; stored with it.
        level: interval coverage in (0, 1).
        metrics: which metrics (names from :data:`~.fairness_metrics.METRICS`).
        min_group_size: smaller groups are flagged and take no part in rankings and disparities.
        convention: as in :func:`~.fairness_metrics.fairness_report`.

    Raises:
        InputError: a bad ``n_resamples``, ``level`` or metric name.
    """
    if n_resamples < 1:
        raise InputError("--bootstrap", f"{n_resamples} resamples", expected="at least 1")
    if not 0 < level < 1:
        raise InputError("--level", f"confidence level {level}", expected="a number in (0, 1)")
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise InputError("--metrics", f"unknown metric(s) {unknown}", expected=f"of {METRICS}")
    flat = counts.flat()
    keys = counts.keys()
    sizes = flat.sum(axis=1)
    eligible = sizes >= max(min_group_size, 1)
    point = metric_arrays(flat, convention)
    resampled = metric_arrays(resample_counts(flat, n_resamples, seed), convention)

    counted = np.flatnonzero(sizes > 0)
    per_metric = {m: _intervals(point[m][counted], resampled[m][:, counted], level)
                  for m in metrics}
    groups: dict[GroupKey, dict[str, ConfidenceInterval]] = {
        keys[i]: {m: per_metric[m][k] for m in metrics} for k, i in enumerate(counted.tolist())}
    spreads = [(spread(point[m], eligible), spread(resampled[m], eligible)) for m in metrics]
    bounds = _intervals(np.array([float(v) for (diff, ratio), _ in spreads for v in (diff, ratio)]),
                        np.column_stack([c for _, both in spreads for c in both]), level)
    disparities = {m: {"difference": bounds[2 * k], "ratio": bounds[2 * k + 1]}
                   for k, m in enumerate(metrics)}
    ranking: dict[str, tuple[GroupKey, ...]] = {}
    for m in metrics:
        usable = np.flatnonzero(eligible & ~np.isnan(point[m]))
        order = np.argsort(point[m][usable], kind="stable")
        if m not in LOWER_IS_BETTER:
            order = order[::-1]
        ranking[m] = tuple(keys[i] for i in usable[order])
    flagged = tuple(keys[i] for i in np.flatnonzero((sizes > 0) & ~eligible))
    return BootstrapResult(n_resamples, seed, level, groups, disparities, ranking, flagged)


def parity_test(
    report: FairnessReport,
    *,
    metrics: Sequence[str] = PARITY_METRICS,
    tau: float = DEFAULT_TAU,
    min_group_size: int | None = None,
) -> tuple[ParityResult, ...]:
    """Aequitas's parity test: a group passes a metric when ``tau <= value / ref <= 1 / tau``.

    The disparity is the group's value over the reference group's (``report.reference``); the
    reference group passes trivially, as in Aequitas. ``tau = 0.8`` is the four-fifths rule.

    Args:
        report: a :func:`~.fairness_metrics.fairness_report`.
        metrics: metric names in the report.
        tau: the fairness threshold, in (0, 1].
        min_group_size: groups smaller than this get "insufficient data" (default: the report's).

    Raises:
        InputError: ``tau`` outside (0, 1] or a metric the report does not hold.
    """
    if not 0 < tau <= 1:
        raise InputError("--tau", f"fairness threshold {tau}", expected="a number in (0, 1]")
    missing = [m for m in metrics if m not in report.disparities]
    if missing:
        raise InputError("--metrics", f"metric(s) {missing} not in the report",
                         expected=f"of {sorted(report.disparities)}")
    minimum = report.min_group_size if min_group_size is None else min_group_size
    ref_row = report.group(report.reference)
    results = []
    for m in metrics:
        for comparison, row in zip(report.disparities[m].to_reference, report.groups, strict=True):
            ratio = comparison.ratio
            if row.count == 0:
                continue
            if row.count < minimum or ref_row.count < minimum:
                who = "group" if row.count < minimum else "reference group"
                why = f"{who} has fewer than {minimum} rows"
                verdict, ratio = ParityVerdict.INSUFFICIENT_DATA, MetricValue(None, why)
            elif not ratio.defined:
                verdict = ParityVerdict.INSUFFICIENT_DATA
            elif tau <= ratio.value <= 1 / tau:  # type: ignore[operator]
                verdict = ParityVerdict.PASS
            else:
                verdict = ParityVerdict.FAIL
            results.append(ParityResult(row.key, m, ratio, verdict, tau))
    return tuple(results)
