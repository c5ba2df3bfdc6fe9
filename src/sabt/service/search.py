"""`ws.search`: find entities by name in either script and any spelling.

A query is compared with the label and the `name` statements (in any script) of the entities
the actor may see (of one kind, if asked), only with the statements the actor may see: first a
cheap filter (some word of the query has the consonant skeleton or the exact key of some
word of the label, or the whole skeletons agree), looked up in the name-key index
(`sabt.store.namekeys`) so only entities that pass it are read — at most `MAX_CANDIDATES`,
those sharing the most keys with the query, so a common given name alone cannot make a search
compare thousands of names — then `sabt.text.name_similarity` on what is left: the whole name
against the whole label, and each word of a shorter query against its best word of the label
(so a surname alone finds the full name). Hits are ranked by that score, then id, and paged.
See docs/text.md for the keys, skeletons and similarity.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select, true

from sabt.errors import InvalidValue
from sabt.model.statements import Text
from sabt.policy import Action, Actor
from sabt.service.entities import Entities
from sabt.service.guard import Guard
from sabt.service.sight import Sight
from sabt.store import namekeys
from sabt.store import schema as t
from sabt.store.workspace import EntitySummary, Store, load_statements

MIN_SCORE = 0.85          # `close` in sabt.text's levels: below, two names are not one
WORD_PENALTY = 0.03       # a match on some words ranks below one on the whole name
MAX_QUERY = 200
MAX_LIMIT = 200
MAX_CANDIDATES = 200      # entities scored per search: those sharing the most keys (see below)
CHUNK = 900               # ids per `IN (…)` (SQLite's default limit is 999 parameters)


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


def _words(text: str) -> list[str]:
    from sabt.text import normalize_persian

    return [w for w in normalize_persian(text).replace("-", " ").split() if w]


def match_score(query: str, label: str) -> tuple[float, str]:
    """How well a label matches a query (0..1) and the similarity level; pure."""
    from sabt.text import name_key, name_similarity, skeleton

    q_words, l_words = _words(query), _words(label)
    if not q_words or not l_words:
        return 0.0, "none"
    q_keys = {name_key(w) for w in q_words} | {skeleton(w) for w in q_words}
    l_keys = {name_key(w) for w in l_words} | {skeleton(w) for w in l_words}
    if not (q_keys & l_keys) and skeleton(query) != skeleton(label):
        return 0.0, "none"
    whole = name_similarity(query, label)
    best, level = whole.score, whole.level
    if len(q_words) < len(l_words):
        per_word = [max((name_similarity(q, w) for w in l_words), key=lambda s: s.score)
                    for q in q_words]
        words = sum(s.score for s in per_word) / len(per_word) - WORD_PENALTY
        if words > best:
            best, level = words, min(per_word, key=lambda s: s.score).level
    return best, level


def _chunks(ids: list[str]) -> list[list[str]]:
    """Ids in groups small enough for one `IN (…)` on every backend."""
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


class Search:
    def __init__(self, store: Store, guard: Guard, entities: Entities) -> None:
        self.store = store
        self.guard = guard
        self.entities = entities

    def names(self, actor: Actor, query: str, *, kind: str | None = None, limit: int = 20,
              offset: int = 0) -> SearchPage:
        """Entities the actor may see whose label matches `query`, best first."""
        self.guard.require(actor, Action.VIEW)
        query = query.strip()
        if len(query) > MAX_QUERY:
            raise InvalidValue(f"a search has at most {MAX_QUERY} characters", field="q")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise InvalidValue(f"limit is 1 to {MAX_LIMIT} and offset not negative",
                               field="limit")
        if not query:
            return SearchPage(query, 0, offset, limit, ())
        found: list[Hit] = []
        with self.store.engine.begin() as conn:
            namekeys.refresh(conn)
        where = self.entities.visible_where(actor)
        if kind:
            where = and_(t.entity.c.kind == kind, true() if where is None else where)
        with self.store.connect() as conn:   # merged entities are found as their target
            ids = namekeys.candidates(conn, query, MAX_CANDIDATES, where)
        listed = {e.id: e for chunk in _chunks(ids)
                  for e in self.store.entities(limit=None, where=t.entity.c.id.in_(chunk))}
        names = self._names(actor, listed)
        for entity in listed.values():
            best = (0.0, "none", "")
            for name in (entity.label, *names.get(entity.id, ())):
                score, level = match_score(query, name)
                if score > best[0]:
                    best = (score, level, name)
            if best[0] >= MIN_SCORE:
                found.append(Hit(entity.id, entity.kind, entity.label, round(best[0], 4),
                                 best[1], best[2]))
        found.sort(key=lambda h: (-h.score, h.id))
        return SearchPage(query, len(found), offset, limit,
                          tuple(found[offset:offset + limit]))

    def _names(self, actor: Actor, listed: dict[str, EntitySummary]) -> dict[str, set[str]]:
        """The `name` statements the actor may see, as text, by entity."""
        with self.store.connect() as conn:
            statements = [st for chunk in _chunks(list(listed)) for st in load_statements(
                conn, select(t.statement).where(t.statement.c.entity_id.in_(chunk),
                                                t.statement.c.property == "name",
                                                t.statement.c.status == "active"))]
        _, visible = Sight(actor, self.store).filter((), statements)
        out: dict[str, set[str]] = {}
        for st in visible:
            if isinstance(st.value, Text) and st.value.text != listed[st.entity_id].label:
                out.setdefault(st.entity_id, set()).add(st.value.text)
        return out
