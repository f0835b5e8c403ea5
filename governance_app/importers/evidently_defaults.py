"""Evidently's drift-test defaults, as its source states them (identical from 0.4.40 to 0.7.10).

Each of Evidently's tests has a ``default_threshold``, used when a metric names the test but no
threshold. When a metric names no test at all, Evidently chose one per column from the data
(``_get_default_stattest``): with at most 1,000 reference rows a p-value test (K-S for numbers,
chi-square or Z for categories) held at 0.05; with more, a distance (Wasserstein for numbers,
Jensen-Shannon for categories) held at 0.1. The reference's size is the same for every column
of a report, so all its defaulted columns are in one regime, and the count of drifted columns
the report states (``DriftedColumnsCount``) tells which.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from governance_app.errors import InputError
from governance_app.importers.evidently_parse import RawColumn, RawReport

DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "TVD": 0.1, "abs_text_content_drift": 0.55, "anderson": 0.1, "chisquare": 0.05,
    "cramer_von_mises": 0.1, "ed": 0.1, "empirical_mmd": 0.1, "es": 0.05,
    "fisher_exact": 0.1, "g_test": 0.1, "hellinger": 0.1, "jensenshannon": 0.1,
    "kl_div": 0.1, "ks": 0.05, "mannw": 0.05, "perc_text_content_drift": 0.95, "psi": 0.1,
    "t_test": 0.05, "wasserstein": 0.1, "z": 0.05,
}
"""``default_threshold`` of every registered test, by name (Evidently's ``StatTest`` objects)."""

DISPLAY_NAMES: Mapping[str, str] = {
    "Total-Variation-Distance": "TVD", "Absolute text content drift": "abs_text_content_drift",
    "Anderson-Darling": "anderson", "chi-square p_value": "chisquare",
    "Cramer-von Mises": "cramer_von_mises", "Energy-distance": "ed",
    "Epps-Singleton": "es", "Fisher's Exact test": "fisher_exact",
    "Hellinger distance": "hellinger", "Jensen-Shannon distance": "jensenshannon",
    "Kullback-Leibler divergence": "kl_div", "K-S p_value": "ks",
    "Mann-Whitney U-rank test": "mannw", "Percentile text content drift":
    "perc_text_content_drift", "PSI": "psi", "Wasserstein distance (normed)": "wasserstein",
    "Z-test p_value": "z",
}
"""The names Evidently's widgets print, back to the test's name."""

SMALL_REFERENCE = ("default p-value test (≤1,000 reference rows)", 0.05)
LARGE_REFERENCE = ("default distance (>1,000 reference rows)", 0.1)
"""Evidently's two regimes, named as shown wherever a method is shown."""


def default_threshold(path: Path, method: str, where: str) -> float:
    """The threshold Evidently held ``method`` to when the metric gave none.

    Raises:
        InputError: not one of Evidently's tests (a custom test has no known default).
    """
    name = DISPLAY_NAMES.get(method, method)
    if name not in DEFAULT_THRESHOLDS:
        raise InputError(path, f"method {method!r} has no threshold in the export and is not "
                               "one of Evidently's tests", location=where,
                         expected="a threshold beside a custom method")
    return DEFAULT_THRESHOLDS[name]


def _drifted(regime: tuple[str, float], score: float) -> bool:
    return score <= regime[1] if regime is SMALL_REFERENCE else score >= regime[1]


def resolve_regime(path: Path, report: RawReport, unresolved: list[RawColumn],
                   count: float | None, where: str) -> None:
    """Give the columns Evidently tested with its defaults their method, threshold, verdict.

    Raises:
        InputError: the export holds no count of drifted columns, or the count fits neither
            regime or both: then which test Evidently used cannot be known from the file.
    """
    names = ", ".join(c.column for c in unresolved[:4])
    remedy = ("the workspace snapshot (Snapshot.dumps()), which names each column's test, or "
              "a report run with the method and threshold given")
    if count is None or math.isnan(count):
        raise InputError(path, f"does not say which test Evidently used for {names} "
                               "(its defaults) and has no DriftedColumnsCount to tell",
                         location=where, expected=remedy)
    decided = sum(1 for c in report.columns if c.method and c.drifted)
    fits = [regime for regime in (SMALL_REFERENCE, LARGE_REFERENCE)
            if decided + sum(_drifted(regime, c.score) for c in unresolved) == round(count)]
    if len(fits) != 1:
        raise InputError(path, f"does not say which test Evidently used for {names} (its "
                               f"defaults), and its count of {round(count)} drifted columns "
                               f"fits {'both' if fits else 'neither'} of Evidently's choices",
                         location=where, expected=remedy)
    label, threshold = fits[0]
    for column in unresolved:
        column.method, column.threshold = label, threshold
        column.drifted = _drifted(fits[0], column.score)
    report.resolved = (f"{len(unresolved)} column(s) used Evidently's defaults; the export does "
                       f"not name the test, and its count of drifted columns shows the "
                       f"{label}, held at {threshold} (K-S, chi-square or Z for at most 1,000 "
                       "reference rows; Wasserstein or Jensen-Shannon above)")
