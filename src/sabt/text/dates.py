"""Dates as sources write them: Solar Hijri or Gregorian, Persian or Latin, often partial.

`parse_date` reads ``۲۴ مرداد ۱۳۶۷``, ``24 Mordad 1367``, ``1367/05/24``, ``مرداد ۱۳۶۷``,
``1367``, ``Mordad–Shahrivar 1367``, ``15 August 1988``, ``1988-08``, ``c. 1988`` ... (Persian,
Arabic-Indic or ASCII digits; Persian and Latin month names with their variants, Amordad/امرداد
included) and returns a `FuzzyDate`: EDTF in Gregorian terms, Gregorian bounds, the original
text and the calendar it was written in. A Solar Hijri month or year does not fall on Gregorian
month boundaries, so it becomes an exact day interval (Mordad 1367 = ``1988-07-23/1988-08-22``).
Anything unreadable is `FuzzyDate.unknown` with the text kept. `format_date` writes a FuzzyDate
in either calendar and script from its bounds. Conversion is jdatetime's (exact, tested on every
day of 1200–1500 SH).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

import jdatetime

from sabt.errors import InvalidValue
from sabt.model.dates import Calendar, FuzzyDate, edtf_bounds
from sabt.text.keys import fold_latin
from sabt.text.normalize import normalize_persian

JALALI_MONTHS_LATIN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr",
                       "Aban", "Azar", "Dey", "Bahman", "Esfand")
JALALI_MONTHS_PERSIAN = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان",
                         "آذر", "دی", "بهمن", "اسفند")
GREGORIAN_MONTHS_LATIN = ("January", "February", "March", "April", "May", "June", "July",
                          "August", "September", "October", "November", "December")
GREGORIAN_MONTHS_PERSIAN = ("ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت",
                            "سپتامبر", "اکتبر", "نوامبر", "دسامبر")

_J_VARIANTS: dict[str, tuple[str, ...]] = {
    "1": ("farvardin", "farwardin", "farvardeen", "فروردین"),
    "2": ("ordibehesht", "ordibehest", "ordibeheshet", "urdibihisht", "اردیبهشت"),
    "3": ("khordad", "khurdad", "xordad", "khordaad", "خرداد"),
    "4": ("tir", "teer", "تیر"),
    "5": ("mordad", "amordad", "murdad", "mordaad", "amurdad", "مرداد", "امرداد"),
    "6": ("shahrivar", "shahrivar", "shahriwar", "shahrewar", "sharivar", "shahrivaar", "شهریور"),
    "7": ("mehr", "mihr", "mehrmah", "مهر"),
    "8": ("aban", "abaan", "aaban", "ابان"),
    "9": ("azar", "adhar", "aazar", "اذر"),
    "10": ("dey", "dei", "day", "دی"),
    "11": ("bahman", "بهمن"),
    "12": ("esfand", "esfand", "isfand", "esfend", "espand", "اسفند"),
}
_G_VARIANTS: dict[str, tuple[str, ...]] = {
    "1": ("january", "jan", "ژانویه", "ژانویهٔ", "ژانویه"),
    "2": ("february", "feb", "فوریه"),
    "3": ("march", "mar", "مارس"),
    "4": ("april", "apr", "اوریل", "آوریل"),
    "5": ("may", "مه", "می"),
    "6": ("june", "jun", "ژوئن"),
    "7": ("july", "jul", "ژوئیه", "جولای", "ژوییه"),
    "8": ("august", "aug", "اوت", "اگوست", "آگوست"),
    "9": ("september", "sep", "sept", "سپتامبر"),
    "10": ("october", "oct", "اکتبر"),
    "11": ("november", "nov", "نوامبر"),
    "12": ("december", "dec", "دسامبر"),
}


def _word_key(w: str) -> str:
    """Month words are matched on this key: Persian letters as normalised (آ→ا), Latin folded."""
    w = normalize_persian(w).replace("آ", "ا").replace("\u200c", "")
    return fold_latin(w).replace(" ", "") if w.isascii() else w


_JALALI_WORDS = {_word_key(v): int(m) for m, vs in _J_VARIANTS.items() for v in vs}
_GREG_WORDS = {_word_key(v): int(m) for m, vs in _G_VARIANTS.items() for v in vs}

_SH_MARKERS = re.compile(
    r"\b(?:sh|ap|hs|solar|jalali|shamsi)\b|هجری\s*شمسی|ه\s*\.?\s*ش|شمسی|خورشیدی", re.IGNORECASE)
_G_MARKERS = re.compile(r"\b(?:ad|ce|gregorian)\b|میلادی|\bم\b", re.IGNORECASE)
_APPROX = re.compile(r"\b(?:circa|ca|c|about|around|approx(?:imately)?|approximately|roughly)\b\.?"
                     r"|حدود(?:ا|اً)?|تقریبا|تقریباً|~", re.IGNORECASE)
_UNCERTAIN = re.compile(r"\?|؟|\b(?:probably|possibly)\b|احتمالا|احتمالاً", re.IGNORECASE)
_RANGE_SEP = re.compile(
    r"\s*[–—‒]\s*|\s+(?:to|until|till|and|-|تا|الی|و)\s+|(?<=[^\d\s])-(?=[^\d\s])",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"^\s*(?:between|from|از|بین)\s+", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,4})$")
_YM = re.compile(r"^(\d{4})\s*[/\-.]\s*(\d{1,2})$")
_TOKEN = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)

Precise = tuple[int, int | None, int | None]  # year, month, day as written (calendar-specific)


def jalali_to_gregorian(y: int, m: int, d: int) -> date:
    """The Gregorian day of a Solar Hijri day (InvalidValue if it does not exist)."""
    try:
        g: date = jdatetime.date(y, m, d).togregorian()
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidValue(f"no Solar Hijri day {y}/{m}/{d}: {exc}", field="date") from exc
    return g


def gregorian_to_jalali(d: date) -> tuple[int, int, int]:
    """The Solar Hijri (year, month, day) of a Gregorian day."""
    j = jdatetime.date.fromgregorian(date=d)
    return j.year, j.month, j.day


def _jalali_month_length(y: int, m: int) -> int:
    if m <= 6:
        return 31
    if m <= 11:
        return 30
    return 30 if jdatetime.date(y, 1, 1).isleap() else 29


def _bounds(cal: Calendar, p: Precise) -> tuple[date, date]:
    """Gregorian first and last day of a (year, month?, day?) in its calendar."""
    y, m, d = p
    if cal == Calendar.SOLAR_HIJRI:
        if m is None:
            return jalali_to_gregorian(y, 1, 1), jalali_to_gregorian(y + 1, 1, 1) - timedelta(1)
        if d is None:
            last = _jalali_month_length(y, m)
            return jalali_to_gregorian(y, m, 1), jalali_to_gregorian(y, m, last)
        day = jalali_to_gregorian(y, m, d)
        return day, day
    if m is None:
        return date(y, 1, 1), date(y, 12, 31)
    if d is None:
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return date(y, m, 1), nxt - timedelta(1)
    day = date(y, m, d)
    return day, day


def _edtf_of(cal: Calendar, p: Precise) -> str:
    """EDTF of one written date: Gregorian as written, Solar Hijri as exact day bounds."""
    y, m, d = p
    if cal == Calendar.GREGORIAN:
        return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")
    lo, hi = _bounds(cal, p)
    return lo.isoformat() if lo == hi else f"{lo.isoformat()}/{hi.isoformat()}"


def _guess_calendar(year: int, hint: Calendar | None) -> Calendar | None:
    if hint is not None:
        return hint
    if 1200 <= year <= 1500:
        return Calendar.SOLAR_HIJRI
    if 1500 < year <= 2200 or 1000 <= year < 1200:
        return Calendar.GREGORIAN
    return None


def _parse_single(text: str, hint: Calendar | None, default_year: int | None = None,
                  ) -> tuple[Calendar, Precise] | None:
    """One date (no range) → calendar and (year, month, day), or None."""
    s = text.strip(" ,.;:()[]")
    if not s:
        return None
    num = _NUMERIC.match(s)
    if num:
        a, b, c = (int(x) for x in num.groups())
        if len(num.group(1)) == 4:
            y, m, d = a, b, c
        elif len(num.group(3)) == 4:
            y, m, d = c, b, a
        else:
            return None
        cal = _guess_calendar(y, hint)
        return (cal, (y, m, d)) if cal else None
    ym = _YM.match(s)
    if ym:
        y, m = int(ym.group(1)), int(ym.group(2))
        cal = _guess_calendar(y, hint)
        return (cal, (y, m, None)) if cal else None
    words = _TOKEN.findall(s)
    numbers = [int(w) for w in words if w.isdigit()]
    month_words = [w for w in words if not w.isdigit()]
    jm = [_JALALI_WORDS[k] for k in map(_word_key, month_words) if k in _JALALI_WORDS]
    gm = [_GREG_WORDS[k] for k in map(_word_key, month_words) if k in _GREG_WORDS]
    unknown_words = [w for w in month_words
                     if _word_key(w) not in _JALALI_WORDS and _word_key(w) not in _GREG_WORDS]
    if unknown_words or len(numbers) > 2 or len(jm) + len(gm) > 1:
        return None
    years = [n for n in numbers if n >= 100]
    days = [n for n in numbers if n < 100]
    if len(years) > 1 or len(days) > 1:
        return None
    year = years[0] if years else default_year
    if year is None:
        return None
    day = days[0] if days else None
    if jm:
        return Calendar.SOLAR_HIJRI, (year, jm[0], day)
    if gm:
        return Calendar.GREGORIAN, (year, gm[0], day)
    if day is not None:
        return None
    cal = _guess_calendar(year, hint)
    return (cal, (year, None, None)) if cal else None


def _valid(cal: Calendar, p: Precise) -> bool:
    try:
        _bounds(cal, p)
    except (InvalidValue, ValueError, OverflowError):
        return False
    return 1 <= p[0] <= 9000


def parse_date(text: str) -> FuzzyDate:
    """Read a date written in a list or article; unknown (with the text kept) when unreadable."""
    original = text if isinstance(text, str) else ""
    try:
        return _parse(original)
    except (InvalidValue, ValueError, OverflowError, IndexError):
        return FuzzyDate.unknown(original)


def _parse(original: str) -> FuzzyDate:
    s = normalize_persian(original)[:200]
    if not s:
        return FuzzyDate.unknown(original)
    hint: Calendar | None = None
    if _SH_MARKERS.search(s):
        hint = Calendar.SOLAR_HIJRI
    elif _G_MARKERS.search(s):
        hint = Calendar.GREGORIAN
    s = _G_MARKERS.sub(" ", _SH_MARKERS.sub(" ", s))
    approx = bool(_APPROX.search(s))
    uncertain = bool(_UNCERTAIN.search(s))
    s = _UNCERTAIN.sub(" ", _APPROX.sub(" ", s))
    s = _BETWEEN.sub("", s).strip()
    parts = [p for p in _RANGE_SEP.split(s) if p and p.strip()]
    qual = "%" if approx and uncertain else "~" if approx else "?" if uncertain else ""
    if len(parts) == 1:
        one = _parse_single(parts[0], hint)
        if one is None or not _valid(*one):
            return FuzzyDate.unknown(original)
        cal, p = one
        edtf = _edtf_of(cal, p)
        return FuzzyDate(_qualify(edtf, qual), original, cal)
    if len(parts) != 2:
        return FuzzyDate.unknown(original)
    end = _parse_single(parts[1], hint)
    if end is None:
        return FuzzyDate.unknown(original)
    # "Mordad–Shahrivar 1367", "24 Mordad – 5 Shahrivar 1367": the start borrows the end's year.
    start = _parse_single(parts[0], hint or end[0], default_year=end[1][0])
    if start is None or not _valid(*start) or not _valid(*end):
        return FuzzyDate.unknown(original)
    lo = _bounds(*start)[0]
    hi = _bounds(*end)[1]
    if lo > hi:
        return FuzzyDate.unknown(original)
    cal = start[0] if start[0] == end[0] else Calendar.UNKNOWN
    a = _edtf_of(*start).split("/")[0]
    b = _edtf_of(*end).split("/")[-1]
    return FuzzyDate(f"{_qualify(a, qual)}/{_qualify(b, qual)}", original,
                     cal if cal != Calendar.UNKNOWN else start[0])


def _qualify(edtf: str, qual: str) -> str:
    if not qual:
        return edtf
    return "/".join(part + qual for part in edtf.split("/"))


# ------------------------------------------------------------------------------------ format

_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _ymd(cal: str, d: date) -> tuple[int, int, int]:
    return gregorian_to_jalali(d) if cal == "solar_hijri" else (d.year, d.month, d.day)


def _month_len(cal: str, y: int, m: int) -> int:
    if cal == "solar_hijri":
        return _jalali_month_length(y, m)
    return ((date(y + (m == 12), m % 12 + 1, 1)) - date(y, m, 1)).days


def _describe(cal: str, script: str, lo: date, hi: date) -> str:
    """The coarsest exact wording of the day span lo..hi in a calendar and script."""
    months = (JALALI_MONTHS_PERSIAN if script == "persian" else JALALI_MONTHS_LATIN) \
        if cal == "solar_hijri" else \
        (GREGORIAN_MONTHS_PERSIAN if script == "persian" else GREGORIAN_MONTHS_LATIN)
    y1, m1, d1 = _ymd(cal, lo)
    y2, m2, d2 = _ymd(cal, hi)
    whole_start = d1 == 1
    whole_end = d2 == _month_len(cal, y2, m2)
    dash = " – "
    if lo == hi:
        return f"{d1} {months[m1 - 1]} {y1}"
    if whole_start and whole_end:
        if (y1, m1) == (y2, m2):
            return f"{months[m1 - 1]} {y1}"
        if y1 == y2 and m1 == 1 and m2 == 12:
            return f"{y1}"
        if m1 == 1 and m2 == 12:
            return f"{y1}{dash}{y2}"
        if y1 == y2:
            return f"{months[m1 - 1]}{dash}{months[m2 - 1]} {y1}"
        return f"{months[m1 - 1]} {y1}{dash}{months[m2 - 1]} {y2}"
    if y1 == y2 and m1 == m2:
        return f"{d1}{dash}{d2} {months[m1 - 1]} {y1}"
    if y1 == y2:
        return f"{d1} {months[m1 - 1]}{dash}{d2} {months[m2 - 1]} {y1}"
    return f"{d1} {months[m1 - 1]} {y1}{dash}{d2} {months[m2 - 1]} {y2}"


def format_date(fd: FuzzyDate, calendar: Literal["gregorian", "solar_hijri"] = "gregorian",
                script: Literal["latin", "persian"] = "latin") -> str:
    """A FuzzyDate for display, e.g. ``24 Mordad 1367``, ``۲۴ مرداد ۱۳۶۷``, ``c. August 1988``."""
    persian = script == "persian"
    if not isinstance(fd, FuzzyDate) or fd.is_unknown:
        return "نامعلوم" if persian else "unknown"
    core = re.sub(r"[?~%]", "", fd.edtf)
    try:
        lo, hi = edtf_bounds(core)
    except InvalidValue:
        return fd.original or fd.edtf
    cal = "solar_hijri" if calendar == "solar_hijri" else "gregorian"
    if lo is None and hi is None:
        return "نامعلوم" if persian else "unknown"
    if lo is None or hi is None:
        known = lo or hi
        assert known is not None
        text = _describe(cal, script, known, known)
        text = (("از " if persian else "from ") if lo else ("تا " if persian else "until ")) + text
    else:
        text = _describe(cal, script, lo, hi)
    if fd.approximate:
        text = ("حدود " if persian else "c. ") + text
    if fd.uncertain:
        text += "؟" if persian else "?"
    return text.translate(_FA_DIGITS) if persian else text

