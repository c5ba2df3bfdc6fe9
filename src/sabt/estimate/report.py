"""Run every estimator on a capture table and put the answers side by side.

`estimate_all` is the Python API the CLI, the linkage pipeline and the demo call. It returns an
`EstimateReport` whose `to_dict()` is the `sabt estimate --json` document. Strata are
estimated separately and combined: posterior draws are summed for LCMCR, posterior pmfs are
convolved for dga (both exact for independent strata), and for log-linear models estimates
and their Wald variances are summed and Chao's log-normal interval is put around the total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import fftconvolve

from sabt.errors import InvalidValue
from sabt.estimate.dga import DgaResult, fit_dga
from sabt.estimate.lcmcr import LcmcrResult, LcmcrSettings, fit_lcmcr, write_draws
from sabt.estimate.loglinear import Z95, LoglinearResult, fit_loglinear
from sabt.estimate.table import CaptureTable

METHODS = ("loglinear", "lcmcr", "dga")
MIN_LISTS_PER_STRATUM = 3
SPREAD_WARNING = 1.5  # warn when point estimates differ by more than this factor


@dataclass
class MethodEstimate:
    """One method's answer: point, 95% interval, and what it rests on."""

    method: str
    model: str
    estimate: float
    lower: float
    upper: float
    interval: str
    averaged: bool = False
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (non-finite bounds become null)."""
        return {
            "method": self.method, "model": self.model, "estimate": _num(self.estimate),
            "lower": _num(self.lower), "upper": _num(self.upper), "interval": self.interval,
            "averaged": self.averaged, "diagnostics": _jsonable(self.diagnostics),
        }


@dataclass
class EstimateReport:
    """All estimates for one table (and, if stratified, each stratum's report)."""

    n_observed: int
    lists: tuple[str, ...]
    estimates: list[MethodEstimate]
    warnings: list[str] = field(default_factory=list)
    strata: dict[str, EstimateReport] = field(default_factory=dict)
    sensitivity: list[dict[str, Any]] = field(default_factory=list)
    loglinear: LoglinearResult | None = None
    lcmcr: LcmcrResult | None = None
    dga: DgaResult | None = None
    lcmcr_draws: NDArray[np.int64] | None = None
    dga_pmf: tuple[NDArray[np.int64], NDArray[np.float64]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `--json` document."""
        out: dict[str, Any] = {
            "n_observed": self.n_observed,
            "lists": list(self.lists),
            "warnings": list(self.warnings),
            "estimates": [e.to_dict() for e in self.estimates],
        }
        if self.strata:
            out["strata"] = {k: v.to_dict() for k, v in self.strata.items()}
        if self.sensitivity:
            out["sensitivity"] = _jsonable(self.sensitivity)
        return out


def _num(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, bool | str) or obj is None:
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _num(float(obj))
    return str(obj)


# -- single table --------------------------------------------------------------------------
def _loglinear_estimates(res: LoglinearResult) -> list[MethodEstimate]:
    b, a = res.best, res.averaged
    classic = [
        {"model": f.name, "estimate": f.estimate, "lower": f.lower, "upper": f.upper,
         "se": f.se, "deviance": f.deviance, "df": f.df, "bic": f.bic,
         "mle_exists": f.mle_exists}
        for f in res.classic
    ]
    best = MethodEstimate(
        method="loglinear", model=b.name, estimate=b.estimate, lower=b.lower or math.nan,
        upper=b.upper or math.nan, interval=b.interval,
        diagnostics={
            "selection": f"lowest BIC among models Rcapture does not flag; {res.search}",
            "fit": _fit_dict(res),
            "bic": b.bic, "aic": b.aic, "deviance": b.deviance, "df": b.df,
            "n_params": b.n_params, "se": b.se, "poisson_estimate": b.poisson_estimate,
            "asymptotic_bias": b.bias, "mle_exists": b.mle_exists,
            "models_fitted": res.n_models, "max_order": res.max_order,
            "next_best": [
                {"model": f.name, "bic": f.bic, "estimate": f.estimate,
                 "flagged": not f.acceptable}
                for f in res.ranked[:8] if f.name != b.name
            ],
            "closedp_t": classic,
        },
    )
    avg = MethodEstimate(
        method="loglinear", model=f"BIC-weighted average of {a.n_models} models",
        estimate=a.estimate, lower=a.lower, upper=a.upper,
        interval="log-normal 95% (Buckland unconditional s.e.)", averaged=True,
        diagnostics={"se": a.se, "effective_models": a.effective_models,
                     "top": [{"model": m, "weight": w, "estimate": e} for m, w, e in a.top]},
    )
    return [best, avg]


def _fit_dict(res: LoglinearResult) -> dict[str, Any]:
    """Goodness of fit of the selected model: deviance, df, deviance/df, p and residuals."""
    g = res.fit
    if g is None:
        return {}
    return {
        "deviance": g.deviance, "df": g.df, "deviance_per_df": g.deviance_per_df,
        "p_value": g.p_value, "saturated": g.df == 0,
        "residuals": [{"pattern": p, "observed": o, "fitted": m, "pearson": r}
                      for p, o, m, r in g.residuals],
    }


def _lcmcr_estimate(res: LcmcrResult) -> MethodEstimate:
    s = res.settings
    return MethodEstimate(
        method="lcmcr", model=f"K={s.K}", estimate=res.median, lower=res.lower,
        upper=res.upper,
        interval=("none: chains in different modes" if res.multimodal
                  else "posterior 95% (median)"),
        diagnostics={
            "mean": math.nan if res.multimodal else res.mean, "rhat": res.rhat, "ess": res.ess,
            "chains": s.chains, "draws": int(res.draws.size), "burn_in": s.burn_in,
            "thinning": s.thinning, "a_alpha": s.a_alpha, "b_alpha": s.b_alpha, "seed": s.seed,
            "cap": res.cap, "cap_fraction": res.cap_fraction, "seconds": res.seconds,
            "chain_medians": [float(np.median(d)) for d in res.draws],
            "modes": [{"chains": list(m.chains), "median": m.median, "lower": m.lower,
                       "upper": m.upper} for m in res.modes],
        },
    )


def _dga_estimate(res: DgaResult) -> MethodEstimate:
    return MethodEstimate(
        method="dga", model=f"BMA over {res.n_graphs} decomposable graphs",
        estimate=res.median, lower=res.lower, upper=res.upper,
        interval="posterior 95% (median)", averaged=True,
        diagnostics={
            "delta": res.delta, "mean": res.mean, "mass_at_bound": res.mass_at_bound,
            "top_graphs": [{"graph": g, "weight": w, "median": m} for g, w, m in res.top_graphs],
            "seconds": res.seconds,
        },
    )


def _check_methods(methods: Sequence[str] | str) -> list[str]:
    if isinstance(methods, str):
        methods = [methods]
    ms = list(METHODS) if not methods or "all" in methods else list(dict.fromkeys(methods))
    bad = [m for m in ms if m not in METHODS]
    if bad:
        raise InvalidValue(f"unknown method {bad[0]!r}; choose from {', '.join(METHODS)}, all",
                           field="method")
    return ms


def _estimate_one(
    table: CaptureTable, methods: list[str], lcmcr: LcmcrSettings, delta: float | None,
    max_order: int | None,
) -> EstimateReport:
    J = table.n_lists
    warnings: list[str] = []
    if J == 2:
        warnings.append(
            "ONLY 2 LISTS: list dependence cannot be modelled; every estimate assumes the two "
            "lists are independent, which is rarely true (Lum & Ball 2015). Treat as indicative."
        )
    estimates: list[MethodEstimate] = []
    report = EstimateReport(table.n_observed, table.lists, estimates, warnings)
    if "loglinear" in methods:
        ll = fit_loglinear(table, max_order=max_order)
        report.loglinear = ll
        estimates.extend(_loglinear_estimates(ll))
        warnings.extend(ll.warnings)
    if "lcmcr" in methods:
        lc = fit_lcmcr(table, lcmcr)
        report.lcmcr = lc
        report.lcmcr_draws = lc.draws.ravel()
        estimates.append(_lcmcr_estimate(lc))
        warnings.extend(lc.warnings)
    if "dga" in methods:
        if 3 <= J <= 6:
            dg = fit_dga(table, delta=delta)
            report.dga = dg
            report.dga_pmf = (dg.N, dg.posterior)
            estimates.append(_dga_estimate(dg))
            warnings.extend(dg.warnings)
        else:
            warnings.append(f"dga skipped: it needs 3 to 6 lists, this table has {J}")
    _spread_warning(estimates, warnings)
    return report


def _spread_warning(estimates: list[MethodEstimate], warnings: list[str]) -> None:
    points = [e.estimate for e in estimates if math.isfinite(e.estimate) and e.estimate > 0]
    if len(points) >= 2 and max(points) / min(points) > SPREAD_WARNING:
        warnings.append(
            f"methods disagree by a factor of {max(points) / min(points):.1f} "
            f"({min(points):,.0f} to {max(points):,.0f}): the identifying assumptions matter "
            "here — report the range, not one number"
        )


# -- strata -------------------------------------------------------------------------------
def _stratum_table(label: str, t: CaptureTable) -> tuple[CaptureTable, list[str]]:
    sizes = t.list_sizes()
    empty = [name for name, k in sizes.items() if k == 0]
    kept = [name for name, k in sizes.items() if k > 0]
    if len(kept) < MIN_LISTS_PER_STRATUM:
        raise InvalidValue(
            f"stratum {label!r}: only {len(kept)} list(s) have records "
            f"({', '.join(kept) or 'none'}); at least {MIN_LISTS_PER_STRATUM} are needed — "
            "merge it with a neighbouring stratum"
        )
    warnings = []
    if empty:
        warnings.append(f"stratum {label!r}: list(s) {', '.join(empty)} have no records here "
                        "and are left out of this stratum")
    reduced = t
    for name in empty:
        reduced = reduced.drop_list(name)
    reduced = CaptureTable(reduced.lists, reduced.patterns, reduced.counts,
                           source=f"stratum {label!r}")
    return reduced, warnings


def _combine(strata: dict[str, EstimateReport], methods: list[str], table: CaptureTable,
             seed: int) -> list[MethodEstimate]:
    out: list[MethodEstimate] = []
    n = table.n_observed
    reps = list(strata.values())
    if "loglinear" in methods:
        for averaged in (False, True):
            parts = [next(e for e in r.estimates if e.method == "loglinear"
                          and e.averaged == averaged) for r in reps]
            est = sum(p.estimate for p in parts)
            var = sum(float(p.diagnostics["se"]) ** 2 for p in parts)
            f0 = est - n
            c = math.exp(Z95 * math.sqrt(math.log(1 + var / f0**2))) if f0 > 0 else math.nan
            out.append(MethodEstimate(
                method="loglinear",
                model="sum of per-stratum " + ("BIC averages" if averaged else "best-BIC models"),
                estimate=est, lower=n + f0 / c, upper=n + f0 * c,
                interval="log-normal 95% (sum of Wald variances)", averaged=averaged,
                diagnostics={"se": math.sqrt(var),
                             "per_stratum": {k: p.model for k, p in zip(strata, parts,
                                                                        strict=True)}},
            ))
    if "lcmcr" in methods:
        draws = [r.lcmcr_draws for r in reps if r.lcmcr_draws is not None]
        rng = np.random.default_rng(seed)
        total = np.sum([rng.permutation(d) for d in draws], axis=0)
        lo, med, hi = np.quantile(total, [0.025, 0.5, 0.975])
        split = [k for k, r in strata.items() if r.lcmcr is not None and r.lcmcr.multimodal]
        if split:  # a sum over a stratum whose chains disagree would hide it
            lo = med = hi = math.nan
        out.append(MethodEstimate(
            method="lcmcr", model="sum of per-stratum posterior draws", estimate=float(med),
            lower=float(lo), upper=float(hi),
            interval=("none: chains in different modes in stratum " + ", ".join(split)
                      if split else "posterior 95% (median)"),
            diagnostics={"mean": math.nan if split else float(total.mean()),
                         "draws": int(total.size),
                         "max_rhat": max(float(r.lcmcr.rhat) for r in reps if r.lcmcr)},
        ))
        for r in reps:
            if r.lcmcr is not None:
                r.lcmcr_draws = None
    if "dga" in methods and all(r.dga_pmf is not None for r in reps):
        lo_n = 0
        pmf = np.array([1.0])
        for r in reps:
            assert r.dga_pmf is not None
            Ns, p = r.dga_pmf
            lo_n += int(Ns[0])
            pmf = np.clip(fftconvolve(pmf, p), 0, None)
        pmf /= pmf.sum()
        grid = lo_n + np.arange(len(pmf))
        cdf = np.cumsum(pmf)

        def q(x: float) -> float:
            return float(grid[min(int(np.searchsorted(cdf, x)), len(grid) - 1)])

        out.append(MethodEstimate(
            method="dga", model="convolution of per-stratum posteriors", estimate=q(0.5),
            lower=q(0.025), upper=q(0.975), interval="posterior 95% (median)", averaged=True,
            diagnostics={"mean": float(pmf @ grid)},
        ))
    return out


# -- entry point ---------------------------------------------------------------------------
def estimate_all(
    table: CaptureTable,
    methods: Sequence[str] | str = METHODS,
    *,
    lcmcr: LcmcrSettings | None = None,
    delta: float | None = None,
    max_order: int | None = None,
    sensitivity: bool = False,
) -> EstimateReport:
    """Estimate N with every requested method (per stratum and combined, if stratified)."""
    ms = _check_methods(methods)
    settings = lcmcr or LcmcrSettings()
    if table.strata:
        strata: dict[str, EstimateReport] = {}
        warnings: list[str] = []
        for label, t in table.strata.items():
            reduced, notes = _stratum_table(label, t)
            rep = _estimate_one(reduced, ms, settings, delta, max_order)
            rep.warnings[:0] = notes
            strata[label] = rep
            warnings.extend(f"stratum {label!r}: {w}" if not w.startswith("stratum") else w
                            for w in rep.warnings)
        estimates = _combine(strata, ms, table, settings.seed)
        _spread_warning(estimates, warnings)
        report = EstimateReport(table.n_observed, table.lists, estimates, warnings, strata)
    else:
        report = _estimate_one(table, ms, settings, delta, max_order)
    if sensitivity:
        report.sensitivity = leave_one_out(table, ms, settings, delta, max_order)
    return report


def leave_one_out(
    table: CaptureTable, methods: list[str], settings: LcmcrSettings, delta: float | None,
    max_order: int | None,
) -> list[dict[str, Any]]:
    """Re-estimate with each list left out (HRDAG's sensitivity check)."""
    out: list[dict[str, Any]] = []
    if table.n_lists < 3:
        return out
    for name in table.lists:
        reduced = table.drop_list(name)
        try:
            rep = estimate_all(reduced, methods, lcmcr=settings, delta=delta,
                               max_order=max_order)
        except InvalidValue as exc:
            out.append({"left_out": name, "error": exc.message})
            continue
        out.append({
            "left_out": name, "n_observed": rep.n_observed,
            "estimates": [
                {"method": e.method, "model": e.model, "estimate": e.estimate,
                 "lower": e.lower, "upper": e.upper, "averaged": e.averaged}
                for e in rep.estimates
            ],
        })
    return out


def lcmcr_results(report: EstimateReport) -> dict[str | None, LcmcrResult]:
    """The LCMCR runs behind a report: {None: run} for one table, {stratum: run} otherwise."""
    if report.strata:
        return {k: r.lcmcr for k, r in report.strata.items() if r.lcmcr is not None}
    return {None: report.lcmcr} if report.lcmcr is not None else {}


def write_lcmcr_draws(report: EstimateReport, path: str | Path) -> Path:
    """Write every LCMCR draw of N (and alpha) as CSV, by chain (and stratum, if stratified)."""
    runs = lcmcr_results(report)
    if not runs:
        raise InvalidValue("no LCMCR draws to write: add lcmcr to --method", field="draws")
    for i, (label, res) in enumerate(runs.items()):
        write_draws(res, path, stratum=label, append=i > 0)
    return Path(path)


def fast_settings(seed: int = 19481210) -> LcmcrSettings:
    """The demo preset for LCMCR (see LcmcrSettings.fast)."""
    return LcmcrSettings.fast(seed)


__all__ = ["EstimateReport", "MethodEstimate", "estimate_all", "fast_settings", "lcmcr_results",
           "leave_one_out", "write_lcmcr_draws"]
