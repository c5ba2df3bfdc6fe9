"""What a dossier says, as plain data: built from views the policy has already redacted.

Pure: nothing here reads the workspace. `build` takes the person's redacted view and what the
service gathered around it (sources, evidence items, events, related persons, withheld counts)
and returns a `Dossier` that the templates render and `dossier.json` holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sabt.model import timeline
from sabt.model.dates import FuzzyDate
from sabt.model.statements import (
    EntityRef,
    EntityView,
    Quantity,
    Reference,
    Statement,
    Text,
    Value,
)
from sabt.text.dates import format_date
from sabt.text.normalize import detect_script

WEB = ("http://", "https://")


@dataclass(frozen=True)
class Shown:
    """A value as printed: its text, whether it is Persian (laid out right to left), and, for
    dates, the same date in the Solar Hijri calendar (Persian script)."""

    text: str
    rtl: bool = False
    solar_hijri: str = ""


@dataclass(frozen=True)
class Capture:
    """A vault item preserving a source: its hash and whether its bytes are in the folder."""

    sha256: str
    media_type: str
    size: int
    name: str
    path: str | None          # inside the dossier folder; None: hash and custody only
    collected_at: str


@dataclass(frozen=True)
class SourceShown:
    id: str
    title: str
    publisher: str
    published: str
    url: str
    captures: tuple[Capture, ...]

    @property
    def web(self) -> bool:
        return self.url.startswith(WEB)

    @property
    def unpreserved(self) -> bool:
        """A web page cited with no preserved capture in the vault."""
        return self.web and not self.captures


@dataclass(frozen=True)
class RefShown:
    source_id: str
    locator: str
    quote: Shown


@dataclass(frozen=True)
class StatementShown:
    id: int
    property: str
    value: Shown
    qualifiers: tuple[tuple[str, Shown], ...]
    confidence: str
    rank: str
    status: str
    references: tuple[RefShown, ...]
    withheld_references: int


@dataclass(frozen=True)
class Conflict:
    """One property whose competing statements hold different values, side by side."""

    property: str
    statements: tuple[StatementShown, ...]


@dataclass(frozen=True)
class PostShown:
    statement_id: int
    role: str
    organization: str
    start: Shown | None
    end: Shown | None
    as_of: str
    attribution: str
    confidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class EventShown:
    id: str
    title: str
    date: Shown | None
    description: str
    role: str                 # how the person appears in it (the property that names them)
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RelatedShown:
    id: str
    name: str
    name_fa: str
    how: str


@dataclass(frozen=True)
class Withheld:
    """Something the requesting actor may not see, counted and said, never shown."""

    what: str
    count: int


@dataclass
class Around:
    """What the service gathered around the person (all of it already filtered for the actor).

    `labels`: entity id → (label, Persian name) for the entities the statements name;
    `sources`: source id → its bibliographic record; `captures`: source id → its preserved
    copies; `events`: (event view, the property naming the person); `related`: persons and how.
    """

    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    captures: Mapping[str, Sequence[Capture]] = field(default_factory=dict)
    events: Sequence[tuple[EntityView, str]] = ()
    related: Sequence[RelatedShown] = ()
    withheld: Sequence[Withheld] = ()


@dataclass(frozen=True)
class Dossier:
    """Everything the case file shows about one entity, for one requesting actor."""

    entity_id: str
    kind: str
    label: str
    names: tuple[Shown, ...]
    aliases: tuple[Shown, ...]
    born: Shown | None
    died: Shown | None
    notes: tuple[str, ...]
    merged_from: tuple[str, ...]
    statements: tuple[StatementShown, ...]
    conflicts: tuple[Conflict, ...]
    posts: tuple[PostShown, ...]
    events: tuple[EventShown, ...]
    related: tuple[RelatedShown, ...]
    sources: tuple[SourceShown, ...]
    withheld: tuple[Withheld, ...]
    requested_by: str
    generated_at: str
    version: str

    @property
    def name_en(self) -> str:
        return next((n.text for n in self.names if not n.rtl), self.label)

    @property
    def name_fa(self) -> str:
        return next((n.text for n in self.names if n.rtl), "")

    @property
    def withheld_total(self) -> int:
        return sum(w.count for w in self.withheld)

    @property
    def quotes(self) -> list[str]:
        """Every non-empty quote the dossier prints (tests check the PDF holds each)."""
        return [r.quote.text for st in self.statements for r in st.references if r.quote.text]

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["withheld_total"] = self.withheld_total
        return out


def persian(text: str) -> bool:
    return detect_script(text) in ("persian", "mixed")


def show_date(date: FuzzyDate) -> Shown:
    """A date in the Gregorian calendar with the Solar Hijri date beside it."""
    if date.is_unknown:
        return Shown(date.original or "unknown")
    return Shown(format_date(date), False, format_date(date, "solar_hijri", "persian"))


def show(value: Value, labels: Mapping[str, tuple[str, str]]) -> Shown:
    if isinstance(value, Text):
        return Shown(value.text, value.lang == "fa" or persian(value.text))
    if isinstance(value, FuzzyDate):
        return show_date(value)
    if isinstance(value, EntityRef):
        label = labels.get(value.entity_id, (value.entity_id, ""))[0]
        return Shown(f"{label} ({value.entity_id})", persian(label))
    if isinstance(value, Quantity):
        return Shown(str(value))
    return Shown(str(value))


def _ref(ref: Reference) -> RefShown:
    return RefShown(ref.source_id, str(ref.locator), Shown(ref.quote, persian(ref.quote)))


def statement(st: Statement, labels: Mapping[str, tuple[str, str]]) -> StatementShown:
    return StatementShown(
        st.id, st.property, show(st.value, labels),
        tuple((k, show(v, labels)) for k, v in st.qualifiers.items()),
        st.confidence.value, st.rank.value, st.status.value,
        tuple(_ref(r) for r in st.references), st.withheld_references)


def _sort_key(date: FuzzyDate | None, fallback: str) -> tuple[str, str]:
    earliest = date.earliest.isoformat() if date is not None and date.earliest else "9999"
    return (earliest, fallback)


def posts(view: EntityView, labels: Mapping[str, tuple[str, str]]) -> tuple[PostShown, ...]:
    """The person's posts over time, read and ordered by `sabt.model.timeline` (as the web
    application's timeline is)."""
    return tuple(PostShown(
        p.statement.id, p.role,
        labels.get(p.organisation_id, (p.organisation_id, ""))[0] if p.organisation_id else "",
        show_date(p.start) if p.start else None, show_date(p.end) if p.end else None,
        p.as_of, p.attribution, p.statement.confidence.value,
        tuple(dict.fromkeys(r.source_id for r in p.statement.references)))
        for p in timeline.posts(view))


def events(found: Sequence[tuple[EntityView, str]]) -> tuple[EventShown, ...]:
    rows = []
    for view, role in found:
        date_st = next((st for st in view.statements if st.property == "date"
                        and isinstance(st.value, FuzzyDate)), None)
        described = next((st for st in view.statements if st.property == "description"
                          and isinstance(st.value, Text)), None)
        date = date_st.value if date_st is not None and isinstance(date_st.value,
                                                                    FuzzyDate) else None
        sources = tuple(dict.fromkeys(r.source_id for st in view.statements
                                      for r in st.references))
        rows.append((_sort_key(date, view.id), EventShown(
            view.id, view.label, show_date(date) if date else None,
            described.value.text if described and isinstance(described.value, Text) else "",
            role, sources)))
    return tuple(e for _, e in sorted(rows, key=lambda r: r[0]))


def conflicts(view: EntityView, shown: Mapping[int, StatementShown]) -> tuple[Conflict, ...]:
    return tuple(Conflict(pv.property, tuple(shown[st.id] for st in pv.candidates))
                 for pv in view.view if pv.conflict)


def build(view: EntityView, around: Around, *, requested_by: str, generated_at: str,
          version: str) -> Dossier:
    """The dossier of `view` (already redacted for the requester) and what surrounds it."""
    labels = around.labels
    shown = {st.id: statement(st, labels) for st in view.statements}
    active = [st for st in view.statements if st.status.value == "active"]

    def texts(prop: str) -> tuple[Shown, ...]:
        return tuple(dict.fromkeys(shown[st.id].value for st in active if st.property == prop))

    def first_date(prop: str) -> Shown | None:
        st = next((s for s in active if s.property == prop and isinstance(s.value, FuzzyDate)),
                  None)
        return shown[st.id].value if st is not None else None

    cited = list(dict.fromkeys(
        r.source_id for st in view.statements for r in st.references))
    for ev, _ in around.events:
        cited.extend(r.source_id for st in ev.statements for r in st.references)
    sources = []
    for sid in dict.fromkeys(cited):
        rec = around.sources.get(sid)
        if rec is None:
            continue
        sources.append(SourceShown(
            sid, str(rec.get("title") or ""), str(rec.get("publisher") or ""),
            str(rec.get("published") or ""), str(rec.get("url") or ""),
            tuple(around.captures.get(sid, ()))))
    withheld = list(around.withheld)
    withheld[:0] = [Withheld(f"statement(s) of property '{w.property}'", w.count)
                    for w in view.withheld]
    refs_hidden = sum(st.withheld_references for st in view.statements)
    if refs_hidden:
        withheld.append(Withheld("reference(s) to sources you may not see", refs_hidden))
    return Dossier(
        entity_id=view.id, kind=view.kind, label=view.label,
        names=texts("name"), aliases=texts("alias"),
        born=first_date("date of birth"), died=first_date("date of death"),
        notes=tuple(s.text for s in texts("note")), merged_from=view.merged_from,
        statements=tuple(shown[st.id] for st in view.statements),
        conflicts=conflicts(view, shown), posts=posts(view, labels),
        events=events(around.events), related=tuple(around.related),
        sources=tuple(sources), withheld=tuple(w for w in withheld if w.count),
        requested_by=requested_by, generated_at=generated_at, version=version)
