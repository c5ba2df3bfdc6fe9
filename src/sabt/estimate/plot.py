"""Pictures of an EstimateReport: posterior densities, intervals and the model comparison."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sabt.estimate.report import EstimateReport


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
