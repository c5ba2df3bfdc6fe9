"""Log-linear multiple-systems estimation, as R's Rcapture does it.

Poisson log-linear models on the 2^J − 1 observable cells (0/1 coding, so the intercept is
the log of the expected number of people on no list and N = n + exp(intercept)):

* the `closedp.t` family: M0, Mt, Mh and Mth with Chao's lower bound (LB), Darroch, Poisson2
  and Gamma3.5 heterogeneity columns (Chao's negative eta parameters are dropped and the model
  refitted, as Rcapture does with `neg = TRUE`), with Wald ±1.96 s.e. intervals;
* every hierarchical model with all main effects and interactions up to order J − 1
  (`closedpMS.t`), ranked by AIC and BIC, with the multinomial profile-likelihood 95% interval
  (Cormack 1992, `closedpCI.t`) for the best-BIC model and a BIC-weighted model average;
* checks that each reported model's MLE exists and that N is identifiable (Haberman's
  condition, tested by linear programming as SparseMSE's `checkident` does).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, linprog, minimize_scalar

from sabt.errors import InvalidValue
from sabt.estimate._glm import fit_many, fit_poisson
from sabt.estimate.table import CaptureTable

FloatArray = NDArray[np.float64]
Z95 = 1.959963984540054
CHI2_95 = 3.841458820694124
MAX_MODELS = 40_000
MAX_CHECKED = 3_000
STEPWISE_FROM = 6  # lists: from here on models are found by a stepwise search, not enumerated
CLOSE_BIC = 4.0  # "within a few BIC": ΔBIC < 4 is at most positive evidence (Raftery 1995)


@dataclass(frozen=True)
class LoglinearFit:
    """One fitted log-linear model."""

    name: str
    n_params: int
    loglik: float
    deviance: float
    df: int
    aic: float
    bic: float
    estimate: float
    se: float
    converged: bool
    mle_exists: bool | None = None
    identifiable: bool | None = None
    bias: float = math.nan
    lower: float | None = None
    upper: float | None = None
    interval: str = "Wald ±1.96 s.e."
    poisson_estimate: float | None = None

    @property
    def usable(self) -> bool:
        """Whether the estimate means something (fit converged, N identifiable)."""
        return self.converged and self.identifiable is not False and math.isfinite(self.estimate)

    @property
    def large_bias(self) -> bool:
        """Rcapture's warning: the asymptotic bias exceeds 10% of the estimate."""
        return math.isfinite(self.bias) and abs(self.bias) > 0.1 * self.estimate

    @property
    def acceptable(self) -> bool:
        """Usable and not flagged by Rcapture (models Rcapture's infoFit marks are skipped)."""
        return self.usable and not self.large_bias


@dataclass(frozen=True)
class AveragedEstimate:
    """BIC-weighted model average over the hierarchical models."""

    estimate: float
    se: float
    lower: float
    upper: float
    n_models: int
    effective_models: float
    top: list[tuple[str, float, float]]  # (model, weight, estimate)


@dataclass(frozen=True)
class GoodnessOfFit:
    """How well the selected model fits the observed cells: the residual deviance against a
    chi-squared on its residual df, and each cell's Pearson residual (y − μ)/√μ."""

    deviance: float
    df: int
    p_value: float  # NaN when df = 0 (a saturated model fits every cell exactly)
    residuals: list[tuple[str, int, float, float]]  # (pattern, observed, fitted, Pearson)

    @property
    def deviance_per_df(self) -> float:
        """Deviance / df (≈ 1 for an adequate fit; NaN for a saturated model)."""
        return self.deviance / self.df if self.df > 0 else math.nan

    def largest(self, k: int = 3) -> list[tuple[str, int, float, float]]:
        """The k cells with the largest absolute Pearson residuals."""
        return sorted(self.residuals, key=lambda r: -abs(r[3]))[:k]


@dataclass
class LoglinearResult:
    """Everything the log-linear analysis produced for one table."""

    n_observed: int
    lists: tuple[str, ...]
    best: LoglinearFit
    averaged: AveragedEstimate
    ranked: list[LoglinearFit]
    classic: list[LoglinearFit]
    n_models: int
    max_order: int
    warnings: list[str] = field(default_factory=list)
    search: str = "all hierarchical models"
    fit: GoodnessOfFit | None = None


# -- design ---------------------------------------------------------------------------------
def _cells(J: int, with_zero: bool = False) -> NDArray[np.int64]:
    return np.arange(0 if with_zero else 1, 1 << J, dtype=np.int64)


def _term_column(cells: NDArray[np.int64], term: int) -> FloatArray:
    return np.asarray((cells & term) == term, dtype=np.float64)


def _nbcap(cells: NDArray[np.int64], J: int) -> FloatArray:
    return np.array([bin(int(c)).count("1") for c in cells], dtype=np.float64)


def heterogeneity_columns(kind: str, k: FloatArray, J: int) -> FloatArray:
    """Rcapture's heterogeneity columns as functions of the number of captures k."""
    if kind == "Chao (LB)":
        return np.stack([np.maximum(0.0, k - m + 1) for m in range(3, J + 1)], axis=1)
    if kind == "Darroch":
        return (k**2 / 2)[:, None]
    if kind == "Poisson2":
        return (2.0**k - 1)[:, None]
    if kind == "Gamma3.5":
        return (-np.log(3.5 + k) + math.log(3.5))[:, None]
    raise ValueError(kind)


def term_name(term: int, J: int = 0) -> str:
    """Rcapture's digits for a term bitmask (lists numbered from 1). With 10 or more lists
    (J, or the term itself, reaching list 10) the numbers are joined by dots: 4.10, 1.2."""
    sep = "." if max(J, term.bit_length()) >= 10 else ""
    return sep.join(str(j + 1) for j in range(term.bit_length()) if term >> j & 1)


def model_name(terms: tuple[int, ...], J: int) -> str:
    """Rcapture's notation: maximal interactions, then lists not in any interaction."""
    gens = [t for t in terms if not any(t != u and (t & u) == t for u in terms)]
    covered = 0
    for t in gens:
        covered |= t
    gens.sort(key=lambda t: (-bin(t).count("1"), term_name(t, J)))
    singles = [1 << j for j in range(J) if not covered >> j & 1]
    return "[" + ",".join(term_name(t, J) for t in gens + singles) + "]"


def interaction_terms(J: int, max_order: int) -> list[int]:
    """All interaction bitmasks of order 2..max_order, by order then value."""
    terms = [t for t in range(1, 1 << J) if 2 <= bin(t).count("1") <= max_order]
    return sorted(terms, key=lambda t: (bin(t).count("1"), t))


@functools.lru_cache(maxsize=16)
def hierarchical_models(J: int, max_order: int) -> tuple[tuple[int, ...], ...]:
    """Every hierarchical model (a down-closed set of interactions) with all main effects.

    Terms are decided in order of size; a term may enter only if all its sub-terms of one
    order less (of order ≥ 2) are in, so each model is generated exactly once. J = 4 gives
    113 models and J = 5 gives 6,893, as in Rcapture.
    """
    terms = interaction_terms(J, max_order)
    subs = {
        t: [t & ~(1 << j) for j in range(J) if t >> j & 1 and bin(t).count("1") > 2]
        for t in terms
    }
    out: list[tuple[int, ...]] = []
    chosen: list[int] = []
    chosen_set: set[int] = set()

    def rec(i: int) -> None:
        if len(out) > MAX_MODELS:
            return
        if i == len(terms):
            out.append(tuple(chosen))
            return
        rec(i + 1)
        t = terms[i]
        if all(s in chosen_set for s in subs[t]):
            chosen.append(t)
            chosen_set.add(t)
            rec(i + 1)
            chosen.pop()
            chosen_set.discard(t)

    rec(0)
    if len(out) > MAX_MODELS:
        raise InvalidValue(
            f"more than {MAX_MODELS:,} hierarchical models with {J} lists up to order "
            f"{max_order}; use a lower max order"
        )
    return tuple(out)


def default_max_order(J: int) -> int:
    """J − 1 (Rcapture's default) up to 5 lists, where every model is enumerated; from 6
    lists on, where models are found by a stepwise search, interactions up to order 3."""
    return J - 1 if J < STEPWISE_FROM else 3


def _canonical(terms: set[int]) -> tuple[int, ...]:
    return tuple(sorted(terms, key=lambda t: (bin(t).count("1"), t)))


def stepwise_models(
    X: FloatArray, y: FloatArray, J: int, terms: list[int], index: dict[int, int], n: int,
) -> tuple[list[tuple[int, ...]], int]:
    """Bidirectional stepwise BIC search over hierarchical models (as SparseMSE's
    `modelfit`/`step` does for many lists): start from independence; at each step try adding
    every term whose sub-terms are all in the model and removing every term that no larger
    term contains; move to the lowest-BIC neighbour if it lowers BIC; stop otherwise. A
    neighbour is admissible only if its fit converges and N stays identifiable (the
    boundary check). Returns every model visited (the current model and all neighbours
    scored along the way, for ranking and averaging) and the number of steps taken."""
    subs = {t: [t & ~(1 << j) for j in range(J) if t >> j & 1 and bin(t).count("1") > 2]
            for t in terms}
    log_n = math.log(n)
    seen: dict[tuple[int, ...], float] = {}

    def score(models: list[tuple[int, ...]]) -> None:
        masks = np.zeros((len(models), X.shape[1]), dtype=np.bool_)
        masks[:, : J + 1] = True
        for m, model in enumerate(models):
            for t in model:
                masks[m, index[t]] = True
        _, _, ll, its, min_mu0 = fit_many(X, y, masks, tol=1e-8, max_iter=25)
        for m, model in enumerate(models):
            bic = -2 * float(ll[m]) + log_n * int(masks[m].sum())
            ok = its[m] > 0 and math.isfinite(bic)
            if ok and min_mu0[m] <= 1e-6:
                ok = _boundary_check(X[:, masks[m]], y)[1]
            seen[model] = bic if ok else math.inf

    current: tuple[int, ...] = ()
    score([current])
    steps = 0
    while True:
        have = set(current)
        neighbours = [_canonical(have | {t}) for t in terms
                      if t not in have and all(u in have for u in subs[t])]
        neighbours += [_canonical(have - {t}) for t in current
                       if not any(u != t and (u & t) == t for u in current)]
        fresh = [m for m in neighbours if m not in seen]
        if fresh:
            score(fresh)
        if not neighbours:
            break
        nxt = min(neighbours, key=lambda m: seen[m])
        if not seen[nxt] < seen[current] - 1e-9:
            break
        current = nxt
        steps += 1
    return list(seen), steps


# -- fitting --------------------------------------------------------------------------------
def _loglik_saturation(y: FloatArray) -> float:
    pos = y[y > 0]
    return float(np.sum(pos * np.log(pos) - pos - np.array([math.lgamma(v + 1) for v in pos])))


def _fit_design(name: str, X: FloatArray, y: FloatArray, n: int) -> LoglinearFit:
    beta, _, ll, ok, inv = fit_poisson(X, y)
    p = X.shape[1]
    mu0 = math.exp(beta[0]) if ok else math.nan
    var = mu0 + mu0**2 * inv[0, 0] if ok else math.nan
    return LoglinearFit(
        name=name, n_params=p, loglik=ll, deviance=2 * (_loglik_saturation(y) - ll),
        df=len(y) - p, aic=-2 * ll + 2 * p, bic=-2 * ll + math.log(n) * p,
        estimate=n + mu0, se=math.sqrt(var) if var >= 0 else math.nan, converged=ok,
    )


def check_mle(X: FloatArray, y: FloatArray) -> tuple[bool, bool]:
    """(MLE exists, N identifiable) for a Poisson log-linear model with intercept column 0."""
    exists, identifiable, _ = _check_mle(X, y)
    return exists, identifiable


def _check_mle(X: FloatArray, y: FloatArray) -> tuple[bool, bool, list[int]]:
    """(MLE exists, N identifiable, rows whose extended-MLE fitted value is zero).

    The MLE exists unless some direction d has X d = 0 on the positive cells and X d ≤ 0
    (not all 0) on the zero cells (Haberman 1974). If it does not exist, the cells driven to
    zero are removed and N is identifiable if the intercept is still estimable.
    """
    p = X.shape[1]
    if np.linalg.matrix_rank(X) < p:
        return False, False, []
    pos = y > 0
    Xp = X[pos]
    if np.linalg.matrix_rank(Xp) == p:
        return True, True, []
    zero_rows = [int(r) for r in np.flatnonzero(~pos)]
    forced: list[int] = []
    exists = True
    while zero_rows:
        X0 = X[zero_rows]
        res = linprog(
            c=X0.sum(axis=0), A_ub=np.vstack([X0, -X0]),
            b_ub=np.concatenate([np.zeros(len(zero_rows)), np.ones(len(zero_rows))]),
            A_eq=Xp if len(Xp) else None, b_eq=np.zeros(len(Xp)) if len(Xp) else None,
            bounds=[(None, None)] * p, method="highs",
        )
        if res.status != 0 or res.fun > -1e-9:
            break
        exists = False
        d = X0 @ res.x
        newly = [int(r) for r, v in zip(zero_rows, d, strict=True) if v < -1e-9]
        forced.extend(newly)
        zero_rows = [r for r in zero_rows if r not in newly]
    if exists:
        return True, True, []
    keep = [i for i in range(len(y)) if i not in set(forced)]
    Xr = X[keep]
    e0 = np.zeros((1, p))
    e0[0, 0] = 1.0
    identifiable = np.linalg.matrix_rank(np.vstack([Xr, e0])) == np.linalg.matrix_rank(Xr)
    return False, bool(identifiable), sorted(forced)


def _boundary_check(X: FloatArray, y: FloatArray) -> tuple[bool, bool]:
    """Fast (MLE exists, N identifiable) for a model whose screening fit drove zero cells
    towards 0: a tight refit shows which cells the extended MLE sets to zero (fitted values
    below 1e-7 while existing-MLE fits keep them above ~1e-5), then N is identifiable iff
    the intercept is estimable from the remaining cells. `check_mle` is the exact LP test."""
    _, mu, _, ok, _ = fit_poisson(X, y, tol=1e-12, max_iter=200)
    if not ok:
        return check_mle(X, y)
    forced = (y == 0) & (mu < 1e-7)
    if not forced.any():
        return True, True
    Xr = X[~forced]
    e0 = np.zeros((1, X.shape[1]))
    e0[0, 0] = 1.0
    rank = np.linalg.matrix_rank(Xr)
    return False, bool(np.linalg.matrix_rank(np.vstack([Xr, e0])) == rank)


def _estimable_design(X: FloatArray, y: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The extended-MLE design: rows forced to zero removed, then a full-rank column subset
    (intercept first, greedy) so the profile likelihood can be fitted when the MLE does not
    exist but N is identifiable."""
    _, _, forced = _check_mle(X, y)
    rows = np.ones(len(y), dtype=np.bool_)
    rows[forced] = False
    Xr = X[rows]
    cols: list[int] = []
    for j in range(X.shape[1]):
        if np.linalg.matrix_rank(Xr[:, [*cols, j]]) == len(cols) + 1:
            cols.append(j)
    return X[:, cols], rows


def asymptotic_bias(X: FloatArray, y: FloatArray) -> float:
    """Rcapture's asymptotic bias of N̂ for a Poisson log-linear fit (Rivest & Lévesque 2001).

    With V the inverse information, xi_i = −½ x_i' V x_i, psi = −2 X' diag(mu) xi − e_0 and
    bias = ½ exp(beta_0) (−V psi)_0.
    """
    beta, mu, _, ok, V = fit_poisson(X, y)
    if not ok:
        return math.nan
    xi = -0.5 * np.einsum("ij,jk,ik->i", X, V, X)
    psi = -2 * X.T @ (mu * xi)
    psi[0] -= 1
    return float(0.5 * math.exp(beta[0]) * -(V @ psi)[0])


def profile_interval(
    X_full: FloatArray, y_obs: FloatArray, n: int, level: float = 0.95
) -> tuple[float, float, float]:
    """Multinomial profile-likelihood interval for N (Cormack 1992; Rcapture `closedpCI.t`).

    `X_full` has one row per pattern including the all-zero one (row 0). For a trial N the
    unobserved cell gets N − n and the log-linear model is refitted on the complete table;
    the profile is log N!/(N − n)! + Σ y log(mu/N). Returns (argmax, lower, upper); an upper
    bound of inf means the profile never drops far enough (N not bounded by the data).
    """
    from scipy.stats import chi2

    crit = chi2.ppf(level, 1) / 2 if level != 0.95 else CHI2_95 / 2

    def prof(N: float) -> float:
        y = np.concatenate([[N - n], y_obs])
        _, mu, _, ok, _ = fit_poisson(X_full, y, tol=1e-12)
        if not ok:
            return -math.inf
        with np.errstate(divide="ignore"):
            logp = np.log(mu / N)
        terms = np.where(y > 0, y * logp, 0.0)
        return math.lgamma(N + 1) - math.lgamma(N - n + 1) + float(terms.sum())

    # maximise over log(N − n) so huge and tiny N are both reachable
    def neg(u: float) -> float:
        return -prof(n + math.exp(u))

    u_lo, u_hi = math.log(1e-3), math.log(max(n, 1) * 1e4)
    grid = np.linspace(u_lo, u_hi, 60)
    vals = np.array([neg(u) for u in grid])
    i = int(np.argmin(vals))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    opt = minimize_scalar(neg, bounds=(a, b), method="bounded", options={"xatol": 1e-9})
    n_hat = n + math.exp(opt.x)
    top = -float(opt.fun)

    def g(N: float) -> float:
        return top - prof(N) - crit

    if g(n + 1e-9) < 0:
        lower = float(n)
    else:
        lower = float(brentq(g, n + 1e-9, n_hat, xtol=1e-9, rtol=1e-12))
    hi = n_hat
    upper = math.inf
    for _ in range(60):
        step = n + (hi - n) * 2
        if g(step) > 0:
            upper = float(brentq(g, hi, step, xtol=1e-9, rtol=1e-12))
            break
        hi = step
        if hi > n * 1e6 + 1e7:
            break
    return n_hat, lower, upper


def _chao_lognormal(n: int, est: float, se: float) -> tuple[float, float]:
    """Chao's (1987) log-normal interval for N: f0 = N − n, n + f0 / C .. n + f0 · C."""
    f0 = est - n
    if not (f0 > 0 and math.isfinite(se)):
        return math.nan, math.nan
    c = math.exp(Z95 * math.sqrt(math.log(1 + se**2 / f0**2)))
    return n + f0 / c, n + f0 * c


def classic_models(table: CaptureTable) -> list[LoglinearFit]:
    """Rcapture `closedp.t`'s M0, Mt, Mh and Mth fits with Wald intervals."""
    J, n = table.n_lists, table.n_observed
    cells = _cells(J)
    y = table.full_counts()[cells].astype(np.float64)
    k = _nbcap(cells, J)
    one = np.ones((len(cells), 1))
    mains = np.stack([_term_column(cells, 1 << j) for j in range(J)], axis=1)
    designs: list[tuple[str, FloatArray]] = [("M0", np.hstack([one, k[:, None]])),
                                            ("Mt", np.hstack([one, mains]))]
    if J >= 3:
        for kind in ("Chao (LB)", "Poisson2", "Darroch", "Gamma3.5"):
            bases = (("Mh", np.hstack([one, k[:, None]])), ("Mth", np.hstack([one, mains])))
            for label, base in bases:
                H = heterogeneity_columns(kind, k, J)
                if kind == "Chao (LB)":
                    # Rcapture (neg = TRUE): drop negative eta parameters and refit
                    while H.shape[1]:
                        beta, _, _, ok, _ = fit_poisson(np.hstack([base, H]), y)
                        neg = beta[base.shape[1]:] < 0
                        if not ok or not neg.any():
                            break
                        H = H[:, ~neg]
                designs.append((f"{label} {kind}", np.hstack([base, H])))
    out = []
    for name, X in designs:
        fit = _fit_design(name, X, y, n)
        exists, ident = check_mle(X, y)
        lo, hi = fit.estimate - Z95 * fit.se, fit.estimate + Z95 * fit.se
        out.append(_replace(fit, mle_exists=exists, identifiable=ident, lower=lo, upper=hi))
    return out


def _replace(fit: LoglinearFit, **kw: object) -> LoglinearFit:
    from dataclasses import replace

    return replace(fit, **kw)  # type: ignore[arg-type]


def fit_loglinear(
    table: CaptureTable, *, max_order: int | None = None, averaging_weight: float = 1e-3,
    search: str = "auto",
) -> LoglinearResult:
    """Fit, check and rank the hierarchical models; profile CI for the best; BIC average.

    `search` is "exhaustive" (every hierarchical model, as Rcapture's closedpMS.t),
    "stepwise" (`stepwise_models`) or "auto": exhaustive below STEPWISE_FROM lists, stepwise
    from there on or whenever the enumeration would exceed MAX_MODELS models.
    The best model is the lowest-BIC one among models Rcapture does not flag: N identifiable
    and asymptotic bias at most 10% of N̂ (Rcapture's `infoFit` warning). Lower-BIC flagged
    models are named in a warning. The average uses BIC weights over the acceptable models
    within −2 log(averaging_weight) BIC units of the best. Warnings also say when close
    models disagree beyond the best model's interval and when the best model is saturated.
    """
    J, n = table.n_lists, table.n_observed
    max_order = default_max_order(J) if max_order is None else min(max_order, J - 1)
    if search not in ("auto", "exhaustive", "stepwise"):
        raise InvalidValue(f"unknown model search {search!r}; choose auto, exhaustive or "
                           "stepwise", field="search")
    warnings: list[str] = []
    if max_order < min(J - 1, 2):
        warnings.append(f"log-linear: with max order {max_order} only main effects are fitted "
                        "(no list dependence); use --max-order 2 or more for interactions")
    cells = _cells(J)
    y = table.full_counts()[cells].astype(np.float64)
    terms = interaction_terms(J, max_order)
    cols = [np.ones(len(cells))] + [_term_column(cells, 1 << j) for j in range(J)]
    cols += [_term_column(cells, t) for t in terms]
    X = np.stack(cols, axis=1)
    index = {t: 1 + J + i for i, t in enumerate(terms)}
    if search == "auto":
        search = "exhaustive" if J < STEPWISE_FROM else "stepwise"
        if search == "exhaustive":
            try:
                hierarchical_models(J, max_order)
            except InvalidValue:
                search = "stepwise"
    if search == "exhaustive":
        models = hierarchical_models(J, max_order)
        described = f"all {len(models):,} hierarchical models up to order {max_order}"
    else:
        visited, steps = stepwise_models(X, y, J, terms, index, n)
        models = tuple(visited)
        described = (f"stepwise BIC search from independence over terms up to order "
                     f"{max_order}: {steps} step(s), {len(models):,} models fitted")
    masks = np.zeros((len(models), X.shape[1]), dtype=np.bool_)
    masks[:, : J + 1] = True
    for m, model in enumerate(models):
        for t in model:
            masks[m, index[t]] = True
    # screening fit with R's glm settings; models that matter are refitted precisely below
    b0, var0, ll, its, min_mu0 = fit_many(X, y, masks, tol=1e-8, max_iter=25)
    p = masks.sum(axis=1)
    bic = -2 * ll + math.log(n) * p
    aic = -2 * ll + 2 * p
    ok = its > 0
    bic_sorted = np.where(ok, bic, np.inf)
    order = np.argsort(bic_sorted, kind="stable")
    sat = _loglik_saturation(y)

    def make(m: int, check: bool) -> LoglinearFit:
        mu0 = math.exp(b0[m]) if ok[m] else math.nan
        var = mu0 + mu0**2 * var0[m]
        exists = ident = None
        bias = math.nan
        if check:
            Xm = X[:, masks[m]]
            fit = _fit_design(model_name(models[m], J), Xm, y, n)
            exists, ident = (True, True) if min_mu0[m] > 1e-6 else _boundary_check(Xm, y)
            return _replace(fit, mle_exists=exists, identifiable=ident,
                            bias=asymptotic_bias(Xm, y))
        return LoglinearFit(
            name=model_name(models[m], J), n_params=int(p[m]), loglik=float(ll[m]),
            deviance=2 * (sat - float(ll[m])), df=len(y) - int(p[m]), aic=float(aic[m]),
            bic=float(bic[m]), estimate=n + mu0, se=math.sqrt(var) if var >= 0 else math.nan,
            converged=bool(ok[m]), mle_exists=exists, identifiable=ident, bias=bias,
        )

    # Exact existence/identifiability checks and Rcapture's bias flag for every model that
    # could carry weight, and at least until an acceptable model is found.
    best_bic = float(bic_sorted[order[0]])
    window = -2 * math.log(averaging_weight)
    checked: list[LoglinearFit] = []
    for m in order:
        if not ok[m] or len(checked) >= MAX_CHECKED:
            break
        if bic[m] - best_bic > window and any(f.acceptable for f in checked):
            break
        checked.append(make(int(m), check=True))
    usable = [f for f in checked if f.acceptable]
    if not usable:
        raise InvalidValue("no log-linear model gives an identifiable estimate for this table")
    best = usable[0]
    set_aside = [f for f in checked if f.bic < best.bic]
    if set_aside:
        why = "; ".join(
            f"{f.name} (N̂={f.estimate:,.0f}: "
            + ("N not identifiable" if f.identifiable is False else "asymptotic bias > 10% of N̂")
            + ")"
            for f in set_aside[:3]
        )
        warnings.append(
            f"{len(set_aside)} log-linear model(s) with lower BIC than {best.name} set aside "
            f"as unreliable, as Rcapture flags them: {why}" + (" …" if len(set_aside) > 3 else "")
        )
    best_idx = int(order[checked.index(best)])
    Xb = X[:, masks[best_idx]]
    yb = y
    exists, _, forced = _check_mle(Xb, y)  # the exact test decides what the report says
    best = _replace(best, mle_exists=exists)
    if not exists:
        pats = ", ".join(_pattern(int(cells[r]), J) for r in forced[:4])
        warnings.append(
            f"best-BIC model {best.name}: the MLE does not exist (exact check): the fit drives "
            f"{len(forced)} empty cell(s) to zero ({pats}{' …' if len(forced) > 4 else ''}); "
            "N is still identifiable from the other cells, so the extended MLE is reported — "
            "interpret with care")
        Xb, rows = _estimable_design(Xb, y)
        Xb, yb = Xb[rows], y[rows]
    X_full = np.vstack([np.r_[1.0, np.zeros(Xb.shape[1] - 1)], Xb])
    n_hat, lo, hi = profile_interval(X_full, yb, n)
    best = _replace(best, poisson_estimate=best.estimate, estimate=n_hat, lower=lo, upper=hi,
                    interval="profile likelihood 95%")
    if not math.isfinite(hi):
        warnings.append(f"log-linear {best.name}: the profile likelihood gives no finite upper "
                        "bound — the data do not bound N under this model")
    averaged = _average(usable, n)
    if averaged.n_models == 1:
        warnings.append(
            f"log-linear: the BIC average holds only {best.name}: no other acceptable model "
            f"lies within {window:.1f} BIC of it, so the average shows no model uncertainty — "
            "read the models set aside and the other methods")
    if best.estimate > 20 * n:
        warnings.append(f"log-linear {best.name}: estimate is more than 20× the observed count")
    gof = goodness_of_fit(X[:, masks[best_idx]], y, cells, J)
    warnings.extend(_uncertainty_warnings(best, usable, gof, len(y)))
    ranked = [best if f.name == best.name else f for f in checked]
    rest = [make(int(m), check=False) for m in order[len(checked): len(checked) + 50] if ok[m]]
    return LoglinearResult(
        n_observed=n, lists=table.lists, best=best, averaged=averaged, ranked=ranked + rest,
        classic=classic_models(table), n_models=len(models), max_order=max_order,
        warnings=warnings, search=described, fit=gof,
    )


def _pattern(cell: int, J: int) -> str:
    """A cell's capture pattern as 0/1 digits in list order (list 1 first)."""
    return "".join(str(cell >> j & 1) for j in range(J))


def goodness_of_fit(X: FloatArray, y: FloatArray, cells: NDArray[np.int64],
                    J: int) -> GoodnessOfFit:
    """Residual deviance, its chi-squared p-value and Pearson residuals of a Poisson fit."""
    from scipy.stats import chi2

    _, mu, _, _, _ = fit_poisson(X, y, tol=1e-12, max_iter=200)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev_terms = 2 * (np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        pearson = (y - mu) / np.sqrt(mu)
    df = len(y) - int(np.linalg.matrix_rank(X))
    deviance = float(max(dev_terms.sum(), 0.0))
    return GoodnessOfFit(
        deviance=deviance, df=df,
        p_value=float(chi2.sf(deviance, df)) if df > 0 else math.nan,
        residuals=[(_pattern(int(c), J), int(o), float(m), float(r) if math.isfinite(r) else 0.0)
                   for c, o, m, r in zip(cells, y, mu, pearson, strict=True)],
    )


def _uncertainty_warnings(best: LoglinearFit, usable: list[LoglinearFit], gof: GoodnessOfFit,
                          n_cells: int) -> list[str]:
    """Say when the one selected model hides how uncertain the choice of model is."""
    out: list[str] = []
    lo, hi = best.lower, best.upper
    close = [f for f in usable if f.name != best.name and f.bic - best.bic < CLOSE_BIC
             and lo is not None and hi is not None and not lo <= f.estimate <= hi]
    if close:
        named = "; ".join(f"{f.name} N̂={f.estimate:,.0f} (ΔBIC {f.bic - best.bic:.1f})"
                          for f in close[:3])
        out.append(
            f"log-linear: {len(close)} model(s) within {CLOSE_BIC:.0f} BIC of the best "
            f"{best.name} give estimates outside its 95% interval [{lo:,.0f}, {hi:,.0f}]: "
            f"{named}{' …' if len(close) > 3 else ''}; the interval does not include the "
            "uncertainty of choosing the model — read the BIC average and these models too")
    if gof.df == 0:
        out.append(
            f"log-linear: the selected model {best.name} is saturated (0 residual df: as many "
            f"parameters as the {n_cells} observed cells), so its fit cannot be checked and N "
            "rests entirely on the untestable assumption that the highest-order interaction "
            "is absent")
    elif gof.p_value < 0.01:
        out.append(
            f"log-linear: the selected model {best.name} fits poorly (deviance "
            f"{gof.deviance:.1f} on {gof.df} df, p = {gof.p_value:.2g}); largest Pearson "
            "residuals " + ", ".join(f"{p} {r:+.1f}" for p, _, _, r in gof.largest()))
    return out


def _average(fits: list[LoglinearFit], n: int) -> AveragedEstimate:
    """BIC weights exp(−ΔBIC/2); Buckland et al. (1997) unconditional s.e.; Chao's interval."""
    bics = np.array([f.bic for f in fits])
    w = np.exp(-(bics - bics.min()) / 2)
    w /= w.sum()
    est = np.array([f.estimate for f in fits])
    se = np.array([f.se for f in fits])
    mean = float(w @ est)
    se_avg = float(w @ np.sqrt(se**2 + (est - mean) ** 2))
    lo, hi = _chao_lognormal(n, mean, se_avg)
    top = sorted(zip(w, fits, strict=True), key=lambda t: -t[0])[:10]
    return AveragedEstimate(
        estimate=mean, se=se_avg, lower=lo, upper=hi, n_models=len(fits),
        effective_models=float(1 / np.sum(w**2)),
        top=[(f.name, float(wt), f.estimate) for wt, f in top],
    )
