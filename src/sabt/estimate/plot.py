"""Pictures of an EstimateReport: posterior densities, intervals and the model comparison;
LCMCR trace plots (N per chain, from the first sweep) to see whether chains mix."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sabt.estimate.lcmcr import WARMUP
from sabt.estimate.report import EstimateReport, lcmcr_results


def plot_report(report: EstimateReport, path: str | Path) -> Path:
    """Write a three-panel figure (format from the file suffix) and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    dens, forest, models = axes

    # 1. posterior densities
    if report.lcmcr_draws is not None or report.lcmcr is not None:
        draws = (report.lcmcr.draws.ravel() if report.lcmcr is not None
                 else report.lcmcr_draws)
        if draws is not None:
            dens.hist(draws, bins=60, density=True, alpha=0.5, label="LCMCR")
    if report.dga_pmf is not None:
        N, pmf = report.dga_pmf
        width = max(1, len(N) // 300)
        smooth = np.convolve(pmf, np.ones(width) / width, mode="same")
        dens.plot(N, smooth, label="dga")
    for e in report.estimates:
        if e.method == "loglinear" and not e.averaged:
            dens.axvline(e.estimate, color="k", ls="--", lw=1, label=f"log-linear {e.model}")
    dens.axvline(report.n_observed, color="grey", lw=1, label="observed")
    dens.set_xlabel("N (total killed)")
    dens.set_title("Posterior densities")
    dens.legend(fontsize=8)

    # 2. every method side by side
    for i, e in enumerate(report.estimates):
        lo = e.lower if math.isfinite(e.lower) else e.estimate
        hi = e.upper if math.isfinite(e.upper) else e.estimate
        forest.plot([lo, hi], [i, i], lw=3)
        forest.plot([e.estimate], [i], "ko")
    forest.set_yticks(range(len(report.estimates)))
    forest.set_yticklabels([f"{e.method}\n{e.model[:28]}" for e in report.estimates],
                           fontsize=7)
    forest.axvline(report.n_observed, color="grey", lw=1)
    forest.set_xlabel("N, point and 95% interval")
    forest.set_title("Methods side by side")

    # 3. log-linear model comparison
    if report.loglinear is not None:
        fits = [f for f in report.loglinear.ranked if math.isfinite(f.estimate)][:60]
        best = fits[0].bic if fits else 0.0
        xs = [f.estimate for f in fits]
        ys = [f.bic - best for f in fits]
        colours = ["tab:blue" if f.acceptable else "tab:red" for f in fits]
        models.scatter(xs, ys, c=colours, s=12)
        b = report.loglinear.best
        models.scatter([b.estimate], [b.bic - best], marker="*", s=120, c="k",
                       label=f"best {b.name}")
        models.set_xscale("log")
        models.invert_yaxis()
        models.set_xlabel("N̂ (log scale); red = flagged by Rcapture's checks")
        models.set_ylabel("ΔBIC")
        models.legend(fontsize=8)
    models.set_title("Log-linear models")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_trace(report: EstimateReport, path: str | Path) -> Path:
    """Write LCMCR trace plots: per stratum (or for the one table) N against the sweep for
    every chain — warm-up and burn-in sweep by sweep, then the kept draws at their sweep —
    on a log scale, and each chain's histogram of kept draws. Chains that never cross, or
    histograms that do not overlap, are the modes the report warns about."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = lcmcr_results(report)
    if not runs:
        from sabt.errors import InvalidValue

        raise InvalidValue("no LCMCR run to plot: add lcmcr to --method", field="trace")
    fig, axes = plt.subplots(len(runs), 2, figsize=(14, 4 * len(runs)), squeeze=False)
    for (label, res), (trace, hist) in zip(runs.items(), axes, strict=True):
        s = res.settings
        first = WARMUP + s.burn_in
        kept_at = first + s.thinning * (1 + np.arange(res.draws.shape[1]))
        for c in range(res.draws.shape[0]):
            line = trace.plot(np.arange(1, first + 1), res.start[c] if res.start is not None
                              else np.full(first, np.nan), lw=0.5, alpha=0.6)[0]
            trace.plot(kept_at, res.draws[c], lw=0.7, color=line.get_color(),
                       label=f"chain {c + 1}")
            hist.hist(res.draws[c], bins=40, alpha=0.45, color=line.get_color(),
                      label=f"chain {c + 1} (median {np.median(res.draws[c]):,.0f})")
        trace.axvline(first, color="grey", lw=1, ls=":")
        trace.set_yscale("log")
        trace.set_xlabel("sweep (dotted: end of burn-in)")
        trace.set_ylabel("N")
        where = f"stratum {label}: " if label is not None else ""
        verdict = (f"{len(res.modes)} modes — no pooled estimate" if res.multimodal
                   else f"R-hat {res.rhat:.3f}, ESS {res.ess:.0f}")
        trace.set_title(f"{where}LCMCR trace, K={s.K} ({verdict})")
        trace.legend(fontsize=7)
        hist.set_xlabel("N (kept draws)")
        hist.set_title(f"{where}posterior of N by chain")
        hist.legend(fontsize=7)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
