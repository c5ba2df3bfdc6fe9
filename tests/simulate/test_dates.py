"""The vectorised calendar tables agree with jdatetime, and rendering writes what it says."""

from __future__ import annotations

import datetime as dt

import jdatetime
import numpy as np

from sabt.simulate import dates


def test_tables_agree_with_jdatetime_on_every_day() -> None:
    days = np.arange(dates.FIRST, dates.LAST + 1)
    y, m, d = dates.to_sh(days)
    for i in range(0, len(days), 7):  # every 7th day of 1920-2000 (about 4,200 days)
        j = jdatetime.date.fromgregorian(date=dt.date.fromordinal(int(days[i])))
        assert (y[i], m[i], d[i]) == (j.year, j.month, j.day)
    assert np.array_equal(dates.from_sh(y, m, d), days)
    gy, gm, gd = dates.to_gregorian(days[:400])
    assert [dt.date(a, b, c) for a, b, c in zip(gy, gm, gd, strict=True)] == [
        dt.date.fromordinal(int(o)) for o in days[:400]
    ]


def test_render_formats_and_calendar_confusion() -> None:
    day = np.array([dates.sh(1367, 5, 24)] * 4)  # 15 August 1988
    fmt = np.array([dates.FORMATS.index(f) for f in ("sh_slash", "sh_month", "iso", "sh_slash")])
    fa = np.array([True, True, False, False])
    swapped = np.array([False, False, False, True])
    out = dates.render(day, fmt, fa, fa, np.zeros(4, bool), swapped, np.zeros(4, bool))
    assert out.tolist() == ["۱۳۶۷/۰۵/۲۴", "۲۴ مرداد ۱۳۶۷", "1988-08-15", "1367/08/15"]
    assert dates.sh(1367, 5, 1) == dt.date(1988, 7, 23).toordinal()
