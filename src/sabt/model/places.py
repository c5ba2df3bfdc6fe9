"""A place's coordinates and its history, read from statements: pure.

Coordinates are the place's `latitude` and `longitude` statements (the current view's best of
each). Its history is the events that name it as their `place`, in the order of their dates
(undated last), each with its date and description as the sources give them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityView, Quantity, Statement, Text


def _best(view: EntityView, prop: str) -> Statement | None:
    for pv in view.view:
        if pv.property == prop:
            return pv.best
    return None


def coordinates(view: EntityView) -> tuple[float, float] | None:
    """(latitude, longitude) when the place has both, else None."""
    found = []
    for prop in ("latitude", "longitude"):
        st = _best(view, prop)
        if st is None or not isinstance(st.value, Quantity) or st.value.low is None:
            return None
        found.append(float(st.value.low))
    return found[0], found[1]


@dataclass(frozen=True)
class PlaceEvent:
    event: EntityView
    date: FuzzyDate | None
    description: Statement | None


def history(events: list[EntityView]) -> list[PlaceEvent]:
    """The events in date order (by their earliest possible day; undated last)."""
    out = []
    for ev in events:
        when = _best(ev, "date")
        day = when.value if when is not None and isinstance(when.value, FuzzyDate) else None
        out.append(PlaceEvent(ev, day, _best(ev, "description")))

    def key(item: PlaceEvent) -> tuple[bool, date, str]:
        first = item.date.earliest if item.date is not None else None
        return first is None, first or date.min, item.event.id

    return sorted(out, key=key)


def label_in(view: EntityView, lang: str) -> str:
    """The place's name in a language when a name statement gives one, else its label."""
    for st in view.statements:
        if st.property == "name" and isinstance(st.value, Text) and st.value.lang == lang:
            return st.value.text
    return view.label
