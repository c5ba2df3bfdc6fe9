"""Statements with references: every fact in Sabt is a claim that points to where it was read.

Like a Wikidata statement or a Security Force Monitor datapoint, a statement says
"entity E has property P with value V (qualified by Q)", carries zero or more references
(source + locator + short quote), a confidence grade and a rank. Conflicting statements on one
property coexist; what an entity "is" right now is derived by `current_view` (rule below).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

from sabt.errors import InvalidValue
from sabt.model.dates import FuzzyDate


class Confidence(StrEnum):
    """How much the documentalist trusts a statement, given its sources."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Rank(StrEnum):
    """Wikidata-style rank: preferred values win the current view, deprecated never enter it."""

    PREFERRED = "preferred"
    NORMAL = "normal"
    DEPRECATED = "deprecated"


class QuantityQualifier(StrEnum):
    """How a published figure is qualified ("over 30,000", "about 5,000", "2,800 or 3,800")."""

    EXACT = "exact"
    AT_LEAST = "at_least"
    ABOUT = "about"
    UP_TO = "up_to"
    OR = "or"
    RANGE = "range"


class Status(StrEnum):
    """Nothing is deleted: a retracted statement or entity stays, with the reason."""

    ACTIVE = "active"
    RETRACTED = "retracted"


ENTITY_KINDS = ("person", "organization", "place", "event", "source")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
_PROPERTY = re.compile(r"^[a-z][a-z0-9_ ]{0,127}$")


def check_entity_id(entity_id: str) -> str:
    """Ids are short, readable and URL-safe: a letter, then letters, digits, `_ . : -`."""
    if not _ID.match(entity_id):
        raise InvalidValue(
            f"invalid id {entity_id!r}: use a letter then up to 63 letters, digits or _ . : -",
            field="id",
        )
    return entity_id


def check_property(name: str) -> str:
    """Property names are lower-case words (`name`, `date of death`, `held post`)."""
    if not _PROPERTY.match(name):
        raise InvalidValue(
            f"invalid property {name!r}: lower-case letters, digits, spaces or _", field="property"
        )
    return name


def check_kind(kind: str) -> str:
    """Entity kinds are open (the five built-ins plus any lower-case word)."""
    if not re.match(r"^[a-z][a-z_]{1,31}$", kind):
        raise InvalidValue(f"invalid entity kind {kind!r}", field="kind")
    return kind


@dataclass(frozen=True)
class Text:
    """A text value with its language (BCP 47, e.g. `fa`, `en`, `fa-Latn`)."""

    text: str
    lang: str | None = None


@dataclass(frozen=True)
class Quantity:
    """A number or numeric range with a qualifier: `Quantity(30000, qualifier="at_least")`."""

    low: float | None
    high: float | None = None
    qualifier: QuantityQualifier = QuantityQualifier.EXACT

    def __post_init__(self) -> None:
        object.__setattr__(self, "qualifier", QuantityQualifier(self.qualifier))
        if self.low is None and self.high is None:
            raise InvalidValue("a quantity needs a low or a high figure", field="value")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InvalidValue(f"quantity range {self.low}-{self.high} is reversed",
                               field="value")

    def __str__(self) -> str:
        def fmt(x: float | None) -> str:
            return "?" if x is None else (f"{int(x):,}" if float(x).is_integer() else f"{x:,}")

        q = self.qualifier
        if q is QuantityQualifier.RANGE or (self.high is not None and q is QuantityQualifier.EXACT
                                            and self.high != self.low):
            return f"{fmt(self.low)}–{fmt(self.high)}"
        if q is QuantityQualifier.OR:
            return f"{fmt(self.low)} or {fmt(self.high)}"
        prefix = {
            QuantityQualifier.AT_LEAST: "at least ",
            QuantityQualifier.ABOUT: "about ",
            QuantityQualifier.UP_TO: "up to ",
        }.get(q, "")
        value = self.high if q is QuantityQualifier.UP_TO and self.low is None else self.low
        if self.high is not None and self.low is not None and self.high != self.low:
            return f"{prefix}{fmt(self.low)}–{fmt(self.high)}"
        return f"{prefix}{fmt(value)}"


@dataclass(frozen=True)
class EntityRef:
    """A value that is another entity (a post's organisation, an event's place)."""

    entity_id: str


Value: TypeAlias = Text | Quantity | FuzzyDate | EntityRef


@dataclass(frozen=True)
class Locator:
    """Where in a source: page, character span, time offset (seconds), or row number and
    column (a cell of a list)."""

    page: str | None = None
    start: int | None = None
    end: int | None = None
    time: float | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.start is not None:
            parts.append(f"chars {self.start}–{self.end}")
        if self.time is not None:
            parts.append(f"at {int(self.time // 60)}:{self.time % 60:04.1f}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Reference:
    """A source (an entity of kind `source`), where in it, and a short quote."""

    source_id: str
    locator: Locator = field(default_factory=Locator)
    quote: str = ""


@dataclass(frozen=True)
class NewStatement:
    """A statement to be written (bulk writes take a sequence of these)."""

    entity_id: str
    property: str
    value: Value
    references: Sequence[Reference] = ()
    qualifiers: Mapping[str, Value] = field(default_factory=dict)
    confidence: Confidence = Confidence.MEDIUM
    rank: Rank = Rank.NORMAL


@dataclass(frozen=True)
class Statement:
    """A stored statement, as read back."""

    id: int
    entity_id: str
    property: str
    value: Value
    qualifiers: Mapping[str, Value]
    references: tuple[Reference, ...]
    confidence: Confidence
    rank: Rank
    status: Status
    revision_id: int
    withheld_references: int = 0   # references the reader may not see (their sources are secret)

    @builtins.property  # the field `property` shadows the builtin inside this class
    def sourced(self) -> bool:
        return bool(self.references) or self.withheld_references > 0


@dataclass(frozen=True)
class Revision:
    """One change to the workspace: who, when, why, and what it touched."""

    id: int
    created_at: datetime
    author: str
    reason: str
    action: str = ""
    detail: str = ""


@dataclass(frozen=True)
class PropertyView:
    """The derived value of one property, with every competing statement kept beside it."""

    property: str
    best: Statement
    candidates: tuple[Statement, ...]
    conflict: bool


@dataclass(frozen=True)
class Withheld:
    """Statements of one property that the reader may not see: shown as withheld, not hidden."""

    property: str
    count: int


@dataclass(frozen=True)
class EntityView:
    """An entity with all its statements (merges resolved) and its derived current view."""

    id: str
    kind: str
    label: str
    status: Status
    merged_into: str | None
    merged_from: tuple[str, ...]
    statements: tuple[Statement, ...]
    view: tuple[PropertyView, ...]
    withheld: tuple[Withheld, ...] = ()


# --- value (de)serialisation: one JSON form for qualifiers, exports and the API -------------

def value_to_json(value: Value) -> dict[str, Any]:
    """A tagged JSON form of a value; `value_from_json` reads it back exactly."""
    if isinstance(value, Text):
        return {"type": "text", "text": value.text, "lang": value.lang}
    if isinstance(value, Quantity):
        return {"type": "quantity", "low": value.low, "high": value.high,
                "qualifier": value.qualifier.value}
    if isinstance(value, FuzzyDate):
        return {"type": "date", **value.to_dict()}
    if isinstance(value, EntityRef):
        return {"type": "entity", "id": value.entity_id}
    raise InvalidValue(f"not a statement value: {value!r}", field="value")


def value_from_json(data: Mapping[str, Any]) -> Value:
    """Inverse of `value_to_json`; raises InvalidValue on anything else."""
    kind = data.get("type")
    try:
        if kind == "text":
            return Text(str(data["text"]), data.get("lang"))
        if kind == "quantity":
            return Quantity(data.get("low"), data.get("high"),
                            QuantityQualifier(data.get("qualifier") or "exact"))
        if kind == "date":
            return FuzzyDate.from_dict(dict(data))
        if kind == "entity":
            return EntityRef(check_entity_id(str(data["id"])))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidValue(f"malformed {kind} value {dict(data)!r}: {exc}", field="value") from exc
    raise InvalidValue(f"unknown value type {kind!r}", field="value")


def value_text(value: Value) -> str:
    """A short human form of any value (for tables and reports)."""
    if isinstance(value, Text):
        return value.text
    if isinstance(value, EntityRef):
        return value.entity_id
    return str(value)


# --- the current-view rule ------------------------------------------------------------------

_CONFIDENCE_ORDER = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}


def _strength(st: Statement) -> tuple[int, int, int]:
    return (_CONFIDENCE_ORDER[st.confidence], -len(st.references), st.id)


def current_view(statements: Sequence[Statement]) -> tuple[PropertyView, ...]:
    """Derive each property's value from competing statements (documented in docs/model.md).

    1. Only active statements count; deprecated ones never do.
    2. If a property has preferred statements, only those compete.
    3. The best is the highest confidence, then the most references, then the oldest.
    4. `conflict` is set when the competitors hold more than one distinct value; text in
       different languages does not conflict (a name in Persian and in Latin letters is one
       name written twice), so texts are compared within each language.
    Properties are ordered by first appearance.
    """
    by_property: dict[str, list[Statement]] = {}
    for st in statements:
        if st.status is Status.ACTIVE and st.rank is not Rank.DEPRECATED:
            by_property.setdefault(st.property, []).append(st)
    views = []
    for prop, group in by_property.items():
        preferred = [st for st in group if st.rank is Rank.PREFERRED]
        competing = sorted(preferred or group, key=_strength)
        groups: dict[str | None, set[str]] = {}
        for st in competing:
            lang = st.value.lang if isinstance(st.value, Text) else "\0non-text"
            groups.setdefault(lang, set()).add(repr(value_to_json(st.value)))
        conflict = any(len(values) > 1 for values in groups.values())
        views.append(PropertyView(prop, competing[0], tuple(competing), conflict))
    return tuple(views)
