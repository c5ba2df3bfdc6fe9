"""estimate_all / EstimateReport: JSON shape, strata, sensitivity and warnings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sabt.errors import SabtError
from sabt.estimate import CaptureTable, LcmcrSettings, estimate_all
from tests.estimate._refs import load

QUICK = LcmcrSettings(burn_in=1_000, samples=300, thinning=10, chains=2, seed=1)


def test_json_document_has_every_method_side_by_side() -> None:
    rep = estimate_all(load("dga_MY_3list_spinabifida"), lcmcr=QUICK)
    doc = json.loads(json.dumps(rep.to_dict()))
    assert doc["n_observed"] == 626
    assert doc["lists"] == ["list1", "list2", "list3"]
    methods = [e["method"] for e in doc["estimates"]]
    assert methods == ["loglinear", "loglinear", "lcmcr", "dga"]
    best, avg = doc["estimates"][0], doc["estimates"][1]
    assert best["model"] == "[12,3]" and best["averaged"] is False
    assert avg["averaged"] is True
    for e in doc["estimates"]:
        assert e["lower"] <= e["estimate"] <= e["upper"]
        assert {"method", "model", "estimate", "lower", "upper", "interval"} <= set(e)


def test_unknown_method_is_an_error() -> None:
    with pytest.raises(SabtError, match="unknown method 'mcmc'"):
        estimate_all(load("rcapture_HIV"), ["mcmc"])


def test_two_lists_warn_loudly() -> None:
    t = CaptureTable.from_patterns(["a", "b"], [[1, 0], [0, 1], [1, 1]], [60, 40, 20])
    rep = estimate_all(t, lcmcr=QUICK)
    assert rep.warnings[0].startswith("ONLY 2 LISTS")
    assert any("dga skipped" in w for w in rep.warnings)
    assert {e.method for e in rep.estimates} == {"loglinear", "lcmcr"}


def _stratified(counts_s: list[int]) -> CaptureTable:
    pats = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1],
                     [1, 1, 1]])
    north = np.array([120, 100, 90, 30, 25, 20, 6])
    return CaptureTable.stratified(["a", "b", "c"], {
        "north": (pats, north), "south": (pats, np.array(counts_s)),
    })


def test_strata_are_estimated_and_combined() -> None:
    t = _stratified([60, 50, 45, 15, 12, 10, 3])
    rep = estimate_all(t, lcmcr=QUICK)
    assert set(rep.strata) == {"north", "south"}
    combined = {(e.method, e.averaged): e for e in rep.estimates}
    for key in (("loglinear", False), ("dga", True)):
        parts = [next(e for e in s.estimates if (e.method, e.averaged) == key)
                 for s in rep.strata.values()]
        # the combined point is (close to) the sum of the stratum points: exactly for
        # log-linear, within a few people for the convolved dga posterior median
        assert combined[key].estimate == pytest.approx(sum(p.estimate for p in parts),
                                                       rel=0.02)
        assert combined[key].lower < combined[key].estimate < combined[key].upper
    assert "strata" in rep.to_dict()


def test_stratum_with_fewer_than_three_lists_is_refused() -> None:
    t = _stratified([60, 50, 0, 15, 0, 0, 0])  # list c has no records in the south
    with pytest.raises(SabtError, match="stratum 'south': only 2 list"):
        estimate_all(t, ["loglinear"])


def test_sensitivity_leaves_each_list_out() -> None:
    rep = estimate_all(load("rcapture_HIV"), ["loglinear", "dga"], sensitivity=True)
    assert [s["left_out"] for s in rep.sensitivity] == ["c1", "c2", "c3", "c4"]
    for s in rep.sensitivity:
        assert s["n_observed"] < 1896
        assert {e["method"] for e in s["estimates"]} == {"loglinear", "dga"}


def test_methods_disagreeing_are_flagged() -> None:
    rep = estimate_all(load("msetools_Australia"), ["loglinear", "dga"])
    assert any("disagree" in w for w in rep.warnings)


def test_plot_is_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sabt.estimate.plot import plot_report

    rep = estimate_all(load("dga_MY_3list_spinabifida"), lcmcr=QUICK)
    out = plot_report(rep, tmp_path / "mse.png")
    assert out.stat().st_size > 10_000


def test_stratified_draws_are_written_per_stratum(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sabt.estimate.plot import plot_trace
    from sabt.estimate.report import write_lcmcr_draws

    rep = estimate_all(_stratified([60, 50, 45, 15, 12, 10, 3]), ["lcmcr"], lcmcr=QUICK)
    out = write_lcmcr_draws(rep, tmp_path / "draws.csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "stratum,chain,draw,N,alpha"
    per_stratum = QUICK.chains * QUICK.samples
    assert len(lines) == 1 + 2 * per_stratum
    assert {ln.split(",")[0] for ln in lines[1:]} == {"north", "south"}
    assert plot_trace(rep, tmp_path / "trace.png").stat().st_size > 10_000


def test_draws_need_lcmcr() -> None:
    from sabt.estimate.report import write_lcmcr_draws

    rep = estimate_all(load("rcapture_HIV"), ["loglinear"])
    with pytest.raises(SabtError, match="no LCMCR draws"):
        write_lcmcr_draws(rep, "unused.csv")
