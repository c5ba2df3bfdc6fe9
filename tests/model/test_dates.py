"""FuzzyDate: EDTF subset, Gregorian bounds, the documented approximation rule."""

from datetime import date

import pytest

from sabt.errors import InvalidValue
from sabt.model.dates import Calendar, FuzzyDate, Precision


@pytest.mark.parametrize(
    ("edtf", "earliest", "latest", "precision"),
    [
        ("1988-08-15", date(1988, 8, 15), date(1988, 8, 15), Precision.DAY),
        ("1988-02", date(1988, 2, 1), date(1988, 2, 29), Precision.MONTH),  # leap year
        ("1988", date(1988, 1, 1), date(1988, 12, 31), Precision.YEAR),
        ("1988~", date(1987, 1, 1), date(1989, 12, 31), Precision.YEAR),
        ("1988-12~", date(1988, 11, 1), date(1989, 1, 31), Precision.MONTH),
        ("1988-08-15?", date(1988, 8, 15), date(1988, 8, 15), Precision.DAY),
        ("1988-08-15%", date(1988, 8, 8), date(1988, 8, 22), Precision.DAY),
        ("1988-07/1988-09", date(1988, 7, 1), date(1988, 9, 30), Precision.RANGE),
        ("../1988-09", None, date(1988, 9, 30), Precision.RANGE),
        ("XXXX", None, None, Precision.UNKNOWN),
    ],
)
def test_bounds(edtf: str, earliest: date | None, latest: date | None,
                precision: Precision) -> None:
    fd = FuzzyDate(edtf)
    assert (fd.earliest, fd.latest, fd.precision) == (earliest, latest, precision)


@pytest.mark.parametrize("bad", ["1988-13", "1988-02-30", "88", "1988/1987", "soon", "1988-9"])
def test_invalid_edtf_is_a_clear_error(bad: str) -> None:
    with pytest.raises(InvalidValue):
        FuzzyDate(bad)


def test_keeps_original_text_and_calendar_through_json() -> None:
    fd = FuzzyDate("1988-08-15", "۲۴ مرداد ۱۳۶۷", Calendar.SOLAR_HIJRI)
    back = FuzzyDate.from_dict(fd.to_dict())
    assert back == fd and back.original == "۲۴ مرداد ۱۳۶۷"
    assert back.calendar is Calendar.SOLAR_HIJRI and str(back) == "۲۴ مرداد ۱۳۶۷"


def test_qualifier_flags_and_overlap() -> None:
    assert FuzzyDate("1988~").approximate and not FuzzyDate("1988~").uncertain
    assert FuzzyDate("1988%").approximate and FuzzyDate("1988%").uncertain
    assert FuzzyDate("1988-08").overlaps(FuzzyDate("1988-08-31"))
    assert not FuzzyDate("1988-08").overlaps(FuzzyDate("1988-09-01"))
    assert FuzzyDate.unknown("sometime").overlaps(FuzzyDate("1950"))
