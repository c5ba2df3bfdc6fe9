"""What the case report shows, gathered from a workspace into plain data (no HTML here).

Nothing here is about one case: the title, the subjects, the people and the wording of any
synthetic part all come from the workspace or from the caller. The person index is read a page
at a time while the report is written, so a workspace of any size is reported in bounded
memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from sabt import __version__
from sabt.claims.board import Board, StoredEstimate, claims_board, stored_estimates
from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityView, Quantity, Statement, Text, value_text
from sabt.model.timeline import posts as posts_of
from sabt.policy import BulkFilter
from sabt.store import schema as t
from sabt.store.workspace import Store, merge_roots

INDEX_LIMIT = 5000     # persons listed by name in the report; the rest are counted


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    publisher: str
    published: str
    url: str


@dataclass(frozen=True)
class Post:
    role: str
    organization: str
    start: FuzzyDate | None
    end: FuzzyDate | None
    as_of: str
    attribution: str
    confidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Official:
    id: str
    name: str
    name_fa: str
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class PlaceInfo:
    id: str
    name: str
    name_fa: str
    kind: str
    city: str
    latitude: float | None
    longitude: float | None
    coordinate_source: str
    coordinate_quote: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PersonEntry:
    """One row of the person index: who, when and where, and which sources say so."""

    id: str
    name: str
    name_fa: str
    born: FuzzyDate | None
    died: FuzzyDate | None
    place: str              # the place of death, else the prison
    province: str
    official: bool          # has posts: listed again among the officials
    sources: tuple[str, ...]


@dataclass
class PersonTally:
    """What the person index held, known once it has been written: persons listed, persons
    known only from SYNTHETIC sources (counted, not listed among the real ones), and persons
    past the index's limit (counted, not read)."""

    listed: int = 0
    synthetic: int = 0
    unlisted: int = 0


@dataclass(frozen=True)
class TimelineEvent:
    id: str
    title: str
    date: FuzzyDate
    description: str
    sources: tuple[str, ...]


@dataclass
class ReportData:
    """Everything the report renders; synthetic parts are kept apart from real ones."""

    title: str
    generated_at: str
    version: str
    boards: list[Board]
    officials: list[Official]
    places: list[PlaceInfo]
    timeline: list[TimelineEvent]
    sources: dict[str, SourceInfo]
    synthetic_estimates: list[StoredEstimate]
    persons: Iterable[PersonEntry] = ()
    tally: PersonTally = field(default_factory=PersonTally)
    index_limit: int = INDEX_LIMIT
    # estimates computed on real data but not filed under a subject
    unfiled_estimates: list[StoredEstimate] = field(default_factory=list)
    # the synthetic part: {"true_n", "scenario", "note": what it is not a finding about}
    synthetic_truth: dict[str, Any] = field(default_factory=dict)
    linkage: dict[str, Any] = field(default_factory=dict)
    vault_items: list[dict[str, Any]] = field(default_factory=list)
    vault_verify: dict[str, Any] = field(default_factory=dict)
    # source id → hashes of its preserved captures (None: a capture the reader may not see)
    captures: dict[str, list[str | None]] = field(default_factory=dict)


def _best(view: EntityView, prop: str, lang: str | None = None) -> Statement | None:
    for st in view.statements:
        if st.property == prop and st.status.value == "active" and (
                lang is None or (isinstance(st.value, Text) and st.value.lang == lang)):
            return st
    return None


def _text(st: Statement | None) -> str:
    return value_text(st.value) if st else ""


def _source_ids(statements: list[Statement]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.source_id for st in statements for r in st.references))


def _label(labels: dict[str, str], entity_id: str | None) -> str:
    return labels.get(entity_id, entity_id) if entity_id else ""


PAGE = 1000   # entities whose views are loaded together (a few queries per page)


def _views(ws: Store, ids: list[str], sight: BulkFilter | None) -> Iterator[EntityView]:
    """The entities' views in id order, a page at a time: the number of queries grows with
    the number of pages, never with one query per entity. Only what `sight` keeps."""
    for start in range(0, len(ids), PAGE):
        page = ws.entities_with_statements(ids[start:start + PAGE])
        views = [page[i] for i in ids[start:start + PAGE]]
        yield from sight.views(views) if sight is not None else views


def collect(ws: Store, title: str, sight: BulkFilter | None = None, *,
            index_limit: int = INDEX_LIMIT, **extra: Any) -> ReportData:
    """Read the report's content from a workspace (`extra`: synthetic parts, vault results);
    only what `sight` keeps, when given; at most `index_limit` persons listed by name.

    Entities merged into another are shown as part of it (their statements are in its view).
    """
    with ws.connect() as conn:
        sources = {r.entity_id: SourceInfo(r.entity_id, r.title, r.publisher or "",
                                           r.published or "", r.url or "")
                   for r in conn.execute(select(t.source))}
        # Only persons with a post are officials: find them (through merges) before loading.
        roots = merge_roots(conn)
        with_posts = {roots.get(e, e) for e in conn.execute(
            select(t.statement.c.entity_id).where(t.statement.c.property == "held post")
            .distinct()).scalars()}
    if sight is not None:   # sources the reader may not see are not listed
        shown, _ = sight.filter(sources, [])
        sources = {k: v for k, v in sources.items() if k in shown}
    labels = {e.id: e.label for e in ws.entities("organization")}
    officials = []
    for view in _views(ws, [p for p in ws.standing_ids("person") if p in with_posts], sight):
        posts = [Post(p.role, _label(labels, p.organisation_id), p.start, p.end, p.as_of,
                      p.attribution, p.statement.confidence.value, _source_ids([p.statement]))
                 for p in posts_of(view)]
        if posts:
            officials.append(Official(view.id, view.label, _text(_best(view, "name", "fa")),
                                      tuple(posts)))
    places = []
    for view in _views(ws, ws.standing_ids("place"), sight):
        lat, lon = _best(view, "latitude"), _best(view, "longitude")
        coord_ref = lat.references[0] if lat and lat.references else None
        places.append(PlaceInfo(
            view.id, view.label, _text(_best(view, "name", "fa")),
            _text(_best(view, "place type")), _text(_best(view, "city")),
            lat.value.low if lat and isinstance(lat.value, Quantity) else None,
            lon.value.low if lon and isinstance(lon.value, Quantity) else None,
            coord_ref.source_id if coord_ref else "", coord_ref.quote if coord_ref else "",
            _source_ids(list(view.statements))))
    timeline = []
    for view in _views(ws, ws.standing_ids("event"), sight):
        date = _best(view, "date")
        if date is None or not isinstance(date.value, FuzzyDate):
            continue
        timeline.append(TimelineEvent(view.id, view.label, date.value,
                                      _text(_best(view, "description")),
                                      _source_ids([date])))
    timeline.sort(key=lambda e: (e.date.earliest or datetime.max.date(), e.id))
    synthetic_sources = {s.id for s in sources.values() if s.title.startswith("SYNTHETIC")}
    tally, filed = PersonTally(), _filed(ws)
    return ReportData(
        title=title, generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__, boards=claims_board(ws, sight=sight), officials=officials,
        places=places, timeline=timeline, sources=sources,
        synthetic_estimates=stored_estimates(ws, synthetic=True),
        unfiled_estimates=[e for e in stored_estimates(ws, synthetic=False)
                           if e.id not in filed],
        persons=_persons(ws, sight, with_posts, synthetic_sources, tally, index_limit),
        tally=tally, index_limit=index_limit,
        **extra)


def _filed(ws: Store) -> set[int]:
    """Ids of the estimates filed under a subject."""
    from sabt.claims.tables import estimate_record

    with ws.connect() as conn:
        return set(conn.execute(select(estimate_record.c.id).where(
            estimate_record.c.subject_id.is_not(None))).scalars())


def _persons(ws: Store, sight: BulkFilter | None, officials: set[str],
             synthetic_sources: set[str], tally: PersonTally,
             limit: int) -> Iterator[PersonEntry]:
    """The person index in label order, read a page at a time as the report is written. A
    person all of whose sources have titles beginning with SYNTHETIC is counted in `tally`,
    not listed; past `limit` listed persons the rest are counted (unread) in `tally`."""
    ids = ws.standing_ids("person", by_label=True)
    for read, view in enumerate(_views(ws, ids, sight)):
        if tally.listed >= limit:
            tally.unlisted = len(ids) - read
            return
        sources = _source_ids(list(view.statements))
        if sources and set(sources) <= synthetic_sources:
            tally.synthetic += 1
            continue
        died, born = _best(view, "date of death"), _best(view, "date of birth")
        place = _best(view, "place of death") or _best(view, "prison")
        tally.listed += 1
        yield PersonEntry(
            view.id, view.label, _text(_best(view, "name", "fa")),
            born.value if born and isinstance(born.value, FuzzyDate) else None,
            died.value if died and isinstance(died.value, FuzzyDate) else None,
            _text(place), _text(_best(view, "province")), view.id in officials, sources)


def vault_summary(ws: Store) -> dict[str, Any]:
    """The vault's manifest and a fresh verification, in the report's terms."""
    from sabt.vault.vault import Vault

    vault = Vault(ws)
    result = vault.verify()
    return {
        "vault_verify": {"ok": result.ok, "items": result.items,
                         "log_entries": result.log_entries,
                         "problems": [p.message for p in result.problems]},
        "vault_items": [{"sha256": item["sha256"], "name": item["original_name"],
                         "media_type": item["media_type"], "size": item["size"]}
                        for item in vault.items()],
    }
