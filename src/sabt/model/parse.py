"""Reading statement values typed by a person (CLI, spreadsheets) into model values."""

from __future__ import annotations

import re

from sabt.errors import InvalidValue
from sabt.model.dates import FuzzyDate, edtf_bounds
from sabt.model.statements import EntityRef, Quantity, QuantityQualifier, Text, Value

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_QUANTITY_FORMS: list[tuple[re.Pattern[str], QuantityQualifier]] = [
    (re.compile(rf"^{_NUM}$"), QuantityQualifier.EXACT),
    (re.compile(rf"^{_NUM}\s*[-–]\s*{_NUM}$"), QuantityQualifier.RANGE),
    (re.compile(rf"^{_NUM}\s*(?:\||or)\s*{_NUM}$"), QuantityQualifier.OR),
    (re.compile(rf"^(?:>=|≥|at least|over|more than)\s*{_NUM}$|^{_NUM}\s*\+$"),
     QuantityQualifier.AT_LEAST),
    (re.compile(rf"^(?:<=|≤|up to)\s*{_NUM}$"), QuantityQualifier.UP_TO),
    (re.compile(rf"^(?:~|about|c\.|circa)\s*{_NUM}$"), QuantityQualifier.ABOUT),
]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_quantity(text: str) -> Quantity:
    """`30000`, `2800-5000`, `2800|3800` (or), `>=4000` / `4000+`, `<=5000`, `~5000`."""
    cleaned = text.strip().lower()
    for pattern, qualifier in _QUANTITY_FORMS:
        match = pattern.match(cleaned)
        if match:
            numbers = [_number(g) for g in match.groups() if g]
            if qualifier is QuantityQualifier.UP_TO:
                return Quantity(None, numbers[0], qualifier)
            high = numbers[1] if len(numbers) > 1 else None
            return Quantity(numbers[0], high, qualifier)
    raise InvalidValue(
        f"not a quantity: {text!r} (try 30000, 2800-5000, 2800|3800, >=4000, <=5000, ~5000)",
        field="value",
    )


def parse_date_value(text: str) -> FuzzyDate:
    """An EDTF date (`1988-08`, `1988-07/1988-09`), else free text read by `sabt.text`."""
    cleaned = text.strip()
    try:
        edtf_bounds(cleaned)
        return FuzzyDate(cleaned, cleaned)
    except InvalidValue:
        pass
    from sabt.text.dates import parse_date  # free text: Solar Hijri, Persian digits, months

    parsed = parse_date(cleaned)
    if parsed.is_unknown:
        raise InvalidValue(f"cannot read the date {text!r}", field="value")
    return parsed


def parse_value(kind: str, text: str, lang: str | None = None) -> Value:
    """A value of the given kind (`text`, `quantity`, `date`, `entity`) from typed text."""
    if kind == "text":
        if not text.strip():
            raise InvalidValue("empty text value", field="value")
        return Text(text.strip(), lang)
    if kind == "quantity":
        return parse_quantity(text)
    if kind == "date":
        return parse_date_value(text)
    if kind == "entity":
        return EntityRef(text.strip())
    raise InvalidValue(f"unknown value type {kind!r} (text, quantity, date, entity)",
                       field="type")
