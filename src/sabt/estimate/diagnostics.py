"""MCMC convergence diagnostics across chains: split R-hat and effective sample size.

Both follow Gelman et al., *Bayesian Data Analysis* (3rd ed., §11.4–11.5): chains are split
in halves, R-hat compares between- and within-chain variance, and the effective sample size
sums autocorrelations until Geyer's initial positive sequence ends. `chain_modes` groups
chains whose posteriors do not overlap at all: such chains sit in different modes, and pooling
their draws would give a median that neither supports.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def split_rhat(draws: NDArray[np.float64]) -> float:
    """Split R-hat of a (chains × draws) array; ~1 when chains agree, > 1.05 is suspicious."""
    n = draws.shape[1]
    half = n // 2
    if half < 2:
        return float("nan")
    parts = np.concatenate([draws[:, :half], draws[:, n - half:]], axis=0)
    means = parts.mean(axis=1)
    w = parts.var(axis=1, ddof=1).mean()
    b = half * means.var(ddof=1)
    if w <= 0:
        return 1.0 if b == 0 else float("inf")
    var_plus = (half - 1) / half * w + b / half
    return float(np.sqrt(var_plus / w))


def ess(draws: NDArray[np.float64]) -> float:
    """Multi-chain effective sample size of a (chains × draws) array (BDA3 eq. 11.8)."""
    chains, n = draws.shape
    if n < 4:
        return float(chains * n)
    centred = draws - draws.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(centred, size, axis=1)
    acov = np.fft.irfft(f * np.conj(f), size, axis=1)[:, :n] / n
    chain_var = acov[:, 0] * n / (n - 1)
    w = chain_var.mean()
    b_over_n = draws.mean(axis=1).var(ddof=1) if chains > 1 else 0.0
    var_plus = (n - 1) / n * w + b_over_n
    if var_plus <= 0:
        return float(chains * n)
    rho = 1 - (w - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    total = 0.0
    t = 0
    while t + 1 < n:
        pair = rho[t] + rho[t + 1]
        if pair < 0:
            break
        total += pair
        t += 2
    tau = -1 + 2 * total
    return float(chains * n / max(tau, 1.0 / np.log10(chains * n + 10)))


def chain_modes(draws: NDArray[np.float64], level: float = 0.95) -> list[list[int]]:
    """Chains grouped by mode: chains are sorted by median and a chain joins the current
    group when its central `level` interval overlaps the group's (the union of its chains'
    intervals); otherwise it opens a new group. Groups come in increasing N, chains within a
    group in their own order. One group means no evidence of separate
    modes; several groups mean chains that never visited each other's region of N."""
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    lo, med, hi = np.quantile(draws, [lo_q, 0.5, hi_q], axis=1)
    groups: list[list[int]] = []
    top = -np.inf
    for c in np.argsort(med, kind="stable"):
        if groups and lo[c] <= top:
            groups[-1].append(int(c))
        else:
            groups.append([int(c)])
            top = -np.inf
        top = max(top, float(hi[c]))
    return [sorted(g) for g in groups]
