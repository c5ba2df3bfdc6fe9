"""Multiple-systems estimation: how many people, from several overlapping incomplete lists.

Three families, side by side (never one number alone):

* `loglinear` — Rcapture's log-linear models (closedp.t family, every hierarchical model
  ranked by BIC, profile-likelihood intervals, BIC model averaging);
* `lcmcr` — Manrique-Vallier's latent-class Bayesian model (compiled Gibbs sampler);
* `dga` — Madigan & York's exact averaging over decomposable graphs.

Typical use::

    from sabt.estimate import CaptureTable, estimate_all, LcmcrSettings
    table = CaptureTable.from_csv("lists.csv")
    report = estimate_all(table, lcmcr=LcmcrSettings.fast())
    report.to_dict()

Names are loaded on first use (PEP 562), so that importing the package — as the CLI does to
register `sabt estimate` — does not compile or load the numba kernels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sabt.lazy import lazy_exports

if TYPE_CHECKING:
    from sabt.estimate.dga import DgaResult, fit_dga
    from sabt.estimate.lcmcr import LcmcrResult, LcmcrSettings, fit_lcmcr
    from sabt.estimate.loglinear import LoglinearResult, fit_loglinear
    from sabt.estimate.pool import PooledEstimate, pool_moments, pool_posterior_draws
    from sabt.estimate.reader import read_capture_csv
    from sabt.estimate.report import (
        METHODS,
        EstimateReport,
        MethodEstimate,
        estimate_all,
        fast_settings,
        leave_one_out,
    )
    from sabt.estimate.table import CaptureTable

__getattr__ = lazy_exports(__name__, {
    "DgaResult": "dga", "fit_dga": "dga",
    "LcmcrResult": "lcmcr", "LcmcrSettings": "lcmcr", "fit_lcmcr": "lcmcr",
    "LoglinearResult": "loglinear", "fit_loglinear": "loglinear",
    "read_capture_csv": "reader",
    "PooledEstimate": "pool", "pool_moments": "pool", "pool_posterior_draws": "pool",
    "METHODS": "report", "EstimateReport": "report", "MethodEstimate": "report",
    "estimate_all": "report", "fast_settings": "report", "leave_one_out": "report",
    "CaptureTable": "table",
})


__all__ = [
    "METHODS",
    "CaptureTable",
    "DgaResult",
    "EstimateReport",
    "LcmcrResult",
    "LcmcrSettings",
    "LoglinearResult",
    "MethodEstimate",
    "PooledEstimate",
    "estimate_all",
    "fast_settings",
    "fit_dga",
    "fit_lcmcr",
    "fit_loglinear",
    "leave_one_out",
    "pool_moments",
    "pool_posterior_draws",
    "read_capture_csv",
]
