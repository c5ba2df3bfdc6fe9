"""The forest plot's geometry: one axis for every interval, round ticks, order kept."""

from __future__ import annotations

import itertools

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
