"""Pool estimates of N over linkage draws, so that the interval carries linkage uncertainty.

A linkage is never certain: from a linkage run one can draw many plausible linkages, build
each one's capture table and estimate on each (Sadinle 2018, "linkage averaging"). These
pure functions pool the per-linkage answers:

* `pool_moments` — the laws of total expectation and variance (as verdata combines its
  multiple-imputation replicates), with Rubin's (1 + 1/M) factor on the between-linkage
  variance because only M linkages are drawn; normal 95% interval;
* `pool_posterior_draws` — the mixture of the per-linkage posteriors (equal weight per
  linkage): its median and 2.5/97.5% quantiles.

Both report how much of the variance comes from the linkage (between linkages) and how much
from the estimator (within a linkage).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sabt.errors import InvalidValue

Z95 = 1.959963984540054


@dataclass(frozen=True)
class PooledEstimate:
    """N pooled over linkage draws, with the variance split into its two sources."""

    estimate: float
    lower: float
    upper: float
    within_variance: float  # mean over linkages of Var(N | linkage): the estimator's share
    between_variance: float  # variance over linkages of E[N | linkage]: the linkage's share
    linkages: int
    method: str

    @property
    def total_variance(self) -> float:
        """Within + (1 + 1/M) × between (Rubin's rules for M draws)."""
        return self.within_variance + (1 + 1 / self.linkages) * self.between_variance

    @property
    def linkage_share(self) -> float:
        """Share of the total variance that comes from the linkage (0 when it is certain)."""
        total = self.total_variance
        return (1 + 1 / self.linkages) * self.between_variance / total if total > 0 else 0.0


def pool_moments(means: ArrayLike, variances: ArrayLike) -> PooledEstimate:
    """Pool per-linkage point estimates and their variances (e.g. squared s.e.s)."""
    m = np.asarray(means, dtype=np.float64)
    v = np.asarray(variances, dtype=np.float64)
    if m.ndim != 1 or m.shape != v.shape or len(m) < 2:
        raise InvalidValue("pooling needs one mean and one variance per linkage, for at "
                           "least 2 linkages")
    if not (np.isfinite(m).all() and np.isfinite(v).all() and (v >= 0).all()):
        raise InvalidValue("a linkage has no finite estimate or variance; pool only linkages "
                           "whose estimate exists (a number that does not exist must not be "
                           "averaged in)")
    est = float(m.mean())
    pooled = PooledEstimate(est, math.nan, math.nan, float(v.mean()), float(m.var(ddof=1)),
                            len(m), "total expectation and variance (normal 95%)")
    half = Z95 * math.sqrt(pooled.total_variance)
    return PooledEstimate(est, est - half, est + half, pooled.within_variance,
                          pooled.between_variance, len(m), pooled.method)


def pool_posterior_draws(draws: Sequence[ArrayLike], seed: int = 0) -> PooledEstimate:
    """The equal-weight mixture of per-linkage posterior draws of N: each linkage contributes
    as many draws as the shortest (a random subset, fixed by `seed`, of longer ones)."""
    parts = [np.asarray(d, dtype=np.float64).ravel() for d in draws]
    if len(parts) < 2 or min(len(p) for p in parts) < 2:
        raise InvalidValue("pooling needs posterior draws from at least 2 linkages")
    if not all(np.isfinite(p).all() for p in parts):
        raise InvalidValue("a linkage's posterior draws are not all finite")
    k = min(len(p) for p in parts)
    rng = np.random.default_rng(seed)
    mix = np.concatenate([p if len(p) == k else rng.choice(p, k, replace=False)
                          for p in parts])
    lo, med, hi = np.quantile(mix, [0.025, 0.5, 0.975])
    return PooledEstimate(
        float(med), float(lo), float(hi),
        within_variance=float(np.mean([p.var(ddof=1) for p in parts])),
        between_variance=float(np.var([p.mean() for p in parts], ddof=1)),
        linkages=len(parts), method="mixture of posteriors (median, 95% quantiles)",
    )


__all__ = ["PooledEstimate", "pool_moments", "pool_posterior_draws"]
