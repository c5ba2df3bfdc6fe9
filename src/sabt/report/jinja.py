"""The one Jinja2 environment for every page Sabt renders: the web application, the static
report, the memorial and the case files share these templates and filters.

Autoescape is on for every template, so all text a user wrote is escaped; pages never build
HTML from strings.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from sabt.model.dates import FuzzyDate
from sabt.report import i18n

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """Jinja2 over ``sabt/report/templates`` with the interface's filters (digits, dates)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["digits"] = i18n.digits
    env.filters["fuzzy_date"] = i18n.fuzzy_date
    env.filters["moment"] = i18n.moment
    env.filters["calendar"] = _calendar
    env.filters["thousands"] = _thousands
    env.tests["persian"] = _persian
    return env


def _calendar(value: FuzzyDate, calendar: str = "gregorian", script: str = "latin") -> str:
    """A date in one calendar and script (`sabt.text.format_date`)."""
    from sabt.text import format_date

    return format_date(value, "solar_hijri" if calendar == "solar_hijri" else "gregorian",
                       "persian" if script == "persian" else "latin")


def _thousands(value: float | None) -> str:
    """A count or estimate rounded to a whole number with thousands separators; "—" for none."""
    return "—" if value is None else f"{value:,.0f}"


def _persian(text: object) -> bool:
    """Whether a text is (partly) in Persian script, so it is laid out right to left."""
    from sabt.text.normalize import detect_script

    return detect_script(str(text)) in ("persian", "mixed")
