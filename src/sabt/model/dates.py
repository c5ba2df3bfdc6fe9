"""Fuzzy dates: an EDTF string, Gregorian earliest/latest bounds, and the text as written.

Sources give dates as a day, a month, a year, a span, "about", or not at all, and often in the
Solar Hijri calendar. A `FuzzyDate` keeps all of that: the EDTF (Library of Congress Extended
Date/Time Format, the subset below) for exchange, Gregorian bounds for queries, and the original
text and calendar so that nothing a source wrote is lost. Parsing free text (Persian digits,
month names, Solar Hijri) lives in `sabt.text.dates`; this module only holds and reads EDTF.

Supported EDTF: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, each optionally followed by ``?``
(uncertain), ``~`` (approximate) or ``%`` (both); intervals ``A/B`` whose ends are such dates or
``..`` (open); and ``XXXX`` for an unknown date.

Bounds rule (documented in docs/model.md): a date covers every day of its unit (``1988-08`` is
1988-08-01..1988-08-31); an approximate date widens by one unit on each side (``1988~`` is
1987-01-01..1989-12-31, ``1988-08~`` is 1988-07-01..1988-09-30, ``1988-08-15~`` ±7 days);
an interval runs from its start's earliest to its end's latest; an open end has no bound.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sabt.errors import InvalidValue

UNKNOWN_EDTF = "XXXX"

_SINGLE = re.compile(r"^(?P<y>-?\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?P<q>[?~%])?$")


class Calendar(StrEnum):
    """The calendar a date was written in."""

    GREGORIAN = "gregorian"
    SOLAR_HIJRI = "solar_hijri"
    LUNAR_HIJRI = "lunar_hijri"
    UNKNOWN = "unknown"


class Precision(StrEnum):
    """How finely a date is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FuzzyDate:
    """A date as precise as its source: EDTF + Gregorian bounds + original text and calendar."""

    edtf: str = UNKNOWN_EDTF
    original: str = ""
    calendar: Calendar = Calendar.GREGORIAN
    earliest: date | None = field(default=None, compare=False)
    latest: date | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        earliest, latest = edtf_bounds(self.edtf)
        object.__setattr__(self, "earliest", earliest)
        object.__setattr__(self, "latest", latest)
        object.__setattr__(self, "calendar", Calendar(self.calendar))

    @classmethod
    def unknown(cls, original: str = "", calendar: Calendar = Calendar.UNKNOWN) -> FuzzyDate:
        """A date nobody knows, keeping whatever text the source had."""
        return cls(UNKNOWN_EDTF, original, calendar)

    @classmethod
    def from_date(cls, day: date, original: str = "", calendar: Calendar = Calendar.GREGORIAN,
                  ) -> FuzzyDate:
        """An exact day."""
        return cls(day.isoformat(), original or day.isoformat(), calendar)

    @property
    def is_unknown(self) -> bool:
        return self.edtf == UNKNOWN_EDTF

    @property
    def precision(self) -> Precision:
        if self.is_unknown:
            return Precision.UNKNOWN
        if "/" in self.edtf:
            return Precision.RANGE
        body = self.edtf.rstrip("?~%")
        return {1: Precision.YEAR, 2: Precision.MONTH, 3: Precision.DAY}[len(body.split("-"))]

    @property
    def approximate(self) -> bool:
        return "~" in self.edtf or "%" in self.edtf

    @property
    def uncertain(self) -> bool:
        return "?" in self.edtf or "%" in self.edtf

    def overlaps(self, other: FuzzyDate) -> bool:
        """Whether the two dates could be the same day (unknown bounds overlap everything)."""
        lo = max((d for d in (self.earliest, other.earliest) if d), default=None)
        hi = min((d for d in (self.latest, other.latest) if d), default=None)
        return lo is None or hi is None or lo <= hi

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready form; `from_dict` reads it back exactly."""
        return {
            "edtf": self.edtf,
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "latest": self.latest.isoformat() if self.latest else None,
            "original": self.original,
            "calendar": self.calendar.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> FuzzyDate:
        return cls(
            str(data.get("edtf") or UNKNOWN_EDTF),
            str(data.get("original") or ""),
            Calendar(data.get("calendar") or Calendar.GREGORIAN),
        )

    def __str__(self) -> str:
        return self.original or self.edtf


def _single_bounds(text: str) -> tuple[date, date]:
    match = _SINGLE.match(text)
    if not match:
        raise InvalidValue(f"not an EDTF date: {text!r}", field="date")
    year, month, day = match["y"], match["m"], match["d"]
    approximate = match["q"] in ("~", "%")
    y = int(year)
    if y < 1 or y > 9999:
        raise InvalidValue(f"year out of range in {text!r}", field="date")
    try:
        if month is None:
            lo, hi = date(y, 1, 1), date(y, 12, 31)
            if approximate:
                lo, hi = date(max(1, y - 1), 1, 1), date(min(9999, y + 1), 12, 31)
        elif day is None:
            m = int(month)
            lo = date(y, m, 1)
            hi = date(y, m, _calendar.monthrange(y, m)[1])
            if approximate:
                lo = (lo - timedelta(days=1)).replace(day=1)
                nxt = hi + timedelta(days=1)
                hi = nxt.replace(day=_calendar.monthrange(nxt.year, nxt.month)[1])
        else:
            lo = hi = date(y, int(month), int(day))
            if approximate:
                lo, hi = lo - timedelta(days=7), hi + timedelta(days=7)
    except ValueError as exc:
        raise InvalidValue(f"impossible date {text!r}: {exc}", field="date") from exc
    return lo, hi


def edtf_bounds(edtf: str) -> tuple[date | None, date | None]:
    """Earliest and latest Gregorian day an EDTF string can mean (None = unbounded/unknown)."""
    if edtf == UNKNOWN_EDTF:
        return None, None
    if "/" in edtf:
        start, _, end = edtf.partition("/")
        lo = None if start in ("", "..") else _single_bounds(start)[0]
        hi = None if end in ("", "..") else _single_bounds(end)[1]
        if lo and hi and lo > hi:
            raise InvalidValue(f"interval ends before it starts: {edtf!r}", field="date")
        return lo, hi
    return _single_bounds(edtf)
