"""dga (Madigan & York model averaging) against R's dga on every fixture."""

from __future__ import annotations

import numpy as np
import pytest

from sabt.estimate import CaptureTable, fit_dga
from sabt.estimate.dga import decomposable_graphs
from tests.estimate._refs import FIXTURES, load, ref_row

# Tolerance: the posterior is computed exactly on the same integer grid as R, so the
# quantiles can differ only by floating-point rounding at a CDF step (±1 person). 1% is
# the requirement.
REL = 0.01


@pytest.mark.parametrize("dataset", FIXTURES)
def test_dga_matches_r(dataset: str) -> None:
    (row,) = ref_row(dataset, "dga")
    res = fit_dga(load(dataset))
    assert res.median == pytest.approx(float(row["estimate"]), rel=REL)
    assert res.lower == pytest.approx(float(row["lo"]), rel=REL)
    assert res.upper == pytest.approx(float(row["hi"]), rel=REL)
    assert res.posterior.sum() == pytest.approx(1.0)


def test_graph_counts_match_dga_tables() -> None:
    # dga ships 8, 61 and 822 graphs for 3, 4 and 5 lists
    assert [len(decomposable_graphs(j)) for j in (3, 4, 5)] == [8, 61, 822]


def test_chordless_cycle_is_not_decomposable() -> None:
    cycle = {(0, 1), (1, 2), (2, 3), (0, 3)}
    assert all(set(g.edges) != cycle for g in decomposable_graphs(4))


def test_delta_changes_the_answer() -> None:
    t = load("rcapture_lesbian")
    a, b = fit_dga(t), fit_dga(t, delta=1.0)
    assert a.delta == 2.0**-4
    assert a.median != b.median


def test_posterior_is_a_proper_pmf_on_a_symmetric_table() -> None:
    t = CaptureTable.from_patterns(["a", "b", "c"],
                                   [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1],
                                    [0, 1, 1], [1, 1, 1]],
                                   [100, 100, 100, 25, 25, 25, 6])
    res = fit_dga(t)
    assert np.isclose(res.posterior.sum(), 1.0)
    assert res.lower < res.median < res.upper
