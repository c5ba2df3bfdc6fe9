"""Solar Hijri ↔ Gregorian (exhaustive 1200–1500 SH), parsing, formatting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sabt.errors import InvalidValue
from sabt.model.dates import Calendar, FuzzyDate
from sabt.text import format_date, gregorian_to_jalali, jalali_to_gregorian, parse_date


def _month_length(y: int, m: int, leap: bool) -> int:
    return 31 if m <= 6 else 30 if m <= 11 else (30 if leap else 29)


@pytest.mark.slow
def test_every_day_1200_to_1500_round_trips_and_is_continuous() -> None:
    expected = jalali_to_gregorian(1200, 1, 1)
    days = 0
    for y in range(1200, 1501):
        leap = True
        try:
            jalali_to_gregorian(y, 12, 30)
        except InvalidValue:
            leap = False
        start = jalali_to_gregorian(y, 1, 1)
        assert start.month == 3 and 19 <= start.day <= 22, (y, start)
        for m in range(1, 13):
            for d in range(1, _month_length(y, m, leap) + 1):
                g = jalali_to_gregorian(y, m, d)
                assert g == expected, (y, m, d)
                assert gregorian_to_jalali(g) == (y, m, d)
                expected += timedelta(days=1)
                days += 1
    # 301 Solar Hijri years of 365.2422 days (also the count jdatetime and persiantools agree on).
    assert days == 109_938


@pytest.mark.parametrize(
    ("jalali", "gregorian"),
    [((1367, 5, 1), date(1988, 7, 23)), ((1367, 1, 1), date(1988, 3, 21)),
     ((1357, 11, 22), date(1979, 2, 11)), ((1399, 12, 30), date(2021, 3, 20)),
     ((1403, 12, 30), date(2025, 3, 20)), ((1404, 1, 1), date(2025, 3, 21)),
     ((1300, 1, 1), date(1921, 3, 21)), ((1367, 6, 31), date(1988, 9, 22))],
)
def test_reference_days(jalali: tuple[int, int, int], gregorian: date) -> None:
    assert jalali_to_gregorian(*jalali) == gregorian
    assert gregorian_to_jalali(gregorian) == jalali


@pytest.mark.parametrize("bad", [(1367, 12, 30), (1367, 13, 1), (1367, 7, 31), (1367, 0, 1)])
def test_impossible_jalali_day(bad: tuple[int, int, int]) -> None:
    with pytest.raises(InvalidValue):
        jalali_to_gregorian(*bad)


# 24 Mordad 1367 = 1 Mordad (1988-07-23) + 23 days; Mordad has 31 days; 1367 is not leap.
@pytest.mark.parametrize(
    ("text", "edtf", "calendar"),
    [
        ("۲۴ مرداد ۱۳۶۷", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("24 Mordad 1367", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("24 Amordad 1367", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("۲۴ امرداد ۱۳۶۷", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("1367/05/24", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("١٣٦٧/٠٥/٢٤", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("24/5/1367", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("1367-05-24", "1988-08-15", Calendar.SOLAR_HIJRI),
        ("مرداد ۱۳۶۷", "1988-07-23/1988-08-22", Calendar.SOLAR_HIJRI),
        ("Mordad 1367", "1988-07-23/1988-08-22", Calendar.SOLAR_HIJRI),
        ("1367", "1988-03-21/1989-03-20", Calendar.SOLAR_HIJRI),
        ("۱۳۶۷ ه.ش", "1988-03-21/1989-03-20", Calendar.SOLAR_HIJRI),
        ("Mordad–Shahrivar 1367", "1988-07-23/1988-09-22", Calendar.SOLAR_HIJRI),
        ("مرداد تا شهریور ۱۳۶۷", "1988-07-23/1988-09-22", Calendar.SOLAR_HIJRI),
        ("15 August 1988", "1988-08-15", Calendar.GREGORIAN),
        ("August 15, 1988", "1988-08-15", Calendar.GREGORIAN),
        ("1988-08-15", "1988-08-15", Calendar.GREGORIAN),
        ("Aug 1988", "1988-08", Calendar.GREGORIAN),
        ("1988", "1988", Calendar.GREGORIAN),
        ("c. 1988", "1988~", Calendar.GREGORIAN),
        ("1988?", "1988?", Calendar.GREGORIAN),
        ("July–September 1988", "1988-07/1988-09", Calendar.GREGORIAN),
        ("۱۵ اوت ۱۹۸۸", "1988-08-15", Calendar.GREGORIAN),
    ],
)
def test_parse_date(text: str, edtf: str, calendar: Calendar) -> None:
    fd = parse_date(text)
    assert fd.edtf == edtf
    assert fd.calendar == calendar
    assert fd.original == text


@pytest.mark.parametrize("text", ["", "unknown", "نامعلوم", "31 Esfand 1367", "1988-13-45",
                                  "Mordad", "99999", "32 Mordad 1367", "tomorrow-ish"])
def test_unparseable_dates_are_unknown_with_text_kept(text: str) -> None:
    fd = parse_date(text)
    assert fd.is_unknown
    assert fd.original == text


def test_month_range_bounds() -> None:
    fd = parse_date("Mordad–Shahrivar 1367")
    assert (fd.earliest, fd.latest) == (date(1988, 7, 23), date(1988, 9, 22))


@pytest.mark.parametrize(
    ("text", "calendar", "script", "expected"),
    [
        ("24 Mordad 1367", "solar_hijri", "latin", "24 Mordad 1367"),
        ("24 Mordad 1367", "solar_hijri", "persian", "۲۴ مرداد ۱۳۶۷"),
        ("24 Mordad 1367", "gregorian", "latin", "15 August 1988"),
        ("مرداد ۱۳۶۷", "solar_hijri", "latin", "Mordad 1367"),
        ("1367", "solar_hijri", "persian", "۱۳۶۷"),
        ("Mordad–Shahrivar 1367", "solar_hijri", "latin", "Mordad – Shahrivar 1367"),
        ("August 1988", "gregorian", "latin", "August 1988"),
        ("August 1988", "solar_hijri", "latin", "10 Mordad – 9 Shahrivar 1367"),
        ("c. 1988", "gregorian", "latin", "c. 1988"),
        ("garbage", "gregorian", "latin", "unknown"),
        ("garbage", "solar_hijri", "persian", "نامعلوم"),
    ],
)
def test_format_date(text: str, calendar: str, script: str, expected: str) -> None:
    assert format_date(parse_date(text), calendar, script) == expected  # type: ignore[arg-type]


def test_format_open_interval() -> None:
    assert format_date(FuzzyDate("1988-08-15/..")) == "from 15 August 1988"
