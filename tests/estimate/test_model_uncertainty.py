"""Model uncertainty shown: close models that disagree, saturated and unidentified models,
goodness of fit, the exact MLE-existence message, and a real model search for many lists."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import chi2

from sabt.estimate import CaptureTable, estimate_all, fit_dga, fit_loglinear
from tests.estimate._refs import load, ref_row

PATTERNS3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]]
# three lists whose people on all three (70) far outnumber what any pairwise model expects:
# every pairwise-or-less model fits badly, so BIC picks the saturated ones
THREE_WAY = CaptureTable.from_patterns(["a", "b", "c"], PATTERNS3, [60, 50, 40, 30, 25, 20, 70])


def test_saturated_model_is_named() -> None:
    res = fit_loglinear(THREE_WAY)
    assert res.fit is not None and res.fit.df == 0  # 7 cells, 7 parameters
    assert any("saturated" in w and "0 residual df" in w for w in res.warnings)


def test_dga_complete_graph_and_lower_bound_n_are_named() -> None:
    res = fit_dga(THREE_WAY)
    assert res.top_graphs[0][0] == "[123]"
    assert res.lower == THREE_WAY.n_observed
    assert any("complete graph [123]" in w and "not identifiable" in w for w in res.warnings)
    assert any("lower bound equals the number seen" in w for w in res.warnings)


def test_close_models_outside_the_interval_are_named() -> None:
    # Kosovo: the best model's profile interval excludes models less than 4 BIC away
    res = fit_loglinear(load("lcmcr_kosovo"))
    (warning,) = [w for w in res.warnings if "within 4 BIC" in w]
    b = res.best
    assert b.lower is not None and b.upper is not None
    close = [f for f in res.ranked if f.acceptable and f.name != b.name and f.bic - b.bic < 4]
    outside = [f for f in close if not b.lower <= f.estimate <= b.upper]
    assert outside and all(f.name in warning for f in outside[:3])


def test_average_of_one_model_is_named() -> None:
    # Australia: the 18 lower-BIC models are set aside, no other model is within 13.8 BIC
    res = fit_loglinear(load("msetools_Australia"))
    assert res.averaged.n_models == 1
    assert any("BIC average holds only [234,1]" in w for w in res.warnings)


def test_goodness_of_fit_matches_rcapture_and_is_in_the_json() -> None:
    # HIV: the selected model is independence, Rcapture's Mt: deviance 13.0 on 10 df
    (mt,) = [r for r in ref_row("rcapture_HIV", "Rcapture Mt") if r["method"].endswith("Mt")]
    dev_r = float(mt["note"].split("dev=")[1].split()[0])
    rep = estimate_all(load("rcapture_HIV"), ["loglinear"])
    fit = json.loads(json.dumps(rep.to_dict()))["estimates"][0]["diagnostics"]["fit"]
    assert fit["df"] == 10
    assert fit["deviance"] == pytest.approx(dev_r, abs=0.06)  # R prints one decimal
    assert fit["p_value"] == pytest.approx(chi2.sf(fit["deviance"], 10))
    cells = fit["residuals"]
    assert len(cells) == 15
    # a Poisson log-linear MLE with an intercept reproduces the observed total exactly
    assert sum(c["fitted"] for c in cells) == pytest.approx(1896, rel=1e-8)
    for c in cells:
        assert c["pearson"] == pytest.approx((c["observed"] - c["fitted"]) / c["fitted"] ** 0.5)


def test_mle_message_agrees_with_the_exact_check() -> None:
    from sabt.estimate.loglinear import check_mle

    for dataset in ("msetools_Australia", "sparsemse_Ned_5", "rcapture_HIV"):
        res = fit_loglinear(load(dataset))
        said = any("MLE does not exist" in w for w in res.warnings)
        assert said == (res.best.mle_exists is False)
    # Australia's [234,1]: the LP check agrees the MLE does not exist
    aus = fit_loglinear(load("msetools_Australia"))
    assert aus.best.name == "[234,1]" and aus.best.mle_exists is False
    t = load("msetools_Australia")
    cells = np.arange(1, 16)
    cols = [np.ones(15)] + [((cells >> j) & 1) for j in range(4)]
    cols += [((cells & m) == m) for m in (0b0110, 0b1010, 0b1100, 0b1110)]
    X = np.column_stack(cols).astype(float)
    assert check_mle(X, t.full_counts()[cells].astype(float)) == (False, True)


def _seven_lists(seed: int = 2107) -> tuple[CaptureTable, int]:
    """SYNTHETIC: 4,000 people, 7 lists captured independently except that list 2 is far
    likelier for people on list 1 (0.6 vs 0.2: odds ratio 6)."""
    rng = np.random.default_rng(seed)
    N = 4_000
    p = np.array([0.25, 0.0, 0.2, 0.35, 0.25, 0.3, 0.2])
    caught = rng.random((N, 7)) < p
    caught[:, 1] = rng.random(N) < np.where(caught[:, 0], 0.6, 0.2)
    seen = caught[caught.any(axis=1)].astype(np.int64)
    return CaptureTable.from_histories([f"L{j + 1}" for j in range(7)], seen), N


def test_seven_lists_get_a_real_search_that_finds_the_dependence() -> None:
    table, N = _seven_lists()
    for max_order in (None, 2):  # --max-order 2 must work at 7 lists, not refuse
        res = fit_loglinear(table, max_order=max_order)
        assert res.search.startswith("stepwise")
        assert "12" in res.best.name.strip("[]").split(",")  # the true interaction is found
        assert res.n_models > 1
        # the selected model is the true one (12 plus independence) or close to it, so its
        # 95% interval should hold the truth; the fixed seed makes this a fixed check
        assert res.best.lower is not None and res.best.upper is not None
        assert res.best.lower <= N <= res.best.upper
    independence = fit_loglinear(table, max_order=1)
    assert independence.best.name == "[1,2,3,4,5,6,7]"
    assert any("only main effects" in w for w in independence.warnings)


def test_eight_real_lists_are_searched() -> None:
    res = fit_loglinear(load("sparsemse_NewOrl"))  # New Orleans, 8 lists, 185 people
    assert res.search.startswith("stepwise") and res.best.name != "[1,2,3,4,5,6,7,8]"


def test_model_names_stay_unambiguous_from_ten_lists() -> None:
    from sabt.estimate.loglinear import model_name

    # lists 4 and 10 interact; list 12 alone is not the pair 1-2
    name = model_name((0b1000001000,), 12)
    assert name.startswith("[4.10,1,2,3,")
    assert name.endswith(",11,12]")
