"""Vectorised Solar Hijri ↔ Gregorian arithmetic and date rendering for synthetic lists.

Dates are day ordinals (`datetime.date.toordinal`). A table built once with jdatetime covers
1920–2000; Solar Hijri (y, m, d) of any ordinal is a lookup, and the inverse is a binary search
(the key y*10000 + m*100 + d grows with the ordinal). Rendering formats many rows by rendering
each distinct (date, format) once.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import jdatetime
import numpy as np

from sabt.simulate.catalog import GREG_MONTHS_EN, SH_MONTHS_EN, SH_MONTHS_FA

FIRST = dt.date(1920, 1, 1).toordinal()
LAST = dt.date(2000, 12, 31).toordinal()
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def sh(y: int, m: int, d: int) -> int:
    """Ordinal of a Solar Hijri date."""
    return int(jdatetime.date(y, m, d).togregorian().toordinal())


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(SH key y*10000+m*100+d for each ordinal FIRST..LAST, Gregorian key likewise)."""
    sh_key = np.empty(LAST - FIRST + 1, dtype=np.int64)
    j = jdatetime.date.fromgregorian(date=dt.date.fromordinal(FIRST))
    y, m, d = j.year, j.month, j.day
    for i in range(len(sh_key)):  # walk the calendar day by day: fast and exact
        sh_key[i] = y * 10000 + m * 100 + d
        length = (
            31 if m <= 6 else 30 if m <= 11 else (30 if jdatetime.date(y, 1, 1).isleap() else 29)
        )
        d += 1
        if d > length:
            d, m = 1, m + 1
            if m > 12:
                m, y = 1, y + 1
    days = np.arange(FIRST, LAST + 1) - dt.date(1970, 1, 1).toordinal()
    g = days.astype("datetime64[D]")
    years = g.astype("datetime64[Y]").astype(np.int64) + 1970
    months = g.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (g - g.astype("datetime64[M]")).astype(np.int64) + 1
    return sh_key, years * 10000 + months * 100 + dom


def _clip(ordinal: np.ndarray) -> np.ndarray:
    clipped: np.ndarray = np.clip(ordinal, FIRST, LAST) - FIRST
    return clipped


def to_sh(ordinal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solar Hijri (year, month, day) arrays of ordinals."""
    key = _tables()[0][_clip(ordinal)]
    return key // 10000, key // 100 % 100, key % 100


def to_gregorian(ordinal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gregorian (year, month, day) arrays of ordinals."""
    key = _tables()[1][_clip(ordinal)]
    return key // 10000, key // 100 % 100, key % 100


def from_sh(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Ordinals of Solar Hijri dates; an impossible day (31 Mehr) becomes the month's last day."""
    key = np.asarray(year) * 10000 + np.asarray(month) * 100 + np.asarray(day)
    pos = np.searchsorted(_tables()[0], key, side="right") - 1
    result: np.ndarray = np.clip(pos, 0, LAST - FIRST) + FIRST
    return result


# Formats: sh_* are Solar Hijri, the others Gregorian. `month` precision drops the day.
FORMATS = (
    "sh_slash",
    "sh_slash_nopad",
    "sh_month",
    "sh_iso",
    "iso",
    "dmy",
    "dmy_dot",
    "greg_month",
)


def render_one(
    y: int, m: int, d: int, fmt: str, fa_names: bool, fa_digits: bool, month_only: bool
) -> str:
    """One date string in a format, with Persian month names and/or Persian digits."""
    months = (
        (SH_MONTHS_FA if fa_names else SH_MONTHS_EN) if fmt.startswith("sh_") else GREG_MONTHS_EN
    )
    if fmt in ("sh_slash", "sh_slash_nopad"):
        pad = fmt == "sh_slash"
        md = f"{m:02d}" if pad else str(m)
        text = f"{y}/{md}" if month_only else f"{y}/{md}/{d:02d}" if pad else f"{y}/{md}/{d}"
    elif fmt in ("sh_month", "greg_month"):
        text = f"{months[m - 1]} {y}" if month_only else f"{d} {months[m - 1]} {y}"
    elif fmt in ("sh_iso", "iso"):
        text = f"{y}-{m:02d}" if month_only else f"{y}-{m:02d}-{d:02d}"
    elif fmt == "dmy":
        text = f"{m:02d}/{y}" if month_only else f"{d:02d}/{m:02d}/{y}"
    else:  # dmy_dot
        text = f"{m:02d}.{y}" if month_only else f"{d:02d}.{m:02d}.{y}"
    return text.translate(_FA_DIGITS) if fa_digits else text


def render(
    ordinal: np.ndarray,
    fmt: np.ndarray,
    fa_names: np.ndarray,
    fa_digits: np.ndarray,
    month_only: np.ndarray,
    swapped: np.ndarray,
    missing: np.ndarray,
) -> np.ndarray:
    """Date strings for many rows (object array; "" where missing).

    `fmt` indexes FORMATS; `fa_names`/`fa_digits` ask for Persian month names/digits.
    `swapped` is the calendar confusion: the year of the format's calendar with the day and
    month of the other (1367/08/15 for 24 Mordad 1367 = 15 August 1988; 1988-05-24 in a
    Gregorian format).
    """
    key = (
        (_clip(ordinal).astype(np.int64) * len(FORMATS) + fmt) * 16
        + fa_names.astype(np.int64) * 8
        + fa_digits.astype(np.int64) * 4
        + month_only.astype(np.int64) * 2
        + swapped.astype(np.int64)
    )
    uniq, inverse = np.unique(key, return_inverse=True)
    days = uniq // 16 // len(FORMATS) + FIRST
    sh_ymd = np.stack(to_sh(days), axis=1).tolist()
    g_ymd = np.stack(to_gregorian(days), axis=1).tolist()
    texts = []
    for i, k in enumerate(uniq.tolist()):
        fmt_name = FORMATS[k // 16 % len(FORMATS)]
        own, other = (sh_ymd[i], g_ymd[i]) if fmt_name.startswith("sh_") else (g_ymd[i], sh_ymd[i])
        y, m, d = (own[0], other[1], other[2]) if k & 1 else own
        texts.append(render_one(y, m, d, fmt_name, bool(k & 8), bool(k & 4), bool(k & 2)))
    out = np.asarray(texts, dtype=object)[inverse]
    out[missing] = ""
    return out


def persian_digits(values: np.ndarray) -> np.ndarray:
    """Numbers as strings in Persian digits (object array; each distinct value converted once)."""
    uniq, inverse = np.unique(values.astype(str), return_inverse=True)
    converted = np.asarray([v.translate(_FA_DIGITS) for v in uniq.tolist()], dtype=object)
    result: np.ndarray = converted[inverse]
    return result
