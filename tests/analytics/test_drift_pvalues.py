"""p-values without scipy at run time, compared with scipy (the test extra) as the oracle."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats

from governance_app.analytics import drift_pvalues as pv
from governance_app.analytics import drift_tails


def _close(ours: float, want: float) -> bool:
    """Relative 1e-9, or absolute 1e-12 where the p-value is tiny."""
    return abs(ours - want) <= max(1e-9 * abs(want), 1e-12)


def test_drift_stats_imports_no_scipy() -> None:
    code = ("import sys, governance_app.analytics.drift_stats, "
            "governance_app.analytics.drift_select;"
            "print(any(m == 'scipy' or m.startswith('scipy.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ks_exact_path_equals_scipy_on_many_random_cases() -> None:
    rng = np.random.default_rng(20260125)
    for i in range(250):
        n1, n2 = (int(x) for x in rng.integers(1, 300, size=2))
        if i % 5 == 0:
            n2 = n1  # scipy's square formula
        a = rng.normal(size=n1) if i % 2 else np.round(rng.exponential(2, n1))
        b = rng.normal(rng.uniform(0, 1), 1, n2) if i % 2 else np.round(rng.exponential(2.5, n2))
        want = stats.ks_2samp(a, b)
        got = pv.ks_p_value(float(want.statistic), n1, n2)
        assert _close(got, float(want.pvalue)), (n1, n2, got, want.pvalue)


@pytest.mark.parametrize("n1,n2", [(10_000, 9_999), (10_000, 10_000), (10_000, 37),
                                   (10_001, 10_000), (10_001, 60), (12_000, 15_000)])
def test_ks_at_the_exact_path_boundary_equals_scipy(n1: int, n2: int) -> None:
    rng = np.random.default_rng(n1 + n2)
    a, b = rng.normal(size=n1), rng.normal(0.03, 1, size=n2)
    want = stats.ks_2samp(a, b)
    assert _close(pv.ks_p_value(float(want.statistic), n1, n2), float(want.pvalue))


@pytest.mark.parametrize("n", [1, 2, 5, 50, 140, 141, 1000, 50_000, 100_000, 100_001, 500_000])
def test_kstwo_sf_equals_scipy_on_every_branch(n: int) -> None:
    rng = np.random.default_rng(n)
    # scipy (the oracle) needs ~0.8 s per distance near 3/sqrt(n) when n = 500,000: fewer there.
    near = 25 if n < 100_000 else 6
    ds = np.concatenate([rng.uniform(0, 1, 15), rng.uniform(0, 4 / np.sqrt(n), near),
                         [0.0, 1.0, 0.5 / n, 1.0 / n]])
    for d in ds:
        got, want = pv.kstwo_sf(float(d), n), float(stats.kstwo.sf(d, n))
        assert _close(got, want), (n, d, got, want)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1000, 500_000])
def test_smirnov_equals_scipy_special(n: int) -> None:
    rng = np.random.default_rng(n)
    near = 10 if n < 100_000 else 3  # as above: the oracle is slow near 3/sqrt(n)
    xs = np.concatenate([rng.uniform(0, 1, 20), rng.uniform(0, min(5 / np.sqrt(n), 1), near),
                         [0.0, 1.0]])
    for x in xs:
        assert _close(pv.smirnov_sf(n, float(x)), float(special.smirnov(n, x))), (n, x)


@pytest.mark.parametrize("dof", [1, 2, 3, 5, 11, 30, 200])
def test_chi2_sf_equals_scipy(dof: int) -> None:
    rng = np.random.default_rng(dof)
    for s in np.concatenate([rng.uniform(0, 3 * dof, 30), rng.uniform(0, 400, 10), [0.0]]):
        assert _close(drift_tails.chi2_sf(float(s), dof), float(stats.chi2.sf(s, dof))), (dof, s)
    assert drift_tails.chi2_sf(float("inf"), dof) == 0.0


def test_normal_two_sided_equals_scipy() -> None:
    for z in np.linspace(-12, 12, 97):
        assert _close(drift_tails.normal_two_sided(float(z)), float(2 * stats.norm.sf(abs(z))))
