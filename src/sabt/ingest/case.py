"""Curated case datasets: sources, claims, persons, organisations, posts, places and events.

A case dataset is a folder of seven CSV files in which every row records what one public source
says and cites it (the layout of `sabt/data/case1988`, documented in docs/case-data.md). Reading
it gives a `CasePlan`: entities, sources and statements, each statement with references to the
sources the row cites. Nothing in a row enters as a bare fact.

Rules (documented in docs/case-data.md):
- a toll figure is a statement `figure` on a *subject* entity (what is counted), with the claimant,
  date, kind, relay, hedge and claim id as qualifiers and the exact quote as its reference;
- its confidence says how directly the source carries the claimant's words: `high` for the
  claimant's own text or a verbatim quote, `medium` for a paraphrase, `low` for a summary;
- posts (Popolo memberships) keep the dataset's own confidence grade;
- anything the compilers supplied rather than read in a source (most Persian spellings, groupings,
  notes) cites the dataset itself, a source of its own, with `low` confidence.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sabt.errors import InvalidValue, SabtError
from sabt.limits import current
from sabt.model.dates import Calendar, FuzzyDate, edtf_bounds
from sabt.model.statements import (
    Confidence,
    EntityRef,
    Locator,
    NewStatement,
    Quantity,
    QuantityQualifier,
    Reference,
    Text,
    Value,
)
from sabt.safety import clean_value, has_controls, reason
from sabt.text.normalize import detect_script

FILES: dict[str, tuple[str, ...]] = {
    "sources": ("source_id", "title", "publisher", "author", "published", "url", "language",
                "kind", "publisher_type", "note"),
    "claims": ("claim_id", "source_id", "claimant", "claimant_type", "attributed_to", "relay",
               "claim_date", "subject", "kind", "value_low", "value_high", "qualifier", "hedge",
               "quote", "quote_lang", "note"),
    "persons": ("person_id", "name_en", "name_fa", "other_names", "born", "died", "source_ids",
                "note"),
    "organizations": ("org_id", "name_en", "name_fa", "other_names", "classification",
                      "parent_org_id", "place_id", "source_ids", "note"),
    "posts": ("post_id", "person_id", "org_id", "role", "as_of", "start", "end", "attribution",
              "source_ids", "confidence", "note"),
    "places": ("place_id", "name_en", "name_fa", "other_names", "kind", "city", "province",
               "country", "lat", "lon", "coord_as_published", "coord_source_id", "source_ids",
               "note"),
    "events": ("event_id", "date_start", "date_end", "date_qualifier", "date_jalali",
               "date_jalali_origin", "title", "description", "source_ids", "person_ids",
               "org_ids", "place_ids", "conflict_note"),
}
RELAY_CONFIDENCE = {"direct": Confidence.HIGH, "quoted": Confidence.HIGH,
                    "paraphrased": Confidence.MEDIUM, "summary": Confidence.LOW}
QUALIFIERS = {"at_least": QuantityQualifier.AT_LEAST, "over": QuantityQualifier.AT_LEAST,
              "about": QuantityQualifier.ABOUT, "up_to": QuantityQualifier.UP_TO,
              "range": QuantityQualifier.RANGE, "or": QuantityQualifier.OR,
              "exact": QuantityQualifier.EXACT}


@dataclass
class Row:
    """One CSV row with where it came from, for error messages."""

    file: str
    number: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        value = self.values.get(key)
        return clean_value(value, keep_lines=True).strip() if isinstance(value, str) else ""

    def ids(self, key: str) -> list[str]:
        return [part.strip() for part in self[key].split(";") if part.strip()]

    def error(self, message: str, field: str | None = None) -> InvalidValue:
        return InvalidValue(message, file=self.file, row=self.number, field=field)


@dataclass(frozen=True)
class NewSource:
    id: str
    title: str
    publisher: str | None
    author: str | None
    published: str | None
    url: str | None
    language: str | None
    notes: str | None


@dataclass
class CasePlan:
    """Everything a case dataset adds: sources first, then entities, then statements."""

    dataset_source: NewSource
    sources: list[NewSource] = field(default_factory=list)
    entities: list[tuple[str, str, str]] = field(default_factory=list)  # id, kind, label
    statements: list[NewStatement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # odd rows, each imported anyway


def read_rows(folder: Path, name: str, warnings: list[str] | None = None) -> list[Row]:
    """Rows of one file, refusing a missing file, missing columns or a value over a limit with
    a clear reason; short rows and control characters are added to ``warnings``."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise SabtError(f"{path}: missing (a case dataset has {', '.join(FILES)})")
    if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
        raise SabtError(f"{path}: a symbolic link to {path.resolve()}, outside the folder "
                        f"{folder}: not followed")
    limits = current()
    rows: list[Row] = []
    previous = csv.field_size_limit(limits.cell_chars)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fieldnames = reader.fieldnames or []
            missing = [col for col in FILES[name] if col not in fieldnames]
            if missing:
                raise InvalidValue(f"missing column(s) {', '.join(missing)}", file=str(path),
                                   row=1, field=missing[0])
            for number, values in enumerate(reader, start=2):
                if number > limits.rows + 1:
                    raise limits.refuse("rows", "too many rows", file=str(path), row=number)
                row = Row(str(path), number, values)
                if warnings is not None:
                    _row_warnings(row, len(fieldnames), warnings)
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise InvalidValue(f"not UTF-8 text: {exc.reason}", file=str(path)) from exc
    except csv.Error as exc:
        number = len(rows) + 2
        if "field larger than field limit" in str(exc):
            raise limits.refuse("cell_chars", "a value is too long", file=str(path),
                                row=number) from exc
        raise InvalidValue(f"not readable as CSV: {reason(exc)}", file=str(path),
                           row=number) from exc
    finally:
        csv.field_size_limit(previous)
    return rows


def _row_warnings(row: Row, width: int, warnings: list[str]) -> None:
    values = [v for k, v in row.values.items() if k is not None and v is not None]
    if len(values) < width and any(v.strip() for v in values):
        warnings.append(f"{row.file}, row {row.number}: has {len(values)} values but the "
                        f"header has {width} columns; the missing ones are read as empty")
    extra = row.values.get(None)  # type: ignore[call-overload]
    if extra:
        warnings.append(f"{row.file}, row {row.number}: {len(extra)} value(s) beyond the "
                        "header are not imported")
    for key, value in row.values.items():
        if isinstance(key, str) and isinstance(value, str) and has_controls(
                value.replace("\n", "").replace("\r", "").replace("\t", "")):
            warnings.append(f"{row.file}, row {row.number}, field {key!r}: control characters "
                            "removed")


def slug(text: str) -> str:
    """A readable id from a phrase: `total executed, 1988 …` → `total-executed-1988-…`."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return ("subj-" + words)[:64].rstrip("-")


def _date(row: Row, key: str) -> FuzzyDate | None:
    text = row[key]
    if not text:
        return None
    try:
        edtf_bounds(text)
    except InvalidValue as exc:
        raise row.error(f"not an ISO date: {text!r}", key) from exc
    return FuzzyDate(text, text)


class _Builder:
    """Turns rows into a plan; keeps the references in one place."""

    def __init__(self, dataset_id: str, known_sources: set[str]) -> None:
        self.dataset_id = dataset_id
        self.known = known_sources
        self.statements: list[NewStatement] = []

    def refs(self, row: Row, ids: Iterable[str], quote: str = "") -> list[Reference]:
        out = []
        for source_id in ids:
            if source_id not in self.known:
                raise row.error(f"unknown source id {source_id!r}", "source_ids")
            out.append(Reference(source_id, Locator(), quote))
        return out

    def compiled(self, row: Row) -> list[Reference]:
        """A reference to the dataset itself: the row that says it."""
        return [Reference(self.dataset_id, Locator(row=row.number),
                          f"{Path(row.file).name} row {row.number}")]

    def add(self, entity: str, prop: str, value: Value, refs: list[Reference],
            confidence: Confidence = Confidence.MEDIUM,
            qualifiers: dict[str, Value] | None = None) -> None:
        self.statements.append(NewStatement(entity, prop, value, tuple(refs),
                                            qualifiers or {}, confidence))

    def names(self, row: Row, entity: str, id_key: str) -> None:
        sources = self.refs(row, row.ids("source_ids"))
        self.add(entity, "name", Text(row["name_en"], "en"), sources or self.compiled(row))
        if row["name_fa"]:
            self.add(entity, "name", Text(row["name_fa"], "fa"), self.compiled(row),
                     Confidence.LOW, {"note": Text("Persian spelling supplied by the compilers "
                                                   "unless the note says a source prints it")})
        for alias in row.ids("other_names"):
            persian = detect_script(alias) in ("persian", "mixed")
            self.add(entity, "alias", Text(alias, "fa" if persian else "en"),
                     sources or self.compiled(row))
        if row["note"]:
            self.add(entity, "note", Text(row["note"], "en"), self.compiled(row))


def _quantity(row: Row) -> Value:
    qualifier = row["qualifier"]
    if qualifier == "unknown" or (not row["value_low"] and not row["value_high"]):
        return Text(row["hedge"] or row["quote"], row["quote_lang"] or None)
    if qualifier not in QUALIFIERS:
        raise row.error(f"unknown qualifier {qualifier!r}", "qualifier")
    try:
        low = int(row["value_low"]) if row["value_low"] else None
        high = int(row["value_high"]) if row["value_high"] else None
        if qualifier in ("about", "exact") and high == low:
            high = None
        return Quantity(low, high, QUALIFIERS[qualifier])
    except ValueError as exc:
        raise row.error(f"figures must be integers: {reason(exc)}", "value_low") from exc
    except InvalidValue as exc:
        raise row.error(exc.message, "value_low") from exc


class _Tracker:
    """Remembers the row being planned, so that any value error can name its file and row."""

    def __init__(self) -> None:
        self.row: Row | None = None

    def each(self, rows: list[Row]) -> Iterator[Row]:
        for row in rows:
            self.row = row
            yield row


def plan_case(folder: Path, dataset_title: str) -> CasePlan:
    """Read a case dataset folder into a plan (pure apart from reading the CSV files)."""
    warnings: list[str] = []
    tracker = _Tracker()
    rows = {name: tracker.each(read_rows(folder, name, warnings)) for name in FILES}
    try:
        plan = _plan(rows, dataset_title)
    except InvalidValue as exc:
        if exc.file is None and tracker.row is not None:
            raise tracker.row.error(exc.message, exc.field) from exc
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        if tracker.row is None:
            raise SabtError(f"unusable value: {reason(exc)}") from exc
        raise tracker.row.error(f"unusable value: {reason(exc)}") from exc
    plan.warnings = warnings
    return plan


def _plan(rows: dict[str, Iterator[Row]], dataset_title: str) -> CasePlan:
    dataset = NewSource("DS-" + slug(dataset_title)[5:40], dataset_title, None, None, None,
                        None, "en", "A curated dataset: rows cite public sources; anything the "
                        "compilers supplied themselves cites this dataset.")
    plan = CasePlan(dataset)
    for row in rows["sources"]:
        published = row["published"] or None
        if published:
            _date(row, "published")
        notes = "; ".join(f"{k}: {row[k]}" for k in ("kind", "publisher_type", "note") if row[k])
        plan.sources.append(NewSource(row["source_id"], row["title"], row["publisher"] or None,
                                      row["author"] or None, published, row["url"] or None,
                                      row["language"] or None, notes or None))
    build = _Builder(dataset.id, {s.id for s in plan.sources} | {dataset.id})

    for row in rows["persons"]:
        plan.entities.append((row["person_id"], "person", row["name_en"]))
        build.names(row, row["person_id"], "person_id")
        for key, prop in (("born", "date of birth"), ("died", "date of death")):
            date = _date(row, key)
            if date:
                build.add(row["person_id"], prop, date, build.refs(row, row.ids("source_ids")))
    for row in rows["places"]:
        plan.entities.append((row["place_id"], "place", row["name_en"]))
        build.names(row, row["place_id"], "place_id")
        sources = build.refs(row, row.ids("source_ids"))
        for key in ("kind", "city", "province", "country"):
            if row[key]:
                build.add(row["place_id"], key.replace("kind", "place type"),
                          Text(row[key], "en"), sources)
        if row["lat"] and row["lon"]:
            coord_ref = build.refs(row, [row["coord_source_id"]], row["coord_as_published"])
            build.add(row["place_id"], "latitude", Quantity(float(row["lat"])), coord_ref)
            build.add(row["place_id"], "longitude", Quantity(float(row["lon"])), coord_ref)
    for row in rows["organizations"]:
        plan.entities.append((row["org_id"], "organization", row["name_en"]))
        build.names(row, row["org_id"], "org_id")
        sources = build.refs(row, row.ids("source_ids"))
        build.add(row["org_id"], "classification", Text(row["classification"], "en"), sources)
        if row["place_id"]:
            build.add(row["org_id"], "located at", EntityRef(row["place_id"]), sources)
        if row["parent_org_id"]:
            build.add(row["org_id"], "grouped under", EntityRef(row["parent_org_id"]),
                      build.compiled(row), Confidence.LOW,
                      {"note": Text("the compilers' grouping, not a claim about command", "en")})
    for row in rows["posts"]:
        target: Value = EntityRef(row["org_id"]) if row["org_id"] else Text(row["role"], "en")
        quals: dict[str, Value] = {"role": Text(row["role"], "en"),
                                   "attribution": Text(row["attribution"], "en"),
                                   "post id": Text(row["post_id"], "en")}
        for key in ("start", "end"):
            date = _date(row, key)
            if date:
                quals[key] = date
        if row["as_of"]:
            quals["as of"] = Text(row["as_of"], "en")
        if row["note"]:
            quals["note"] = Text(row["note"], "en")
        try:
            confidence = Confidence(row["confidence"])
        except ValueError as exc:
            raise row.error(f"confidence must be high, medium or low, not {row['confidence']!r}",
                            "confidence") from exc
        build.add(row["person_id"], "held post", target, build.refs(row, row.ids("source_ids")),
                  confidence, quals)
    for row in rows["events"]:
        plan.entities.append((row["event_id"], "event", row["title"]))
        sources = build.refs(row, row.ids("source_ids"))
        start, end = row["date_start"], row["date_end"]
        edtf = f"{start}/{end}" if end else start
        if row["date_qualifier"] == "disputed" and not end:
            edtf += "?"
        from_source = row["date_jalali_origin"] == "source"
        try:
            date = FuzzyDate(edtf, row["date_jalali"] if from_source else edtf,
                             Calendar.SOLAR_HIJRI if from_source else Calendar.GREGORIAN)
        except InvalidValue as exc:
            raise row.error(exc.message, "date_start") from exc
        build.add(row["event_id"], "date", date, sources,
                  qualifiers={"qualifier": Text(row["date_qualifier"], "en")})
        build.add(row["event_id"], "description", Text(row["description"], "en"), sources)
        for key, prop in (("person_ids", "participant"), ("org_ids", "organization involved"),
                          ("place_ids", "place")):
            for other in row.ids(key):
                build.add(row["event_id"], prop, EntityRef(other), sources)
        if row["conflict_note"]:
            build.add(row["event_id"], "conflict note", Text(row["conflict_note"], "en"),
                      sources)
    subjects: dict[str, str] = {}
    for row in rows["claims"]:
        subject = row["subject"]
        if subject not in subjects:
            subjects[subject] = slug(subject)
            plan.entities.append((subjects[subject], "subject", subject))
        quals = {"claim id": Text(row["claim_id"], "en"),
                 "claimant": Text(row["claimant"], "en"),
                 "claimant type": Text(row["claimant_type"], "en"),
                 "relay": Text(row["relay"], "en"), "kind": Text(row["kind"], "en")}
        for key in ("attributed_to", "hedge", "note"):
            if row[key]:
                quals[key.replace("_", " ")] = Text(row[key], "en")
        date = _date(row, "claim_date")
        if date:
            quals["claim date"] = date
        if row["relay"] not in RELAY_CONFIDENCE:
            raise row.error(f"unknown relay {row['relay']!r}", "relay")
        build.add(subjects[subject], "figure", _quantity(row),
                  build.refs(row, [row["source_id"]], row["quote"]),
                  RELAY_CONFIDENCE[row["relay"]], quals)
    plan.statements = build.statements
    known_entities = {e[0] for e in plan.entities}
    for st in plan.statements:
        for value in (st.value, *st.qualifiers.values()):
            if isinstance(value, EntityRef) and value.entity_id not in known_entities:
                raise SabtError(f"{st.entity_id}: refers to unknown id {value.entity_id!r}")
    return plan


def write_plan(ch: Any, plan: CasePlan) -> dict[str, int]:
    """Write a plan through a `Change` (one revision, all or nothing); returns counts."""
    for src in [plan.dataset_source, *plan.sources]:
        ch.add_source(src.title, id=src.id, publisher=src.publisher, author=src.author,
                      published=src.published, url=src.url, language=src.language,
                      notes=src.notes)
    for entity_id, kind, label in plan.entities:
        ch.add_entity(kind, label, id=entity_id)
    ch.add_statements(plan.statements)
    return {"sources": len(plan.sources) + 1, "entities": len(plan.entities),
            "statements": len(plan.statements)}
