"""p-values for the drift tests in numpy and ``math`` only: KS (exact and Smirnov), chi-square, z.

Why not scipy: scipy is the project's *oracle* for these numbers (tests and benchmarks compare
with it), and a peer used as an oracle is never a runtime dependency. So the pieces scipy uses
are ported here, following its algorithms step by step so the results agree to ~1e-12:

* two-sample KS, exact (``ks_2samp(method="auto")`` when both samples have at most 10,000
  values): equal sizes by scipy's ``_compute_prob_outside_square`` (Horner form of the
  alternating binomial series); unequal sizes by Hodges' "inside" lattice-path recursion in
  Viehmann's 1-p form (scipy's ``_compute_outer_prob_inside_method``). scipy walks the grid
  column by column in compiled code; we walk it by anti-diagonals, whose cells depend only on
  the previous anti-diagonal, so each step is one vectorised numpy expression. Every cell is the
  same ``(A(i-1,j)*i + A(i,j-1)*j) / (i+j)`` from the same operands, hence the same value.
* two-sample KS, asymptotic: ``kstwo.sf(D, round(mn/(m+n)))``, Simard & L'Ecuyer's selection
  among Ruben-Gambino, Durbin-Marsaglia-Tsang-Wang, Pomeranz, Pelz-Good and the one-sided
  Smirnov sum, as ``scipy.stats._ksstats._kolmogn``. The Smirnov sum (Birnbaum-Tingey) has only
  positive terms; we add them in log space (log binomials accumulated in extended
  precision) instead of scipy's double-double mantissa/exponent bookkeeping.

Chi-square and normal tails are in :mod:`drift_tails`.
"""

from __future__ import annotations

import math

import numpy as np

KS_EXACT_MAX_N = 10_000
"""scipy's ``ks_2samp`` 'auto' rule: exact p-value when both samples are at most this size."""

_E128 = 128
_EP128 = np.ldexp(np.longdouble(1), _E128)
_EM128 = np.ldexp(np.longdouble(1), -_E128)
_LOG_2PI = math.log(2 * math.pi)
_SQRT2PI = math.sqrt(2 * math.pi)
_MIN_LOG = -708
_PI2, _PI4, _PI6 = math.pi**2, math.pi**4, math.pi**6
_STIRLING = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
             8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
             -2.7777777777777777778e-3, 8.3333333333333333333e-2]


def _clip(p: float) -> float:
    return float(min(max(p, 0.0), 1.0))


# --------------------------------------------------------------------------- KS, exact


def _prob_outside_square(n: int, h: int) -> float:
    """Pr(D_{n,n} >= h/n): scipy's Horner form of the alternating binomial series."""
    p = 0.0
    k = n // h
    while k >= 0:
        p1 = 1.0
        for j in range(h):
            p1 = (n - k * h - j) * p1 / (n + k * h + j + 1)
        p = p1 * (1.0 - p)
        k -= 1
    return 2 * p


def _prob_outside_band(m: int, n: int, g: int, h: int) -> float:
    """Share of lattice paths (0,0)->(m,n) leaving ``|n x - m y| < h g`` (Hodges, Viehmann).

    ``A(i, j)`` is the share of paths to cell (i, j) that already left the band: 1 outside it,
    ``(A(i-1, j) i + A(i, j-1) j) / (i + j)`` inside. Computed by anti-diagonals ``s = i + j``,
    keeping only the band's cells (``lo <= i <= hi``) of the previous diagonal.
    """
    if m < n:
        m, n = n, m
    mg, ng = m // g, n // g
    i_all = np.arange(m + 1, dtype=np.int64)
    # scipy returns 1 as soon as one column has no cell inside the band.
    minj = np.minimum(np.maximum((ng * i_all - h) // mg + 1, 0), n)
    maxj = np.minimum(-(-(ng * i_all + h) // mg), n + 1)
    if np.any(maxj <= minj):
        return 1.0
    prev_lo, prev = 0, np.zeros(1)  # diagonal 0: the origin, inside the band
    width = ng + mg
    for s in range(1, m + n + 1):
        # inside: |ng i - mg (s - i)| < h  <=>  mg s - h < width i < mg s + h
        lo = max((mg * s - h) // width + 1, s - n, 0)
        hi = min(-(-(mg * s + h) // width) - 1, m, s)
        if hi < lo:
            prev_lo, prev = 0, np.empty(0)
            continue
        i = np.arange(lo, hi + 1, dtype=np.int64)
        left = i - 1 - prev_lo  # A(i-1, j) on the previous diagonal
        down = i - prev_lo  # A(i, j-1)
        size = prev.size
        a_left = np.where((left >= 0) & (left < size), prev[np.clip(left, 0, max(size - 1, 0))]
                          if size else 1.0, 1.0)
        a_down = np.where((down >= 0) & (down < size), prev[np.clip(down, 0, max(size - 1, 0))]
                          if size else 1.0, 1.0)
        fi = i.astype(np.float64)
        fj = (s - i).astype(np.float64)
        prev = (a_left * fi + a_down * fj) / (fi + fj)
        prev_lo = lo
    return float(prev[m - prev_lo])


def ks_exact_p_value(d: float, n1: int, n2: int) -> float | None:
    """Exact two-sided p-value of the two-sample KS statistic ``d``; None when it fails.

    scipy's ``_attempt_exact_2kssamp``: ``d`` is snapped to the lattice ``h / lcm``.
    """
    g = math.gcd(n1, n2)
    lcm = (n1 // g) * n2
    h = int(np.round(d * lcm))
    if h == 0:
        return 1.0
    prob = _prob_outside_square(n1, h) if n1 == n2 else _prob_outside_band(n1, n2, g, h)
    return prob if 0.0 <= prob <= 1.0 else None


# ------------------------------------------------------------------- KS, asymptotic (kstwo)


def _log_nfact_div_npown(n: int) -> float:
    rn = 1.0 / n
    return math.log(n) / 2 - n + _LOG_2PI / 2 + rn * float(np.polyval(_STIRLING, rn / n))


def _kolmogn_dmtw(n: int, d: float) -> float:
    """CDF Pr(D_n <= d), Durbin's matrix as Marsaglia-Tsang-Wang (scipy's ``_kolmogn_DMTW``)."""
    if d >= 1.0:
        return 1.0
    nd = n * d
    if nd <= 0.5:
        return 0.0
    k = int(math.ceil(nd))
    h = k - nd
    m = 2 * k - 1
    H = np.zeros([m, m])
    intm = np.arange(1, m + 1)
    v = 1.0 - h**intm
    w = np.empty(m)
    fac = 1.0
    for j in intm:
        w[j - 1] = fac
        fac /= j
        v[j - 1] *= fac
    tt = max(2 * h - 1.0, 0) ** m - 2 * h**m
    v[-1] = (1.0 + tt) * fac
    for i in range(1, m):
        H[i - 1:, i] = w[: m - i + 1]
    H[:, 0] = v
    H[-1, :] = np.flip(v, axis=0)
    hpwr = np.eye(m)
    nn, expnt, hexpnt = n, 0, 0
    while nn > 0:
        if nn % 2:
            hpwr = np.matmul(hpwr, H)
            expnt += hexpnt
        H = np.matmul(H, H)
        hexpnt *= 2
        if np.abs(H[k - 1, k - 1]) > _EP128:
            H /= _EP128
            hexpnt += _E128
        nn //= 2
    p = hpwr[k - 1, k - 1]
    for i in range(1, n + 1):
        p = i * p / n
        if np.abs(p) < _EM128:
            p *= _EP128
            expnt -= _E128
    if expnt != 0:
        p = np.ldexp(p, expnt)
    return _clip(float(p))


def _pomeranz_j1j2(i: int, n: int, ll: int, ceilf: int, roundf: int) -> tuple[int, int]:
    if i == 0:
        j1, j2 = -ll - ceilf - 1, ll + ceilf - 1
    else:
        ip1div2, ip1mod2 = divmod(i + 1, 2)
        if ip1mod2 == 0:
            if ip1div2 == n + 1:
                j1, j2 = n - ll - ceilf - 1, n + ll + ceilf - 1
            else:
                j1, j2 = ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1
        else:
            j1, j2 = ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1
    return max(j1 + 2, 0), min(j2, n)


def _kolmogn_pomeranz(n: int, x: float) -> float:
    """CDF Pr(D_n <= x) by Pomeranz's recursion (scipy's ``_kolmogn_Pomeranz``)."""
    t = n * x
    ll = int(math.floor(t))
    f = 1.0 * (t - ll)
    g = min(f, 1.0 - f)
    ceilf = 1 if f > 0 else 0
    roundf = 1 if f > 0.5 else 0
    npwrs = 2 * (ll + 1)
    gpower, twogpower, onem2gpower = np.empty(npwrs), np.empty(npwrs), np.empty(npwrs)
    gpower[0] = twogpower[0] = onem2gpower[0] = 1.0
    expnt = 0
    g_n, two_g_n, one_m2g_n = g / n, 2 * g / n, (1 - 2 * g) / n
    for m in range(1, npwrs):
        gpower[m] = gpower[m - 1] * g_n / m
        twogpower[m] = twogpower[m - 1] * two_g_n / m
        onem2gpower[m] = onem2gpower[m - 1] * one_m2g_n / m
    v0, v1 = np.zeros([npwrs]), np.zeros([npwrs])
    v1[0] = 1
    v0s, v1s = 0, 0
    j1, j2 = _pomeranz_j1j2(0, n, ll, ceilf, roundf)
    for i in range(1, 2 * n + 2):
        k1 = j1
        v0, v1 = v1, v0
        v0s, v1s = v1s, v0s
        v1.fill(0.0)
        j1, j2 = _pomeranz_j1j2(i, n, ll, ceilf, roundf)
        pwrs = gpower if i in (1, 2 * n + 1) else (twogpower if i % 2 else onem2gpower)
        ln2 = j2 - k1 + 1
        if ln2 > 0:
            conv = np.convolve(v0[k1 - v0s:k1 - v0s + ln2], pwrs[:ln2])
            conv_start, conv_len = j1 - k1, j2 - j1 + 1
            v1[:conv_len] = conv[conv_start:conv_start + conv_len]
            if 0 < np.max(v1) < _EM128:
                v1 *= _EP128
                expnt -= _E128
            v1s = v0s + j1 - k1
    ans = v1[n - v1s]
    for m in range(1, n + 1):
        if np.abs(ans) > _EP128:
            ans *= _EM128
            expnt += _E128
        ans *= m
    if expnt != 0:
        ans = np.ldexp(ans, expnt)
    return _clip(float(ans))


def _kolmogn_pelz_good(n: int, x: float) -> float:
    """CDF Pr(D_n <= x), Pelz-Good approximation (scipy's ``_kolmogn_PelzGood``)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    z = math.sqrt(n) * x
    z2, z3, z4, z6 = z**2, z**3, z**4, z**6
    qlog = -_PI2 / 8 / z2
    if qlog < _MIN_LOG:
        return 0.0
    q = math.exp(qlog)
    k1a, k1b = -z2, _PI2 / 4
    k2a, k2b, k2c = 6 * z6 + 2 * z4, (2 * z4 - 5 * z2) * _PI2 / 4, _PI4 * (1 - 2 * z2) / 16
    k3d = _PI6 * (5 - 30 * z2) / 64
    k3c = _PI4 * (-60 * z2 + 212 * z4) / 16
    k3b = _PI2 * (135 * z4 - 96 * z6) / 4
    k3a = -30 * z6 - 90 * z**8
    k0to3 = np.zeros(4)
    maxk = int(math.ceil(16 * z / math.pi))
    for k in range(maxk, 0, -1):
        m = 2 * k - 1
        m2, m4, m6 = m**2, m**4, m**6
        qpower = np.power(q, 8 * k)
        coeffs = np.array([1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                           k3a + k3b * m2 + k3c * m4 + k3d * m6])
        k0to3 *= qpower
        k0to3 += coeffs
    k0to3 *= q
    k0to3 *= _SQRT2PI
    k0to3 /= np.array([z, 6 * z4, 72 * z**7, 6480 * z**10])
    q = math.exp(-_PI2 / 2 / z2)
    ks = np.arange(maxk, 0, -1)
    ks2 = ks**2
    sqrt3z = math.sqrt(3) * z
    kspi = np.pi * ks
    qpwers = q**ks2
    k0to3[2] += np.sum(ks2 * qpwers) * (_PI2 * _SQRT2PI / (-36 * z3))
    k0to3[3] += np.sum((sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qpwers) * (
        _PI2 * _SQRT2PI / (216 * z6))
    k0to3 /= np.power(n * 1.0, np.arange(4) / 2.0)
    return float(sum(k0to3))


def smirnov_sf(n: int, x: float) -> float:
    """One-sided ``Pr(D_n^+ >= x)`` (scipy.special.smirnov), Birnbaum-Tingey's sum.

    ``x * sum_j C(n,j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1)`` for ``j <= n(1-x)``: every term is
    positive, so summing in log space keeps the relative error near 1e-11 even for n in the
    millions; only the running sum of log binomials needs extended precision.
    """
    if not (n > 0 and 0.0 <= x <= 1.0):
        return math.nan
    if n == 1:
        return 1.0 - x
    if x == 0.0:
        return 1.0
    if x == 1.0:
        return 0.0
    last = int(math.floor(n * (1.0 - x)))
    j = np.arange(last + 1, dtype=np.float64)
    # log C(n, j): float64 logs of the ratios (1 ulp each), summed in extended precision.
    ratio = np.log((n - j[:-1]) / (j[:-1] + 1.0)).astype(np.longdouble)
    log_c = np.concatenate(([np.longdouble(0)], np.cumsum(ratio)))
    with np.errstate(divide="ignore"):
        rest = (n - j) * np.log1p(-(x + j / n)) + (j - 1) * np.log(x + j / n)
    logs = log_c + rest
    top = np.max(logs)
    total = float(np.sum(np.exp((logs - top).astype(np.float64))))
    return _clip(x * math.exp(float(top)) * total)


def kstwo_sf(d: float, n: int) -> float:
    """Survival function of the two-sided one-sample KS statistic, as ``scipy.stats.kstwo.sf``."""
    if d >= 1.0:
        return 0.0
    if d <= 0.0:
        return 1.0
    t = n * d
    if t <= 1.0:
        if t <= 0.5:
            return 1.0
        if n <= 140:
            prob = float(np.prod(np.arange(1, n + 1) * (1.0 / n) * (2 * t - 1)))
        else:
            prob = math.exp(_log_nfact_div_npown(n) + n * math.log(2 * t - 1))
        return _clip(1.0 - prob)
    if t >= n - 1:
        return _clip(2 * (1.0 - d) ** n)
    if d >= 0.5:
        return _clip(2 * smirnov_sf(n, d))
    nxsq = t * d
    if n <= 140:
        if nxsq <= 0.754693:
            return _clip(1.0 - _kolmogn_dmtw(n, d))
        if nxsq <= 4:
            return _clip(1.0 - _kolmogn_pomeranz(n, d))
        return _clip(2 * smirnov_sf(n, d))
    if nxsq >= 370.0:
        return 0.0
    if nxsq >= 2.2:
        return _clip(2 * smirnov_sf(n, d))
    if nxsq >= 18.0:
        cdf = 1.0
    elif n <= 100_000 and n * d**1.5 <= 1.4:
        cdf = _kolmogn_dmtw(n, d)
    else:
        cdf = _kolmogn_pelz_good(n, d)
    return _clip(1.0 - cdf)


def ks_p_value(d: float, n1: int, n2: int) -> float:
    """Two-sided two-sample KS p-value, as ``scipy.stats.ks_2samp(method="auto")``."""
    if max(n1, n2) <= KS_EXACT_MAX_N:
        prob = ks_exact_p_value(d, n1, n2)
        if prob is not None:
            return prob
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return kstwo_sf(d, int(np.round(en)))
