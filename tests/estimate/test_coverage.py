"""Interval coverage on SYNTHETIC tables with known N (the full 100-replicate study is in
benchmarks/bench_estimate.py; this is the shorter CI version)."""

from __future__ import annotations

import pytest

from sabt.estimate.coverage import coverage_study

# With 40 replicates, a method whose true coverage is 95% covers ≤ 33 times with
# probability 0.3% (binomial), so requiring ≥ 34/40 (85%) rarely fails by chance; the seed
# is fixed, so the outcome is reproducible anyway.
REPLICATES = 40
MIN_COVERED = 34


@pytest.mark.slow
def test_independent_lists_all_methods_cover() -> None:
    rows = coverage_study("independent", REPLICATES, seed=11)
    assert {r.method for r in rows} >= {"loglinear (best BIC)", "lcmcr", "dga"}
    for r in rows:
        assert r.covered >= MIN_COVERED, (r.method, r.covered)
        assert 0.95 < r.median_ratio < 1.05


@pytest.mark.slow
def test_heterogeneous_lists_lcmcr_covers() -> None:
    # two hidden groups with independent lists within each: LCMCR's model holds exactly
    (row,) = coverage_study("heterogeneous", REPLICATES, methods=["lcmcr"], seed=12)
    assert row.covered >= MIN_COVERED, row.covered
    assert 0.95 < row.median_ratio < 1.05
