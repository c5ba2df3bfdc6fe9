"""Linkage uncertainty carried into N (sabt.estimate.propagate) and strata that match
(sabt.estimate.strata), on SYNTHETIC records."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

from sabt.errors import InvalidValue, SabtError
from sabt.estimate.propagate import (
    LinkageInput,
    capture_tables,
    check_probabilities,
    draw_clusterings,
    propagate,
    refit_loglinear,
)
from sabt.estimate.strata import edit_strata, stratum_labels
from sabt.estimate.table import CaptureTable


def _toy(**kw: object) -> LinkageInput:
    """Six SYNTHETIC records on lists A, B, C: pairs (0,1) p=0.01, (2,3) p=0.99, (4,5) p=0.5,
    (0,2) p=0.5; the point linkage joins 2–3 only."""
    base: dict[str, object] = dict(
        sources=["A", "B", "A", "B", "C", "A"],
        left=np.array([0, 2, 4, 0]), right=np.array([1, 3, 5, 2]),
        probability=np.array([0.01, 0.99, 0.5, 0.5]),
        point=np.array([0, 1, 2, 2, 3, 4]),
    )
    base.update(kw)
    return LinkageInput(**base)  # type: ignore[arg-type]


def test_reviewed_pairs_are_fixed_in_every_draw() -> None:
    inp = _toy(must_link=[(0, 1)], cannot_link=[(2, 3)])
    labels = draw_clusterings(inp, 300, seed=1)
    # a reviewer's match holds although the model gave it 0.01; a reviewer's non-match holds
    # although the model gave it 0.99
    assert (labels[:, 0] == labels[:, 1]).all()
    assert (labels[:, 2] != labels[:, 3]).all()
    # the undecided pair at 0.5 is linked in about half the draws: Binomial(300, 0.5) has
    # s.d. 8.7, so 0.5 ± 0.1 is ± 3.5 s.d.
    share = (labels[:, 4] == labels[:, 5]).mean()
    assert 0.4 < share < 0.6


def test_draws_follow_the_duplicate_free_rule_and_seed() -> None:
    # 0 and 2 are both on list A: with A duplicate-free they are never joined
    inp = _toy(duplicate_free=["A"], probability=np.array([0.01, 0.99, 0.5, 0.999]))
    labels = draw_clusterings(inp, 200, seed=3)
    assert (labels[:, 0] != labels[:, 2]).all()
    assert np.array_equal(labels, draw_clusterings(inp, 200, seed=3))


def test_capture_tables_count_each_cluster_once() -> None:
    inp = _toy()
    # draw 1: the point linkage; draw 2: everyone apart
    labels = np.array([[0, 1, 2, 2, 3, 4], [0, 1, 2, 3, 4, 5]])
    one, two = capture_tables(inp, labels)
    assert one.lists == ("A", "B", "C")
    # point: {0}=A, {1}=B, {2,3}=AB, {4}=C, {5}=A → A:2, B:1, AB:1, C:1
    got = {tuple(p): int(c) for p, c in zip(one.patterns, one.counts, strict=True)}
    assert got == {(1, 0, 0): 2, (0, 1, 0): 1, (1, 1, 0): 1, (0, 0, 1): 1}
    assert two.n_observed == 6


def test_a_run_without_probabilities_gives_one_clear_message() -> None:
    empty = _toy(left=np.zeros(0), right=np.zeros(0), probability=np.zeros(0))
    with pytest.raises(SabtError, match="no match probabilities to draw from"):
        check_probabilities(empty)
    with pytest.raises(SabtError, match="no match probabilities"):
        propagate(empty, draws=10, methods=["loglinear"])
    certain = _toy(probability=np.array([0.0, 1.0, 1.0, 0.0]))
    with pytest.raises(SabtError, match="carries no uncertainty"):
        propagate(certain, draws=10, methods=["loglinear"])
    with pytest.raises(InvalidValue, match="at least 2"):
        draw_clusterings(_toy(), 1, seed=1)


def test_refit_reproduces_the_selected_model() -> None:
    from sabt.estimate import fit_loglinear
    from tests.estimate._refs import DATA

    table = CaptureTable.from_csv(str(DATA / "rcapture_HIV.csv"))
    best = fit_loglinear(table).best
    est, lo, hi = refit_loglinear(table, best.name)
    # the same model and profile interval as the search's best: equal up to the optimiser
    assert est == pytest.approx(best.estimate, rel=1e-6)
    assert lo == pytest.approx(best.lower, rel=1e-6)
    assert hi == pytest.approx(best.upper, rel=1e-6)


@pytest.mark.slow
def test_hard_scenario_propagated_interval_covers_where_naive_misses() -> None:
    """SYNTHETIC `hard` scenario, 600 people, simulator seed 1, linked by Sabt's engine.

    How the seed was chosen: simulator seeds 1–6 were run with these settings (100 linkage
    draws, seed 1). The naive intervals missed N = 600 only on seed 1 (log-linear 524–590, dga
    517–585: the point linkage splits people across lists); the pooled ones held N on all six
    (seed 1: 530–602 and 523–601). Seed 1 is the case the issue asks for. The truth is the
    reference: the propagated interval must hold 600 and be at least as wide as the naive
    one. Its upper bound is close to 600, so a change in the linkage's scores can flip this
    test — which is what it is there to notice."""
    from sabt.link.engine import link
    from sabt.link.evaluate import simulated_records
    from sabt.link.options import LinkSettings
    from sabt.simulate import scenario, simulate

    N = 600
    sim = simulate(scenario("hard", population=N), seed=1)
    with tempfile.TemporaryDirectory(prefix="SYNTHETIC_") as tmp:
        records, _, _ = simulated_records(sim, Path(tmp))
    result = link(records, LinkSettings())
    s = result.scored
    inp = LinkageInput(sources=records["source"].astype(str).tolist(), left=s.left,
                       right=s.right, probability=s.probability,
                       point=result.clustering.cluster, contradicted=s.contradicted)
    report = propagate(inp, draws=100, methods=["loglinear", "dga"], seed=1)
    for e in report.estimates:
        assert e.pooled is not None
        naive, pooled = e.naive, e.pooled
        assert not naive.lower <= N <= naive.upper, e.method
        assert pooled.lower <= N <= pooled.upper, e.method
        assert pooled.upper - pooled.lower >= naive.upper - naive.lower, e.method
        assert 0 < pooled.linkage_share < 1


def test_strata_aliases_merge_tehran_and_kermanshah() -> None:
    values = ["Tehran", "تهران", " TEHRAN", "Kermanshah", "Bakhtaran", "کرمانشاه", None, "",
              "Fars"]
    labels, spellings = stratum_labels(values)
    assert labels[0] == labels[1] == labels[2] == "Tehran"
    assert len({labels[3], labels[4], labels[5]}) == 1
    assert labels[6] == labels[7] == ""
    assert labels[8] == "Fars" and labels[0] != labels[3]
    assert set(spellings[labels[1]]) == {"Tehran", "تهران", "TEHRAN"}


def _by_place() -> CaptureTable:
    pats = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1],
                     [1, 1, 1]])
    counts = np.array([30, 25, 20, 8, 6, 5, 2])
    return CaptureTable.stratified(("A", "B", "C"), {
        "Tehran": (pats, counts), "تهران": (pats, counts), "Fars": (pats, counts),
        "unknown": (pats, counts)})


def test_edit_strata_merges_aliases_warns_on_unknown_and_obeys_the_user() -> None:
    table, notes = edit_strata(_by_place())
    assert set(table.strata) == {"Tehran", "Fars", "unknown"}
    assert table.strata["Tehran"].n_observed == 2 * 96
    assert any("unknown" in n and "--merge-strata" in n for n in notes)
    merged, notes = edit_strata(_by_place(), {"unknown": "تهران"}, ["Fars"])
    assert set(merged.strata) == {"Tehran"}
    assert merged.n_observed == 3 * 96
    assert any("dropped" in n for n in notes) and not any("people seen have no" in n
                                                           for n in notes)
    with pytest.raises(InvalidValue, match="no stratum 'Gilan'"):
        edit_strata(_by_place(), drop=["Gilan"])


def test_draws_are_stratified_by_the_merged_labels() -> None:
    labels, _ = stratum_labels(["Tehran", "تهران", "Fars", "Fars", None, "Fars"])
    inp = _toy(strata=labels)
    (table,) = capture_tables(inp, inp.point[None, :])
    # clusters: {0} Tehran, {1} تهران = Tehran, {2,3} Fars, {4} unknown, {5} Fars
    assert {k: t.n_observed for k, t in table.strata.items()} == {
        "Tehran": 2, "Fars": 2, "unknown": 1}
