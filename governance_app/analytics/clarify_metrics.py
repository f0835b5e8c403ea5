"""SageMaker Clarify's bias metrics recomputed from confusion counts, to check Clarify's report.

Clarify compares a facet group *d* (``sex = female``, or ``age > 40``) with the rest *a*. Its
label and prediction metrics are plain arithmetic on the two groups' confusion counts, so the
app recomputes them from its own counts of the same predictions and says whether both agree.
Definitions as in smclarify (Apache-2.0) and the SageMaker Clarify documentation; the signs
below were checked against Clarify's own output (``tests/analytics/test_clarify_metrics.py``).

Where the app has a metric of its own, :data:`APP_NAMES` says which: ``DI`` is the ratio of
selection rates, ``DPPL`` their difference (rest minus group), ``RD`` that of true positive rates.
"""

from __future__ import annotations

from collections.abc import Callable

from governance_app.domain.fairness import ConfusionCells

APP_NAMES: dict[str, str] = {
    "CI": "group share (class imbalance)",
    "DPL": "base_rate difference",
    "DPPL": "selection_rate difference",
    "DI": "selection_rate ratio",
    "AD": "accuracy_score difference",
    "RD": "true_positive_rate difference",
    "DAR": "precision_score difference",
    "DRR": "negative_predictive_value difference",
}
"""Clarify's metric name → the app's name of the same quantity (group vs the rest)."""


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _diff(f: Callable[[ConfusionCells], float | None], a: ConfusionCells,
          d: ConfusionCells) -> float | None:
    x, y = f(a), f(d)
    return None if x is None or y is None else x - y


def clarify_metrics(d: ConfusionCells, a: ConfusionCells) -> dict[str, float | None]:
    """Clarify's metrics of group ``d`` against the rest ``a``; ``None`` where undefined."""
    label_rate = lambda c: _ratio(c.tp + c.fn, c.count)  # noqa: E731
    selection = lambda c: _ratio(c.tp + c.fp, c.count)  # noqa: E731
    accuracy = lambda c: _ratio(c.tp + c.tn, c.count)  # noqa: E731
    recall = lambda c: _ratio(c.tp, c.tp + c.fn)  # noqa: E731
    precision = lambda c: _ratio(c.tp, c.tp + c.fp)  # noqa: E731
    npv = lambda c: _ratio(c.tn, c.tn + c.fn)  # noqa: E731
    accept = lambda c: _ratio(c.tp + c.fn, c.tp + c.fp)  # noqa: E731
    reject = lambda c: _ratio(c.tn + c.fp, c.tn + c.fn)  # noqa: E731
    qa, qd = selection(a), selection(d)
    dcr = _diff(reject, d, a)
    return {
        "CI": _ratio(a.count - d.count, a.count + d.count),
        "DPL": _diff(label_rate, a, d),
        "DPPL": _diff(selection, a, d),
        "DI": None if qa is None or qd is None or qa == 0 else qd / qa,
        "AD": _diff(accuracy, a, d),
        "RD": _diff(recall, a, d),
        "DAR": _diff(precision, a, d),
        "DRR": _diff(npv, d, a),
        "DCA": _diff(accept, a, d),
        "DCR": dcr,
    }


def agrees(ours: float | None, theirs: float, *, tolerance: float = 1e-6) -> bool:
    """Whether two values of one metric agree (relative and absolute tolerance ``tolerance``)."""
    if ours is None:
        return False
    return abs(ours - theirs) <= tolerance * max(1.0, abs(ours), abs(theirs))
