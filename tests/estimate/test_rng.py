"""The sampler's own random variates against their exact distributions (scipy.stats).

Each check draws 200,000 variates with a fixed seed and applies a goodness-of-fit test; the
threshold p > 1e-4 is what a correct generator passes for all but 1 in 10,000 seeds, while a
wrong formula (a wrong constant in BTRS's bound, a wrong ziggurat layer) gives p ≈ 0 at this
sample size.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from sabt.estimate import _rng

DRAWS = 200_000


@nb.njit(cache=True)
def _binomials(seed: int, n: int, p: float, size: int) -> NDArray[np.int64]:
    st = _rng.new_state(seed)
    out = np.empty(size, dtype=np.int64)
    for i in range(size):
        out[i] = _rng.binomial(st, n, p)
    return out


@nb.njit(cache=True)
def _normals(seed: int, size: int) -> NDArray[np.float64]:
    st = _rng.new_state(seed)
    out = np.empty(size)
    for i in range(size):
        out[i] = _rng.normal(st)
    return out


@nb.njit(cache=True)
def _gammas(seed: int, a: float, size: int) -> NDArray[np.float64]:
    st = _rng.new_state(seed)
    out = np.empty(size)
    for i in range(size):
        out[i] = _rng.gamma(st, a)
    return out


# inversion (n p < 10, with and without the P(X = 0) shortcut), BTRS (n p ≥ 10, its table
# of Stirling tails below 10 and the series above), and p > ½ (drawn as n − Bin(n, 1 − p))
@pytest.mark.parametrize(("n", "p"), [(10, 0.1), (40, 0.2), (30, 0.4), (200, 0.3),
                                      (5_000, 0.45), (1_131, 0.93), (100_000, 0.001)])
def test_binomial_matches_its_distribution(n: int, p: float) -> None:
    x = _binomials(11, n, p, DRAWS)
    lo, hi = int(stats.binom.ppf(1e-4, n, p)), int(stats.binom.ppf(1 - 1e-4, n, p))
    edges = np.unique(np.clip(np.linspace(lo, hi + 1, 41).astype(np.int64), lo, hi + 1))
    observed = np.histogram(np.clip(x, lo, hi), bins=edges)[0]
    cdf = stats.binom.cdf(edges[1:] - 1, n, p) - stats.binom.cdf(edges[:-1] - 1, n, p)
    cdf[0] += stats.binom.cdf(lo - 1, n, p)
    cdf[-1] += stats.binom.sf(hi, n, p)
    expected = cdf * DRAWS
    keep = expected > 5
    chi = float(((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum())
    assert stats.chi2.sf(chi, keep.sum() - 1) > 1e-4, (n, p, chi)


def test_normal_is_standard_normal() -> None:
    x = _normals(12, DRAWS)
    assert stats.kstest(x, "norm").pvalue > 1e-4
    # the tails come from the ziggurat's slow path: their share must be right too
    for z in (2.5, 3.442619855899, 4.0):
        share = float(np.mean(np.abs(x) > z))
        want = 2 * stats.norm.sf(z)
        assert abs(share - want) < 4 * np.sqrt(want / DRAWS) + 1e-6, z


@pytest.mark.parametrize("a", [0.3, 1.0, 7.5, 900.0])
def test_gamma_matches_its_distribution(a: float) -> None:
    assert stats.kstest(_gammas(13, a, DRAWS), stats.gamma(a).cdf).pvalue > 1e-4
