"""Conversions between statement values and table rows (one place, both directions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sabt.errors import InvalidValue
from sabt.model.dates import FuzzyDate
from sabt.model.statements import (
    Confidence,
    EntityRef,
    Locator,
    Quantity,
    QuantityQualifier,
    Rank,
    Reference,
    Statement,
    Status,
    Text,
    Value,
    value_from_json,
    value_to_json,
)

VALUE_COLUMNS = ("value_type", "value_text", "value_lang", "value_low", "value_high",
                 "value_qualifier", "value_edtf", "value_earliest", "value_latest",
                 "value_calendar", "value_entity")


def value_row(value: Value, dates_as_text: bool = False) -> tuple[Any, ...]:
    """The statement columns that hold a value, in `VALUE_COLUMNS` order (typed columns, so
    values can be queried). SQLite stores dates as ISO text, hence `dates_as_text`."""
    if isinstance(value, Text):
        return ("text", value.text, value.lang, None, None, None, None, None, None, None, None)
    if isinstance(value, Quantity):
        return ("quantity", None, None, value.low, value.high, value.qualifier.value, None,
                None, None, None, None)
    if isinstance(value, FuzzyDate):
        lo, hi = value.earliest, value.latest
        if dates_as_text:
            return ("date", value.original, None, None, None, None, value.edtf,
                    lo.isoformat() if lo else None, hi.isoformat() if hi else None,
                    value.calendar.value, None)
        return ("date", value.original, None, None, None, None, value.edtf, lo, hi,
                value.calendar.value, None)
    if isinstance(value, EntityRef):
        return ("entity", None, None, None, None, None, None, None, None, None, value.entity_id)
    raise InvalidValue(f"not a statement value: {value!r}", field="value")


def value_from_columns(row: Any) -> Value:
    """Inverse of `value_columns`."""
    kind = row.value_type
    if kind == "text":
        return Text(row.value_text, row.value_lang)
    if kind == "quantity":
        return Quantity(row.value_low, row.value_high, QuantityQualifier(row.value_qualifier))
    if kind == "date":
        return FuzzyDate(row.value_edtf, row.value_text or "", row.value_calendar)
    if kind == "entity":
        return EntityRef(row.value_entity)
    raise InvalidValue(f"statement {row.id} has unknown value type {kind!r}")


def qualifiers_to_json(qualifiers: Mapping[str, Value]) -> dict[str, Any] | None:
    return {key: value_to_json(v) for key, v in qualifiers.items()} or None


def qualifiers_from_json(data: Mapping[str, Any] | None) -> dict[str, Value]:
    return {key: value_from_json(v) for key, v in (data or {}).items()}


REFERENCE_COLUMNS = ("id", "statement_id", "source_id", "page", "char_start", "char_end",
                     "time_offset", "row_number", "column_name", "quote")


def reference_row(ref_id: int, statement_id: int, ref: Reference) -> tuple[Any, ...]:
    """A reference row in `REFERENCE_COLUMNS` order."""
    loc = ref.locator
    return (ref_id, statement_id, ref.source_id, loc.page, loc.start, loc.end, loc.time,
            loc.row, loc.column, ref.quote)


def reference_from_row(row: Any) -> Reference:
    return Reference(row.source_id, Locator(row.page, row.char_start, row.char_end,
                                            row.time_offset, row.row_number, row.column_name),
                     row.quote)


def statement_from_rows(row: Any, refs: Sequence[Any]) -> Statement:
    """A Statement from its table row and its reference rows."""
    return Statement(
        id=row.id, entity_id=row.entity_id, property=row.property,
        value=value_from_columns(row), qualifiers=qualifiers_from_json(row.qualifiers),
        references=tuple(reference_from_row(r) for r in refs),
        confidence=Confidence(row.confidence), rank=Rank(row.rank), status=Status(row.status),
        revision_id=row.revision_id,
    )
