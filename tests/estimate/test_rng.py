"""The LCMCR sampler's random variate generators against exact moments and probabilities.

Tolerances: every check compares a statistic of R draws with its exact value under the target
distribution, allowing 5 standard errors of that statistic (two-sided, a correct generator
fails one check with probability 6e-7; about 100 checks run, so a false failure has
probability < 1e-4), or a chi-square goodness-of-fit p-value above 1e-4. The seeds are fixed,
so the outcome is deterministic; the tolerance only says how far a correct generator could
plausibly be from the truth.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from sabt.estimate import _rng

R = 200_000


@nb.njit(cache=False)
def _binomials(n: int, p: float, reps: int, seed: int) -> NDArray[np.int64]:
    st = _rng.new_state(seed)
    out = np.empty(reps, dtype=np.int64)
    for i in range(reps):
        out[i] = _rng.binomial(st, n, p)
    return out


@nb.njit(cache=False)
def _poissons(lam: float, reps: int, seed: int) -> NDArray[np.int64]:
    st = _rng.new_state(seed)
    out = np.empty(reps, dtype=np.int64)
    for i in range(reps):
        out[i] = _rng.poisson(st, lam)
    return out


@nb.njit(cache=False)
def _gammas(a: float, reps: int, seed: int) -> NDArray[np.float64]:
    st = _rng.new_state(seed)
    out = np.empty(reps)
    for i in range(reps):
        out[i] = _rng.gamma(st, a)
    return out


@nb.njit(cache=False)
def _betas(a: float, b: float, reps: int, seed: int) -> NDArray[np.float64]:
    st = _rng.new_state(seed)
    out = np.empty((reps, 2))
    for i in range(reps):
        out[i, 0], out[i, 1] = _rng.beta(st, a, b)
    return out


@nb.njit(cache=False)
def _normals(reps: int, seed: int) -> NDArray[np.float64]:
    st = _rng.new_state(seed)
    out = np.empty(reps)
    for i in range(reps):
        out[i] = _rng.normal(st)
    return out


@nb.njit(cache=False)
def _multinomials(total: int, probs: NDArray[np.float64], reps: int,
                  seed: int) -> NDArray[np.int64]:
    st = _rng.new_state(seed)
    K = probs.shape[0]
    out = np.empty((reps, K), dtype=np.int64)
    row = np.empty(K, dtype=np.int64)
    scratch = _rng.multinomial_scratch(K)
    for i in range(reps):
        _rng.multinomial(st, total, probs, row, scratch)
        out[i] = row
    return out


def _check_moments(x: NDArray[np.float64], mean: float, var: float, mu4: float) -> None:
    """Sample mean and variance within 5 s.e. of the exact ones; s.e. of the mean is
    sqrt(var / R), of the sample variance sqrt((mu4 − var²) / R + 2 var² / R²) (mu4: the 4th
    central moment; the second term matters only when the first vanishes, as for a fair coin)."""
    r = len(x)
    se_mean = math.sqrt(var / r)
    assert abs(x.mean() - mean) <= 5 * se_mean + 1e-12, (x.mean(), mean, se_mean)
    se_var = math.sqrt(max(mu4 - var * var, 0.0) / r + 2 * var * var / (r * r))
    assert abs(x.var() - var) <= 5 * se_var + 1e-12, (x.var(), var, se_var)


def _check_pmf(x: NDArray[np.int64], pmf: NDArray[np.float64], support: NDArray[np.int64],
               ) -> None:
    """Chi-square goodness of fit on the support's values, pooling the outer values until
    every cell expects ≥ 20 draws (the chi-square approximation then holds); p > 1e-4."""
    r = len(x)
    counts = np.bincount(x - support[0], minlength=len(support))[: len(support)]
    assert counts.sum() == r  # nothing outside the support
    expected = pmf * r
    edges: list[tuple[int, int]] = []
    start = 0
    acc = 0.0
    for i, e in enumerate(expected):
        acc += e
        if acc >= 20:
            edges.append((start, i + 1))
            start, acc = i + 1, 0.0
    if start < len(expected):
        if edges:
            edges[-1] = (edges[-1][0], len(expected))
        else:
            edges.append((0, len(expected)))
    obs = np.array([counts[a:b].sum() for a, b in edges], dtype=np.float64)
    exp = np.array([expected[a:b].sum() for a, b in edges])
    if len(obs) < 2:
        return
    exp *= obs.sum() / exp.sum()
    assert stats.chisquare(obs, exp).pvalue > 1e-4


BINOMIAL_CASES = [
    # (n, p): the Bernoulli path (n ≤ 16), inversion (min(p, 1 − p)·n < 30), BTPE, flipped
    # p > 1/2, near the switch, and n ~ 1e6 on every path
    (1, 0.5), (5, 0.3), (16, 0.9), (17, 0.02), (40, 0.1), (200, 0.14), (300, 0.1),
    (301, 0.1), (1_000, 0.3), (1_000, 0.97), (4_000, 0.5), (1_000_000, 2e-6),
    (1_000_000, 1e-3), (1_000_000, 0.37), (1_000_000, 0.999_99), (2_000_000_000, 0.4),
]


@pytest.mark.parametrize(("n", "p"), BINOMIAL_CASES)
def test_binomial_moments_and_probabilities(n: int, p: float) -> None:
    x = _binomials(n, p, R, 1000 + n % 997)
    assert x.min() >= 0 and x.max() <= n
    q = 1.0 - p
    var = n * p * q
    mu4 = var * (1 + 3 * (n - 2) * p * q)
    _check_moments(x.astype(np.float64), n * p, var, mu4)
    lo = int(max(0, stats.binom.ppf(1e-9, n, p) - 1))
    hi = int(min(n, stats.binom.isf(1e-9, n, p) + 1))
    support = np.arange(lo, hi + 1)
    pmf = stats.binom.pmf(support, n, p)
    assert x.min() >= lo and x.max() <= hi
    _check_pmf(x, pmf / pmf.sum(), support)


@pytest.mark.parametrize(("n", "p", "want"), [(0, 0.4, 0), (-3, 0.4, 0), (10, 0.0, 0),
                                              (10, 1.0, 10), (1_000_000, 0.0, 0),
                                              (1_000_000, 1.0, 1_000_000)])
def test_binomial_edges_are_exact(n: int, p: float, want: int) -> None:
    assert (_binomials(n, p, 100, 3) == want).all()


@pytest.mark.parametrize("lam", [0.0, 0.5, 3.0, 9.99, 10.0, 30.0, 4_000.0, 1e9])
def test_poisson_moments_and_probabilities(lam: float) -> None:
    x = _poissons(lam, R, 77)
    if lam == 0.0:
        assert (x == 0).all()
        return
    _check_moments(x.astype(np.float64), lam, lam, lam * (1 + 3 * lam))
    if lam < 1e6:
        lo = int(max(0, stats.poisson.ppf(1e-9, lam) - 1))
        hi = int(stats.poisson.isf(1e-9, lam) + 1)
        support = np.arange(lo, hi + 1)
        pmf = stats.poisson.pmf(support, lam)
        _check_pmf(x, pmf / pmf.sum(), support)


@pytest.mark.parametrize("a", [0.05, 0.5, 1.0, 1.5, 30.0, 4_400.0])
def test_gamma_moments_and_distribution(a: float) -> None:
    x = _gammas(a, R, 5)
    assert (x > 0).all()
    _check_moments(x, a, a, 3 * a * a + 6 * a)
    # Kolmogorov–Smirnov against the exact Gamma(a) cdf
    assert stats.kstest(x, stats.gamma(a).cdf).pvalue > 1e-4


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (1.0, 30.0), (2.5, 7.0), (300.0, 4_000.0)])
def test_beta_moments_and_distribution(a: float, b: float) -> None:
    xy = _betas(a, b, R, 17)
    x = xy[:, 0]
    assert ((x > 0) & (x < 1)).all()
    # the pair is (X, 1 − X) up to rounding: both are quotients by the same G_a + G_b
    assert np.abs(xy.sum(axis=1) - 1.0).max() <= 4 * np.finfo(float).eps
    exact = stats.beta(a, b)
    mean, var, kurt = (float(v) for v in exact.stats(moments="mvk"))
    _check_moments(x, mean, var, (kurt + 3.0) * var * var)
    assert stats.kstest(x, exact.cdf).pvalue > 1e-4


def test_normal_distribution() -> None:
    x = _normals(R, 11)
    _check_moments(x, 0.0, 1.0, 3.0)
    assert stats.kstest(x, stats.norm.cdf).pvalue > 1e-4
    # the ziggurat's tail beyond r = 3.654 (probability 2.6e-4 each side) is reached
    big = _normals(4_000_000, 12)
    tail = float(np.mean(np.abs(big) > 3.7))
    want = 2 * stats.norm.sf(3.7)
    assert abs(tail - want) <= 5 * math.sqrt(want * (1 - want) / len(big))


MULTINOMIAL_CASES = [
    # (total, weights): small totals go person by person (below 16 + 2 per class), large
    # ones by conditional binomials, then their remainder person by person; unnormalised
    # weights; zero weights first, inside and last
    (0, [0.2, 0.3, 0.5]),
    (1, [1.0, 2.0, 3.0, 4.0]),
    (7, [0.4, 0.25, 0.15, 0.08, 0.05, 0.03, 0.02, 0.01, 0.007, 0.003]),
    (39, [0.0, 0.4, 0.0, 0.25, 0.15, 0.08, 0.05, 0.03, 0.02, 0.0]),
    (25, [0.3, 0.0, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02, 0.0]),
    (1_131, [0.4, 0.25, 0.15, 0.08, 0.05, 0.03, 0.02, 0.01, 0.007, 0.003]),
    (1_000_000, [3e-7, 0.5, 0.2, 1e-3, 0.0, 0.298_999_7]),
    (50, [5.0]),
    (50, [0.0, 0.0, 2.5]),
]


@pytest.mark.parametrize(("total", "weights"), MULTINOMIAL_CASES)
def test_multinomial_margins(total: int, weights: list[float]) -> None:
    w = np.array(weights)
    x = _multinomials(total, w, R // 4, 2024 + total % 1000)
    assert (x.sum(axis=1) == total).all()
    assert (x[:, w == 0.0] == 0).all()
    p = w / w.sum()
    for k in np.flatnonzero(w > 0):
        # each class's count is Binomial(total, p_k)
        var = total * p[k] * (1 - p[k])
        mu4 = var * (1 + 3 * (total - 2) * p[k] * (1 - p[k]))
        _check_moments(x[:, k].astype(np.float64), total * p[k], var, mu4)


def test_multinomial_joint_probabilities() -> None:
    # 5 people in 3 classes: all 21 outcomes have exact multinomial probabilities
    w = np.array([0.5, 0.3, 0.2])
    x = _multinomials(5, w, R, 9)
    codes = x[:, 0] * 6 + x[:, 1]
    support = np.array([a * 6 + b for a in range(6) for b in range(6 - a)])
    pmf = np.array([stats.multinomial.pmf([a, b, 5 - a - b], 5, w)
                    for a in range(6) for b in range(6 - a)])
    counts = np.array([(codes == c).sum() for c in support], dtype=np.float64)
    assert counts.sum() == R
    assert stats.chisquare(counts, pmf * R).pvalue > 1e-4
    # the same by conditional binomials (a large total): the covariance of two classes is
    # −total·p_a·p_b; s.e. of the sample covariance ~ sqrt(var_a·var_b / R)
    y = _multinomials(10_000, w, R // 4, 10).astype(np.float64)
    cov = np.cov(y[:, 0], y[:, 1])[0, 1]
    want = -10_000 * 0.5 * 0.3
    se = math.sqrt(10_000 * 0.25 * 10_000 * 0.21 / len(y))
    assert abs(cov - want) <= 5 * se
