"""Log-linear estimates against R's Rcapture on every fixture."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from sabt.estimate import CaptureTable, fit_loglinear
from sabt.estimate.loglinear import LoglinearResult, check_mle, hierarchical_models, model_name
from tests.estimate._refs import FIXTURES, load, ref_row

# Tolerance: the fits are deterministic maximum-likelihood computations, so the only
# differences from R are convergence tolerances and root-finding precision (~1e-6
# relative). 0.5% is the requirement and leaves a wide margin.
REL = 0.005


@functools.cache
def fitted(dataset: str) -> LoglinearResult:
    """One fit per fixture, shared by the tests below."""
    return fit_loglinear(load(dataset))


@pytest.mark.parametrize("dataset", FIXTURES)
def test_best_bic_model_matches_rcapture(dataset: str) -> None:
    (row,) = ref_row(dataset, "Rcapture closedpMS")
    res = fitted(dataset)
    expected_model = row["method"].split("best-BIC ")[1]
    assert res.best.name == expected_model
    assert res.best.estimate == pytest.approx(float(row["estimate"]), rel=REL)
    assert res.best.lower == pytest.approx(float(row["lo"]), rel=REL)
    assert res.best.upper == pytest.approx(float(row["hi"]), rel=REL)
    assert res.n_models == int(row["note"].split("=")[1])


@pytest.mark.parametrize("dataset", FIXTURES)
def test_closedp_models_match_rcapture(dataset: str) -> None:
    res = fitted(dataset)
    fits = {f.name: f for f in res.classic}
    for row in ref_row(dataset, "Rcapture M"):
        fit = fits[row["method"].removeprefix("Rcapture ")]
        assert fit.estimate == pytest.approx(float(row["estimate"]), rel=REL)
        assert fit.lower == pytest.approx(float(row["lo"]), rel=REL, abs=1.0)
        assert fit.upper == pytest.approx(float(row["hi"]), rel=REL, abs=1.0)
        bic = float(row["note"].split("BIC=")[1].split()[0])
        assert fit.bic == pytest.approx(bic, abs=0.06)  # R prints one decimal


def test_model_counts_match_rcapture() -> None:
    assert len(hierarchical_models(3, 2)) == 8
    assert len(hierarchical_models(4, 3)) == 113
    assert len(hierarchical_models(5, 4)) == 6893


def test_model_names_use_rcapture_notation() -> None:
    # 1×2 interaction plus main effect 3; the 234 term implies 23, 24 and 34
    assert model_name((0b011,), 3) == "[12,3]"
    assert model_name((0b0110, 0b1010, 0b1100, 0b1110), 4) == "[234,1]"


def test_australia_sets_aside_flagged_models_with_a_warning() -> None:
    res = fitted("msetools_Australia")
    assert res.best.name == "[234,1]"
    assert any("set aside" in w for w in res.warnings)
    assert res.best.mle_exists is False
    assert any("MLE does not exist" in w for w in res.warnings)


def test_mle_existence_check() -> None:
    # independence model on 3 lists with every cell observed: the MLE exists
    cells = np.arange(1, 8)
    X = np.column_stack([np.ones(7)] + [(cells >> j) & 1 for j in range(3)]).astype(float)
    assert check_mle(X, np.array([5, 4, 3, 6, 2, 1, 1], float)) == (True, True)
    # saturated-but-one model with the zero cell pinned: the 12 interaction is unbounded
    X12 = np.column_stack([X, ((cells & 3) == 3).astype(float)])
    y = np.array([5, 4, 0, 6, 2, 0, 0], float)  # both cells with lists 1 and 2 are empty
    exists, identifiable = check_mle(X12, y)
    assert not exists
    assert identifiable  # N only needs the main effects, which the other cells pin down


def test_two_lists_is_lincoln_petersen() -> None:
    t = CaptureTable.from_patterns(["a", "b"], [[1, 0], [0, 1], [1, 1]], [60, 40, 20])
    res = fit_loglinear(t)
    # independence: N = n1 n2 / m = 80 · 60 / 20
    assert res.best.name == "[1,2]"
    assert res.classic[1].estimate == pytest.approx(80 * 60 / 20)
    assert math.isfinite(res.best.upper)


def test_every_five_list_model_is_fitted_and_ranked() -> None:
    # speed is measured in benchmarks/bench_estimate.py; here: all 6,893 models take part
    res = fit_loglinear(load("dga_MY_5list"))
    assert res.n_models == 6893
    bics = [fit.bic for fit in res.ranked]
    assert bics == sorted(bics) and res.best in res.ranked
