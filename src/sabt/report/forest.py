"""Intervals side by side on one axis (a forest plot) as plain geometry for an SVG: pure.

Every stored estimate, and any claimed figure drawn beside them, becomes a row: its point and
its interval placed on a shared axis with round ticks, so the page draws them with a few SVG
lines and no script. The axis is linear from zero for estimates, or logarithmic (`log=True`)
for published figures that span orders of magnitude. Rows without a number are left out of the
axis but kept (drawn as "no estimate").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640.0       # drawing width in SVG units, axis included
LEFT = 8.0          # margins inside the drawing
RIGHT = 8.0
ROW = 22.0          # height of one row
AXIS = 28.0         # height kept for the axis under the rows


@dataclass(frozen=True)
class Interval:
    label: str
    estimate: float | None
    lower: float | None = None
    upper: float | None = None
    kind: str = "estimate"     # "estimate", or "claim" for a figure someone stated
    at_least: bool = False     # an open upper end ("at least 4,000")


@dataclass(frozen=True)
class Row:
    interval: Interval
    y: float
    x: float | None
    x_lower: float | None
    x_upper: float | None


@dataclass(frozen=True)
class Forest:
    rows: list[Row]
    ticks: list[tuple[float, float]]     # (x, value)
    width: float
    height: float
    axis_y: float
    left: float = LEFT                   # where the axis begins (labels, if any, go before)


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def _values(intervals: Sequence[Interval], *, positive: bool) -> list[float]:
    return [v for i in intervals for v in (i.estimate, i.lower, i.upper)
            if v is not None and math.isfinite(v) and (v > 0 or not positive)]


def forest(intervals: Sequence[Interval], *, log: bool = False, left: float = LEFT) -> Forest:
    """Place the intervals on one axis from zero (or below the smallest value) to a round
    number above the largest; with `log`, on decades with ticks at 1, 2 and 5 of each.
    `left` keeps room before the axis for the rows' labels."""
    if log:
        return _log_forest(intervals, left)
    values = _values(intervals, positive=False)
    top = max(values) if values else 1.0
    bottom = min(0.0, min(values)) if values else 0.0
    step = _nice_step(max(top - bottom, 1.0))
    lo, hi = math.floor(bottom / step) * step, math.ceil(top / step) * step
    hi = hi if hi > lo else lo + step

    def x(value: float | None) -> float | None:
        if value is None or not math.isfinite(value):
            return None
        return left + (value - lo) / (hi - lo) * (WIDTH - left - RIGHT)

    rows = [Row(i, (n + 0.5) * ROW, x(i.estimate), x(i.lower), x(i.upper))
            for n, i in enumerate(intervals)]
    count = round((hi - lo) / step)
    ticks = [(x(lo + k * step) or 0.0, lo + k * step) for k in range(count + 1)]
    axis_y = len(rows) * ROW + 4
    return Forest(rows, ticks, WIDTH, axis_y + AXIS, axis_y, left)


def _log_forest(intervals: Sequence[Interval], left: float) -> Forest:
    """A logarithmic axis from the decade below the smallest figure to the one above the
    largest; figures of zero or less cannot be placed and are drawn as "no number"."""
    values = _values(intervals, positive=True)
    low = math.floor(math.log10(min(values))) if values else 0
    high = math.ceil(math.log10(max(values))) if values else 1
    high = high if high > low else low + 1

    def x(value: float | None) -> float | None:
        if value is None or not math.isfinite(value) or value <= 0:
            return None
        return left + (math.log10(value) - low) / (high - low) * (WIDTH - left - RIGHT)

    rows = [Row(i, (n + 0.5) * ROW, x(i.estimate), x(i.lower), x(i.upper))
            for n, i in enumerate(intervals)]
    ticks = [(x(m * 10.0 ** k) or 0.0, m * 10.0 ** k) for k in range(low, high + 1)
             for m in (1, 2, 5) if m * 10.0 ** k <= 10.0 ** high]
    axis_y = len(rows) * ROW + 4
    return Forest(rows, ticks, WIDTH, axis_y + AXIS, axis_y, left)
