"""Intervals side by side on one axis (a forest plot) as plain geometry for an SVG: pure.

Every stored estimate, and any claimed figure drawn beside them, becomes a row: its point and
its interval placed on a shared linear axis with round ticks, so the page draws them with a
few SVG lines and no script. Rows without a number are left out of the axis but kept (drawn as
"no estimate").
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


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def forest(intervals: Sequence[Interval]) -> Forest:
    """Place the intervals on one axis from zero (or below the smallest value) to a round
    number above the largest."""
    values = [v for i in intervals for v in (i.estimate, i.lower, i.upper)
              if v is not None and math.isfinite(v)]
    top = max(values) if values else 1.0
    bottom = min(0.0, min(values)) if values else 0.0
    step = _nice_step(max(top - bottom, 1.0))
    lo, hi = math.floor(bottom / step) * step, math.ceil(top / step) * step
    hi = hi if hi > lo else lo + step

    def x(value: float | None) -> float | None:
        if value is None or not math.isfinite(value):
            return None
        return LEFT + (value - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT)

    rows = [Row(i, (n + 0.5) * ROW, x(i.estimate), x(i.lower), x(i.upper))
            for n, i in enumerate(intervals)]
    count = round((hi - lo) / step)
    ticks = [(x(lo + k * step) or 0.0, lo + k * step) for k in range(count + 1)]
    axis_y = len(rows) * ROW + 4
    return Forest(rows, ticks, WIDTH, axis_y + AXIS, axis_y)
