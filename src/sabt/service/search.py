"""`ws.search`: find entities by name in either script and any spelling, and narrow the hits by
what the statements say (role, list, prison, province, date of death, sensitivity).

Candidates come from the name index (`sabt.store.name_index`): the entities sharing a key of
some word with the query — its exact key or its consonant skeleton — or the whole name's
skeleton, those sharing most keys first, at most `CANDIDATES` of them. Each candidate is then
scored with `sabt.text`'s name similarity on its label and the `name` statements the actor may
see: the whole name against the whole label, and each word of a shorter query against its
best word of the label (so a surname alone finds the full name). The names are compared in
their prepared forms, read in one query from those stored with the name index (preparing a name
costs far more than comparing two) and kept for the names and words met last (`Kept`); a name
without a stored form is prepared when met. The candidates' names are scored from their bare
texts first; only those with a name that could match are read in full and passed through the
actor's sight, and are ranked on the names the actor may see.
Filters are checked on the statements the actor may see, never on hidden ones. Hits are ranked
by score, then id, and paged. See docs/text.md for the keys, skeletons and similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from sabt.errors import InvalidValue
from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityView, Text
from sabt.policy import DEFAULT_MARK, Action, Actor, Level
from sabt.service.entities import Entities
from sabt.service.guard import Guard
from sabt.service.sight import Sight
from sabt.store import access, name_index
from sabt.store import schema as t
from sabt.store.lookup import one_of
from sabt.store.workspace import Store, load_statements, merge_root

if TYPE_CHECKING:
    from sabt.text.similarity import NameRep, NameSimilarity

MIN_SCORE = 0.85          # `close` in sabt.text's levels: below, two names are not one
WORD_PENALTY = 0.03       # a match on some words ranks below one on the whole name
MAX_QUERY = 200
MAX_LIMIT = 200
CANDIDATES = 500          # entities scored per search, those sharing most name keys first
PAGE = 500                # candidates read per round trip
SCORE_CACHE = 1 << 16     # (query, name) and (query word, word) pairs whose scores are kept
FORM_CACHE = 1 << 16      # names whose forms (`Form`) a process keeps, the last used
WORD_CACHE = 1 << 16      # words whose forms (`Word`) a process keeps, the last used
OFFICIAL = "official"     # the role of a person with a post (`held post`)
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """What narrows a name search; an empty field does not filter. Text fields match in any
    script and spelling (as names do); dates match when the date of death can fall in them."""

    role: str = ""              # a `role` statement (witness, survivor …) or "official"
    list: str = ""              # a source id: named by a statement citing it
    prison: str = ""
    province: str = ""
    died_from: date | None = None
    died_to: date | None = None
    sensitivity: str = ""       # the entity's own mark: public, internal, restricted …

    @classmethod
    def parse(cls, *, role: str = "", list: str = "", prison: str = "", province: str = "",
              died_from: str = "", died_to: str = "", sensitivity: str = "") -> Filters:
        """Filters as a form or a command line gives them (dates as YYYY-MM-DD text)."""
        return cls(role=role.strip(), list=list.strip(), prison=prison.strip(),
                   province=province.strip(), died_from=_day(died_from, "died_from"),
                   died_to=_day(died_to, "died_to"), sensitivity=sensitivity.strip())

    def __bool__(self) -> bool:
        return any((self.role, self.list, self.prison, self.province, self.died_from,
                    self.died_to, self.sensitivity))

    def check(self) -> None:
        """Refuse a filter that cannot mean anything, naming the field."""
        if self.sensitivity:
            try:
                Level.parse(self.sensitivity)
            except InvalidValue as exc:
                raise InvalidValue(exc.message, field="sensitivity") from None
        if self.died_from and self.died_to and self.died_from > self.died_to:
            raise InvalidValue("the date of death range ends before it begins",
                               field="died_to")
        for name in ("role", "list", "prison", "province"):
            if len(getattr(self, name)) > MAX_QUERY:
                raise InvalidValue(f"a filter has at most {MAX_QUERY} characters", field=name)


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    label: str
    score: float
    level: str
    matched: str          # the label or the name statement that matched best


@dataclass(frozen=True)
class SearchPage:
    """One page of hits; `total` counts every hit, `offset`/`limit` say which page this is."""

    query: str
    total: int
    offset: int
    limit: int
    hits: tuple[Hit, ...]
    capped: bool = False      # more entities share a key with the query than were scored


@dataclass(frozen=True, eq=False)
class Word:
    """One word of a name with its prepared form and its keys (its key and skeleton); equal
    and hashed by its text, as the rest follows from the text."""

    text: str
    rep: NameRep
    keys: frozenset[str]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Word) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


@dataclass(frozen=True, eq=False)
class Form:
    """A name ready to be matched: its prepared form, its words' forms, their keys and
    skeletons, and its own skeleton. Equal and hashed by its text, as the rest follows from it
    (so a cache of scores keys on the texts)."""

    text: str
    rep: NameRep
    words: tuple[Word, ...]
    keys: frozenset[str]
    skel: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Form) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def form_of(text: str, rep_of: Callable[[str], NameRep],
            kept: Mapping[str, Word] | None = None) -> Form:
    """`text` ready to be matched, its parts prepared by `rep_of` (`name_rep`, or a lookup of
    stored forms that falls back to it) and its words taken from `kept` where they are there
    (a common word is made once, not with every name it is in); pure."""
    from sabt.text import name_key, skeleton

    kept = kept or {}
    words = tuple(kept.get(w) or Word(w, rep_of(w), frozenset({name_key(w), skeleton(w)}))
                  for w in name_index.name_words(text))
    return Form(text, rep_of(text), words, frozenset().union(*(w.keys for w in words)),
                skeleton(text))


@lru_cache(maxsize=SCORE_CACHE)
def _word_similarity(query_word: Word, word: Word) -> NameSimilarity:
    """`name_similarity` of two single words; a name's words recur across the candidates (a
    common surname), so each pair is compared once while it stays in this bounded cache."""
    from sabt.text.similarity import rep_similarity

    return rep_similarity(query_word.rep, word.rep)


@lru_cache(maxsize=SCORE_CACHE)
def match_forms(query: Form, label: Form) -> tuple[float, str]:
    """How well a label matches a query (0..1) and the similarity level; pure. Kept in a bounded
    cache: an entity's label and its Latin name are often one string, and queries recur."""
    from sabt.text.similarity import rep_similarity

    if not query.words or not label.words:
        return 0.0, "none"
    if not (query.keys & label.keys) and query.skel != label.skel:
        return 0.0, "none"
    whole = rep_similarity(query.rep, label.rep)
    best, level = whole.score, whole.level
    if len(query.words) < len(label.words):
        per_word = [max((_word_similarity(q, w) for w in label.words), key=lambda s: s.score)
                    for q in query.words]
        words = sum(s.score for s in per_word) / len(per_word) - WORD_PENALTY
        if words > best:
            best, level = words, min(per_word, key=lambda s: s.score).level
    return best, level


class Kept(Generic[T]):
    """The values of the texts a process met last, at most `size` (least recently used leave
    first); safe to share between threads. A search keeps names' and words' forms in two of
    them and reads from the database only those not kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: Iterable[str]) -> dict[str, T]:
        """The kept values of `texts` (those not kept are left out)."""
        out = {}
        with self._lock:
            for text in texts:
                value = self._values.get(text)
                if value is not None:
                    self._values.move_to_end(text)
                    out[text] = value
        return out

    def clear(self) -> None:
        """Forget every kept value (read or prepared again when met)."""
        with self._lock:
            self._values.clear()

    def put(self, values: Iterable[tuple[str, T]]) -> None:
        with self._lock:
            for text, value in values:
                self._values[text] = value
                self._values.move_to_end(text)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


_FORMS: Kept[Form] = Kept(FORM_CACHE)
_WORDS: Kept[Word] = Kept(WORD_CACHE)


def match_score(query: str, label: str) -> tuple[float, str]:
    """`match_forms` of two texts, each prepared here (`name_rep`, cached per process)."""
    from sabt.text.similarity import name_rep

    return match_forms(form_of(query, name_rep), form_of(label, name_rep))


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"not a date (YYYY-MM-DD): {text[:40]!r}", field=field) from None


def _texts(view: EntityView, prop: str) -> list[str]:
    return [st.value.text for st in view.statements if st.property == prop
            and st.status.value == "active" and isinstance(st.value, Text)]


def _resembles(wanted: str, values: Sequence[str]) -> bool:
    return any(match_score(wanted, v)[0] >= MIN_SCORE for v in values)


def _died_within(view: EntityView, start: date | None, end: date | None) -> bool:
    for st in view.statements:
        if st.property == "date of death" and st.status.value == "active" and isinstance(
                st.value, FuzzyDate) and not st.value.is_unknown:
            earliest, latest = st.value.earliest, st.value.latest
            if (start is None or latest is None or latest >= start) and (
                    end is None or earliest is None or earliest <= end):
                return True
    return False


def passes(view: EntityView, filters: Filters, level: Level) -> bool:
    """Whether a (redacted) view meets every filter; `level` is its own mark's (pure)."""
    if filters.role:
        role = filters.role.casefold()
        official = role == OFFICIAL and any(st.property == "held post"
                                            and st.status.value == "active"
                                            for st in view.statements)
        if not official and role not in {r.casefold() for r in _texts(view, "role")}:
            return False
    if filters.list and not any(r.source_id == filters.list for st in view.statements
                                if st.status.value == "active" for r in st.references):
        return False
    if filters.prison and not _resembles(filters.prison, _texts(view, "prison")):
        return False
    if filters.province and not _resembles(filters.province, _texts(view, "province")):
        return False
    if (filters.died_from or filters.died_to) and not _died_within(
            view, filters.died_from, filters.died_to):
        return False
    return not filters.sensitivity or level == Level.parse(filters.sensitivity)


class Search:
    def __init__(self, store: Store, guard: Guard, entities: Entities) -> None:
        self.store = store
        self.guard = guard
        self.entities = entities

    def names(self, actor: Actor, query: str, *, kind: str | None = None,
              filters: Filters | None = None, limit: int = 20, offset: int = 0) -> SearchPage:
        """Entities the actor may see whose label or name matches `query` (and every filter),
        best first."""
        self.guard.require(actor, Action.VIEW)
        query = query.strip()
        filters = filters or Filters()
        if len(query) > MAX_QUERY:
            raise InvalidValue(f"a search has at most {MAX_QUERY} characters", field="q")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise InvalidValue(f"limit is 1 to {MAX_LIMIT} and offset not negative",
                               field="limit")
        filters.check()
        if not query:
            return SearchPage(query, 0, offset, limit, ())
        with self.store.connect() as conn:
            ids, capped = name_index.candidates(conn, name_index.name_keys(query), CANDIDATES)
            roots = _roots(conn, ids)
        found: list[Hit] = []
        sight = Sight(actor, self.store)
        for start in range(0, len(roots), PAGE):
            hits = self._score(query, roots[start:start + PAGE], kind, sight)
            found.extend(self._filtered(hits, filters, sight) if filters else hits)
        found.sort(key=lambda h: (-h.score, h.id))
        return SearchPage(query, len(found), offset, limit,
                          tuple(found[offset:offset + limit]), capped)

    def _score(self, query: str, ids: list[str], kind: str | None, sight: Sight) -> list[Hit]:
        """The candidates the actor may see whose label or visible names match the query.

        Every candidate's names are scored from their bare texts first; only the entities
        with some name or label at `MIN_SCORE` or above (usually a few of the candidates) are
        then read in full and passed through the actor's sight, and ranked on what it keeps. An
        entity left out has no name that could match, seen or not, so the hits are the same
        as if every candidate had been read in full."""
        with self.store.connect() as conn:
            entities = [e for e in conn.execute(select(t.entity).where(
                one_of(conn, t.entity.c.id, ids))).all()
                if e.status == "active" and not e.merged_into and (not kind or e.kind == kind)]
            rows = conn.execute(select(t.statement.c.entity_id, t.statement.c.value_text)
                                .where(*_names_of(conn, [e.id for e in entities]))).all()
            forms = self._forms(conn, {query} | {e.label for e in entities}
                                | {r.value_text for r in rows})
            wanted = forms[query]
            could = {text for text, form in forms.items()
                     if match_forms(wanted, form)[0] >= MIN_SCORE}   # each text scored once
            shortlist = {e.id for e in entities if e.label in could} | {
                r.entity_id for r in rows if r.value_text in could}
            statements = load_statements(conn, select(t.statement).where(
                *_names_of(conn, sorted(shortlist))),
                references=False) if shortlist else []   # scored by value only
        seen, visible = sight.filter(shortlist, statements)
        names: dict[str, set[str]] = {}
        for st in visible:
            if isinstance(st.value, Text):
                names.setdefault(st.entity_id, set()).add(st.value.text)
        hits = []
        for entity in (e for e in entities if e.id in seen):
            best = (0.0, "none", "")
            for name in (entity.label, *sorted(names.get(entity.id, ()))):
                score, level = match_forms(wanted, forms[name])
                if score > best[0]:
                    best = (score, level, name)
                    if score >= 1.0:     # no later name can score higher
                        break
            if best[0] >= MIN_SCORE:
                hits.append(Hit(entity.id, entity.kind, entity.label, round(best[0], 4),
                                best[1], best[2]))
        return hits

    @staticmethod
    def _forms(conn: Connection, texts: set[str]) -> dict[str, Form]:
        """The forms of `texts`: those this process keeps, the rest made from the words'
        forms it keeps and the stored forms of the others (or prepared, where none is stored),
        and kept. A common word (Mohammad) is read once, not with every name it is in."""
        forms = _FORMS.get(texts)
        if missing := texts - forms.keys():
            words = _WORDS.get({w for n in missing for w in name_index.name_words(n)})
            stored = name_index.forms(conn, {s for n in missing for s in name_index.form_names(n)
                                             if s not in words})
            rep_of = _rep_of({**stored, **{w: word.rep for w, word in words.items()}})
            fresh = [form_of(n, rep_of, words) for n in missing]
            _FORMS.put((f.text, f) for f in fresh)
            _WORDS.put((w.text, w) for f in fresh for w in f.words)
            forms.update((f.text, f) for f in fresh)
        return forms

    def _filtered(self, hits: list[Hit], filters: Filters, sight: Sight) -> list[Hit]:
        """The hits whose visible statements meet the filters."""
        views = sight.views(list(self.store.entities_with_statements(
            [h.id for h in hits]).values()))
        with self.store.connect() as conn:
            marks = access.marks_of(conn, "entity", [h.id for h in hits])
        kept = {v.id for v in views
                if passes(v, filters, marks.get(v.id, DEFAULT_MARK).level)}
        return [h for h in hits if h.id in kept]


def _names_of(conn: Connection, ids: list[str]) -> tuple[ColumnElement[bool], ...]:
    """The conditions selecting the active `name` statements of the entities `ids`.
    `property || ''`: the property is checked on the entities' rows; compared bare, PostgreSQL
    may AND in the (property, value) index and read every name's entry."""
    return (one_of(conn, t.statement.c.entity_id, ids),
            t.statement.c.property.concat("") == "name",
            t.statement.c.status == "active", t.statement.c.value_type == "text")


def _rep_of(stored: dict[str, NameRep]) -> Callable[[str], NameRep]:
    """A text's stored form, or the form prepared now when none is stored (the same)."""
    from sabt.text.similarity import name_rep

    def rep_of(text: str) -> NameRep:
        rep = stored.get(text)
        return rep if rep is not None else name_rep(text)

    return rep_of


def _roots(conn: Connection, ids: list[str]) -> list[str]:
    """The candidates with each merged entity replaced by the one it was merged into (in the
    candidates' order, without repeats)."""
    parent: dict[str, str] = {}
    frontier = ids
    while frontier:
        rows = conn.execute(select(t.entity.c.id, t.entity.c.merged_into).where(
            one_of(conn, t.entity.c.id, frontier), t.entity.c.merged_into.is_not(None))).all()
        fresh = {r.id: r.merged_into for r in rows if r.id not in parent}
        parent.update(fresh)
        frontier = [p for p in fresh.values() if p not in parent]
    return list(dict.fromkeys(merge_root(parent, i) for i in ids))
