"""Chi-square and normal tail probabilities in ``math`` only (scipy is the tests' oracle).

* chi-square survival: the regularized upper incomplete gamma ``Q(k/2, x/2)`` by its series
  (``x < a + 1``) or Lentz's continued fraction (Numerical Recipes' ``gammq``), accurate to a
  few ulps, which is what ``scipy.stats.chi2.sf`` gives to 1e-12.
* normal two-sided tail: ``erfc(|z| / sqrt 2)``, without the cancellation of ``2 (1 - Phi)``.
"""

from __future__ import annotations

import math


def _gamma_p_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    ap = a
    for _ in range(10_000):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-17:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_q_fraction(a: float, x: float) -> float:
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-17:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def gamma_q(a: float, x: float) -> float:
    """Regularized upper incomplete gamma ``Q(a, x)`` (Numerical Recipes' ``gammq``)."""
    if math.isnan(x):
        return math.nan
    if x <= 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    if x < a + 1.0:
        return 1.0 - _gamma_p_series(a, x)
    return _gamma_q_fraction(a, x)


def chi2_sf(stat: float, dof: int) -> float:
    """Chi-square survival function ``Q(dof/2, stat/2)``, as ``scipy.stats.chi2.sf``."""
    return min(max(gamma_q(dof / 2.0, stat / 2.0), 0.0), 1.0)


def normal_two_sided(z: float) -> float:
    """``2 (1 - Phi(|z|))`` without the cancellation: ``erfc(|z| / sqrt 2)``."""
    return math.erfc(abs(z) / math.sqrt(2.0))
