"""Test helpers: a small independent date parser for the formats the simulator writes."""

from __future__ import annotations

import datetime as dt
import re

import jdatetime

_SH_EN = "Farvardin Ordibehesht Khordad Tir Mordad Shahrivar Mehr Aban Azar Dey Bahman Esfand"
_SH_FA = "فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند"
SH_MONTHS = {name: i % 12 + 1 for i, name in enumerate(_SH_EN.split(" ") + _SH_FA.split(" "))}
SH_MONTHS |= {"Amordad": 5, "امرداد": 5}
G_MONTHS = {dt.date(2000, m, 1).strftime("%B"): m for m in range(1, 13)}
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """(Gregorian date, day known) of a list's date cell, or (None, False) if it is empty.

    Written independently of sabt.simulate.dates: a year above 1900 is Gregorian, else Solar
    Hijri; "d Month y", "y/m/d", "y-m-d", "d/m/y" and "d.m.y" are recognised.
    """
    text = text.translate(_DIGITS).strip()
    if not text:
        return None, False
    parts = re.split(r"[/\-. ]", text)
    if parts[-1] in SH_MONTHS or parts[-1] in G_MONTHS:  # never: month is not last
        raise ValueError(text)
    if len(parts) == 3 and parts[1] in SH_MONTHS | G_MONTHS:
        d, month, y = int(parts[0]), parts[1], int(parts[2])
        m = SH_MONTHS.get(month) or G_MONTHS[month]
        return _to_date(y, m, d), True
    if len(parts) == 2 and parts[0] in SH_MONTHS | G_MONTHS:
        m = SH_MONTHS.get(parts[0]) or G_MONTHS[parts[0]]
        return _to_date(int(parts[1]), m, 1), False
    numbers = [int(p) for p in parts]
    if len(numbers) == 2:  # month precision: y/m or m/y
        y, m = (numbers[0], numbers[1]) if numbers[0] > 31 else (numbers[1], numbers[0])
        return _to_date(y, m, 1), False
    if numbers[0] > 31:
        y, m, d = numbers
    else:
        d, m, y = numbers
    return _to_date(y, m, d), True


def _to_date(y: int, m: int, d: int) -> dt.date:
    if y > 1900:
        return dt.date(y, m, min(d, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31))
    return jdatetime.date(y, m, min(d, 31 if m <= 6 else 30 if m < 12 else 29)).togregorian()
