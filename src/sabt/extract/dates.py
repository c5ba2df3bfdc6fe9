"""Dates in running text: find the spans here, convert them through `sabt.text.dates`.

English: "31 July 1988", "July 31, 1988", "December 1988", "July-September 1988",
"between July and early September 1988", "1981-1982", "the 1980s", "the 20th century", "1988".
Persian: "۹ مرداد ۱۳۶۷", "مرداد ۱۳۶۷", "مرداد و شهریور ۱۳۶۷", "سال ۱۳۶۷", "ژوئیه ۱۹۸۸",
bare years 13xx/14xx (Solar Hijri) and 19xx/20xx (Gregorian). Relative expressions ("last
week", "late last year") are not dates here: they need the document's own date.

Each part of a date is handed to `sabt.text.dates.parse_date` (which knows both calendars and
Persian digits); ranges become EDTF intervals ``start/end``. Decades and centuries, which the
parser does not take, become the interval of their years.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sabt.errors import SabtError

_EN_MONTHS = (r"January|February|March|April|May|June|July|August|September|October|November"
              r"|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?"
              r"|Nov\.?|Dec\.?")
_FA_MONTHS = (r"فروردین|اردیبهشت|خرداد|تیر|امرداد|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند"
              r"|ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوئیه|جولای|ژوییه|اوت|آگوست|سپتامبر|اکتبر"
              r"|نوامبر|دسامبر")
_D = r"[0-9\u06F0-\u06F9]"
_YEAR_EN = r"(?:1[89]\d\d|20\d\d)"
_YEAR_FA = rf"(?:{_D}{{4}})"
_DAY = rf"{_D}{{1,2}}"
_HEDGE = r"(?:(?:early|late|mid|end\s+of|beginning\s+of)[\s-]+)?"
_FA_W = r"[\u0600-\u06FF\u200c]"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("month_range", re.compile(
        rf"\b(?:between\s+)?{_HEDGE}(?P<m1>{_EN_MONTHS})\s*(?:-|–|—|to|and|through|until)\s*"
        rf"{_HEDGE}(?P<m2>{_EN_MONTHS}),?\s+(?P<y>{_YEAR_EN})\b")),
    ("day_range", re.compile(
        rf"\b(?P<d1>{_DAY})\s+(?P<m1>{_EN_MONTHS})?\s*(?:-|–|—|to)\s*(?P<d2>{_DAY})\s+"
        rf"(?P<m2>{_EN_MONTHS}),?\s+(?P<y>{_YEAR_EN})\b")),
    ("day", re.compile(rf"\b(?P<d>{_DAY})\s+(?P<m>{_EN_MONTHS}),?\s+(?P<y>{_YEAR_EN})\b")),
    ("day", re.compile(rf"\b(?P<m>{_EN_MONTHS})\s+(?P<d>{_DAY}),\s+(?P<y>{_YEAR_EN})\b")),
    ("month", re.compile(rf"\b(?P<m>{_EN_MONTHS}),?\s+(?P<y>{_YEAR_EN})\b")),
    ("year_range", re.compile(rf"\b[Bb]etween\s+(?P<y1>{_YEAR_EN})\s+and\s+(?P<y2>{_YEAR_EN})\b")),
    ("year_range", re.compile(
        rf"\b(?P<y1>{_YEAR_EN})\s*(?:-|–|—|to)\s*(?P<y2>{_YEAR_EN}|\d\d)(?![\d,])")),
    ("decade", re.compile(r"\b(?P<y>1[89]\d0|20\d0)s\b")),
    ("century", re.compile(r"\b(?P<c>1\d|20|21)(?:st|nd|rd|th)[\s-]+century\b", re.IGNORECASE)),
    ("fa_month_range", re.compile(
        rf"(?<!{_FA_W})(?P<m1>{_FA_MONTHS})(?:\s+ماه)?\s+(?:و|تا|-|–)\s+(?P<m2>{_FA_MONTHS})"
        rf"(?:\s+ماه)?(?:\s+سال)?\s+(?P<y>{_YEAR_FA})(?!{_D})")),
    ("fa_day", re.compile(
        rf"(?<!{_D})(?P<d>{_DAY})\s+(?P<m>{_FA_MONTHS})(?:\s+ماه)?(?:\s+سال)?\s+"
        rf"(?P<y>{_YEAR_FA})(?!{_D})")),
    ("fa_month", re.compile(
        rf"(?<!{_FA_W})(?P<m>{_FA_MONTHS})(?:\s+ماه)?(?:\s+سال)?\s+(?P<y>{_YEAR_FA})(?!{_D})")),
    ("year", re.compile(rf"(?<![\d\u06F0-\u06F9])(?<![A-Za-z]-)(?<![\d\u06F0-\u06F9][,.٬])"
                        rf"(?P<y>{_YEAR_EN}|(?:13|14|۱۳|۱۴){_D}{{2}}|۱۹{_D}{{2}}|۲۰{_D}{{2}})"
                        rf"(?![\d\u06F0-\u06F9]|[,.٬][\d\u06F0-\u06F9]|s\b)")),
]


@dataclass(frozen=True)
class DateMention:
    """A date found in a text: the span as written and its EDTF (None if it could not be read)."""

    text: str
    start: int
    end: int
    edtf: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse(text: str) -> str | None:
    """EDTF of one date expression through sabt.text.dates, or None if it cannot be read."""
    from sabt.text.dates import parse_date

    try:
        parsed = parse_date(text)
    except SabtError:
        return None
    return None if parsed.is_unknown else parsed.edtf


def _interval(start: str | None, end: str | None) -> str | None:
    if not start or not end:
        return None
    start = start.split("/")[0]
    end = end.split("/")[-1]
    return start if start == end else f"{start}/{end}"


def _edtf(kind: str, m: re.Match[str]) -> str | None:
    g = m.groupdict()
    if kind in ("month_range", "fa_month_range"):
        return _interval(_parse(f"{g['m1']} {g['y']}"), _parse(f"{g['m2']} {g['y']}"))
    if kind == "day_range":
        first_month = g["m1"] or g["m2"]
        return _interval(_parse(f"{g['d1']} {first_month} {g['y']}"),
                         _parse(f"{g['d2']} {g['m2']} {g['y']}"))
    if kind == "year_range":
        y1, y2 = g["y1"], g["y2"]
        if len(y2) == 2:
            y2 = y1[:2] + y2
        return f"{y1}/{y2}" if int(y2) >= int(y1) else None
    if kind == "decade":
        return f"{g['y']}/{int(g['y']) + 9}"
    if kind == "century":
        c = int(g["c"])
        return f"{(c - 1) * 100 + 1:04d}/{c * 100:04d}"
    return _parse(m.group(0))


def extract_dates(text: str) -> list[DateMention]:
    """Every date expression in ``text``, longest first where they overlap, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            if kind == "year" and re.match(r"\s+(?:people|persons|prisoners|نفر|تن)\b",
                                           text[end:end + 12]):
                continue
            taken.append((start, end))
            found.append(DateMention(match.group(0), start, end, _edtf(kind, match)))
    found.sort(key=lambda d: d.start)
    return found
