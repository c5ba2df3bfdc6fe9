"""The one Jinja2 environment for every page Sabt renders: the web application, the static
report, the memorial and the case files share these templates and filters.

Autoescape is on for every template, so all text a user wrote is escaped; pages never build
HTML from strings.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from sabt.report import i18n

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """Jinja2 over ``sabt/report/templates`` with the interface's filters (digits, dates)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["digits"] = i18n.digits
    env.filters["fuzzy_date"] = i18n.fuzzy_date
    env.filters["moment"] = i18n.moment
    return env
