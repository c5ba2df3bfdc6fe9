"""Pooling estimates over linkage draws: total variance and the mixture of posteriors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import brentq

from sabt.errors import SabtError
from sabt.estimate import pool_moments, pool_posterior_draws


def test_total_expectation_and_variance_by_hand() -> None:
    # three linkages: N̂ 100, 110, 120, each with variance 25. Within = 25, between =
    # var(ddof=1) = 100, total = 25 + (1 + 1/3) 100 = 158.33…
    p = pool_moments([100, 110, 120], [25, 25, 25])
    assert p.estimate == 110
    assert p.total_variance == pytest.approx(25 + 4 / 3 * 100)
    half = 1.959963984540054 * np.sqrt(25 + 4 / 3 * 100)
    assert (p.lower, p.upper) == pytest.approx((110 - half, 110 + half))
    assert p.linkage_share == pytest.approx(4 / 3 * 100 / (25 + 4 / 3 * 100))
    # the pooled interval is wider than every single linkage's (±1.96 × 5)
    assert p.upper - p.lower > 2 * 1.959963984540054 * 5


def test_certain_linkage_adds_nothing() -> None:
    p = pool_moments([500, 500, 500, 500], [400, 400, 400, 400])
    assert p.between_variance == 0 and p.linkage_share == 0
    assert p.upper - p.lower == pytest.approx(2 * 1.959963984540054 * 20)


def test_mixture_of_posteriors_matches_the_exact_mixture() -> None:
    rng = np.random.default_rng(2018)
    a = rng.normal(1_000, 20, 40_000)
    b = rng.normal(1_100, 20, 20_000)  # shorter: a is subsampled to 20,000
    p = pool_posterior_draws([a, b], seed=1)

    def cdf(x: float) -> float:
        return 0.5 * (stats.norm.cdf(x, 1_000, 20) + stats.norm.cdf(x, 1_100, 20))

    exact = [brentq(lambda x, q=q: cdf(x) - q, 800, 1_300) for q in (0.025, 0.5, 0.975)]
    ours = (p.lower, p.estimate, p.upper)
    for q, got, want in zip((0.025, 0.5, 0.975), ours, exact, strict=True):
        # Monte Carlo s.e. of a quantile of 40,000 draws: sqrt(q(1 − q)/n) / density there
        # (≈ 0.3 in the tails, ≈ 2.9 at the median, which sits between the two modes);
        # 4 s.e. fails a correct mixture about once in 16,000 seeds
        density = 0.5 * (stats.norm.pdf(want, 1_000, 20) + stats.norm.pdf(want, 1_100, 20))
        assert got == pytest.approx(want, abs=4 * np.sqrt(q * (1 - q) / 40_000) / density)
    # between = var of the two means (ddof=1) = 5,000; within ≈ 400
    assert p.between_variance == pytest.approx(5_000, rel=0.02)
    assert p.within_variance == pytest.approx(400, rel=0.03)


def test_missing_estimates_are_refused() -> None:
    with pytest.raises(SabtError, match="must not be"):
        pool_moments([100, float("nan")], [4, 4])
    with pytest.raises(SabtError, match="at least 2"):
        pool_posterior_draws([np.ones(10)])
