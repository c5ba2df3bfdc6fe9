"""LCMCR: Manrique-Vallier's (2016) latent-class capture–recapture Gibbs sampler.

The model: each person belongs to a latent class k with probability pi_k (stick-breaking,
truncated at K, concentration alpha ~ Gamma(a_alpha, b_alpha)); given the class, list j
records them with probability lambda_jk ~ Beta(1, 1), independently across lists. The prior
p(N) ∝ 1/N makes the conditional of the number missed n0 negative binomial.

The sampler follows the reference C++ (`CNPLCM_CR_Basic_Freq::Update`) step for step and works
on the distinct observed patterns (cells), so its cost grows with cells × K × J, not with n:

1. per cell m, class counts ~ Multinomial(f_m, ∝ pi_k Π_j lambda_jk^x (1 − lambda_jk)^(1−x));
2. lambda_jk ~ Beta(1 + in, 1 + out), the n0 missed people counting as "out" of every list;
3. V_k ~ Beta(1 + n_k, alpha + Σ_{l>k} n_l), V_K = 1, pi_k = V_k Π_{l<k} (1 − V_l);
4. n0 ~ NegBin(n, 1 − p0), p0 = Σ_k pi_k Π_j (1 − lambda_jk); draws above 20 n are redrawn,
   so N ≤ 21 n (the reference's cap);
5. the n0 missed people are allocated to classes ~ Multinomial(n0, ∝ pi_k Π_j (1 − lambda_jk));
6. alpha ~ Gamma(a_alpha + K − 1, rate b_alpha − log pi_K).

Initialisation as in the reference: lambda at the marginal list frequencies, 500 warm-up
sweeps without the alpha update, then classes sorted by size. Chains run in parallel threads
(the compiled sampler releases the GIL), each with its own seed, so results are reproducible.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numba as nb
import numpy as np
from numpy.typing import NDArray

from sabt.estimate import _rng
from sabt.estimate.diagnostics import chain_modes, ess, split_rhat
from sabt.estimate.table import CaptureTable

FloatArray = NDArray[np.float64]
WARMUP = 500
MAX_REDRAWS = 10_000
DISPERSE_MAX = 3.0  # the last chain's lambdas start at down to e^-3 of the list frequencies


@dataclass(frozen=True)
class LcmcrSettings:
    """Sampler settings; the defaults are the R reference runs' (K = 10, a = b = 0.25,
    burn-in 10,000, 1,000 samples thinned by 1,000) with 4 chains."""

    K: int = 10
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    burn_in: int = 10_000
    samples: int = 1_000
    thinning: int = 1_000
    chains: int = 4
    seed: int = 19481210

    @classmethod
    def chosen(cls, *, fast: bool = False, burn_in: int | None = None,
               thinning: int | None = None, **rest: Any) -> LcmcrSettings:
        """Settings as a user chose them: the reference (or, with `fast`, the quick preset's)
        burn-in and thinning, unless given explicitly — a given value always wins."""
        base = cls.fast() if fast else cls()
        return cls(burn_in=base.burn_in if burn_in is None else burn_in,
                   thinning=base.thinning if thinning is None else thinning, **rest)

    @classmethod
    def fast(cls, seed: int = 19481210) -> LcmcrSettings:
        """A quick preset for demos and previews: 4 chains × (5,000 burn-in + 1,000 draws
        thinned by 50), about 1/18 of the reference work per chain; check R-hat and ESS."""
        return cls(burn_in=5_000, samples=1_000, thinning=50, chains=4, seed=seed)


@dataclass
class LcmcrResult:
    """Posterior draws of N (chains × samples) and their summaries and diagnostics."""

    n_observed: int
    draws: NDArray[np.int64]
    alpha: FloatArray
    settings: LcmcrSettings
    median: float
    mean: float
    lower: float
    upper: float
    rhat: float
    ess: float
    cap: int
    cap_fraction: float
    seconds: float
    warnings: list[str] = field(default_factory=list)
    modes: list[ChainMode] = field(default_factory=list)
    start: NDArray[np.int64] | None = None  # chains × (warm-up + burn-in) N trace

    @property
    def multimodal(self) -> bool:
        """Whether the chains sit in different modes (then no pooled summary is given)."""
        return len(self.modes) > 1


@dataclass(frozen=True)
class ChainMode:
    """Chains (numbered from 1) whose posteriors of N overlap, and their pooled summary."""

    chains: tuple[int, ...]
    median: float
    lower: float
    upper: float


@nb.njit(cache=True, nogil=True)
def _log_beta_pair(st: _rng.State, a: float, b: float) -> tuple[float, float]:
    """(log X, log(1 − X)) for X ~ Beta(a, b): from two gammas in linear space when both
    shapes are ≥ 1, in log space otherwise (a tiny shape's gamma can underflow)."""
    if a == 1.0 and b == 1.0:
        u = _rng.uniform(st)
        return math.log(u), math.log1p(-u)
    if a >= 1.0 and b >= 1.0:
        x, y = _rng.beta(st, a, b)
        return math.log(x), math.log(y)
    la = _rng.log_gamma(st, a)
    lb = _rng.log_gamma(st, b)
    m = max(la, lb)
    ls = m + math.log(math.exp(la - m) + math.exp(lb - m))
    return la - ls, lb - ls


@nb.njit(cache=True, nogil=True)
def _sort_classes(lam: FloatArray, one_m: FloatArray, log_pi: FloatArray, pi: FloatArray,
                  n0k: NDArray[np.int64]) -> None:
    """Relabel classes by decreasing weight (the reference's permute_latent_classes_by_nu)."""
    order = np.argsort(-log_pi, kind="mergesort")
    lam[:, :] = lam[:, order].copy()
    one_m[:, :] = one_m[:, order].copy()
    log_pi[:] = log_pi[order].copy()
    pi[:] = pi[order].copy()
    n0k[:] = n0k[order].copy()


@nb.njit(cache=True, nogil=True)
def run_chain(
    pats: NDArray[np.int64], f: NDArray[np.int64], K: int, a_alpha: float, b_alpha: float,
    burn_in: int, samples: int, thinning: int, seed: int, disperse: float = 0.0,
) -> tuple[NDArray[np.int64], FloatArray, int, NDArray[np.int64]]:
    """One LCMCR chain on observed cells (pats with counts f > 0): N draws, alpha draws, the
    number of n0 draws rejected by the 20 n cap, and N after each warm-up and burn-in sweep
    (the trace of the start, to see where the chain came from).

    `disperse` = 0 starts as the reference does (lambda at the marginal list frequencies, no
    one missed). `disperse` = d > 0 starts elsewhere: every lambda_jk is the marginal
    frequency times exp(−d u_jk), u_jk ~ U(0, 1), and the missed people implied by those
    lambdas are allocated before the first sweep, so chains with larger d start at larger N.
    """
    st = _rng.new_state(seed)
    M, J = pats.shape
    n = 0
    for m in range(M):
        n += f[m]
    cap = 20 * n
    lam = np.empty((J, K))
    one_m = np.empty((J, K))
    for j in range(J):
        s = 0
        for m in range(M):
            s += pats[m, j] * f[m]
        pj = min(max(s / n, 1e-6), 1 - 1e-6)
        for k in range(K):
            p = pj * math.exp(-disperse * _rng.uniform(st)) if disperse > 0.0 else pj
            lam[j, k] = p
            one_m[j, k] = 1.0 - p
    alpha = 0.3 / K  # the reference's value during warm-up; sticks start from Beta(1, 1)
    log_pi = np.empty(K)
    pi = np.empty(K)
    acc = 0.0
    for k in range(K - 1):
        lv, l1v = _log_beta_pair(st, 1.0, 1.0)
        log_pi[k] = lv + acc
        acc += l1v
    log_pi[K - 1] = acc
    for k in range(K):
        pi[k] = math.exp(log_pi[k])
    n0 = 0
    n0k = np.zeros(K, dtype=np.int64)
    nk = np.zeros(K, dtype=np.int64)
    in_jk = np.zeros((J, K), dtype=np.int64)
    w = np.empty(K)
    scratch = _rng.multinomial_scratch(K)
    tmp = np.zeros(K, dtype=np.int64)
    if disperse > 0.0:
        # the expected number missed under the dispersed lambdas, allocated to the classes
        p0 = 0.0
        for k in range(K):
            q = pi[k]
            for j in range(J):
                q *= one_m[j, k]
            w[k] = q
            p0 += q
        p0 = min(p0, 1.0 - 1e-12)
        n0 = min(int(n * p0 / (1.0 - p0)), cap)
        _rng.multinomial(st, n0, w, n0k, scratch)
    out_N = np.empty(samples, dtype=np.int64)
    out_a = np.empty(samples)
    start_N = np.empty(WARMUP + burn_in, dtype=np.int64)
    rejected = 0
    total = WARMUP + burn_in + samples * thinning
    kept = 0
    for it in range(total):
        # 1. latent classes of the observed cells (linear space; log space if it underflows)
        nk[:] = 0
        in_jk[:, :] = 0
        for m in range(M):
            # list by list over all classes at once (contiguous rows: vectorised products)
            w[:] = pi
            for j in range(J):
                row = lam[j] if pats[m, j] == 1 else one_m[j]
                for k in range(K):
                    w[k] *= row[k]
            mass = 0.0
            for k in range(K):
                mass += w[k]
            if not (mass > 1e-280 and mass < 1e280):
                mx = -np.inf
                for k in range(K):
                    q = log_pi[k]
                    for j in range(J):
                        q += math.log(lam[j, k] if pats[m, j] == 1 else one_m[j, k])
                    w[k] = q
                    mx = max(mx, q)
                for k in range(K):
                    w[k] = math.exp(w[k] - mx)
            _rng.multinomial(st, f[m], w, tmp, scratch)
            for k in range(K):
                nk[k] += tmp[k]
            for j in range(J):
                if pats[m, j] == 1:
                    for k in range(K):
                        in_jk[j, k] += tmp[k]
        # 2. list inclusion probabilities (missed people are out of every list)
        for k in range(K):
            tot = nk[k] + n0k[k]
            for j in range(J):
                if tot == 0:
                    u = _rng.uniform(st)
                    lam[j, k] = u
                    one_m[j, k] = 1.0 - u
                else:
                    x, y = _rng.beta(st, 1.0 + in_jk[j, k], 1.0 + tot - in_jk[j, k])
                    lam[j, k] = max(x, 1e-300)
                    one_m[j, k] = max(y, 1e-300)
        # 3. stick-breaking weights, in log space (tiny sticks matter for alpha)
        above = 0
        for k in range(K):
            above += nk[k] + n0k[k]
        acc = 0.0
        for k in range(K - 1):
            size = nk[k] + n0k[k]
            above -= size
            if size == 0:
                # Beta(1, b) exactly: 1 − V = U^(1/b) (most classes are empty)
                l1v = math.log(_rng.uniform(st)) / (alpha + above)
                lv = math.log(-math.expm1(l1v)) if l1v < 0.0 else -np.inf
            else:
                lv, l1v = _log_beta_pair(st, 1.0 + size, alpha + above)
            log_pi[k] = lv + acc
            acc += l1v
        log_pi[K - 1] = acc
        for k in range(K):
            pi[k] = math.exp(log_pi[k])
        # 4. number missed, negative binomial with the 20 n cap
        w[:] = pi
        for j in range(J):
            for k in range(K):
                w[k] *= one_m[j, k]
        p0 = 0.0
        for k in range(K):
            p0 += w[k]
        p0 = min(p0, 1.0 - 1e-12)
        for _ in range(MAX_REDRAWS):
            g = _rng.gamma(st, n) * (p0 / (1.0 - p0))
            n0 = _rng.poisson(st, g) if g < 1e15 else cap + 1
            if n0 <= cap:
                break
            rejected += 1
        if n0 > cap:
            n0 = cap
        # 5. allocate the missed people to classes
        _rng.multinomial(st, n0, w, n0k, scratch)
        # 6. concentration parameter (not during warm-up)
        if it >= WARMUP:
            alpha = _rng.gamma(st, a_alpha + K - 1) / (b_alpha - log_pi[K - 1])
            alpha = max(alpha, 1e-300)
        if it == WARMUP - 1:
            _sort_classes(lam, one_m, log_pi, pi, n0k)
        done = it - WARMUP - burn_in + 1
        if done <= 0:
            start_N[it] = n + n0
        elif done % thinning == 0 and kept < samples:
            out_N[kept] = n + n0
            out_a[kept] = alpha
            kept += 1
    return out_N, out_a, rejected, start_N


def dispersion(chain: int, chains: int) -> float:
    """How far chain `chain` (from 0) starts from the reference start: chain 0 starts as the
    reference (so one chain always reproduces R's path of initialisation), the others at
    evenly spread dispersions up to DISPERSE_MAX (larger N)."""
    return 0.0 if chains < 2 else DISPERSE_MAX * chain / (chains - 1)


def fit_lcmcr(table: CaptureTable, settings: LcmcrSettings | None = None) -> LcmcrResult:
    """Run the chains in parallel threads from dispersed starts and summarise the posterior
    of N. Chains that settle in different modes (`chain_modes`) are not pooled: the result
    then has NaN median and bounds, the modes in `modes`, and a warning naming them."""
    import time

    s = settings or LcmcrSettings()
    keep = table.counts > 0
    pats = np.ascontiguousarray(table.patterns[keep], dtype=np.int64)
    f = np.ascontiguousarray(table.counts[keep], dtype=np.int64)
    n = table.n_observed
    seeds = [int(x) for x in np.random.SeedSequence(s.seed).generate_state(s.chains)]
    seeds = [x % (2**31 - 1) for x in seeds]
    t0 = time.perf_counter()
    workers = max(1, min(s.chains, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(
            lambda c: run_chain(pats, f, s.K, s.a_alpha, s.b_alpha, s.burn_in, s.samples,
                                s.thinning, seeds[c], dispersion(c, s.chains)),
            range(s.chains),
        ))
    seconds = time.perf_counter() - t0
    draws = np.stack([r[0] for r in runs])
    alpha = np.stack([r[1] for r in runs])
    start = np.stack([r[3] for r in runs])
    flat = draws.ravel().astype(np.float64)
    logd = np.log(draws.astype(np.float64))
    cap = 21 * n
    rhat = split_rhat(logd) if s.chains > 1 else math.nan
    eff = ess(logd)
    cap_fraction = float(np.mean(flat >= 0.9 * cap))
    warnings: list[str] = []
    rejected = sum(r[2] for r in runs)
    iterations = s.chains * (WARMUP + s.burn_in + s.samples * s.thinning)
    if cap_fraction > 0.005 or rejected > 0.001 * iterations:
        warnings.append(
            f"LCMCR: the posterior reaches the N ≤ 21n = {cap:,} cap "
            f"({cap_fraction:.1%} of draws above 90% of it); the upper bound is an artefact "
            "of the cap — the data do not bound N"
        )
    modes = []
    for group in chain_modes(draws.astype(np.float64)):
        lo_g, med_g, hi_g = np.quantile(draws[group].ravel(), [0.025, 0.5, 0.975])
        modes.append(ChainMode(tuple(c + 1 for c in group), float(med_g), float(lo_g),
                               float(hi_g)))
    if len(modes) > 1:
        lo = med = hi = math.nan
        named = "; ".join(
            f"N ≈ {m.median:,.0f} [{m.lower:,.0f}, {m.upper:,.0f}] (chain"
            f"{'s' if len(m.chains) > 1 else ''} {', '.join(map(str, m.chains))})"
            for m in modes)
        warnings.append(
            f"LCMCR: chains disagree — they sit in {len(modes)} different modes of N: {named}; "
            "no pooled estimate is given, since a median of draws from separate modes is "
            "supported by neither. Run longer chains (--burn-in, --thinning, --samples), try "
            f"another number of classes (--K, now {s.K}) or other alpha priors (--a-alpha, "
            "--b-alpha), and look at the trace (--trace FILE.png)")
    else:
        lo, med, hi = (float(x) for x in np.quantile(flat, [0.025, 0.5, 0.975]))
        if s.chains > 1 and rhat > 1.05:
            meds = ", ".join(f"{np.median(d):,.0f}" for d in draws)
            warnings.append(f"LCMCR: chains disagree (R-hat {rhat:.2f}; chain medians {meds}); "
                            "run longer chains (--thinning, --burn-in)")
    if eff < 200:
        warnings.append(f"LCMCR: effective sample size only {eff:.0f}; quantiles are noisy")
    return LcmcrResult(
        n_observed=n, draws=draws, alpha=alpha, settings=s, median=med,
        mean=float(flat.mean()), lower=lo, upper=hi, rhat=rhat, ess=eff, cap=cap,
        cap_fraction=cap_fraction, seconds=seconds, warnings=warnings, modes=modes,
        start=start,
    )


def write_draws(result: LcmcrResult, path: str | os.PathLike[str],
                stratum: str | None = None, append: bool = False) -> None:
    """Write the kept draws as CSV: chain (from 1), draw (from 1), N, alpha — and a leading
    `stratum` column when `stratum` is given (`append` adds a stratum to an existing file)."""
    import csv

    with open(path, "a" if append else "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        if not append:
            out.writerow((["stratum"] if stratum is not None else [])
                         + ["chain", "draw", "N", "alpha"])
        lead = [stratum] if stratum is not None else []
        for c in range(result.draws.shape[0]):
            for d in range(result.draws.shape[1]):
                out.writerow([*lead, c + 1, d + 1, int(result.draws[c, d]),
                              repr(float(result.alpha[c, d]))])
