"""The forest plot's geometry: one axis for every interval, round ticks, order kept."""

from __future__ import annotations

import itertools
import math

import pytest

from sabt.report.forest import LEFT, RIGHT, WIDTH, Interval, forest


def test_intervals_share_one_axis_with_round_ticks() -> None:
    plot = forest([Interval("SYNTHETIC a", 4_500, 3_900, 5_600),
                   Interval("SYNTHETIC claim", 30_000, kind="claim"),
                   Interval("SYNTHETIC none", None)])
    a, claim, none = plot.rows
    assert a.x_lower is not None and a.x is not None and a.x_upper is not None
    assert a.x_lower < a.x < a.x_upper
    assert none.x is None and a.y < claim.y < none.y
    values = [v for _, v in plot.ticks]
    assert values[0] == 0 and values[-1] >= 30_000
    steps = {b - a for a, b in itertools.pairwise(values)}
    assert len(steps) == 1                                   # evenly spaced
    xs = [x for x, _ in plot.ticks]
    assert xs[0] == pytest.approx(LEFT) and xs[-1] == pytest.approx(WIDTH - RIGHT)
    # a value's place is linear in it: 30,000 lies at 30,000 / top of the axis
    assert claim.x == pytest.approx(LEFT + 30_000 / values[-1] * (WIDTH - LEFT - RIGHT))


def test_no_numbers_gives_an_empty_axis_not_an_error() -> None:
    plot = forest([Interval("SYNTHETIC none", None)])
    assert plot.rows[0].x is None and len(plot.ticks) >= 2


def test_published_figures_share_a_log_axis_of_whole_decades() -> None:
    plot = forest([Interval("T1", 2_800, 2_800, 3_800, kind="claim"),
                   Interval("T2", 30_000, 30_000, 30_000, kind="claim", at_least=True),
                   Interval("T3", 0, kind="claim")], log=True)
    low, high, zero = plot.rows
    values = [v for _, v in plot.ticks]
    assert values[0] == 1_000 and values[-1] == 100_000        # the decades around the figures
    assert {1_000, 2_000, 5_000, 10_000} <= set(values)
    assert zero.x is None                                      # zero has no place on a log axis
    assert low.x is not None and high.x is not None
    # equal ratios are equal distances: 1,000 → 10,000 spans as much as 10,000 → 100,000
    xs = dict((v, x) for x, v in plot.ticks)
    assert xs[10_000] - xs[1_000] == pytest.approx(xs[100_000] - xs[10_000])
    assert high.x == pytest.approx(xs[10_000] + math.log10(3) * (xs[100_000] - xs[10_000]))
